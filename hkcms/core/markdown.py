"""The one markdown-it-py configuration, shared by the TUI preview and the static export."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

# Bumped when the parser's output changes (cached fragments are then rendered again).
PARSER_VERSION = "2"  # 2: CJK soft line breaks join without a space

# Linkify is left out on purpose: it triples render time (DESIGN.md §6).


def heading_anchor(text: str) -> str:
    """Anchor id for a heading: keeps letters of any script (Chinese too), hyphenates spaces."""
    slug = re.sub(r"[^\w\- ]", "", text.strip().lower(), flags=re.UNICODE)
    return re.sub(r"[\s-]+", "-", slug).strip("-") or "section"


# Scripts written without spaces between words (Han, kana, CJK punctuation, full-width forms).
# Hangul is left out: Korean separates words with spaces.
_CJK = re.compile(
    "[\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f]"
)


def _edge(tokens: list[Token], start: int, step: int) -> str:
    """The character next to a soft break: the nearest text on one side (markup skipped)."""
    i = start
    while 0 <= i < len(tokens):
        token = tokens[i]
        if token.type in ("text", "code_inline") and token.content:
            return token.content[-1] if step < 0 else token.content[0]
        if token.type in ("softbreak", "hardbreak", "image"):
            return ""
        i += step
    return ""


def cjk_softbreaks(state: StateCore) -> None:
    """A line break inside a paragraph between two CJK characters joins the lines without a
    space (an editor's hard-wrapped Chinese paragraph reads as one); other breaks stay."""
    for block in state.tokens:
        children = block.children
        if block.type != "inline" or not children:
            continue
        kept = [
            token
            for i, token in enumerate(children)
            if not (
                token.type == "softbreak"
                and _CJK.match(_edge(children, i - 1, -1))
                and _CJK.match(_edge(children, i + 1, 1))
            )
        ]
        if len(kept) != len(children):
            block.children = kept


def cjk_softbreak_plugin(md: MarkdownIt) -> None:
    md.core.ruler.push("cjk_softbreak", cjk_softbreaks)


def create_parser() -> MarkdownIt:
    """A fresh parser: CommonMark + tables, strikethrough, footnotes, task lists, heading
    anchors; front matter is skipped. Raw HTML is parsed; the exporter sanitises it (nh3)."""
    md = MarkdownIt("commonmark", {"html": True, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(front_matter_plugin)
    md.use(footnote_plugin)
    md.use(tasklists_plugin)
    md.use(anchors_plugin, min_level=1, max_level=3, slug_func=heading_anchor)
    md.use(cjk_softbreak_plugin)
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
