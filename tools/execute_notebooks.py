"""Execute the book's notebooks: jupytext percent .py -> .ipynb -> papermill -> executed .ipynb.

    python tools/execute_notebooks.py                      # every notebook, default parameters
    python tools/execute_notebooks.py width -p epochs 50    # one notebook, other parameters
    python tools/execute_notebooks.py --out /tmp/book -p profile smoke -p epochs null
    python tools/execute_notebooks.py --cell-timeout 900 --retries 1   # what the tests use

Parameter values are parsed as YAML (50 -> int, null -> None, [0, 1] -> list). Executed
notebooks go to --out (default: book/), which `jupyter-book build book` renders.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import jupytext
import nbformat
import papermill
import yaml

ROOT = Path(__file__).resolve().parents[1]
BLAS_ENV = ("OPENBLAS_NUM_THREADS",)  # numpy's OpenBLAS only; torch keeps its own threads
NOTEBOOKS = ROOT / "notebooks"


def read_notebook(name: str) -> tuple[nbformat.NotebookNode, str]:
    """One notebook of notebooks/ and the source of its parameters cell ("" if none)."""
    source = NOTEBOOKS / f"{name}.py"
    if not source.is_file():
        allowed = sorted(p.stem for p in NOTEBOOKS.glob("*.py"))
        raise SystemExit(f"notebook: got {name!r}, allowed {allowed}")
    nb = jupytext.read(source, fmt="py:percent")
    declared = next((c.source for c in nb.cells if "parameters" in c.metadata.get("tags", [])),
                    "")
    return nb, declared


def declared_only(name: str, parameters: dict) -> dict:
    """The `parameters` that notebook `name` declares in its parameters cell (a default for
    every chapter, such as the book build's ``allow_training = False``, is left out where a
    chapter has no such parameter, instead of reaching papermill as an unknown one)."""
    declared = read_notebook(name)[1]
    return {k: v for k, v in parameters.items() if declares(declared, k)}


def declares(declared: str, parameter: str) -> bool:
    """Whether a parameters cell's source assigns `parameter` on a line of its own."""
    return f"\n{parameter} = " in "\n" + declared


def execute(name: str, out_dir: Path, parameters: dict, build_dir: Path,
            cell_timeout: int | None = None) -> float:
    """Convert and execute one notebook; returns the seconds it took. `cell_timeout`: seconds
    a cell may run before nbclient gives up on it (None: no limit)."""
    nb, declared = read_notebook(name)
    if "explorer" not in parameters and declares(declared, "explorer"):
        # A static build has no use for the live widget, and nbclient can then miss the
        # widget cell's reply until a timeout (jupyter/nbclient#312; measured here: one run
        # in ten waited the whole cell timeout, and without one it waits forever).
        parameters = {**parameters, "explorer": False}
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    build_dir.mkdir(parents=True, exist_ok=True)
    converted = build_dir / f"{name}.ipynb"
    nbformat.write(nb, converted)
    out_dir.mkdir(parents=True, exist_ok=True)
    os.environ.pop("MPLBACKEND", None)  # the kernel must use its inline backend for figures
    # The kernel inherits these. One BLAS thread: the small eigendecompositions of the Renyi
    # estimator are faster on one thread here (5.6 vs 14 ms for 300 x 300), and with the
    # default thread count a kernel beside a busy runner was measured ~30x slower.
    for var in BLAS_ENV:
        os.environ.setdefault(var, "1")
    start = time.monotonic()
    executed = out_dir / f"{name}.ipynb"
    papermill.execute_notebook(str(converted), str(executed), parameters=parameters,
                               cwd=str(NOTEBOOKS), kernel_name="python3", progress_bar=False,
                               execution_timeout=cell_timeout)
    nbformat.write(for_readers(nbformat.read(executed, as_version=4), name, declared,
                               parameters), executed)
    return time.monotonic() - start


