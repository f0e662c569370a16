"""Rendering for the book and for Jupyter: Markdown and HTML values, captioned MyST tables,
glue (named numbers that the text quotes) and `prose`, text with those numbers filled in that
reads the same in the book and in Jupyter."""
from __future__ import annotations

import base64
import io
import re
import warnings

from ..labels import sentence_start

GLUED: dict[str, str] = {}  # every number `glue` has pasted in this kernel, by name
_GLUE_ROLE = re.compile(r"\{glue:text\}`([^`]+)`")
_ROLE = re.compile(r"\{(\w+)\}`([^`]*)`")


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
        GLUED[name] = str(value)


class Prose:
    """Markdown text with glued numbers filled in: MyST for the book (its roles, tables and
    admonitions resolved there) and HTML for Jupyter, which renders neither glue nor MyST
    roles (a role is shown as its plain text). The book prefers the Markdown, Jupyter the
    HTML (`_config.yml` sets the book's preference)."""

    def __init__(self, markdown: str, title: str | None = None, kind: str = "tip"):
        self.markdown, self.title, self.kind = markdown, title, kind

    def _repr_markdown_(self) -> str:
        if self.title is None:
            return self.markdown
        return (f":::{{admonition}} {self.title}\n:class: {self.kind} key-findings\n\n"
                f"{self.markdown}\n:::\n")

    def _repr_html_(self) -> str:
        from markdown_it import MarkdownIt

        body = MarkdownIt("commonmark").enable("table").render(_plain_roles(self.markdown))
        if self.title is None:
            return body
        return (f'<div class="admonition {self.kind} key-findings" style="border-left: 4px '
                f'solid #2a9d8f; padding: 0.2em 1em; background: #f3faf9">'
                f'<p class="admonition-title"><b>{self.title}</b></p>{body}</div>')

    def __str__(self) -> str:
        return self._repr_markdown_()


def _plain_roles(markdown: str) -> str:
    """MyST roles as plain text: {term}`ceiling <ceiling>` -> ceiling, {numref}`fig-x` ->
    "the figure fig-x", {cite}`key` -> [key]."""
    def plain(m):
        role, text = m.group(1), m.group(2)
        text = re.sub(r"\s*<[^>]*>$", "", text)
        if role == "numref":
            kind = "table" if text.startswith("tab") else "figure"
            return f"the {kind} \u201c{text}\u201d"
        if role in ("cite", "cite:p", "cite:t"):
            return f"[{text}]"
        return text
    return _ROLE.sub(plain, markdown)


def prose(markdown: str, *, title: str | None = None, kind: str = "tip") -> Prose:
    """Text whose ``{glue:text}`name``` roles are replaced by the numbers `glue` pasted, so
    it reads with its numbers in Jupyter as in the book; with a `title` ("Key findings"), an
    admonition box. A name nothing was glued under (runs too few for that number, e.g. one
    seed where it needs several) shows as "(not computed)" with a warning naming it."""
    def fill(m):
        name = m.group(1)
        if name not in GLUED:
            warnings.warn(f"{{glue:text}}`{name}`: nothing glued under that name in this "
                          "kernel (too few runs for it?); shown as '(not computed)'",
                          stacklevel=3)
            return "(not computed)"
        return GLUED[name]
    return Prose(_GLUE_ROLE.sub(fill, markdown.strip("\n")), title=title, kind=kind)


def key_findings(markdown: str) -> Prose:
    """The "Key findings" box that opens a chapter (`prose` with that title)."""
    return prose(markdown, title="Key findings")


def markdown_table(header: list[str], rows: list[list]) -> str:
    """A Markdown table; floats with 3 decimals."""
    fmt = lambda v: f"{v:.3f}" if isinstance(v, float) else str(v)  # noqa: E731
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


class Dropdown:
    """A collapsed box with a title (MyST ``dropdown`` in the book, HTML ``<details>`` in
    Jupyter) around Markdown, e.g. a long table behind a figure."""

    def __init__(self, title: str, markdown: str):
        self.title, self.markdown = title, markdown

    def _repr_markdown_(self) -> str:
        return f"::::{{dropdown}} {self.title}\n{self.markdown}\n::::\n"

    def _repr_html_(self) -> str:
        from markdown_it import MarkdownIt

        body = MarkdownIt("commonmark").enable("table").render(_plain_roles(self.markdown))
        return f"<details><summary>{self.title}</summary>{body}</details>"


class FigureTabs:
    """Figures under tabs, one per label (e.g. per dataset): in the book a sphinx-design
    ``tab-set`` of glued, numbered figures (the first takes `name`, so prose can cite it
    with {numref}); in Jupyter the figures one after another under their labels."""

    def __init__(self, name: str, figures: dict, caption: str):
        import matplotlib.pyplot as plt
        from myst_nb import glue as paste

        if not name.replace("-", "").isalnum():
            raise ValueError(f"name: got {name!r}, allowed letters, digits and '-'")
        self.name, self.caption, self.labels = name, caption, list(figures)
        self.png = {}
        for i, (label, fig) in enumerate(figures.items()):
            fig.set_dpi(200)  # 2x pixels: sharp on high-density screens, shown at column width
            paste(self._key(i), fig, display=False)  # the book's copy
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=200)
            self.png[label] = base64.b64encode(buf.getvalue()).decode()
            plt.close(fig)  # shown through this object only, not again by the inline backend

    def _key(self, i: int) -> str:
        return self.name if i == 0 else f"{self.name}-{i}"

    def _repr_markdown_(self) -> str:
        items = []
        for i, label in enumerate(self.labels):
            items.append(f":::{{tab-item}} {label}\n```{{glue:figure}} {self._key(i)}\n"
                         f":name: {self._key(i)}\n\n"  # the caption's last sentence: the tab
                         f"{self.caption} {sentence_start(label)}.\n```\n:::")
        return "::::{tab-set}\n" + "\n".join(items) + "\n::::\n"

    def _repr_html_(self) -> str:
        parts = [f"<p><b>{label}</b></p><img src='data:image/png;base64,{self.png[label]}' "
                 f"style='max-width: 100%; width: 700px'>" for label in self.labels]
        return "".join(parts) + f"<p><i>{self.caption}</i></p>"
