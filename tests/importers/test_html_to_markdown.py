"""HTML → Markdown: sanitised, never hard-wrapped, CJK line breaks, tables Markdown cannot hold."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from hkcms.core.markdown import render_html
from hkcms.importers.html_to_markdown import convert, html_to_markdown


def test_a_newline_inside_chinese_text_disappears_and_elsewhere_becomes_a_space() -> None:
    md = html_to_markdown("<p>香港人在\n曼徹斯特聚會，\n  一起行。</p><p>We met\nat noon.</p>")
    assert md == "香港人在曼徹斯特聚會，一起行。\n\nWe met at noon.\n"


def test_long_paragraphs_are_never_wrapped() -> None:
    words = " ".join(["solidarity"] * 200) + " " + "團結" * 200
    md = html_to_markdown(f"<p>{words}</p>")
    assert md.count("\n") == 1 and md.strip() == words


def test_br_is_a_visible_line_break_not_a_wrap() -> None:
    md = html_to_markdown("<p>第一行<br>\n第二行</p>")
    assert md == "第一行\\\n第二行\n"
    assert "<br />" in render_html(md)


def test_scripts_styles_event_handlers_and_javascript_links_are_dropped() -> None:
    md = html_to_markdown(
        "<script>alert(1)</script><style>p{}</style>"
        '<p onclick="steal()">Hi <a href="javascript:alert(1)">bad</a> '
        '<a href="JaVaScRiPt&#58;alert(2)">worse</a> <a href="data:text/html,x">data</a> '
        '<img src="x.png" onerror="steal()" alt="pic"></p>'
    )
    assert "alert" not in md and "steal" not in md and "javascript" not in md.lower()
    assert "data:" not in md
    assert md.startswith("Hi bad worse data ![pic](x.png)")


def test_text_that_looks_like_markup_stays_text() -> None:
    md = html_to_markdown(
        "<p>&lt;script&gt;x&lt;/script&gt; 5*3 a_b [not](a link) `tick` &amp;amp; a|b</p>"
        "<p># not a heading</p><p>1. not a list</p><p>- nor this</p>"
    )
    rendered = render_html(md)
    assert "<script>" not in rendered and "<h1" not in rendered and "<li" not in rendered
    assert "<a " not in rendered and "<code" not in rendered
    text = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    for piece in ("<script>x</script>", "5*3", "a_b", "[not](a link)", "`tick`", "&amp;", "a|b",
                  "# not a heading", "1. not a list", "- nor this"):  # fmt: skip
        assert piece in text


def test_simple_table_becomes_markdown_and_merged_cells_stay_html() -> None:
    simple = html_to_markdown(
        "<table><tr><th>年</th><th>人數</th></tr><tr><td>2024</td><td>300</td></tr></table>"
    )
    assert simple == "| 年 | 人數 |\n| --- | --- |\n| 2024 | 300 |\n"
    merged = html_to_markdown(
        "<table><tr><td colspan='2' onclick='x()'>合併\n\n格</td></tr>"
        "<tr><td>a</td><td>b</td></tr></table>"
    )
    assert merged.startswith("<table>") and 'colspan="2"' in merged and "onclick" not in merged
    assert "\n\n" not in merged.strip()  # one HTML block: a blank line would end it
    assert "合併格" in merged
    nested = html_to_markdown("<table><tr><td><ul><li>x</li></ul></td></tr></table>")
    assert nested.startswith("<table>")
    assert "<li>x</li>" in render_html(nested)


def test_images_links_and_figures() -> None:
    result = convert(
        '<figure><img src="/up/a b.jpg" alt="A [pic]" title="T">'
        "<figcaption>說明</figcaption></figure>"
        '<p><a href="https://example.org/x (1)">link</a> <iframe src="https://www.youtube.com/embed/v"></iframe></p>'
    )
    assert '![A \\[pic\\]](/up/a%20b.jpg "T")' in result.markdown
    assert "*說明*" in result.markdown
    assert "[link](https://example.org/x%20%281%29)" in result.markdown
    assert "<https://www.youtube.com/embed/v>" in result.markdown
    assert result.images == ["/up/a%20b.jpg"]


def test_code_blocks_keep_their_lines_and_language() -> None:
    md = html_to_markdown('<pre class="language-python">def f():\n    return "&lt;b&gt;"</pre>')
    assert md == '```python\ndef f():\n    return "<b>"\n```\n'


@settings(max_examples=150, deadline=None)
@given(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=120)
)
def test_any_text_in_a_paragraph_comes_back_as_the_same_text(text: str) -> None:
    md = html_to_markdown(f"<p>{html.escape(text)}</p>")
    rendered = html.unescape(re.sub(r"<[^>]+>", "", render_html(md)))
    assert " ".join(rendered.split()) == " ".join(text.split())
    assert "\n" not in md.strip()


def test_heading_levels_start_under_the_title_and_never_skip() -> None:
    md = html_to_markdown("<h3>A</h3><p>x</p><h5>B</h5><h4>C</h4><h3>D</h3>")
    assert [line for line in md.splitlines() if line.startswith("#")] == [
        "## A", "### B", "### C", "## D"
    ]  # fmt: skip
    md = html_to_markdown("<h1>T</h1><h2>S</h2><h4>U</h4>")
    assert [line for line in md.splitlines() if line.startswith("#")] == ["## T", "### S", "#### U"]
