"""The book pipeline for real: notebooks executed by papermill, then jupyter-book with -W.

Two builds: every notebook in the smoke profile (trains tiny runs into a temporary cache), and
the published book from the committed results only (no training allowed), so a figure that
the committed results cannot produce fails here, not on a reader's screen.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, needs_data

pytestmark = [pytest.mark.slow, needs_data]
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.py"))
TABLES_ONLY = {"all_runs"}  # pages of tables, no figure


def _execute(out, tmp_path, *params):
    # a cell limit with one retry: nbclient can hang on a widget cell (jupyter/nbclient#312)
    cmd = [sys.executable, str(ROOT / "tools" / "execute_notebooks.py"), "--out", str(out),
           "--build-dir", str(tmp_path / "converted"), "--cell-timeout", "900", "--retries", "1"]
    for name, value in params:
        cmd += ["-p", name, value]
    subprocess.run(cmd, check=True, cwd=ROOT)


def _browser_check(html, strict: bool = False):
    """Every page in headless Chromium (tools/check_book.py); required in CI. `strict`: also
    what a reader sees (display ratios, internal ids, visible code, findings first)."""
    if not (Path("/usr/bin/chromium").exists() and Path("/usr/bin/chromedriver").exists()):
        if os.environ.get("CI"):
            pytest.fail("CI must install chromium and chromium-driver for the browser check")
        pytest.skip("no /usr/bin/chromium: apt-get install chromium chromium-driver")
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "check_book.py"), str(html),
                             *(["--strict"] if strict else [])], capture_output=True, text=True)
    print(result.stdout)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert (html / "_screenshots" / "width.png").is_file()


def _build(book):
    for f in ("_toc.yml", "references.bib", *[p.name for p in (ROOT / "book").glob("*.md")]):
        shutil.copy(ROOT / "book" / f, book / f)
    for folder in ("_vendor", "_static"):
        shutil.copytree(ROOT / "book" / folder, book / folder)
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "jupyter-book") if (ROOT / ".venv").exists() else
         "jupyter-book", "build", str(book), "--config", str(ROOT / "_config.yml"),
         "-W", "-n", "--keep-going"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    html = book / "_build" / "html"
    for name in NOTEBOOKS:
        page = (html / f"{name}.html").read_text()
        if name not in TABLES_ONLY:
            assert "<img" in page, f"{name}: no figure rendered"
        assert "Traceback" not in page, f"{name}: an error is shown on the page"
    return html


def test_smoke_profile_notebooks_execute_and_book_builds(tmp_store, tmp_path):
    book = tmp_path / "book"
    _execute(book, tmp_path, ("profile", "smoke"), ("epochs", "null"), ("seeds", "null"),
             ("allow_training", "true"))
    _browser_check(_build(book))


def test_published_book_builds_from_committed_results(tmp_path, monkeypatch):
    # as on a fresh clone: `jupyter-book build` with no executed chapter; the book's extension
    # (tools/book_chapters.py) executes every chapter from the committed results
    monkeypatch.delenv("IBUTILS_RESULTS", raising=False)  # the committed results/
    monkeypatch.setenv("IBUTILS_CACHE", str(tmp_path / "cache"))
    book = tmp_path / "book"
    book.mkdir()
    html = _build(book)
    assert all((book / f"{name}.ipynb").is_file() for name in NOTEBOOKS)
    _browser_check(html, strict=True)  # the book readers get: checked as they see it


def test_a_chapter_runs_in_jupyterlab_and_its_explorer_redraws(tmp_path):
    """JupyterLab on loopback, the width chapter opened with jupytext's viewer in headless
    Chromium, run on the stored results; moving the explorer's network control redraws its
    figure, and the Key findings box shows numbers (tools/check_lab.py); required in CI."""
    if not (Path("/usr/bin/chromium").exists() and Path("/usr/bin/chromedriver").exists()):
        if os.environ.get("CI"):
            pytest.fail("CI must install chromium and chromium-driver for the JupyterLab check")
        pytest.skip("no /usr/bin/chromium: apt-get install chromium chromium-driver")
    pytest.importorskip("jupyterlab")
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "check_lab.py"), "width",
                             "--out", str(tmp_path / "lab")], capture_output=True, text=True,
                            timeout=1500)
    print(result.stdout)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert (tmp_path / "lab" / "4-after-change.png").is_file()
