"""The Atom feed: the newest public posts with their full text."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from hkcms.export.paths import url_path
from hkcms.export.plan import Page
from hkcms.export.sources.base import PageSource
from hkcms.export.theme import parse_when

if TYPE_CHECKING:
    from hkcms.export.context import BuildContext


def stamp(value: str, fallback: dt.date | None, zone: dt.tzinfo) -> str:
    """An RFC 3339 date-time for Atom (dates become local midnight)."""
    parsed = parse_when(value, zone)
    if isinstance(parsed, dt.datetime):
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=zone)
        return parsed.isoformat()
    day = parsed or fallback
    if day is None:
        return ""
    return dt.datetime(day.year, day.month, day.day, tzinfo=zone).isoformat()


class FeedSource(PageSource):
    name = "feed"

    def generate_output(self, ctx: BuildContext) -> Iterator[Page]:
        zone = ctx.settings.zone
        chosen = [p for p in ctx.posts if not p.status_label][: ctx.settings.feed_entries]
        entries: list[dict[str, Any]] = []
        for post in chosen:
            info = post.info
            published = stamp(info.date, None, zone)
            updated = stamp(post.updated, post.day, zone) or published
            url = ctx.canonical(f"posts/{info.slug}/")
            entries.append(
                {
                    "slug": info.slug,
                    "hash": post.hash,  # the content comes from the text: its hash stands for it
                    "title": info.title,
                    "id": url or f"urn:hkcms:post:{url_path(info.slug)}",
                    "url": url,
                    "base": url,
                    "lang": post.lang,
                    "published": published,
                    "updated": updated or "1970-01-01T00:00:00+00:00",
                    "author": info.author,
                    "tags": [name for _, name in post.tags],
                    "summary": info.summary,
                }
            )
        feed = {
            "id": ctx.base_url or "urn:hkcms:feed",
            "self": ctx.canonical("feed.xml"),
            "home": ctx.base_url,
            "updated": max((e["updated"] for e in entries), default="1970-01-01T00:00:00+00:00"),
        }
        inputs = (json.dumps([feed, entries], ensure_ascii=False, sort_keys=True),)

        def make() -> bytes:
            for entry, post in zip(entries, chosen, strict=True):
                entry["content"] = ctx.fragment(post)
            return ctx.render("feed.xml", {"feed": feed, "entries": entries})

        yield Page("feed.xml", inputs, make)
