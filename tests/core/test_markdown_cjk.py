"""CJK soft line breaks: a hard-wrapped Chinese paragraph reads as one line, others keep a space."""

from __future__ import annotations

import pytest

from hkcms.core.markdown import render_html


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("香港人\n在曼徹斯特。\n", "<p>香港人在曼徹斯特。</p>\n"),
        ("第一句，\n第二句。\n", "<p>第一句，第二句。</p>\n"),  # CJK punctuation counts
        ("**粗體**\n文字\n", "<p><strong>粗體</strong>文字</p>\n"),  # across markup
        ("Hello\nworld\n", "<p>Hello\nworld</p>\n"),  # English keeps its space
        ("你好\nworld\n", "<p>你好\nworld</p>\n"),  # mixed: a space is right
        ("English\n中文\n", "<p>English\n中文</p>\n"),
        ("한국어\n문장\n", "<p>한국어\n문장</p>\n"),  # Korean separates words with spaces
        ("中文  \n換行\n", "<p>中文<br />\n換行</p>\n"),  # a hard break stays
        ("`代碼`\n文字\n", "<p><code>代碼</code>文字</p>\n"),
    ],
)
def test_softbreaks_between_cjk_characters_disappear(source: str, html: str) -> None:
    assert render_html(source) == html
