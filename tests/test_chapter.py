"""The chapter object: rows per dataset and series, tables as Markdown, checked choices."""
import pytest

from ibutils.chapter import Chapter, Text
from ibutils.config import get_profile

from .test_report import EST, fake_run


def _chapter(series=None):
    runs = [fake_run([1, 2, 3], variant=v, dataset=d)
            for d in ("mnist", "fashion_mnist") for v in ("w1", "w3", "w12")]
    return Chapter("width", runs, get_profile("smoke"), "test", (EST, EST, EST), series or {})


def test_rows_are_datasets_then_series():
    ch = _chapter()
    assert list(ch.rows()) == ["mnist", "fashion_mnist"]
    assert [r.variant for r in ch.rows()["mnist"]] == ["w1", "w3", "w12"]
    ch = _chapter({"narrow": ["w1", "w3"], "wide": ["w12"]})
    assert list(ch.rows()) == ["mnist narrow", "fashion_mnist narrow", "mnist wide",
                               "fashion_mnist wide"]
    assert [r.variant for r in ch.rows()["fashion_mnist narrow"]] == ["w1", "w3"]
    # one compression table per series
    assert ch.compression().count("| configuration |") == 2


def test_tables_render_as_markdown():
    sat = _chapter().saturation()
    assert isinstance(sat, Text) and sat._repr_markdown_() == str(sat)
    assert "**0 of 108**" in sat  # 6 runs x 6 hidden layers x 3 snapshots, none at log2 1024


def test_animation_names_the_allowed_variants():
    with pytest.raises(ValueError, match=r"variant: got 'w6', allowed \('w1', 'w3', 'w12'\)"):
        _chapter().animation("w6")
