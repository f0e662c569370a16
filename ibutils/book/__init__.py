"""The book layer: what a page of the book needs beyond the analysis.

- `spec`: a page's parameters as one frozen, checked `PageSpec`;
- `pages`: loading a page's runs (`load_chapter`, `load_study`, `load_reproduction`,
  `load_compression`, `load_precision`) into the page objects of `chapters`;
- `chapters`: the page objects, whose methods draw figures and render tables;
- `tables`: Markdown tables from analysis rows;
- `facts`: the numbers a page's text quotes, by name, pasted with `render.glue`;
- `render`: `Text`, `Html`, captioned tables, glue, and `prose` / `key_findings` (text with
  its numbers filled in, for the book and for Jupyter alike);
- `explorer`: the ipywidgets explorer for a live Jupyter kernel.
"""
from .chapters import Chapter, PrecisionCheck, Reproduction, study_header
from .compression_page import CompressionChapter
from .noisy_page import NoisyChapter
from .pages import (
           load_chapter,
           load_compression,
           load_noisy,
           load_precision,
           load_reproduction,
           load_stored,
           load_study,
)
from .render import Dropdown, Html, Prose, Text, glue, key_findings, prose, table
from .spec import PageSpec, page_spec

__all__ = ["Chapter", "CompressionChapter", "NoisyChapter", "Dropdown", "Html", "PageSpec", "PrecisionCheck", "Reproduction",
           "Prose", "Text", "glue", "key_findings", "load_chapter", "load_compression", "load_noisy", "load_precision",
           "load_reproduction", "load_stored", "load_study", "page_spec", "prose", "study_header",
           "table"]
