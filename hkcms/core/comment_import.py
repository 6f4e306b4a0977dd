"""Import reader comments from a form service's CSV or JSON export; idempotent, row by row."""

from __future__ import annotations

import csv
import datetime as dt
import email.utils
import hashlib
import io
import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hkcms.core import meta
from hkcms.core.access_log import patterns_for, slug_from_url
from hkcms.core.atomic import decode_utf8, read_regular_file
from hkcms.core.comments import Comment, CommentStore, check_status
from hkcms.core.errors import HkcmsError
from hkcms.core.meta import MIB, MetadataTooLarge
from hkcms.core.slugs import validate_slug

MAX_IMPORT_BYTES = 32 * 1024 * 1024
MAX_FIELD_CHARS = 1024 * 1024  # a body this long is still reported as oversized, not a crash

# Accepted column names (compared lowercased, with spaces and dashes as underscores).
COLUMNS = {
    "post": ("post", "slug", "post_slug", "post_url", "url", "page", "page_url", "link", "path"),
    "author": ("author", "name", "author_name", "display_name", "your_name"),
    "body": ("body", "comment", "message", "text", "content", "comment_body", "your_comment"),
    "date": ("date", "created", "created_at", "time", "timestamp", "submitted", "submitted_at"),
    "email": ("email", "e_mail", "email_address", "mail", "author_email"),
}
# JSON exports wrap their rows in one of these keys, or are a plain list.
JSON_LIST_KEYS = ("comments", "submissions", "data", "items", "rows", "entries")


@dataclass(frozen=True)
class RowProblem:
    row: int  # 1-based data row (CSV: not counting the header)
    message: str


@dataclass
class CommentImportReport:
    """What importing one file did: added, already there, and rows that were skipped."""

    path: str
    format: str
    rows: int = 0
    imported: list[Comment] = field(default_factory=list)
    duplicates: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "format": self.format,
            "rows": self.rows,
            "imported": len(self.imported),
            "duplicates": self.duplicates,
            "errors": [{"row": p.row, "error": p.message} for p in self.problems],
            "ids": [c.id for c in self.imported],
        }


def import_comments(
    store: CommentStore, path: Path | str, *, status: str = "pending"
) -> CommentImportReport:
    """Import every good row of a CSV or JSON file; bad rows are reported, not fatal.

    A row's source key is a hash of its fields, so importing the same file again (or an
    export that overlaps an earlier one) adds nothing twice, not even a comment deleted since.
    """
    check_status(status)
    path = Path(path)
    try:
        data = read_regular_file(path, MAX_IMPORT_BYTES)
    except FileNotFoundError:
        raise HkcmsError("no such file", path) from None
    text = decode_utf8(data, path).removeprefix("\ufeff")
    fmt = _format_of(path, text)
    rows = _json_rows(text, path) if fmt == "json" else _csv_rows(text, path)
    report = CommentImportReport(str(path), fmt, rows=len(rows))
    site = store.meta.site
    patterns = patterns_for(site.settings.views, site.settings.base_url)
    zone = site.settings.zone
    ready: list[Comment] = []
    sources: set[str] = set()
    for number, row in rows:
        if isinstance(row, str):
            report.problems.append(RowProblem(number, row))
            continue
        try:
            comment = _comment_of(store, row, status, patterns, zone)
        except HkcmsError as exc:
            report.problems.append(RowProblem(number, exc.message))
            continue
        if comment.source in sources:
            report.duplicates += 1
            continue
        sources.add(comment.source)
        ready.append(comment)
    if ready:
        try:
            with store.meta.transaction() as txn:
                report.imported = store.add_many(ready, txn=txn)
        except MetadataTooLarge as exc:
            # Raised before anything is written: the whole import is refused, not half done.
            slug = exc.path.stem if exc.path else "?"
            raise HkcmsError(
                f"importing {len(ready):,} comments would make the metadata of post {slug!r} "
                f"{exc.size / MIB:,.0f} MiB, over the {meta.META_FILE_LIMIT / MIB:,.0f} MiB hkcms "
                "can read back; nothing was imported (split the file, or import fewer comments "
                "for that post)",
                path,
            ) from None
    report.duplicates += len(ready) - len(report.imported)
    return report


