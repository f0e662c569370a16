"""Rendering for the book and for Jupyter: Markdown and HTML values, captioned MyST tables,
and glue (named numbers that the text quotes)."""
from __future__ import annotations


class Text(str):
    """Markdown that Jupyter (and the book) renders when it is a cell's value."""

    def _repr_markdown_(self) -> str:
        return str(self)


def table(markdown: str, caption: str, name: str) -> Text:
    """A Markdown table as a numbered, captioned MyST table that prose can cite with
    {numref}`name` (the book renders Markdown outputs as MyST)."""
    if not name.replace("-", "").isalnum():
        raise ValueError(f"name: got {name!r}, allowed letters, digits and '-'")
    return Text(f":::{{table}} {caption}\n:name: {name}\n\n{markdown.strip()}\n:::\n")


class Html(str):
    """HTML that Jupyter (and the book) renders when it is a cell's value."""

    def _repr_html_(self) -> str:
        return str(self)


def glue(facts: dict[str, str]) -> None:
    """Paste named numbers into the notebook (`myst_nb.glue`, not displayed), so its text
    quotes them with ``{glue:text}`name``` and stays true to the runs the page shows."""
    from myst_nb import glue as paste

    for name, value in facts.items():
        paste(name, value, display=False)


def markdown_table(header: list[str], rows: list[list]) -> str:
    """A Markdown table; floats with 3 decimals."""
    fmt = lambda v: f"{v:.3f}" if isinstance(v, float) else str(v)  # noqa: E731
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
