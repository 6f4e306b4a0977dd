"""WordPress / WordPress.com export (WXR 1.0–1.2) → ImportedPost records, streamed with defusedxml.

The file is read twice, both times streamed: a quick expat pass checks that it is well-formed
(nothing is imported from a broken file; entity declarations are refused at once) and notes the
attachments (images of galleries and featured images, which come after their posts); then
defusedxml's iterparse yields one item at a time, cleared as soon as it is read, so memory stays
flat whatever the file's size. HTML → Markdown runs in worker processes on big files.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import unicodedata
import xml.parsers.expat
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree.ElementTree import Element, ParseError

import nh3
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from hkcms.core.errors import HkcmsError
from hkcms.core.import_records import ImportedComment, ImportedPost, ImportWarning
from hkcms.core.wording import count as counted
from hkcms.importers.html_to_markdown import convert
from hkcms.importers.language import guess_lang

SOURCE = "wordpress"
WP_NS = "http://wordpress.org/export/"  # followed by 1.0/, 1.1/ or 1.2/
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
STATUS = {
    "publish": "published",
    "draft": "draft",
    "pending": "draft",
    "private": "draft",
    "future": "scheduled",
}
POST_TYPES = {"post": "post", "page": "page"}
PARALLEL_AFTER = 64  # items converted in this process before worker processes start
WINDOW = 256  # items handed to the workers at a time (memory stays bounded)
_GUTENBERG = re.compile(r"<!--\s*/?wp:[\s\S]*?-->")
_MORE = re.compile(r"<!--\s*(more|nextpage|noteaser)\b[^>]*-->")
_SHORTCODE = re.compile(
    r"\[(\[?)([a-zA-Z][\w-]*)((?:=[^\]\s]+)?[^\]]*?)(/?)\](?:([\s\S]*?)\[/\2\])?(\]?)"
)
_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))""")
_BARE_URL_LINE = re.compile(r"(?m)^[ \t]*(https?://[^\s<>\"]+)[ \t]*$")
_IMG_SRC = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*)(["'])([^"']+)\2""", re.I)
_COUNT_TYPES = re.compile(rb"<wp:post_type>(?:<!\[CDATA\[)?(post|page)(?:\]\]>)?</wp:post_type>")
_ALLBLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|"
    r"map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|"
    r"aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)
EMBEDS = {
    "embed",
    "video",
    "audio",
    "youtube",
    "vimeo",
    "tweet",
    "googlemaps",
    "soundcloud",
    "instagram",
    "facebook",
    "spotify",
    "wpvideo",
    "playlist",
    "dailymotion",
    "ted",
}
CODE = {"code", "sourcecode", "source"}


@dataclass
class _Raw:
    """One <item> as plain strings (picklable, for the worker processes)."""

    line: int
    post_id: str = ""
    title: str = ""
    link: str = ""
    guid: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    date: str = ""
    date_gmt: str = ""
    modified: str = ""
    modified_gmt: str = ""
    pub_date: str = ""
    name: str = ""
    status: str = ""
    type: str = ""
    parent: str = ""
    password: str = ""
    categories: list[tuple[str, str, str]] = field(default_factory=list)
    comments: list[dict[str, str]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    # Filled from the site-wide context before conversion:
    author: str = ""
    base: str = ""
    lang: str = ""
    gallery: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (url, title)
    attached: list[tuple[str, str]] = field(default_factory=list)  # this post's images
    file: str = ""


@dataclass
class _Attachments:
    """Attachment items noted in the first pass: id → (URL, title), parent id → ids."""

    by_id: dict[str, tuple[str, str]] = field(default_factory=dict)
    by_parent: dict[str, list[str]] = field(default_factory=dict)


def estimate(src: Path) -> int:
    """How many posts and pages the file holds (a quick byte scan, for the progress bar)."""
    count, tail = 0, b""
    with open(src, "rb") as handle:
        while chunk := handle.read(4 * 1024 * 1024):
            data = tail + chunk
            count += len(_COUNT_TYPES.findall(data))
            cut = data.rfind(b"<wp:post_type>")
            # Keep a partial tag for the next chunk, but never count a whole one twice.
            tail = data[cut:] if cut >= 0 and b"</wp:post_type>" not in data[cut:] else b""
    return count


def read(
    src: Path, warnings: list[ImportWarning], *, workers: int | None = None
) -> Iterator[ImportedPost]:
    """Every post and page of a WXR file, in file order (see the module docstring)."""
    path = Path(src)
    if not path.is_file():
        raise HkcmsError("is not a file (give the .xml file WordPress exported)", path)
    attachments = _first_pass(path)
    yield from _second_pass(path, attachments, warnings, workers)


# ---- first pass: well-formed, no entities, attachments -----------------------------------


def _first_pass(path: Path) -> _Attachments:
    """Check the whole file with expat before anything is imported; note the attachments."""
    found = _Attachments()
    parser = xml.parsers.expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    state: dict[str, Any] = {"depth": 0, "field": "", "text": [], "item": {}}
    wanted = {"post_id", "post_type", "attachment_url", "post_parent"}

    def refuse_entities(name: str, *_: Any) -> None:
        raise _Refused(
            f"declares an XML entity ({name!r}); entity declarations are refused "
            "(they can expand to gigabytes)",
            parser.CurrentLineNumber,
        )

    def refuse_external(*_: Any) -> int:
        raise _Refused("refers to an external entity; refused", parser.CurrentLineNumber)

    def start(tag: str, _attrs: dict[str, str]) -> None:
        local = tag.rsplit("}", 1)[-1]
        if local == "item":
            state["item"] = {}
        elif local == "title" and state["item"] is not None and "title" not in state["item"]:
            state["field"], state["text"] = "title", []
        elif local in wanted and tag.startswith(WP_NS):
            state["field"], state["text"] = local, []

    def end(tag: str) -> None:
        local = tag.rsplit("}", 1)[-1]
        if state["field"] and local == state["field"]:
            state["item"][local] = "".join(state["text"]).strip()
            state["field"] = ""
        elif local == "item":
            item = state["item"]
            if item.get("post_type") == "attachment" and item.get("attachment_url"):
                pid = item.get("post_id", "")
                found.by_id[pid] = (item["attachment_url"], item.get("title", ""))
                found.by_parent.setdefault(item.get("post_parent", "0"), []).append(pid)
            state["item"] = {}

    def text(data: str) -> None:
        if state["field"]:
            state["text"].append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.EntityDeclHandler = refuse_entities
    parser.UnparsedEntityDeclHandler = refuse_entities
    parser.ExternalEntityRefHandler = refuse_external
    try:
        with open(path, "rb") as handle:
            parser.ParseFile(handle)
    except _Refused as exc:
        raise HkcmsError(exc.message, path, exc.line) from None
    except xml.parsers.expat.ExpatError as exc:
        message = xml.parsers.expat.ErrorString(exc.code)
        raise HkcmsError(
            f"is not well-formed XML ({message}); nothing was imported", path, exc.lineno
        ) from None
    except OSError as exc:
        raise HkcmsError(f"cannot be read: {exc.strerror}", path) from exc
    return found


class _Refused(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


# ---- second pass: items -------------------------------------------------------------------


def _second_pass(
    path: Path, attachments: _Attachments, warnings: list[ImportWarning], workers: int | None
) -> Iterator[ImportedPost]:
    authors: dict[str, str] = {}
    channel: dict[str, str] = {"base": "", "lang": ""}
    skipped: Counter[str] = Counter()
    pool: ProcessPoolExecutor | None = None
    window: list[_Raw] = []
    in_flight: deque[Iterator[tuple[ImportedPost | None, list[ImportWarning]]]] = deque()
    seen = 0
    workers = _workers() if workers is None else workers
    try:
        with open(path, "rb") as handle:
            for raw in _items(handle, path, authors, channel, skipped):
                kind = POST_TYPES.get(raw.type)
                if kind is None:
                    skipped[raw.type or "unknown"] += 1
                    continue
                if raw.status in ("trash", "auto-draft", "inherit"):
                    warnings.append(
                        ImportWarning(
                            f"{path}:{raw.line}",
                            f"{raw.type} {raw.post_id} is in "
                            f"WordPress's {raw.status!r} state; skipped",
                            "post",
                        )
                    )
                    continue
                _prepare(raw, attachments, authors, channel, path)
                seen += 1
                if workers < 2 or seen <= PARALLEL_AFTER:
                    yield from _emit([_convert(raw)], warnings)
                    continue
                window.append(raw)
                if len(window) >= WINDOW:
                    if pool is None:
                        pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn"))
                    # map() submits at once: the workers convert this window while the
                    # previous one is yielded and written (two windows in flight at most).
                    in_flight.append(pool.map(_convert, window, chunksize=8))
                    window = []
                    if len(in_flight) > 1:
                        yield from _emit(in_flight.popleft(), warnings)
            while in_flight:
                yield from _emit(in_flight.popleft(), warnings)
            if window:
                if pool is None:
                    yield from _emit(map(_convert, window), warnings)
                else:
                    yield from _emit(pool.map(_convert, window, chunksize=8), warnings)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    if skipped:
        what = ", ".join(f"{n:,} {kind}" for kind, n in sorted(skipped.items()))
        warnings.append(ImportWarning(str(path), f"not posts or pages, skipped: {what}"))


def _workers() -> int:
    return max(1, min(4, (os.cpu_count() or 1)))


def _emit(results: Any, warnings: list[ImportWarning]) -> Iterator[ImportedPost]:
    try:
        for record, problems in results:
            warnings.extend(problems)
            if record is not None:
                yield record
    except BrokenProcessPool as exc:
        raise HkcmsError(
            "a conversion worker process stopped (out of memory?); what was read before is "
            "imported: run the same import again to bring in the rest"
        ) from exc


def _items(
    handle: BinaryIO,
    path: Path,
    authors: dict[str, str],
    channel: dict[str, str],
    skipped: Counter[str],
) -> Iterator[_Raw]:
    """The <item>s of the file as _Raw, each element cleared once read."""
    parent: Element | None = None
    line = 0
    try:
        events = iterparse(
            handle,
            events=("start", "end"),
            forbid_dtd=False,
            forbid_entities=True,
            forbid_external=True,
        )
        for event, elem in events:
            local = elem.tag.rsplit("}", 1)[-1]
            if event == "start":
                if local == "channel":
                    parent = elem
                continue
            if parent is None or elem not in parent:
                continue
            if local == "item":
                yield _raw_item(elem, line)
            elif local == "author" and elem.tag.startswith("{" + WP_NS):
                login = _text(elem, "author_login")
                name = _text(elem, "author_display_name")
                if login:
                    authors[login] = name or login
            elif local == "base_blog_url" or (local == "link" and not channel["base"]):
                channel["base"] = (elem.text or "").strip()
            elif local == "language":
                channel["lang"] = (elem.text or "").strip()
            line += 1
            parent.remove(elem)
    except DefusedXmlException as exc:
        raise HkcmsError(f"is refused: {exc}", path) from None
    except ParseError as exc:
        lineno = getattr(exc, "position", (None, None))[0]
        raise HkcmsError(f"is not well-formed XML ({exc})", path, lineno) from None


def _text(elem: Element, name: str) -> str:
    """Text of the first child with this local name (any namespace)."""
    for child in elem:
        if child.tag.rsplit("}", 1)[-1] == name:
            return (child.text or "").strip() if name not in ("encoded",) else child.text or ""
    return ""


def _raw_item(item: Element, position: int) -> _Raw:
    raw = _Raw(line=position)
    for child in item:
        tag = child.tag
        local = tag.rsplit("}", 1)[-1]
        text = child.text or ""
        if local == "encoded":
            if tag.startswith("{" + CONTENT_NS):
                raw.content = text
            else:
                raw.excerpt = text
        elif local == "category":
            raw.categories.append(
                (child.get("domain", ""), child.get("nicename", ""), text.strip())
            )
        elif local == "comment" and tag.startswith("{" + WP_NS):
            raw.comments.append({c.tag.rsplit("}", 1)[-1]: c.text or "" for c in child})
        elif local == "postmeta":
            key, value = _text(child, "meta_key"), _text(child, "meta_value")
            if key in ("_thumbnail_id",):
                raw.meta[key] = value
        elif local == "creator":
            raw.creator = text.strip()
        elif local == "pubDate":
            raw.pub_date = text.strip()
        else:
            attr = {
                "post_id": "post_id", "title": "title", "link": "link", "guid": "guid",
                "post_date": "date", "post_date_gmt": "date_gmt", "post_modified": "modified",
                "post_modified_gmt": "modified_gmt", "post_name": "name", "status": "status",
                "post_type": "type", "post_parent": "parent", "post_password": "password",
            }.get(local)  # fmt: skip
            if attr is not None:
                setattr(raw, attr, text if attr == "title" else text.strip())
    return raw


def _prepare(
    raw: _Raw,
    attachments: _Attachments,
    authors: dict[str, str],
    channel: dict[str, str],
    path: Path,
) -> None:
    """Fill in what the item needs from the rest of the file (authors, images)."""
    raw.author = authors.get(raw.creator, raw.creator)
    raw.base = channel["base"]
    raw.lang = channel["lang"]
    raw.file = str(path)
    for ids in re.findall(r"\[gallery[^\]]*\bids\s*=\s*[\"']?([\d,\s]+)", raw.content):
        for pid in re.findall(r"\d+", ids):
            if pid in attachments.by_id:
                raw.gallery[pid] = attachments.by_id[pid]
    if "[gallery" in raw.content:
        raw.attached = [attachments.by_id[i] for i in attachments.by_parent.get(raw.post_id, [])]
    thumb = raw.meta.get("_thumbnail_id", "")
    if thumb in attachments.by_id:
        raw.meta["cover"] = attachments.by_id[thumb][0]


# ---- one item → one record (runs in a worker process on big files) -----------------------


def _convert(raw: _Raw) -> tuple[ImportedPost | None, list[ImportWarning]]:
    where = f"{raw.file}: {raw.type} {raw.post_id}"
    warnings: list[ImportWarning] = []
    try:
        return _record(raw, where, warnings), warnings
    except Exception as exc:  # one broken item must not stop the others
        warnings.append(ImportWarning(where, f"could not be converted ({exc}); skipped", "post"))
        return None, warnings


def _record(raw: _Raw, where: str, warnings: list[ImportWarning]) -> ImportedPost:
    status = STATUS.get(raw.status, "draft")
    if raw.status not in STATUS:
        warnings.append(ImportWarning(where, f"unknown status {raw.status!r}; imported as a draft"))
    if raw.password and status != "draft":
        status = "draft"
        warnings.append(
            ImportWarning(
                where,
                "was password-protected on WordPress; imported as "
                "a draft so that it is not published to everyone",
            )
        )
    body_html = _expand_shortcodes(raw, warnings, where)
    body_html = _BARE_URL_LINE.sub(r'<p><a href="\1">\1</a></p>', body_html)
    if "<!-- wp:" not in raw.content:
        body_html = wpautop(body_html)
    body_html = _GUTENBERG.sub("", body_html)
    if raw.base:
        body_html = _IMG_SRC.sub(
            lambda m: m.group(1) + m.group(2) + urljoin(raw.base + "/", m.group(3)) + m.group(2),
            body_html,
        )  # noqa: E501
    converted = convert(body_html)
    title = _plain(raw.title) or f"Untitled {raw.post_id}"
    date = _gmt(raw.date_gmt) or _local(raw.date) or _rfc822(raw.pub_date)
    updated = _gmt(raw.modified_gmt) or _local(raw.modified) or date
    comments, skipped = _comments(raw, warnings, where)
    cover = raw.meta.get("cover", "")
    media = list(converted.images)
    if cover and raw.base:
        cover = urljoin(raw.base + "/", cover)
    return ImportedPost(
        source=SOURCE,
        source_id=raw.post_id,
        title=title,
        body=converted.markdown,
        slug=unicodedata.normalize("NFC", unquote(raw.name)),
        date=date,
        updated=updated,
        author=raw.author,
        tags=_tags(raw),
        status=status,
        kind=POST_TYPES[raw.type],
        lang=guess_lang(title + " " + converted.markdown[:400], raw.lang),
        summary=_plain(raw.excerpt),
        cover=cover,
        aliases=_aliases(raw),
        comments=comments,
        media=media,
        skipped_comments=skipped,
    )


def _plain(text: str) -> str:
    """HTML (titles, excerpts, comments) → plain text, paragraphs kept."""
    text = re.sub(r"<br\s*/?>[ \t]*\n?", "\n", text or "", flags=re.I)
    text = re.sub(r"</p>\s*<p[^>]*>", "\n\n", text, flags=re.I)
    text = html.unescape(nh3.clean(text, tags=set()))
    return re.sub(r"\n{3,}", "\n\n", text.replace("\r\n", "\n")).strip()


def _tags(raw: _Raw) -> list[str]:
    tags: list[str] = []
    for domain, nicename, name in raw.categories:
        if domain not in ("category", "post_tag", ""):
            continue
        if domain == "category" and nicename in ("uncategorized", "%e6%9c%aa%e5%88%86%e9%a1%9e"):
            continue  # WordPress's default category says nothing about the post
        text = " ".join(_plain(name).split())
        if text and text not in tags:
            tags.append(text)
    return tags


def _aliases(raw: _Raw) -> list[str]:
    """Every old path of the post: its permalink, ?p=ID / ?page_id=ID, and the guid."""
    out: list[str] = []
    base_path = urlsplit(raw.base).path.rstrip("/")
    for url in (raw.link, raw.guid):
        if not url:
            continue
        parts = urlsplit(url)
        if raw.base and parts.netloc and parts.netloc != urlsplit(raw.base).netloc:
            continue  # a guid on another host (WordPress.com mirrors) is no path of this site
        path = unicodedata.normalize("NFC", unquote(parts.path or "/"))
        out.append(path + (f"?{parts.query}" if parts.query else ""))
    if raw.post_id:
        key = "page_id" if raw.type == "page" else "p"
        out.append(f"{base_path}/?{key}={raw.post_id}")
    return list(dict.fromkeys(a for a in out if a.startswith("/") and a != "/"))


def _comments(
    raw: _Raw, warnings: list[ImportWarning], where: str
) -> tuple[list[ImportedComment], int]:
    out: list[ImportedComment] = []
    skipped = 0
    pings = 0
    for c in raw.comments:
        approved = (c.get("comment_approved") or "").strip()
        kind = (c.get("comment_type") or "").strip()
        if kind in ("pingback", "trackback"):
            pings += 1
            skipped += 1
            continue
        if approved not in ("1", "0"):
            skipped += 1  # spam, trash, post-trashed
            continue
        out.append(
            ImportedComment(
                source_id=(c.get("comment_id") or "").strip(),
                author=_plain(c.get("comment_author") or "") or "Anonymous",
                body=_plain(c.get("comment_content") or ""),
                created=_gmt(c.get("comment_date_gmt") or "") or _local(c.get("comment_date", "")),
                status="approved" if approved == "1" else "pending",
                parent_id=""
                if (c.get("comment_parent") or "0").strip() == "0"
                else (c.get("comment_parent") or "").strip(),
            )
        )
    if pings:
        warnings.append(
            ImportWarning(
                where, counted(pings, "pingback/trackback", "pingbacks/trackbacks") + " skipped"
            )
        )
    return out, skipped


# ---- dates --------------------------------------------------------------------------------


def _gmt(value: str) -> str:
    value = (value or "").strip()
    if not value or value.startswith("0000"):
        return ""
    try:
        when = dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return ""
    return when.replace(tzinfo=dt.UTC).isoformat()


def _local(value: str) -> str:
    """post_date (the blog's own time zone, which the export does not name): kept naive."""
    value = (value or "").strip()
    if not value or value.startswith("0000"):
        return ""
    try:
        return dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S").isoformat()
    except ValueError:
        return ""


def _rfc822(value: str) -> str:
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).astimezone(dt.UTC).isoformat() if value else ""
    except (TypeError, ValueError):
        return ""


# ---- shortcodes and wpautop ---------------------------------------------------------------


def _attrs(text: str) -> dict[str, str]:
    return {
        m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
        for m in _ATTR.finditer(text)
    }  # noqa: E501


def _expand_shortcodes(raw: _Raw, warnings: list[ImportWarning], where: str) -> str:
    unknown: set[str] = set()

    def replace(m: re.Match[str]) -> str:
        if m.group(1) and m.group(6):  # [[name]] is WordPress's escape for a literal [name]
            return m.group(0)[1:-1]
        name, attr_text, inner = m.group(2).lower(), m.group(3), m.group(5) or ""
        attrs = _attrs(attr_text)
        if name in ("caption", "wp_caption"):
            return _caption(inner, attrs)
        if name == "gallery":
            return _gallery(raw, attrs, warnings, where)
        if name in CODE:
            lang = re.sub(r"[^\w+#.-]", "", attrs.get("language") or attrs.get("lang") or "")
            code = html.escape(html.unescape(inner.strip("\n")), quote=False)
            return f'<pre class="language-{lang}">{code}</pre>' if lang else f"<pre>{code}</pre>"
        if name in EMBEDS:
            url = _embed_url(name, attr_text, attrs, inner)
            if url:
                return f'<p><a href="{html.escape(url)}">{html.escape(url)}</a></p>'
        if m.group(5) is not None or "=" in attr_text or name in EMBEDS:
            unknown.add(name)
        return m.group(0)

    text = _SHORTCODE.sub(replace, raw.content)
    text = _MORE.sub("", text)
    if unknown:
        names = ", ".join(f"[{n}]" for n in sorted(unknown))
        warnings.append(ImportWarning(where, f"shortcodes left as text: {names}"))
    return text


def _caption(inner: str, attrs: dict[str, str]) -> str:
    img = re.search(r"(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?", inner, re.I)
    caption = attrs.get("caption", "")
    if img is None:
        return inner
    if not caption:
        caption = (inner[: img.start()] + inner[img.end() :]).strip()
    image = img.group(0)
    if caption and not re.search(r"\balt\s*=\s*[\"'][^\"']+", image, re.I):
        alt = html.escape(_plain(caption))
        image = re.sub(r"\balt\s*=\s*([\"'])\1", "", image)
        image = re.sub(r"<img\b", f'<img alt="{alt}"', image, count=1, flags=re.I)
    return f"<figure>{image}<figcaption>{caption}</figcaption></figure>"


def _gallery(raw: _Raw, attrs: dict[str, str], warnings: list[ImportWarning], where: str) -> str:
    ids = re.findall(r"\d+", attrs.get("ids", "") or attrs.get("include", ""))
    images = [raw.gallery[i] for i in ids if i in raw.gallery] if ids else raw.attached
    missing = [i for i in ids if i not in raw.gallery]
    if missing:
        warnings.append(
            ImportWarning(where, f"gallery images not in the export: {', '.join(missing)}")
        )  # noqa: E501
    return "".join(
        f'<p><img src="{html.escape(url)}" alt="{html.escape(_plain(title))}"></p>'
        for url, title in images
    )


def _embed_url(name: str, attr_text: str, attrs: dict[str, str], inner: str) -> str:
    candidates = [inner.strip(), attrs.get("src", ""), attrs.get("url", "")]
    candidates += [attrs.get(k, "") for k in ("mp4", "m4v", "webm", "ogv", "mp3", "ogg", "wav")]
    candidates.append(attr_text.lstrip("=").strip().split(" ")[0].strip("\"'"))
    for url in candidates:
        if url.startswith(("http://", "https://")):
            return url
    ident = attr_text.strip().lstrip("=").strip("\"' ")
    if name == "vimeo" and ident.isdigit():
        return f"https://vimeo.com/{ident}"
    if name == "youtube" and re.fullmatch(r"[\w-]{6,20}", ident or ""):
        return f"https://www.youtube.com/watch?v={ident}"
    return ""


def wpautop(text: str, br: bool = True) -> str:
    """WordPress's paragraph rule (wp-includes/formatting.php): blank lines make paragraphs,
    single newlines become <br>; <pre> blocks are left alone."""
    if not text.strip():
        return ""
    pre: list[str] = []
    if "<pre" in text:

        def keep(m: re.Match[str]) -> str:
            pre.append(m.group(0))
            return f"<pre wp-pre-tag-{len(pre) - 1}></pre>"

        text = re.sub(r"<pre\b[\s\S]*?</pre>", keep, text, flags=re.I)
    text = text.replace("\r\n", "\n").replace("\r", "\n") + "\n"
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text, flags=re.I)
    text = re.sub(rf"(<{_ALLBLOCKS}[\s/>])", r"\n\n\1", text, flags=re.I)
    text = re.sub(rf"(</{_ALLBLOCKS}>)", r"\1\n\n", text, flags=re.I)
    text = re.sub(r"(<hr\s*?/?>)", r"\1\n\n", text, flags=re.I)
    text = re.sub(r"\n\n+", "\n\n", text)
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    text = "".join(f"<p>{p.strip(chr(10))}</p>\n" for p in paragraphs)
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(r"<p>([^<]+)</(div|address|form)>", r"<p>\1</p></\2>", text)
    text = re.sub(rf"<p>\s*(</?{_ALLBLOCKS}[^>]*>)\s*</p>", r"\1", text, flags=re.I)
    text = re.sub(r"<p>(<li.+?)</p>", r"\1", text)
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.I)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = re.sub(rf"<p>\s*(</?{_ALLBLOCKS}[^>]*>)", r"\1", text, flags=re.I)
    text = re.sub(rf"(</?{_ALLBLOCKS}[^>]*>)\s*</p>", r"\1", text, flags=re.I)
    if br:
        text = re.sub(r"(?<!<br />)\s*\n", "<br />\n", text)
    text = re.sub(rf"(</?{_ALLBLOCKS}[^>]*>)\s*<br />", r"\1", text, flags=re.I)
    text = re.sub(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", r"\1", text)
    text = re.sub(r"\n</p>$", "</p>", text)
    for i, block in enumerate(pre):
        text = text.replace(f"<pre wp-pre-tag-{i}></pre>", block)
    return text
