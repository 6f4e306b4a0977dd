"""The posts list's search index: words, body text, single letters, narrowing as you type."""

from __future__ import annotations

from hkcms.core.posts import PostInfo
from hkcms.tui.post_index import PostIndex, char_mask, next_sort


def info(slug: str, title: str, updated: str, tags=(), author="") -> PostInfo:
    return PostInfo(
        slug, title, "published", author, list(tags), "en", "", "", f"/x/{slug}.md", updated
    )


def make_index() -> PostIndex:
    index = PostIndex()
    index.set_posts(
        [
            info("a", "Spring rally", "2026-03-01", ["events"], "Ada"),
            info("b", "Cantonese class", "2026-02-01", ["education"], "陳小玲"),
            info("c", "Xmas market", "2026-01-01", [], "Brian"),
        ]
    )
    index.set_bodies(
        {
            "a": ((1, 1), "we marched in the rain"),
            "b": ((1, 1), "逢星期六上午 x spots the treasure"),
            "c": ((1, 1), "mulled wine and marmalade"),
        }
    )
    return index


def test_words_match_title_tags_author_and_body_in_sort_order():
    index = make_index()
    assert index.matches("updated", "") == ["a", "b", "c"]
    assert index.matches("updated", "rally") == ["a"]
    assert index.matches("updated", "EDUCATION") == ["b"]
    assert index.matches("updated", "陳") == ["b"]
    assert index.matches("updated", "marmalade") == ["c"]
    assert index.matches("updated", "mar") == ["a", "c"]
    assert index.matches("updated", "mar wine") == ["c"]
    assert index.matches("title", "") == ["b", "a", "c"]


def test_a_single_letter_matches_metadata_only_and_narrowing_stays_correct():
    index = make_index()
    assert index.matches("updated", "x") == ["c"]  # "x spots" in b's body is not searched
    assert index.matches("updated", "x ") == ["c"]
    assert index.matches("updated", "x m") == ["c"]
    assert index.matches("updated", "xm") == ["c"]
    index._last = None
    assert index.matches("updated", "w") == []
    assert index.matches("updated", "wi") == ["c"]  # body words count from two letters
    assert index.matches("updated", "win") == ["c"]
    assert index.matches("updated", "w") == []
    assert index.matches("updated", "we") == ["a"]  # deleting a letter widens again


def test_sort_orders_cycle():
    seen = ["updated"]
    while (key := next_sort(seen[-1])) != "updated":
        seen.append(key)
    assert seen == ["updated", "title", "views", "comments", "date", "status"]


def test_a_rescan_reuses_unchanged_text_and_sees_changes():
    old = make_index()
    new = PostIndex()
    new.set_posts(
        [
            info("a", "Spring rally", "2026-03-01", ["events"], "Ada"),
            info("b", "Cantonese lessons", "2026-04-01", ["education"], "陳小玲"),
            info("d", "New post", "2026-05-01"),
        ],
        old.bodies,
        previous=old,
    )
    assert new._hay["a"] is old._hay["a"]  # nothing changed: the same string, not a copy
    assert new.matches("updated", "lessons") == ["b"]
    assert new.matches("updated", "class") == []
    assert new.matches("updated", "rain") == ["a"]  # body text still found
    assert new.matches("updated", "marmalade") == []  # c is gone
    bodies = dict(old.bodies) | {"d": ((2, 2), "brand new words")}
    meta, (hay, masks) = new.prepare_bodies(bodies)
    assert hay["a"] is new._hay["a"]
    new.set_bodies(bodies, (meta, (hay, masks)))
    assert new.matches("updated", "brand") == ["d"]


def test_letter_masks_skip_posts_without_the_letters():
    index = make_index()
    assert index._masks["c"] & char_mask("q") == 0
    assert index.matches("updated", "zq") == []
    assert index.matches("updated", "qu") == []
    assert index.matches("updated", "陳小") == ["b"]  # no Latin letters: no mask to check
    assert index.matches("updated", "x9") == []
