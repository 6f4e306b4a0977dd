"""The one markdown-it-py configuration, shared by the TUI preview and the static export."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

# Linkify is left out on purpose: it triples render time (DESIGN.md §6).


def heading_anchor(text: str) -> str:
    """Anchor id for a heading: keeps letters of any script (Chinese too), hyphenates spaces."""
    slug = re.sub(r"[^\w\- ]", "", text.strip().lower(), flags=re.UNICODE)
    return re.sub(r"[\s-]+", "-", slug).strip("-") or "section"


def create_parser() -> MarkdownIt:
    """A fresh parser: CommonMark + tables, strikethrough, footnotes, task lists, heading
    anchors; front matter is skipped. Raw HTML is parsed; the exporter sanitises it (nh3)."""
    md = MarkdownIt("commonmark", {"html": True, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(front_matter_plugin)
    md.use(footnote_plugin)
    md.use(tasklists_plugin)
    md.use(anchors_plugin, min_level=1, max_level=3, slug_func=heading_anchor)
    return md


@lru_cache(maxsize=1)
def shared_parser() -> MarkdownIt:
    """A process-wide parser instance (MarkdownIt is reusable across documents)."""
    return create_parser()


def render_html(markdown: str) -> str:
    """Render Markdown to (unsanitised) HTML."""
    html: str = shared_parser().render(markdown)
    return html


@dataclass(frozen=True)
class TocEntry:
    level: int
    text: str
    anchor: str


def table_of_contents(markdown: str) -> list[TocEntry]:
    """Headings (levels 1–3) of a document with their anchors, in order."""
    tokens = shared_parser().parse(markdown)
    out: list[TocEntry] = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.attrGet("id"):
            inline = tokens[i + 1]
            out.append(TocEntry(int(token.tag[1]), inline.content, str(token.attrGet("id"))))
    return out