def rerun_box(name: str, declared: str, parameters: dict) -> str:
    """A collapsed MyST dropdown that says how to re-run a chapter: its parameters (the
    notebook's parameters cell, with the values this build used) and the commands."""
    shown = {k: v for k, v in parameters.items() if k != "explorer"}  # the tool sets it
    given = "".join(f" -p {k} '{json.dumps(v)}'" for k, v in shown.items())
    used = "".join(f"\n{k} = {v!r}  # in this build" for k, v in shown.items())
    return (f":::{{dropdown}} Re-run this chapter\n"
            f"This page is the notebook `notebooks/{name}.py`, executed by papermill. Open it "
            f"in Jupyter (`make lab`), change its parameters and run it, or from a shell:\n\n"
            f"```bash\n.venv/bin/python tools/execute_notebooks.py {name}{given}\n"
            f".venv/bin/jupyter-book build book\n```\n\n"
            f"Its parameters (values are YAML on the command line; `allow_training = True` "
            f"trains whatever is not stored):\n\n```python\n{declared.strip()}{used}\n```"
            f"\n:::\n")


TEXT_CALLS = ("prose(", "key_findings(", "ch.header()", "ch.compression_table()", "rp.header()", "ch.planes(",
              "study.header()", "study_header(", "Dropdown(")


def for_readers(nb, name: str, declared: str, parameters: dict):
    """The executed notebook as the book shows it: every code cell's source collapsed
    (``hide-input``; the outputs stay), the source of cells that only render text removed
    (`TEXT_CALLS`), the parameters cells removed (``remove-cell``), and a
    "Re-run this chapter" box after the title. The source notebook is not changed."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.setdefault("tags", [])
        if "parameters" in tags or "injected-parameters" in tags:
            tags.append("remove-cell")
        elif cell.source.lstrip().startswith(TEXT_CALLS):
            tags.append("remove-input")  # text cells: the reader sees the text, not the call
        elif not any(t.startswith(("hide-", "remove-")) for t in tags):
            tags.append("hide-input")
    first = next((i for i, c in enumerate(nb.cells) if c.cell_type == "markdown"), None)
    if first is not None and declared:
        box = nbformat.v4.new_markdown_cell(rerun_box(name, declared, parameters))
        box.metadata["tags"] = ["rerun-box"]
        nb.cells.insert(first + 1, box)
    return nb


def execute_with_retries(name, out_dir, parameters, build_dir, cell_timeout, retries) -> float:
    """`execute`, run again (up to `retries` times) when a cell times out.

    nbclient can wait forever for the reply to a cell even though the kernel has finished it
    (jupyter/nbclient#312, open; seen here with widget cells, which `execute` now leaves out).
    A cell timeout bounds that wait; a cell that really runs longer raises, and the notebook
    (which reruns from stored results) is executed again.
    """
    for attempt in range(retries + 1):
        try:
            return execute(name, out_dir, parameters, build_dir, cell_timeout)
        except TimeoutError as exc:  # nbclient's CellTimeoutError
            if attempt == retries:
                raise
            print(f"{name}: a cell timed out after {cell_timeout} s ({exc.__class__.__name__});"
                  f" executing again ({attempt + 1} of {retries})", flush=True)
    raise AssertionError("unreachable")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebooks (stems in notebooks/); default all")
    parser.add_argument("--out", type=Path, default=ROOT / "book")
    parser.add_argument("--build-dir", type=Path, default=ROOT / "build" / "notebooks")
    parser.add_argument("-p", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    parser.add_argument("--cell-timeout", type=int, default=None,
                        help="seconds a cell may run (default: no limit; training cells of "
                             "the book profile can take hours)")
    parser.add_argument("--retries", type=int, default=0,
                        help="execute a notebook again this many times when a cell times out")
    args = parser.parse_args(argv)
    if args.cell_timeout is not None and args.cell_timeout < 1:
        parser.error(f"--cell-timeout: got {args.cell_timeout}, allowed a positive integer")
    if args.retries < 0:
        parser.error(f"--retries: got {args.retries}, allowed an integer >= 0")
    parameters = {k: yaml.safe_load(v) for k, v in args.p}
    names = args.names or sorted(p.stem for p in NOTEBOOKS.glob("*.py"))
    for name in names:
        seconds = execute_with_retries(name, args.out, parameters, args.build_dir,
                                       args.cell_timeout, args.retries)
        print(f"executed {name} in {seconds:.1f} s -> {args.out / (name + '.ipynb')}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
