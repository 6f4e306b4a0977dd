"""RSS 2.0 / Atom feeds (feedparser) → ImportedPost records: what any other platform offers."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import re
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import feedparser
import nh3

from hkcms.core.atomic import read_regular_file
from hkcms.core.errors import HkcmsError
from hkcms.core.import_records import ImportedPost, ImportWarning
from hkcms.importers.html_to_markdown import convert
from hkcms.importers.language import guess_lang
from hkcms.importers.media import fetch_url

SOURCE = "feed"
MAX_FEED = 64 * 1024 * 1024
# Entity declarations can expand a few bytes into gigabytes ("billion laughs"): no feed needs one.
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)


def read(src: Path, warnings: list[ImportWarning]) -> Iterator[ImportedPost]:
    """The entries of a feed file."""
    path = Path(src)
    try:
        data = read_regular_file(path, MAX_FEED)
    except FileNotFoundError:
        raise HkcmsError("no such file", path) from None
    return _entries(data, str(path), "", warnings)


def read_url(
    url: str, warnings: list[ImportWarning], *, allow_private: bool = False
) -> Iterator[ImportedPost]:
    """The entries of a feed fetched from an http(s) URL (the only network use of this module)."""
    try:
        data = fetch_url(url, MAX_FEED, allow_private=allow_private)
    except HkcmsError as exc:
        raise HkcmsError(f"cannot fetch the feed: {exc.message}", url) from None
    return _entries(data, url, url, warnings)


def _entries(
    data: bytes, name: str, url: str, warnings: list[ImportWarning]
) -> Iterator[ImportedPost]:
    if _ENTITY_DECL.search(data):
        raise HkcmsError("declares XML entities; refused (they can expand to gigabytes)", name)
    headers = {"content-location": url} if url else {}
    parsed: Any = feedparser.parse(io.BytesIO(data), response_headers=headers)
    if not parsed.entries:
        problem = parsed.get("bozo_exception")
        line = getattr(problem, "getLineNumber", lambda: None)() if problem else None
        why = f"is not a feed ({problem})" if problem else "has no entries"
        raise HkcmsError(why, name, line)
    site = str(parsed.feed.get("link") or url)
    lang = str(parsed.feed.get("language") or "")
    return _records(parsed.entries, name, site, lang, warnings)


def _records(
    entries: list[Any], name: str, site: str, lang: str, warnings: list[ImportWarning]
) -> Iterator[ImportedPost]:
    for number, entry in enumerate(entries, 1):
        where = f"{name}: entry {number}"
        try:
            record = _record(entry, site, lang, where, warnings)
        except Exception as exc:  # one odd entry must not stop the others
            warnings.append(ImportWarning(where, f"could not be read ({exc}); skipped", "post"))
            continue
        if record is not None:
            yield record


def _record(
    entry: Any, site: str, lang: str, where: str, warnings: list[ImportWarning]
) -> ImportedPost | None:
    link = str(entry.get("link") or "")
    title = _plain(str(entry.get("title") or ""))
    contents = entry.get("content") or []
    full = next((c for c in contents if "html" in str(c.get("type", ""))), None) or (
        contents[0] if contents else None
    )
    summary = str(entry.get("summary") or "")
    if full is not None:
        body_html = str(full.get("value") or "")
        if "html" not in str(full.get("type", "html")):
            body_html = "<p>" + html.escape(body_html).replace("\n\n", "</p><p>") + "</p>"
        excerpt = _plain(summary) if summary and summary != body_html else ""
    else:
        body_html, excerpt = summary, ""
        if link.startswith(("http://", "https://")):
            body_html += (
                f'<p><a href="{html.escape(link)}">Read the whole post on the old site</a></p>'
            )
        warnings.append(
            ImportWarning(
                where,
                f"{title or link!r}: the feed has only an excerpt; "
                "imported the excerpt and a link to the original",
            )
        )
    converted = convert(body_html)
    for enclosure in entry.get("enclosures") or []:
        href = str(enclosure.get("href") or "")
        if (
            str(enclosure.get("type", "")).startswith("image/")
            and href
            and href not in converted.images
        ):
            converted.markdown += f"\n![]({href})\n"
            converted.images.append(href)
    if not title:
        title = _plain(converted.markdown.split("\n", 1)[0])[:80] or "Untitled"
    source_id = str(entry.get("id") or link or "")
    if not source_id:
        source_id = hashlib.sha256((title + str(entry.get("published", ""))).encode()).hexdigest()[
            :16
        ]
    date = _when(entry.get("published_parsed")) or _when(dict.get(entry, "updated_parsed"))
    updated = _when(dict.get(entry, "updated_parsed")) or date
    tags = [_plain(str(t.get("term") or "")) for t in entry.get("tags") or []]
    return ImportedPost(
        source=SOURCE,
        source_id=source_id,
        title=title,
        body=converted.markdown,
        slug=_slug_of(link),
        date=date,
        updated=updated,
        author=_plain(str(entry.get("author") or "")),
        tags=[t for t in tags if t],
        lang=guess_lang(title + converted.markdown[:400], lang),
        summary=excerpt[:300],
        aliases=_aliases(link, site),
        media=converted.images,
    )


def _plain(text: str) -> str:
    return " ".join(html.unescape(nh3.clean(text, tags=set())).split())


def _when(value: Any) -> str:
    if not value:
        return ""
    try:
        return dt.datetime.fromtimestamp(time.mktime(value) - time.timezone, dt.UTC).isoformat()
    except (OverflowError, ValueError, TypeError):
        return ""


def _slug_of(link: str) -> str:
    parts = [p for p in urlsplit(link).path.split("/") if p]
    if not parts:
        return ""
    last = re.sub(r"\.(html?|php|aspx?)$", "", unquote(parts[-1]))
    return unicodedata.normalize("NFC", last)


def _aliases(link: str, site: str) -> list[str]:
    parts = urlsplit(link)
    if not parts.path or parts.path == "/":
        return []
    if site and urlsplit(site).netloc and parts.netloc != urlsplit(site).netloc:
        return []
    path = unicodedata.normalize("NFC", unquote(parts.path))
    return [path + (f"?{parts.query}" if parts.query else "")]
