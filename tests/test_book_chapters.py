"""The book's Sphinx extension: which chapters are stale, and a missing chapter is an error."""
import importlib.util
import os
import sys
import time

import pytest

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
spec = importlib.util.spec_from_file_location("book_chapters", ROOT / "tools" / "book_chapters.py")
book_chapters = importlib.util.module_from_spec(spec)
spec.loader.exec_module(book_chapters)

TOC = """format: jb-book
root: intro
parts:
  - caption: Part
    chapters:
      - file: width
      - file: notes
        sections:
          - file: width2
"""


def _tree(tmp_path):
    root, book = tmp_path / "repo", tmp_path / "repo" / "book"
    (root / "notebooks").mkdir(parents=True)
    (root / "results").mkdir()
    book.mkdir()
    (book / "_toc.yml").write_text(TOC)
    for name in ("width", "width2"):
        (root / "notebooks" / f"{name}.py").write_text("# %%\n")
    (book / "intro.md").write_text("# Intro\n")
    (book / "notes.md").write_text("# Notes\n")
    return root, book


def _age(path, seconds):
    t = time.time() - seconds
    os.utime(path, (t, t))


def test_toc_files_walks_parts_chapters_and_sections(tmp_path):
    _, book = _tree(tmp_path)
    assert book_chapters.toc_files(book) == ["intro", "width", "notes", "width2"]


def test_missing_and_old_notebooks_are_stale_fresh_ones_are_not(tmp_path):
    root, book = _tree(tmp_path)
    assert book_chapters.stale_chapters(book, root) == ["width", "width2"]
    for name in ("width", "width2"):
        (book / f"{name}.ipynb").write_text("{}")
    assert book_chapters.stale_chapters(book, root) == []
    _age(book / "width.ipynb", 100)  # older than its source
    assert book_chapters.stale_chapters(book, root) == ["width"]
    (book / "width.ipynb").write_text("{}")
    _age(book / "width2.ipynb", 100)
    (root / "results" / "result.json").write_text("{}")  # a new stored result
    _age(book / "width.ipynb", 50)
    assert book_chapters.stale_chapters(book, root) == ["width", "width2"]


def test_a_chapter_without_a_page_stops_the_build(tmp_path, monkeypatch):
    _, book = _tree(tmp_path)
    (book / "width.ipynb").write_text("{}")
    assert book_chapters.missing_chapters(book) == ["width2"]

    class App:
        srcdir = str(book)
    monkeypatch.setenv("IBUTILS_BOOK_EXECUTE", "0")  # execute nothing: width2 stays missing
    with pytest.raises(book_chapters.ExtensionError, match="width2"):
        book_chapters.execute_stale(App())


def test_the_build_passes_its_defaults_only_to_chapters_that_declare_them():
    """The book build runs every stale chapter with ``allow_training = False``; a chapter
    without that parameter (the noisy chapter never trains) must not get it as an unknown
    papermill parameter, nor see it in its re-run box."""
    import execute_notebooks

    defaults = {"allow_training": False}
    assert execute_notebooks.declared_only("width", defaults) == defaults
    assert execute_notebooks.declared_only("noisy", defaults) == {}
    assert execute_notebooks.declared_only("width", {"no_such_parameter": 1}) == {}
