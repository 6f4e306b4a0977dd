"""Breaking very long lines never changes the rendered page (Hypothesis) and never loses text."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from hkcms.core.long_lines import has_long_line, wrap_long_lines
from hkcms.core.markdown import render_html

WORDS = st.sampled_from(
    [
        "rally", "Manchester", "香港", "人", "遊行", "，", "。", "*bold*", "_em_", "`code a`",
        "[link](https://example.org/a)", "1.", "-", "#", ">", "|", "\\", "<b>x</b>", "2024",
        "**", "a", "ゆ", "カ", "---", "```", "    ", "~~", "！",
    ]
)  # fmt: skip
SEPARATORS = st.sampled_from([" ", "", "  ", " "])


@st.composite
def paragraphs(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(WORDS, SEPARATORS), min_size=1, max_size=80))
    line = "".join(w + s for w, s in parts)
    prefix = draw(st.sampled_from(["", "- ", "> ", "1. ", "   ", "- 1. ", "> - "]))
    return prefix + line


@st.composite
def documents(draw: st.DrawFn) -> str:
    blocks = draw(st.lists(paragraphs(), min_size=1, max_size=4))
    if draw(st.booleans()):
        blocks.insert(1, "```\n" + blocks[0] + "\n```")
    # Posts start with front matter; a list item on the very first line that starts with ---
    # is read as front matter by markdown-it's plugin, whatever the line breaks.
    return "Intro.\n\n" + "\n\n".join(blocks) + "\n"


def same_page(html: str) -> str:
    return re.sub(r"\s+", " ", html)


@settings(max_examples=200, deadline=None)
@given(documents())
def test_breaking_long_lines_keeps_the_rendered_page(text: str) -> None:
    wrapped = wrap_long_lines(text, limit=30, width=12)
    assert same_page(render_html(wrapped.text)) == same_page(render_html(text))
    # Only line breaks were added, each in place of a space or between two characters.
    assert re.sub(r"\s", "", wrapped.text) == re.sub(r"\s", "", text)


def test_an_80_kb_line_is_broken_into_short_lines() -> None:
    line = "Hongkongers marched through Piccadilly Gardens 香港人在曼城遊行 " * 1300
    text = f"Intro.\n\n{line.strip()}\n\n```\n{'x' * 5000}\n```\n| a | {'b' * 5000} |\n"
    assert has_long_line(text)
    wrapped = wrap_long_lines(text)
    assert wrapped.lines == (3,)
    assert wrapped.kept == (6, 8)  # code and a table row are never broken
    assert max(len(x) for x in wrapped.text.split("\n")[:-6]) <= 1000
    assert same_page(render_html(wrapped.text)) == same_page(render_html(text))


def test_chinese_without_spaces_breaks_between_characters() -> None:
    line = "香港人在曼徹斯特舉行周年大會" * 600
    wrapped = wrap_long_lines(line)
    assert len(wrapped.text.split("\n")) == 9
    assert wrapped.text.replace("\n", "") == line
    assert render_html(wrapped.text) == render_html(line)
