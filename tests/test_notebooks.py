"""The book pipeline for real: notebooks executed by papermill, then jupyter-book with -W.

Two builds: every notebook in the smoke profile (trains tiny runs into a temporary cache), and
the published book from the committed results only (no training allowed), so a figure that
the committed results cannot produce fails here, not on a reader's screen.
"""
import shutil
import subprocess
import sys

import pytest

from .conftest import ROOT, needs_data

pytestmark = [pytest.mark.slow, needs_data]
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.py"))


def _execute(out, tmp_path, *params):
    cmd = [sys.executable, str(ROOT / "tools" / "execute_notebooks.py"), "--out", str(out),
           "--build-dir", str(tmp_path / "converted")]
    for name, value in params:
        cmd += ["-p", name, value]
    subprocess.run(cmd, check=True, cwd=ROOT)


def _build(book):
    for f in ("_toc.yml", "references.bib", *[p.name for p in (ROOT / "book").glob("*.md")]):
        shutil.copy(ROOT / "book" / f, book / f)
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "jupyter-book") if (ROOT / ".venv").exists() else
         "jupyter-book", "build", str(book), "--config", str(ROOT / "_config.yml"),
         "-W", "-n", "--keep-going"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    html = book / "_build" / "html"
    for name in NOTEBOOKS:
        page = (html / f"{name}.html").read_text()
        assert "<img" in page, f"{name}: no figure rendered"
        assert "Traceback" not in page, f"{name}: an error is shown on the page"
    return html


def test_smoke_profile_notebooks_execute_and_book_builds(tmp_store, tmp_path):
    book = tmp_path / "book"
    _execute(book, tmp_path, ("profile", "smoke"), ("epochs", "null"), ("seeds", "null"))
    _build(book)


def test_published_book_builds_from_committed_results(tmp_path, monkeypatch):
    monkeypatch.delenv("IBUTILS_RESULTS", raising=False)  # the committed results/
    monkeypatch.setenv("IBUTILS_CACHE", str(tmp_path / "cache"))
    book = tmp_path / "book"
    _execute(book, tmp_path, ("allow_training", "false"))
    _build(book)
