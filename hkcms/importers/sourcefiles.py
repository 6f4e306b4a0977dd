"""Helpers shared by the file-based importers: capped reads, safe old paths, slugs and dates."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hkcms.core.atomic import decode_utf8, read_regular_file
from hkcms.core.errors import HkcmsError
from hkcms.core.import_records import ImportWarning

MAX_SOURCE_BYTES = 8 * 1024 * 1024  # one post's source file; bigger files are refused, not read
SKIPPED_DIRS = {".git", ".hg", ".svn", "node_modules", "_site", "public", "resources", "vendor"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def where(path: Path, root: Path, line: int | None = None) -> str:
    """A file (relative to the source folder when possible) and line for a warning."""
    try:
        shown = str(path.relative_to(root))
    except ValueError:
        shown = str(path)
    return shown if line is None else f"{shown}:{line}"


def read_source(path: Path, root: Path, warnings: list[ImportWarning]) -> str | None:
    """The text of one source file, or None with a warning (too big, not UTF-8, a link, …)."""
    try:
        data = read_regular_file(path, MAX_SOURCE_BYTES)
        text = decode_utf8(data, path)
    except HkcmsError as exc:
        warnings.append(ImportWarning(where(path, root, exc.line), f"skipped: {exc.message}"))
        return None
    except OSError as exc:
        warnings.append(ImportWarning(where(path, root), f"skipped: {exc.strerror or exc}"))
        return None
    return text.removeprefix("\ufeff")


def walk_files(folder: Path) -> Iterator[Path]:
    """Regular files under `folder`, sorted, never following symbolic links out of it.

    Iterative, not recursive: a hostile tree thousands of folders deep must not crash the import.
    """
    if not folder.is_dir() or folder.is_symlink():
        return
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            entries = sorted(current.iterdir(), key=lambda p: p.name)
        except OSError:
            continue
        subfolders = []
        for entry in entries:
            if entry.is_symlink():
                continue
            if entry.is_dir():
                if entry.name not in SKIPPED_DIRS and not entry.name.startswith("."):
                    subfolders.append(entry)
            elif entry.is_file():
                yield entry
        stack.extend(reversed(subfolders))


def walk_folders(folder: Path) -> Iterator[Path]:
    """`folder` and the folders under it (sorted, no links, no hidden or tool folders)."""
    stack = [folder]
    while stack:
        current = stack.pop()
        yield current
        try:
            entries = sorted(current.iterdir(), key=lambda p: p.name)
        except OSError:
            continue
        stack.extend(
            reversed(
                [
                    e
                    for e in entries
                    if e.is_dir()
                    and not e.is_symlink()
                    and e.name not in SKIPPED_DIRS
                    and not e.name.startswith(".")
                ]
            )
        )


def inside(path: Path, folder: Path) -> bool:
    """True when `path`, with every link resolved, is within `folder`."""
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, OSError):
        return False
    return True


def old_url_path(value: Any) -> str | None:
    """An old URL path, normalised ("/a/b/"), or None when it is unsafe or not a site path.

    Percent-encoding is decoded so Chinese paths stay readable; '..' segments, backslashes,
    control characters and other hosts are refused (an alias becomes a file on export).
    """
    if not isinstance(value, str | int | float):
        return None
    text = str(value).strip()
    if not text:
        return None
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", text):
        # A full URL of the old site: keep only its path.
        match = re.match(r"^https?://[^/?#]+(/[^?#]*)?", text)
        if not match:
            return None
        text = match.group(1) or "/"
    elif text.startswith("//"):
        return None
    text = text.split("#", 1)[0].split("?", 1)[0]
    text = unicodedata.normalize("NFC", unquote(text))
    if "\\" in text or _CONTROL.search(text):
        return None
    parts = [p for p in text.split("/") if p]
    if any(p in {".", ".."} for p in parts):
        return None
    if not parts:
        return None
    path = "/" + "/".join(parts)
    if text.endswith("/"):
        path += "/"
    return path


def wanted_slug(value: Any) -> str | None:
    """A slug from the source (percent-decoded, NFC), or None when it is empty or unsafe."""
    if not isinstance(value, str | int | float):
        return None
    text = unicodedata.normalize("NFC", unquote(str(value))).strip()
    if not text or "/" in text or "\\" in text or ".." in text or _CONTROL.search(text):
        return None
    return text


def zone_of(name: Any) -> dt.tzinfo | None:
    """A time zone from its IANA name (as in _config.yml or hugo.toml), or None."""
    if not isinstance(name, str) or not name.strip():
        return None
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None


_OFFSET = re.compile(r"\s*(Z|[+-]\d{2}:?\d{2})$")


def iso_date(value: Any, zone: dt.tzinfo | None = None) -> str:
    """A date from front matter or a file name as ISO 8601; raises ValueError if unreadable.

    Accepts datetime/date objects (YAML, TOML) and the text forms Jekyll and Hugo accept
    ("2020-01-02", "2020-01-02 10:00:00 +0800", "2020-01-02T10:00:00Z"). A time without an
    offset is taken in `zone` when one is given.
    """
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        return value.isoformat()
    elif isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text).isoformat()
        offset = ""
        match = _OFFSET.search(text)
        if match:
            offset = match.group(1)
            text = text[: match.start()]
            if offset != "Z" and ":" not in offset:
                offset = f"{offset[:3]}:{offset[3:]}"
        text = re.sub(r"^(\d{4}-\d{2}-\d{2})[ T]+", r"\1T", text.strip())
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{1,2}:\d{2}", text):
            text += ":00"
        text = re.sub(r"T(\d):", r"T0\1:", text)
        moment = dt.datetime.fromisoformat(text + offset)
    else:
        raise ValueError(f"{value!r} is not a date")
    if moment.tzinfo is None and zone is not None:
        moment = moment.replace(tzinfo=zone)
    return moment.replace(microsecond=0).isoformat()


def text_list(value: Any, *, split_spaces: bool = False) -> list[str]:
    """Tags or categories written as a list or as text (comma- or, for Jekyll, space-separated)."""
    if value is None:
        return []
    if isinstance(value, str):
        items = value.split() if split_spaces and "," not in value else value.split(",")
    elif isinstance(value, list | tuple):
        items = [str(v) for v in value if isinstance(v, str | int | float)]
    elif isinstance(value, int | float):
        items = [str(value)]
    else:
        return []
    return [unicodedata.normalize("NFC", i.strip()) for i in items if i.strip()]


def unique(items: list[str]) -> list[str]:
    """Keep the first of each item, in order (tags compared without case)."""
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        key = item.casefold()
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def person(value: Any) -> str:
    """An author given as text, a mapping with a name, or a list of either."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        for key in ("name", "display_name", "title"):
            if isinstance(value.get(key), str):
                return str(value[key]).strip()
        return ""
    if isinstance(value, list):
        names = [person(v) for v in value]
        return ", ".join(n for n in names if n)
    return ""


