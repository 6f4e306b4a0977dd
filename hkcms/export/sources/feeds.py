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
    """One Atom feed per language: feed.xml for the default language, <prefix>feed.xml for
    the others, each showing the posts of that language's front page."""

    name = "feed"

    def generate_output(self, ctx: BuildContext) -> Iterator[Page]:
        for lang in ctx.languages:
            yield self.feed(ctx, lang)

    def feed(self, ctx: BuildContext, lang: str) -> Page:
        zone = ctx.settings.zone
        chosen = [p for p in ctx.listed(lang) if not p.status_label][: ctx.settings.feed_entries]
        entries: list[dict[str, Any]] = []
        for post in chosen:
            info = post.info
            published = stamp(info.date, None, zone)
            updated = stamp(post.updated, post.day, zone) or published
            url = ctx.canonical(post.url)
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
        home = ctx.home(lang)
        title = ctx.settings.title
        if lang != ctx.default_lang:
            title += " · " + ctx.strings_for(lang).words["language_name"]
        others = [
            {"lang": other, "href": ctx.canonical(ctx.home(other) + "feed.xml")}
            for other in ctx.languages
            if other != lang and ctx.base_url
        ]
        feed = {
            "id": ctx.canonical(home) or f"urn:hkcms:feed:{lang}",
            "lang": lang,
            "title": title,
            "subtitle": ctx.settings.description,
            "self": ctx.canonical(home + "feed.xml"),
            "home": ctx.canonical(home),
            "others": others,
            "updated": max((e["updated"] for e in entries), default="1970-01-01T00:00:00+00:00"),
        }
        inputs = (json.dumps([feed, entries], ensure_ascii=False, sort_keys=True),)

        def make() -> bytes:
            for entry, post in zip(entries, chosen, strict=True):
                entry["content"] = ctx.fragment(post)
            return ctx.render("feed.xml", {"feed": feed, "entries": entries})

        return Page(home + "feed.xml", inputs, make)
