"""Ricos to Markdown: every node type, decorations, Chinese emphasis, no hard breaks, no JSON."""

from __future__ import annotations

import json
from typing import Any

from hkcms.core.import_records import ImportWarning
from hkcms.core.markdown import render_html
from hkcms.importers import ricos
from tests.importers.conftest import FIXTURES


def text(value: str, *decorations: Any) -> dict[str, Any]:
    decos = [d if isinstance(d, dict) else {"type": d} for d in decorations]
    return {"type": "TEXT", "textData": {"text": value, "decorations": decos}}


def para(*texts: dict[str, Any]) -> dict[str, Any]:
    return {"type": "PARAGRAPH", "nodes": list(texts)}


def convert(*nodes: dict[str, Any]) -> tuple[str, list[str], list[ImportWarning]]:
    warnings: list[ImportWarning] = []
    result = ricos.to_markdown({"nodes": list(nodes)}, warnings, "post 1")
    return result.markdown, result.media, warnings


def every_node_doc() -> dict[str, Any]:
    posts = json.loads((FIXTURES / "wix" / "posts.json").read_text(encoding="utf-8"))
    doc: dict[str, Any] = posts["posts"][0]["richContent"]
    return doc


def test_every_node_type_of_the_fixture_is_converted_without_json() -> None:
    doc = every_node_doc()
    kinds = {n["type"] for n in doc["nodes"]}
    documented = {
        "PARAGRAPH", "HEADING", "BULLETED_LIST", "ORDERED_LIST", "BLOCKQUOTE", "CODE_BLOCK",
        "VIDEO", "DIVIDER", "FILE", "GALLERY", "GIF", "HTML", "IMAGE", "LINK_PREVIEW", "MAP",
        "POLL", "APP_EMBED", "BUTTON", "COLLAPSIBLE_LIST", "TABLE", "EMBED", "EXTERNAL", "AUDIO",
    }  # fmt: skip
    assert documented <= kinds  # the fixture really holds every root node type of the schema
    warnings: list[ImportWarning] = []
    result = ricos.to_markdown(doc, warnings, "post 1")
    body = result.markdown
    assert '{"' not in body and "'type'" not in body and "Data" not in body
    for expected in (
        "## 所有節點 All nodes",
        "**bold**",
        "*italic*",
        "~~struck~~",
        "[a link](https://hk.example.org/about)",
        "`code()`",
        "- 第一項\n  1. nested one\n  2. nested two\n- second item",
        "3. three\n4. four",
        "> 光復香港",
        "````\nprint('```')\nx = 1\n````",
        "\n---\n",
        "| 城市 City | 人數 \\| count |\n| --- | --- |\n| Manchester | 120 |",
        "![燭光悼念 Candlelight vigil](https://static.wixstatic.com/media/8bb438_vigil~mv2.jpg)",
        "*2021年6月4日*",
        "*Caption node*",
        "![Gallery one](https://static.wixstatic.com/media/8bb438_g1~mv2.jpg)",
        "[Gallery video](https://video.wixstatic.com/",
        "![Animated GIF](https://media.giphy.com/media/abc/giphy.gif)",
        "[Rally video](https://www.youtube.com/watch?v=dQw4w9WgXcQ)",
        "[願榮光 – Choir](https://static.wixstatic.com/mp3/8bb438_song.mp3)",
        "[Annual report.pdf](https://hk.example.org/_files/ugd/report.pdf)",
        "[News story](https://news.example.com/story) — What happened.",
        "[Instagram post](https://www.instagram.com/p/xyz/)",
        "[Donate 捐款](https://hk.example.org/donate)",
        "[Embedded page](https://widgets.example.org/calendar)",
        "Piccadilly Gardens, Manchester",
        "下次活動？ Next event?",
        "- Picnic\n- Film night",
        "[Summer fair](https://hk.example.org/event-details/summer-fair)",
        "**FAQ question**\n\nFAQ answer",
        "external text",
        "layout cell text",
    ):
        assert expected in body, expected
    # What has no Markdown form is visible in the body AND reported.
    for lost in ("map", "poll", "event", "collapsible list", "EXTERNAL", "embedded HTML"):
        assert any(lost in w.message for w in warnings), lost
    assert body.count("From Wix:") >= 7
    assert "https://static.wixstatic.com/media/8bb438_vigil~mv2.jpg" in result.media
    assert "https://media.giphy.com/media/abc/giphy.gif" in result.media


def test_exported_html_of_every_node_has_no_line_break_inside_a_paragraph() -> None:
    html = render_html(ricos.to_markdown(every_node_doc(), [], "p").markdown)
    for chunk in html.split("<p>")[1:]:
        paragraph = chunk.split("</p>", 1)[0]
        assert "\n" not in paragraph and "<br" not in paragraph, paragraph


def test_a_line_break_in_wix_text_becomes_a_new_paragraph_not_a_space() -> None:
    body, _, _ = convert(para(text("第一行\n第二行")))
    assert body == "第一行\n\n第二行\n"


def test_bold_next_to_chinese_punctuation_still_renders_bold() -> None:
    body, _, _ = convert(para(text("香港人"), text("重要。", "BOLD"), text("然後")))
    assert "<strong>重要。</strong>" in render_html(body)