def _format_of(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix in (".json", ".csv"):
        return suffix[1:]
    return "json" if text.lstrip()[:1] in ("[", "{") else "csv"


def _key(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def _columns(names: list[str], path: Path) -> dict[str, str]:
    """Our field name → the file's column name; post and body columns are required."""
    by_key = {_key(n): n for n in names if n}
    found = {}
    for wanted, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in by_key:
                found[wanted] = by_key[alias]
                break
    missing = [w for w in ("post", "body") if w not in found]
    if missing:
        shown = ", ".join(repr(n) for n in names[:12]) or "none"
        raise HkcmsError(
            f"no column for the {' or '.join(missing)} (e.g. 'post' or 'url', 'body' or "
            f"'comment'); the columns are: {shown}",
            path,
        )
    return found


def _csv_rows(text: str, path: Path) -> list[tuple[int, dict[str, str] | str]]:
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise HkcmsError("the file is empty", path) from None
    except csv.Error as exc:
        raise HkcmsError(f"the header row is not valid CSV: {exc}", path, 1) from exc
    columns = _columns(header, path)
    index = {ours: header.index(theirs) for ours, theirs in columns.items()}
    rows: list[tuple[int, dict[str, str] | str]] = []
    number = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            number += 1
            why = (
                f"a field is longer than {MAX_FIELD_CHARS:,} characters"
                if "field limit" in str(exc)
                else str(exc)
            )
            rows.append((number, f"not valid CSV (line {reader.line_num}): {why}"))
            continue
        if not any(cell.strip() for cell in record):
            continue  # blank lines between records
        number += 1
        rows.append(
            (number, {ours: record[i] if i < len(record) else "" for ours, i in index.items()})
        )
    return rows


def _json_rows(text: str, path: Path) -> list[tuple[int, dict[str, str] | str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HkcmsError(f"is not valid JSON: {exc.msg}", path, exc.lineno) from exc
    if isinstance(data, dict):
        lists = [data[k] for k in JSON_LIST_KEYS if isinstance(data.get(k), list)]
        data = lists[0] if lists else [data]
    if not isinstance(data, list):
        raise HkcmsError("JSON must be a list of comments (objects)", path)
    names: list[str] = []
    for item in data:
        if isinstance(item, dict):
            names.extend(k for k in item if isinstance(k, str) and k not in names)
    if not data:
        return []
    columns = _columns(names, path)
    rows: list[tuple[int, dict[str, str] | str]] = []
    for number, item in enumerate(data, 1):
        if not isinstance(item, dict):
            rows.append((number, "not a JSON object"))
            continue
        row = {}
        for ours, theirs in columns.items():
            value = item.get(theirs, "")
            row[ours] = "" if value is None else value if isinstance(value, str) else str(value)
        rows.append((number, row))
    return rows


def _comment_of(
    store: CommentStore, row: dict[str, str], status: str, patterns: Any, zone: dt.tzinfo
) -> Comment:
    raw_post = row.get("post", "").strip()
    if not raw_post:
        raise HkcmsError("no post slug or URL")
    if "/" in raw_post:
        slug = slug_from_url(raw_post, patterns)
        if slug is None:
            raise HkcmsError(f"{raw_post!r} is not the URL of a post")
    else:
        slug = unicodedata.normalize("NFC", raw_post)
    try:
        validate_slug(slug)
    except HkcmsError:
        raise HkcmsError(f"unknown post {slug!r}") from None
    if not store.meta.site.post_path(slug).exists():
        raise HkcmsError(f"unknown post {slug!r}")
    created = parse_date(row.get("date", ""), zone)
    fields = [raw_post, *(row.get(k, "") for k in ("author", "body", "date", "email"))]
    digest = hashlib.sha256(json.dumps([f.strip() for f in fields]).encode()).hexdigest()
    return store.build(
        slug,
        row.get("author", ""),
        row.get("body", ""),
        status=status,
        created=created,
        email=row.get("email", ""),
        source=f"import:{digest[:24]}",
    )


def parse_date(text: str, zone: dt.tzinfo) -> str | None:
    """ISO 8601, RFC 2822 or Unix seconds/milliseconds → UTC ISO 8601; None if empty."""
    text = text.strip()
    if not text:
        return None
    when: dt.datetime | None = None
    if text.replace(".", "", 1).isdigit():
        seconds = float(text)
        try:
            when = dt.datetime.fromtimestamp(seconds / 1000 if seconds > 1e11 else seconds, dt.UTC)
        except (OverflowError, ValueError, OSError):
            when = None
    else:
        try:
            when = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                when = None
    if when is None:
        raise HkcmsError(f"unreadable date {text[:40]!r} (use ISO 8601, e.g. 2026-05-01T18:30)")
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)
    return when.astimezone(dt.UTC).replace(microsecond=0).isoformat()
