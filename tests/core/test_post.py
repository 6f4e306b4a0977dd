"""Front matter parsing: byte-exact round trips, unknown keys kept, bad input named by line."""

from pathlib import Path

import pytest

from hkcms.core.errors import PostError
from hkcms.core.post import parse_post

SAMPLE = (
    "---\n"
    "title: 香港人在英國\n"
    "author: 陳小玲\n"
    "date: 2026-03-01\n"
    "tags: [社區, reports]\n"
    "custom_key: {nested: [1, 2]}   # a comment the user wrote\n"
    "---\n"
    "# 標題\n\nBody with trailing spaces   \n"
)


def test_round_trip_is_byte_identical() -> None:
    post = parse_post(SAMPLE, "x")
    assert post.to_text() == SAMPLE
    assert post.title == "香港人在英國" and post.tags == ["社區", "reports"]
    assert post.date == "2026-03-01"


def test_changed_front_matter_keeps_unknown_keys_and_body() -> None:
    post = parse_post(SAMPLE, "x")
    post.front["title"] = "New"
    again = parse_post(post.to_text(), "x")
    assert again.front["custom_key"] == {"nested": [1, 2]}
    assert again.title == "New"
    assert again.body == post.body


def test_crlf_and_bom_files_round_trip() -> None:
    text = "\ufeff---\r\ntitle: T\r\n---\r\nbody\r\n"
    assert parse_post(text, "x").to_text() == text


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("no front matter\n", 1, "no front matter"),
        ("---\ntitle: x\n", 1, "not closed"),
        ("---\n- a\n- b\n---\n", 2, "must be a mapping"),
        ("---\ntitle: ok\nbad: [1,\n---\n", 4, "not valid YAML"),
        ("---\ntitle: !!python/object/apply:os.system [ls]\n---\n", 2, "YAML tag"),
        ("---\ntitle: t\na: &x [1]\nb: *x\n---\n", 3, "anchors or aliases"),
        ("---\nauthor: a\n---\n", 2, "no 'title'"),
        ("---\ntitle: t\nstatus: live\n---\n", 3, "status"),
    ],
)
def test_bad_front_matter_names_file_and_line(text: str, line: int, words: str) -> None:
    with pytest.raises(PostError) as info:
        parse_post(text, "x", Path("posts/x.md"))
    assert info.value.line == line
    assert words in str(info.value)
    assert str(info.value).startswith("posts/x.md:")


@pytest.mark.parametrize(
    ("front", "message", "line"),
    [
        ("kind: article", "kind 'article' is not one of post, page", 3),
        ("menu: first", "menu must be a whole number", 3),
        ("aliases: {a: 1}", "aliases must be a list of old paths", 3),
        ("translation_key: [a]", "translation_key must be a short text", 3),
    ],
)
def test_typed_keys_of_translations_pages_and_aliases(front: str, message: str, line: int) -> None:
    with pytest.raises(PostError) as caught:
        parse_post(f"---\ntitle: T\n{front}\n---\nBody\n", "t")
    assert message in caught.value.message and caught.value.line == line


def test_page_keys_read_back() -> None:
    post = parse_post(
        "---\ntitle: About\nkind: page\nmenu: 2\naliases: /old/\ntranslation_key: 7\n---\n", "about"
    )
    assert (post.kind, post.menu, post.aliases, post.translation_key) == ("page", 2, ["/old/"], "7")
    assert post.show_counts is False and parse_post("---\ntitle: T\n---\n", "t").show_counts