def title_from_slug(slug: str) -> str:
    """A missing title from the file name, as Jekyll and Hugo do: 'my-post' → 'My Post'."""
    words = re.split(r"[-_\s]+", slug)
    return " ".join(w[:1].upper() + w[1:] for w in words if w) or slug


_IMAGE_MD = re.compile(r"!\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")
_IMAGE_HTML = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)


def image_refs(body: str) -> list[str]:
    """Image references in Markdown (![alt](ref)) and HTML (<img src=ref>), in order, once each."""
    refs = [m.group(1) for m in _IMAGE_MD.finditer(body)]
    refs += [m.group(1) for m in _IMAGE_HTML.finditer(body)]
    return list(dict.fromkeys(refs))


def collect_media(
    refs: list[str],
    resolve: Any,
    root: Path,
    media: list[str],
    media_files: dict[str, str],
    warnings: list[ImportWarning],
    where_text: str,
) -> None:
    """List the references in `media`; local files also in `media_files` (reference → path).

    `resolve(ref)` gives the file a local reference points at (or None); files outside `root`,
    links and missing files are refused with a warning, never copied.
    """
    for ref in refs:
        if ref.startswith(("http://", "https://")):
            if ref not in media:
                media.append(ref)
            continue
        if ref.startswith(("data:", "//", "#", "mailto:")) or ":" in ref.split("/", 1)[0]:
            continue
        path = resolve(unquote(ref.split("#", 1)[0].split("?", 1)[0]))
        if path is None:
            continue
        if path.is_symlink() or not inside(path, root):
            warnings.append(
                ImportWarning(where_text, f"image {ref} is outside the source folder; not copied")
            )
            continue
        if not path.is_file():
            warnings.append(
                ImportWarning(where_text, f"image {ref} was not found; the link is kept")
            )
            continue
        media_files[ref] = str(path.resolve())
        if ref not in media:
            media.append(ref)
