"""The export's Markdown parser, adapted to what Textual's Markdown widget can show (footnotes,
images as [image: alt] placeholders)."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from hkcms.core.markdown import create_parser

# Textual's Markdown widget pops a block on every "*_close" token it does not know, so the
# footnote tokens crash it. They become an ordered list with numbered references instead.
_RENAMES = {
    "footnote_block_open": "ordered_list_open",
    "footnote_block_close": "ordered_list_close",
    "footnote_open": "list_item_open",
    "footnote_close": "list_item_close",
}


def _footnotes_for_widget(state: StateCore) -> None:
    number = 0
    for token in state.tokens:
        if token.type in _RENAMES:
            token.type = _RENAMES[token.type]
            if token.type == "list_item_open":
                number += 1
                token.info = str(number)
                token.markup = "."
        if token.children:
            token.children = [_inline(child) for child in token.children]


def _inline(token: Token) -> Token:
    if token.type == "footnote_ref":
        label = int(token.meta.get("id", 0)) + 1
        return Token("text", "", 0, content=f"[{label}]")
    if token.type == "footnote_anchor":
        return Token("text", "", 0, content="")
    if token.type == "image":
        # The terminal cannot show pictures: a visible placeholder says where one is.
        return Token("text", "", 0, content=f"[image: {token.content or 'no alt text!'}]")
    return token


def preview_parser() -> MarkdownIt:
    """create_parser() (the export's settings) plus the footnote adaptation above."""
    md = create_parser()
    md.core.ruler.push("hkcms_tui_footnotes", _footnotes_for_widget)
    return md
