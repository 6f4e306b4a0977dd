"""Import reader comments from a form service's CSV or JSON export; idempotent, row by row."""

from __future__ import annotations

import csv
import datetime as dt
import email.utils
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hkcms.core import meta
from hkcms.core.access_log import patterns_for, slug_from_url
from hkcms.core.atomic import decode_utf8, read_regular_file
from hkcms.core.comments import Comment, CommentStore, check_status
from hkcms.core.errors import HkcmsError
from hkcms.core.meta import MIB, MetadataTooLarge
from hkcms.core.post import EARLIEST_DATE, LATEST_DATE
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
# JSON may escape half of a UTF-16 pair ("\ud800"): such a string cannot be stored as UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class RowProblem:
    row: int  # 1-based data row (CSV: not counting the header)
    message: str
    line: int | None = None  # CSV: the file line the row starts on


# One data row: its number, the CSV line it starts on (None in JSON), and its fields or a problem.
Row = tuple[int, int | None, dict[str, str] | str]


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
            "errors": [
                {"row": p.row, "error": p.message} | ({"line": p.line} if p.line else {})
                for p in self.problems
            ],
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
    site = store.meta.site
    patterns = patterns_for(site.settings.views, site.settings.base_url)

    def is_post(value: str) -> bool:
        try:
            return _slug_of(store, value.strip(), patterns) is not None
        except HkcmsError:
            return False

    rows = _json_rows(text, path) if fmt == "json" else _csv_rows(text, path, is_post)
    report = CommentImportReport(str(path), fmt, rows=len(rows))
    zone = site.settings.zone
    ready: list[Comment] = []
    sources: set[str] = set()
    for number, line, row in rows:
        if isinstance(row, str):
            report.problems.append(RowProblem(number, row, line))
            continue
        try:
            comment = _comment_of(store, row, status, patterns, zone)
        except HkcmsError as exc:
            report.problems.append(RowProblem(number, exc.message, line))
            continue
        if comment.source in sources:
            report.duplicates += 1
            continue
        sources.add(comment.source)
        ready.append(comment)
    if ready:
        _check_budget(store, ready, path)  # cheap estimate first: no 80 MiB built in memory
        try:
            with store.meta.transaction() as txn:
                report.imported = store.add_many(ready, txn=txn)
        except MetadataTooLarge as exc:
            # Raised before anything is written: the whole import is refused, not half done.
            raise _too_big(len(ready), exc.path.stem if exc.path else "?", exc.size, path) from None
    report.duplicates += len(ready) - len(report.imported)
    return report


def _check_budget(store: CommentStore, ready: list[Comment], path: Path) -> None:
    """Refuse, before writing anything, an import that would make a post's metadata file
    bigger than hkcms reads back (TinyDB's JSON of a comment is about its fields' size)."""
    sizes: dict[str, int] = {}
    for comment in ready:
        doc = json.dumps(comment.__dict__, ensure_ascii=False, separators=(",", ":"))
        sizes[comment.post] = sizes.get(comment.post, 0) + len(doc.encode()) + 12
    for slug, size in sizes.items():
        try:
            size += store.meta.post_file(slug).stat().st_size
        except OSError:
            pass
        if size > meta.META_FILE_LIMIT:
            count = sum(1 for c in ready if c.post == slug)
            raise _too_big(count, slug, size, path)


def _too_big(count: int, slug: str, size: int, path: Path) -> HkcmsError:
    return HkcmsError(
        f"importing {count:,} comments would make the metadata of post {slug!r} "
        f"{size / MIB:,.0f} MiB, over the {meta.META_FILE_LIMIT / MIB:,.0f} MiB hkcms "
        "can read back; nothing was imported (split the file, or import fewer comments "
        "for that post)",
        path,
    )


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


