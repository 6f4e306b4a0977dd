"""The posts list's data: sort orders and a lowercase search index over metadata and body text."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from hkcms.core.posts import PostInfo


@dataclass(frozen=True)
class SortOrder:
    """One way of ordering the posts list."""

    key: str
    label: str
    value: Callable[[PostInfo], Any]
    reverse: bool


SORTS: tuple[SortOrder, ...] = (
    SortOrder("updated", "last updated", lambda p: (p.updated, p.slug), True),
    SortOrder("title", "title", lambda p: (p.title.casefold(), p.slug), False),
    SortOrder("views", "most viewed", lambda p: (p.views, p.updated), True),
    SortOrder(
        "comments", "most comments", lambda p: (p.comments + p.comments_pending, p.updated), True
    ),
    SortOrder("date", "publication date", lambda p: (p.date, p.slug), True),
    SortOrder("status", "status", lambda p: (p.status, p.title.casefold()), False),
)


def sort_by(key: str) -> SortOrder:
    for order in SORTS:
        if order.key == key:
            return order
    raise KeyError(key)


def next_sort(key: str) -> str:
    keys = [s.key for s in SORTS]
    return keys[(keys.index(key) + 1) % len(keys)]


def meta_text(post: PostInfo) -> str:
    return "\n".join((post.title, " ".join(post.tags), post.author, post.slug)).lower()


def read_bodies(
    posts: Iterable[PostInfo],
    known: dict[str, tuple[tuple[int, int], str]],
    paused: Callable[[], bool] = lambda: False,
) -> dict[str, tuple[tuple[int, int], str]]:
    """Lowercase file text of every post, re-reading only files whose (mtime, size) changed.

    Slow (reads every file): call it from a worker thread. While `paused()` is true (the
    person is in another screen) it waits, so that it never slows the editor down.
    """
    out: dict[str, tuple[tuple[int, int], str]] = {}
    for count, post in enumerate(posts):
        if count % 50 == 49:
            time.sleep(0.002)  # hand the GIL to the UI thread often: typing must not stutter
            while paused():
                time.sleep(0.1)
        try:
            st = os.stat(post.path)
        except OSError:
            continue
        key = (st.st_mtime_ns, st.st_size)
        old = known.get(post.slug)
        if old is not None and old[0] == key:
            out[post.slug] = old
            continue
        try:
            with open(post.path, "rb") as handle:
                text = handle.read().decode("utf-8", errors="replace").lower()
        except OSError:
            continue
        out[post.slug] = (key, text)
    return out


def searches_body(word: str) -> bool:
    """Words of two or more characters, and any Chinese character, are looked up in bodies."""
    return len(word) >= 2 or not word.isascii()


_BITS = [(ch, 1 << i) for i, ch in enumerate("abcdefghijklmnopqrstuvwxyz0123456789")]


def char_mask(text: str) -> int:
    """Which Latin letters and digits occur in `text`, as bits. A post whose mask lacks a
    letter of the word cannot contain it, so most posts skip the substring search."""
    mask = 0
    for ch, bit in _BITS:  # 36 C-speed searches: ~5 µs for a 6 KB post
        if ch in text:
            mask |= bit
    return mask


def build_hay(
    meta: dict[str, str],
    bodies: dict[str, tuple[tuple[int, int], str]],
    previous: PostIndex | None = None,
) -> tuple[dict[str, str], dict[str, int]]:
    """One haystack (and letter mask) per post, so a word costs one search per post;
    those of `previous` are reused where neither the metadata nor the file changed."""
    old_meta = previous._meta if previous else {}
    old_hay = previous._hay if previous else {}
    old_masks = previous._masks if previous else {}
    old_bodies = previous.bodies if previous else {}
    hay: dict[str, str] = {}
    masks: dict[str, int] = {}
    for slug, text in meta.items():
        body = bodies.get(slug)
        if (
            slug in old_hay
            and slug in old_masks
            and old_meta.get(slug) == text
            and body is old_bodies.get(slug)
        ):
            hay[slug], masks[slug] = old_hay[slug], old_masks[slug]
        else:
            hay[slug] = f"{text}\n{body[1]}" if body is not None else text
            masks[slug] = char_mask(hay[slug])
    return hay, masks


class PostIndex:
    """Posts by slug, a sort order, and a substring filter over title/tags/author/body."""

    def __init__(self) -> None:
        self.posts: dict[str, PostInfo] = {}
        self._meta: dict[str, str] = {}
        self._hay: dict[str, str] = {}
        self._masks: dict[str, int] = {}
        self.bodies_ready = False
        self.bodies: dict[str, tuple[tuple[int, int], str]] = {}
        self._version = 0
        self._sorted: dict[str, list[str]] = {}
        self._last: tuple[int, str, str, list[str], tuple[bool, ...]] | None = None

    @property
    def has_bodies(self) -> bool:
        return self.bodies_ready or not self.posts

    def set_posts(
        self,
        posts: Iterable[PostInfo],
        bodies: dict[str, tuple[tuple[int, int], str]] | None = None,
        previous: PostIndex | None = None,
    ) -> None:
        """New posts (with the body texts known so far, to search until they are re-read)."""
        self.posts = {p.slug: p for p in posts}
        self._meta = {slug: meta_text(p) for slug, p in self.posts.items()}
        if bodies is not None:
            self.bodies = bodies
        # Reusing unchanged haystacks: rebuilding 10,000 of them after every save would copy
        # 60 MB of text while the person is working.
        self._hay, self._masks = build_hay(self._meta, self.bodies, previous)
        self._touch()

    def prepare_bodies(
        self, bodies: dict[str, tuple[tuple[int, int], str]]
    ) -> tuple[dict[str, str], tuple[dict[str, str], dict[str, int]]]:
        """Build the haystacks for `bodies` (slow: call from a worker), for set_bodies."""
        unchanged = PostIndex()
        unchanged._meta, unchanged._hay, unchanged._masks = self._meta, self._hay, self._masks
        unchanged.bodies = self.bodies
        return self._meta, build_hay(self._meta, bodies, unchanged)

    def set_bodies(
        self,
        bodies: dict[str, tuple[tuple[int, int], str]],
        prepared: tuple[dict[str, str], tuple[dict[str, str], dict[str, int]]] | None = None,
    ) -> None:
        self.bodies = bodies
        self.bodies_ready = True
        if prepared is not None and prepared[0] is self._meta:
            self._hay, self._masks = prepared[1]  # built off the UI thread for these posts
        else:
            self._hay, self._masks = build_hay(self._meta, self.bodies)
        self._touch()

    def _touch(self) -> None:
        self._version += 1
        self._sorted.clear()
        self._last = None

    def ordered(self, sort_key: str) -> list[str]:
        if sort_key not in self._sorted:
            order = sort_by(sort_key)
            posts = sorted(self.posts.values(), key=order.value, reverse=order.reverse)
            self._sorted[sort_key] = [p.slug for p in posts]
        return self._sorted[sort_key]

    def matches(self, sort_key: str, query: str) -> list[str]:
        """Slugs in sort order whose metadata or body contains every word of `query`.

        A single Latin letter or digit matches titles, tags and authors only: in the body
        it would match nearly every post, and scanning all bodies for it costs the most."""
        words = query.lower().split()
        base = self.ordered(sort_key)
        if not words:
            return base
        modes = tuple(searches_body(w) for w in words)
        last = self._last
        # Typing one more letter can only narrow the result: search the previous hits only.
        if (
            last
            and last[0] == self._version
            and last[1] == sort_key
            and query.startswith(last[2])
            and modes[: len(last[4])] == last[4]
        ):
            base = last[3]
        hay, meta, masks = self._hay, self._meta, self._masks
        checks = [
            (w, hay if deep else meta, char_mask(w)) for w, deep in zip(words, modes, strict=True)
        ]
        if len(checks) == 1:
            word, texts, need = checks[0]
            hits = [s for s in base if masks[s] & need == need and word in texts[s]]
        else:
            hits = [
                s
                for s in base
                if all(masks[s] & need == need and w in texts[s] for w, texts, need in checks)
            ]
        self._last = (self._version, sort_key, query, hits, modes)
        return hits