def test_nested_decorations_close_in_order_and_spaces_stay_outside() -> None:
    body, _, _ = convert(
        para(
            text("a "), text("bold ", "BOLD"), text("both", "BOLD", "ITALIC"), text(" end", "BOLD")
        )
    )
    assert body == "a **bold *both* end**\n"
    assert "<strong>bold <em>both</em> end</strong>" in render_html(body)


def test_markdown_characters_in_text_stay_text() -> None:
    body, _, _ = convert(para(text("# not a heading, *not emphasis* <b>not html</b> [x](y)")))
    html = render_html(body)
    assert "<h1" not in html and "<em>" not in html and "<b>" not in html and "<a " not in html
    assert "*not emphasis*" in html


def test_javascript_link_is_dropped_with_a_warning_and_its_text_kept() -> None:
    link = {"type": "LINK", "linkData": {"link": {"url": "javascript:alert(1)"}}}
    body, _, warnings = convert(para(text("click", link)))
    assert body == "click\n" and "javascript" not in body
    assert any("unsafe link" in w.message for w in warnings)


def test_wix_media_ids_become_static_urls() -> None:
    assert ricos.media_url({"src": {"id": "abc~mv2.jpg"}}) == (
        "https://static.wixstatic.com/media/abc~mv2.jpg"
    )
    assert ricos.media_url({"url": "wix:image://v1/abc~mv2.jpg/name.jpg#originWidth=1"}) == (
        "https://static.wixstatic.com/media/abc~mv2.jpg"
    )
    assert ricos.media_url({"src": {}}) is None


def test_unknown_node_type_keeps_its_text_with_a_note_and_a_warning() -> None:
    body, _, warnings = convert({"type": "SHINY_NEW", "nodes": [para(text("kept"))]})
    assert "kept" in body and "From Wix" in body
    assert warnings and "SHINY_NEW" in warnings[0].message


def test_garbage_nodes_do_not_crash() -> None:
    body, _, _ = convert({"type": "PARAGRAPH", "nodes": [None, 3, {"type": "TEXT"}]})  # type: ignore[list-item]
    assert body == ""
    warnings: list[ImportWarning] = []
    assert ricos.to_markdown("not a doc", warnings, "p").markdown == ""
    assert warnings


def test_plain_text_for_comments() -> None:
    doc = {
        "nodes": [
            para(text("Hello ")),
            para(text("world", {"type": "LINK", "linkData": {"link": {"url": "https://x.org"}}})),
        ]
    }
    assert ricos.to_plain_text(doc) == "Hello\n\nworld (https://x.org)"


def test_wix_hosted_video_and_audio_ids_become_links() -> None:
    video = {"type": "VIDEO", "videoData": {"video": {"src": {"id": "video/8bb438_abc/file"}}}}
    audio = {"type": "AUDIO", "audioData": {"audio": {"src": {"id": "8bb438_song.mp3"}}}}
    body, _, warnings = convert(video, audio)
    assert "[Video](https://video.wixstatic.com/video/8bb438_abc/file)" in body
    assert "[Audio](https://static.wixstatic.com/mp3/8bb438_song.mp3)" in body
    assert warnings == []


_TYPES = [
    "PARAGRAPH", "TEXT", "HEADING", "BULLETED_LIST", "ORDERED_LIST", "LIST_ITEM", "BLOCKQUOTE",
    "CODE_BLOCK", "VIDEO", "DIVIDER", "FILE", "GALLERY", "GIF", "HTML", "IMAGE", "LINK_PREVIEW",
    "MAP", "POLL", "APP_EMBED", "BUTTON", "COLLAPSIBLE_LIST", "TABLE", "TABLE_ROW", "TABLE_CELL",
    "EMBED", "AUDIO", "CAPTION", "EXTERNAL", "UNKNOWN",
]  # fmt: skip
_DECOS = ["BOLD", "ITALIC", "UNDERLINE", "STRIKETHROUGH", "LINK", "CODE", "SPOILER", "COLOR"]


def _nodes() -> Any:
    from hypothesis import strategies as st

    texts = st.builds(
        lambda t, d: text(
            t, *[{"type": x, "linkData": {"link": {"url": "https://e.org"}}} for x in d]
        ),
        st.text(max_size=20),
        st.lists(st.sampled_from(_DECOS), max_size=3),
    )
    return st.recursive(
        texts,
        lambda children: st.builds(
            lambda kind, kids, level: {
                "type": kind,
                "nodes": kids,
                "headingData": {"level": level},
            },
            st.sampled_from(_TYPES),
            st.lists(children, max_size=4),
            st.integers(-3, 9),
        ),
        max_leaves=25,
    )


def test_any_tree_converts_without_error_or_json_and_renders() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=150, deadline=None)
    @given(st.lists(_nodes(), max_size=6))
    def check(nodes: list[Any]) -> None:
        warnings: list[ImportWarning] = []
        body = ricos.to_markdown({"nodes": nodes}, warnings, "p").markdown
        assert '"type"' not in body and "'nodes'" not in body
        render_html(body)

    check()


def test_text_that_looks_like_a_rule_or_list_stays_text() -> None:
    for line in ("---", "- item", "+ plus", "# hash", "1. one", "=== title"):
        body, _, _ = convert(para(text(line)))
        html = render_html(body)
        assert "<hr" not in html and "<li>" not in html and "<h" not in html, line
        assert line.split()[0] in html
