"""A Sphinx extension that jupyter-book loads (`_config.yml`: ``sphinx: local_extensions``):
``jupyter-book build book`` executes, before it builds, every chapter whose executed notebook
is missing or older than its source (``notebooks/<name>.py``) or the stored results; a
chapter of the table of contents that is still missing is an error.

Chapters run through `execute_notebooks.execute` (jupytext, then papermill) with their default
parameters and ``allow_training = False``: from the committed results, nothing is trained. A
notebook whose runs are not stored stops the build with the list of what is missing.
Set ``IBUTILS_BOOK_EXECUTE=0`` to build only what is already executed (a missing chapter is
still an error).
"""
from __future__ import annotations

import os
from pathlib import Path

import yaml
from sphinx.errors import ExtensionError

ROOT = Path(__file__).resolve().parents[1]


def toc_files(srcdir: Path) -> list[str]:
    """Every file named by the book's `_toc.yml` (jb-book format), root first."""
    toc = yaml.safe_load((srcdir / "_toc.yml").read_text())
    names = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                names.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))
    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return names


def newest(paths) -> float:
    return max((p.stat().st_mtime for p in paths), default=0.0)


def stale_chapters(srcdir: Path, root: Path = ROOT) -> list[str]:
    """Chapters with a notebook source whose executed notebook in `srcdir` is missing or older
    than that source or any stored result."""
    inputs = newest((root / "results").rglob("*.json"))
    out = []
    for name in toc_files(srcdir):
        source = root / "notebooks" / f"{name}.py"
        executed = srcdir / f"{name}.ipynb"
        if source.is_file() and (not executed.is_file()
                                 or executed.stat().st_mtime < max(inputs, newest([source]))):
            out.append(name)
    return out


def missing_chapters(srcdir: Path) -> list[str]:
    """Files of the table of contents that exist in no form Sphinx reads."""
    return [name for name in toc_files(srcdir)
            if not any((srcdir / f"{name}{ext}").is_file() for ext in (".md", ".ipynb", ".rst"))]


def execute_stale(app) -> None:
    srcdir = Path(app.srcdir)
    if os.environ.get("IBUTILS_BOOK_EXECUTE", "1") != "0":
        import execute_notebooks  # tools/ is on sys.path through local_extensions

        for name in stale_chapters(srcdir):
            print(f"book_chapters: executing {name} (from stored results)", flush=True)
            seconds = execute_notebooks.execute(
                name, srcdir, execute_notebooks.declared_only(name, {"allow_training": False}),
                ROOT / "build" / "notebooks")
            print(f"book_chapters: {name} done in {seconds:.0f} s", flush=True)
    missing = missing_chapters(srcdir)
    if missing:
        raise ExtensionError(f"chapters of _toc.yml with no page: {', '.join(missing)} "
                             f"(execute them with tools/execute_notebooks.py, or unset "
                             f"IBUTILS_BOOK_EXECUTE=0)")


def setup(app):
    app.connect("builder-inited", execute_stale)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
