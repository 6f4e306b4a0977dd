"""CommentStore: states, counts in summaries, limits, cleaning, hostile text kept as inert text."""

from __future__ import annotations

import pytest

from hkcms.core.comments import MAX_AUTHOR, MAX_BODY, CommentError, CommentStore, clean_text
from hkcms.core.errors import HkcmsError, NotFoundError
from hkcms.core.posts import PostStore

HOSTILE = [
    "<script>alert(document.cookie)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    "<svg/onload=alert(1)>",
    "{{ 7*7 }} {% raw %} ${7*7}",
    "[link](javascript:alert(1)) **bold**",
]


@pytest.fixture
def comments(store: PostStore) -> CommentStore:
    store.create("Hello", slug="hello")
    store.create("其他", slug="其他")
    return CommentStore(store.meta)


def test_states_and_counts(comments: CommentStore) -> None:
    a = comments.add("hello", "Ada", "First!")
    b = comments.add("hello", "Bo", "Second", status="approved")
    c = comments.add("其他", "陳", "你好")
    assert a and b and c
    assert comments.counts() == {"pending": 2, "approved": 1, "hidden": 0, "spam": 0}
    assert comments.meta.summary("hello")["comments"] == 1
    assert comments.meta.summary("hello")["comments_pending"] == 1
    comments.set_status([a.id, c.id], "approved")
    assert comments.meta.summary("hello")["comments"] == 2
    comments.set_status([b.id], "spam")
    comments.set_status([a.id], "hidden")
    assert comments.counts() == {"pending": 0, "approved": 1, "hidden": 1, "spam": 1}
    assert [x.id for x in comments.list(status="approved")] == [c.id]
    assert [x.id for x in comments.list(post="hello")] == [a.id, b.id]
    comments.delete([b.id])
    assert comments.meta.summary("hello")["comments_total"] == 1
    with pytest.raises(NotFoundError, match="no comment with id nope"):
        comments.set_status([a.id, "nope"], "approved")
    assert comments.list(post="hello")[0].status == "hidden"  # nothing changed
    with pytest.raises(CommentError, match="unknown comment state"):
        comments.set_status([a.id], "published")


def test_limits_and_cleaning(comments: CommentStore) -> None:
    with pytest.raises(CommentError, match="empty"):
        comments.add("hello", "Ada", " \n\t \x00 ")
    with pytest.raises(CommentError, match="longer than 5,000"):
        comments.add("hello", "Ada", "x" * (MAX_BODY + 1))
    with pytest.raises(CommentError, match="author name"):
        comments.add("hello", "A" * (MAX_AUTHOR + 1), "hi")
    with pytest.raises(CommentError, match="no post"):
        comments.add("missing", "Ada", "hi")
    with pytest.raises(HkcmsError):
        comments.add("../etc", "Ada", "hi")
    assert comments.add("hello", "A" * MAX_AUTHOR, "x" * MAX_BODY) is not None
    # Decomposed é is composed (NFC); controls, escapes and bidi overrides are removed.
    made = comments.add(
        "hello", " Jos\u0065\u0301\u202e  Lee ", "caf\u0065\u0301\x1b[2J\r\nok\u2066"
    )
    assert made is not None
    assert made.author == "José Lee"
    assert made.body == "café[2J\nok"
    assert comments.add("hello", "", "no name").author == "Anonymous"  # type: ignore[union-attr]


def test_clean_text_keeps_words_and_newlines() -> None:
    assert clean_text("a\tb\r\nc\rd") == "a b\nc\nd"
    assert clean_text("\u200f\u061cمرحبا\u2069") == "مرحبا"
    assert clean_text("粵語 ✊ emoji 🇭🇰") == "粵語 ✊ emoji 🇭🇰"


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_stored_as_plain_text(comments: CommentStore, text: str) -> None:
    made = comments.add("hello", text[:80], text, status="approved")
    assert made is not None
    stored = comments.list(post="hello")[0]
    # Kept exactly as the reader typed it: plain text, escaped by whoever displays it.
    assert stored.body == text and stored.author == text[:80]
    assert stored.to_dict() == {
        "id": made.id,
        "post": "hello",
        "author": text[:80],
        "body": text,
        "created": made.created,
        "status": "approved",
    }


def test_email_is_kept_but_never_public(comments: CommentStore) -> None:
    made = comments.add("hello", "Ada", "hi", email=" ada@example.org ")
    assert made is not None and made.email == "ada@example.org"
    assert "email" not in made.to_dict()
    assert comments.list()[0].email == "ada@example.org"


def test_source_keys_make_adding_idempotent(comments: CommentStore) -> None:
    first = comments.add("hello", "Ada", "hi", source="import:abc")
    assert first is not None
    assert comments.add("hello", "Ada", "hi", source="import:abc") is None
    comments.delete([first.id])
    # A moderator deleted it: the same import key must not bring it back.
    assert comments.add("hello", "Ada", "hi", source="import:abc") is None
    assert comments.list() == []