def _csv_rows(
    text: str, path: Path, is_post: Callable[[str], bool] = lambda value: False
) -> list[Row]:
    """Rows of a CSV file, each with the line it starts on.

    Strict parsing: a quote that is never closed, or closed in the middle of a later row, is an
    error (the lenient default read every following row into one comment body). The broken row
    is reported by its line and reading resumes on the next line, so no row is merged or lost.
    """
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))
    if not text.strip():
        raise HkcmsError("the file is empty", path)
    lines = [f"{line}\n" for line in text.split("\n")]
    reader = csv.reader(iter(lines), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise HkcmsError("the file is empty", path) from None
    except csv.Error as exc:
        raise HkcmsError(f"the header row is not valid CSV: {exc}", path, 1) from exc
    columns = _columns(header, path)
    index = {ours: header.index(theirs) for ours, theirs in columns.items()}
    rows: list[Row] = []
    number = 0
    start = reader.line_num  # lines before the reader's first
    while start < len(lines):
        reader = csv.reader((lines[i] for i in range(start, len(lines))), strict=True)
        resume = len(lines)
        while True:
            first = start + reader.line_num + 1  # the line the next record starts on
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                number += 1
                rows.append((number, first, f"not valid CSV: {_csv_problem(exc)}"))
                resume = first  # the index of the line after the broken row's first line
                break
            if not any(cell.strip() for cell in record):
                continue  # blank lines between records
            number += 1
            if any(cell.strip() for cell in record[len(header) :]):
                # More fields than the header: a quote left open in this row was closed by
                # one in a later row (`"…\nnext,row,",x`), which merged them. Read again.
                problem = (
                    f"not valid CSV: {len(record)} fields where the header has {len(header)} "
                    "(a quote left open?); the row was skipped"
                )
                rows.append((number, first, problem))
                resume = first
                break
            if start + reader.line_num > first and _holds_a_row(
                record, len(header), index, is_post
            ):
                problem = (
                    "not valid CSV: a quote left open here runs into the rows after it "
                    "(a field holds a line that is a row of its own); the row was skipped"
                )
                rows.append((number, first, problem))
                resume = first
                break
            fields = {ours: record[i] if i < len(record) else "" for ours, i in index.items()}
            rows.append((number, first, fields))
        start = resume
    return rows


def _holds_a_row(
    record: list[str], width: int, index: dict[str, int], is_post: Callable[[str], bool]
) -> bool:
    """True if a multi-line field of `record` has a line that reads as a whole row of the file
    (as many fields as the header, a post in the post column): rows merged by an open quote."""
    post = index["post"]
    for cell in record:
        for line in cell.split("\n")[1:]:
            if line.count(",") + 1 < width:
                continue
            fields = next(csv.reader([line]), [])
            if len(fields) >= width and post < len(fields) and is_post(fields[post]):
                return True
    return False


def _csv_problem(exc: csv.Error) -> str:
    text = str(exc)
    if "field limit" in text:
        return f"a field is longer than {MAX_FIELD_CHARS:,} characters"
    if "unexpected end of data" in text:
        return "a quoted field is never closed (a '\"' is missing); the row was skipped"
    if "expected after" in text:
        return "a quote ends in the middle of a field (a '\"' is missing or stray); row skipped"
    return text


def _json_rows(text: str, path: Path) -> list[Row]:
    try:
        # Numbers are kept as their text (a 5,000-digit one would not convert to int).
        data = json.loads(text, parse_int=str, parse_float=str, parse_constant=str)
    except json.JSONDecodeError as exc:
        raise HkcmsError(f"is not valid JSON: {exc.msg}", path, exc.lineno) from exc
    except RecursionError:
        raise HkcmsError("is not a list of comments: its JSON is nested too deeply", path) from None
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
    rows: list[Row] = []
    for number, item in enumerate(data, 1):
        if not isinstance(item, dict):
            rows.append((number, None, "not a JSON object"))
            continue
        row = {}
        for ours, theirs in columns.items():
            value = item.get(theirs, "")
            row[ours] = "" if value is None else value if isinstance(value, str) else str(value)
        if any(_SURROGATE.search(value) for value in row.values()):
            rows.append((number, None, "has a \\ud800-style escape that is not a character"))
            continue
        rows.append((number, None, row))
    return rows


def _comment_of(
    store: CommentStore, row: dict[str, str], status: str, patterns: Any, zone: dt.tzinfo
) -> Comment:
    raw_post = row.get("post", "").strip()
    if not raw_post:
        raise HkcmsError("no post slug or URL")
    slug = _slug_of(store, raw_post, patterns)
    if slug is None:
        raise HkcmsError(f"{raw_post!r} is not the URL of a post")
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


def _slug_of(store: CommentStore, raw_post: str, patterns: Any) -> str | None:
    """The slug of an existing post named by a slug or URL; None if a URL is not a post's;
    HkcmsError for a slug that names no post."""
    if "/" in raw_post:
        slug = slug_from_url(raw_post, patterns)
        if slug is None:
            return None
    else:
        slug = unicodedata.normalize("NFC", raw_post)
    try:
        validate_slug(slug)
    except HkcmsError:
        raise HkcmsError(f"unknown post {slug!r}") from None
    if not store.meta.site.post_path(slug).exists():
        raise HkcmsError(f"unknown post {slug!r}")
    return slug


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
    try:
        utc = when.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        utc = None
    # Like a post's date: a day inside the calendar's ends, so every time zone can show it.
    if utc is None or not EARLIEST_DATE <= utc.date() <= LATEST_DATE:
        raise HkcmsError(
            f"date {text[:40]!r} is out of range (use a date between "
            f"{EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()})"
        )
    return utc.replace(microsecond=0).isoformat()
