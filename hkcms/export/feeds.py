"""The machine-read files of an export: the Atom feed, the sitemap and robots.txt."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape as xml_escape

from hkcms.export.paths import url_path
from hkcms.export.plan import SEP, Page, PlannedPost, digest, digest_text
from hkcms.export.theme import parse_when

if TYPE_CHECKING:
    from hkcms.export.build import _Build

FEED_ENTRIES = 20


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


def feed_page(build: _Build, posts: list[PlannedPost]) -> Page:
    chosen = [p for p in posts if not p.status_label][: build.feed_entries]
    entries: list[dict[str, Any]] = []
    for post in chosen:
        info = post.info
        summary = build.summaries.get(info.slug, {})
        published = stamp(info.date, None, build.zone)
        updated = stamp(str(summary.get("updated", "")), post.day, build.zone) or published
        url = build.canonical(f"posts/{info.slug}/")
        entries.append(
            {
                "slug": info.slug,
                "hash": post.hash,
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
        "id": build.base_url or "urn:hkcms:feed",
        "self": build.canonical("feed.xml"),
        "home": build.base_url,
        "updated": max((e["updated"] for e in entries), default="1970-01-01T00:00:00+00:00"),
    }
    key = digest([build.base_key, feed, entries])

    def make() -> bytes:
        for entry in entries:
            entry["content"] = build.fragment(entry["slug"])
        return build.page("feed.xml", {"feed": feed, "entries": entries})

    return Page("feed.xml", key, make)


def sitemap_pages(build: _Build, posts: list[PlannedPost]) -> Iterator[Page]:
    public = [p for p in posts if not p.status_label]
    stamps = [str(build.summaries.get(p.slug, {}).get("updated", "")) for p in public]
    if not build.base_url:
        build.report.warnings.append(
            "no base_url in hkcms.toml: sitemap, canonical links and Open Graph tags left out"
        )

    def urls() -> list[dict[str, str]]:
        if not build.base_url:
            return []
        out = [{"loc": build.base_url, "lastmod": max(stamps, default="")}]
        for post, updated in zip(public, stamps, strict=True):
            out.append({"loc": build.canonical(f"posts/{post.slug}/"), "lastmod": updated})
        out.append({"loc": build.canonical("tags/"), "lastmod": ""})
        return out

    # Keyed by what the URLs are made of: building 10,000 URLs only when one changed.
    parts = (f"{p.slug}{SEP}{t}" for p, t in zip(public, stamps, strict=True))
    key = digest_text(build.base_key, "sitemap", *parts)
    yield Page("sitemap.xml", key, lambda: sitemap_xml(urls()))
    robots = {"sitemap": build.canonical("sitemap.xml")}
    key = digest([build.base_key, robots])
    yield Page("robots.txt", key, lambda: build.page("robots.txt", robots))


def sitemap_xml(urls: list[dict[str, str]]) -> bytes:
    """The sitemap, written directly: a machine format, 10,000 lines, no theme to apply."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>']
    lines.append('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
    for url in urls:
        loc = xml_escape(url["loc"], {'"': "&quot;"})
        lastmod = f"<lastmod>{xml_escape(url['lastmod'])}</lastmod>" if url["lastmod"] else ""
        lines.append(f"<url><loc>{loc}</loc>{lastmod}</url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")
