"""Compare two builds of the book's executed notebooks: every glued value and every output.

    python tools/compare_glue.py OLD_DIR NEW_DIR

For each notebook present in both folders, lists glued names whose value differs or that
exist on one side only (myst-nb's glue: outputs whose metadata holds ``scrapbook.name``), and
counts the other outputs (text, Markdown, HTML, images) that differ. Exits 1 on any difference.
Used to check that a change meant to preserve behaviour (a refactor) changes no number of the
book.
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

ANIMATION_ID = re.compile(r"[0-9a-f]{32}")  # random uuids of the animations' HTML elements


def glued(nb: dict) -> dict[str, str]:
    """{name: value} of every glued output (every representation myst-nb stored for it, under
    the glue's MIME prefix)."""
    out = {}
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            book = o.get("metadata", {}).get("scrapbook", {})
            if book.get("name"):
                data = o.get("data", {})
                prefix = book.get("mime_prefix", "")
                values = {k[len(prefix):]: v for k, v in data.items() if k.startswith(prefix)}
                if not values:
                    raise ValueError(f"glue {book['name']!r}: no value under {prefix!r}")
                out[book["name"]] = json.dumps(values, sort_keys=True)
    return out


def shown(nb: dict) -> list[str]:
    """A digest of every displayed output that is not glue (text, Markdown, HTML, images),
    cell by cell; execution counts, widget state and stream timing are left out."""
    digests = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code" or "injected-parameters" in cell["metadata"].get("tags", []):
            continue
        for o in cell.get("outputs", []):
            if o.get("metadata", {}).get("scrapbook"):
                continue
            data = o.get("data") or {}
            keep = {k: v for k, v in data.items()
                    if k in ("text/markdown", "text/html", "image/png", "text/plain")
                    and not (k == "text/plain" and "image/png" in data)}
            if o.get("output_type") == "stream":
                continue
            text = ANIMATION_ID.sub("<id>", json.dumps(keep, sort_keys=True))
            digests.append(hashlib.sha256(text.encode()).hexdigest())
    return digests


def main(old: str, new: str) -> int:
    bad = 0
    for path in sorted(Path(old).glob("*.ipynb")):
        other = Path(new) / path.name
        if not other.is_file():
            print(f"{path.name}: missing in {new}")
            bad += 1
            continue
        a, b = json.loads(path.read_text()), json.loads(other.read_text())
        ga, gb = glued(a), glued(b)
        diff = sorted(k for k in ga.keys() | gb.keys() if ga.get(k) != gb.get(k))
        sa, sb = shown(a), shown(b)
        outputs = sum(x != y for x, y in zip(sa, sb)) + abs(len(sa) - len(sb))
        print(f"{path.name}: {len(ga)} glued values, {len(diff)} differ; {len(sa)} outputs, "
              f"{outputs} differ")
        for k in diff[:20]:
            print(f"  {k}: {ga.get(k)!r} -> {gb.get(k)!r}")
        bad += bool(diff) + bool(outputs)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:3]))
