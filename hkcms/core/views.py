"""Post views: idempotent access-log import, daily counts per post, baselines, top posts."""

from __future__ import annotations

import bz2
import datetime as dt
import gzip
import hashlib
import lzma
import os
import stat
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

from tinydb import Query

from hkcms.core.access_log import REPEAT_WINDOW_S, FileTally, ViewCounter, patterns_for
from hkcms.core.atomic import read_regular_file
from hkcms.core.errors import HkcmsError, NotFoundError, SiteError
from hkcms.core.history import now_iso
from hkcms.core.meta import MetaStore, MetaTxn, json_bytes, read_json, summary_shard
from hkcms.core.post import parse_post
from hkcms.core.slugs import validate_slug

IMPORTS_TABLE = "log_imports"  # in the site db: one document per log stream already read
VIEWS_TABLE = "views"  # in a post's db: one document per day {date, views}
BASELINE_TABLE = "views_baseline"  # in a post's db: {views, set}
CHUNK_BYTES = 4 * 1024 * 1024
HEAD_BYTES = 64 * 1024
MAX_COPIES = 8  # compressed copies of one log remembered as fully read
TAIL_BYTES = 256  # bytes before the read offset that must match for a file to be continued
_FP = Query()
# What reading a plain or compressed log can raise (a truncated or corrupt archive included).
_READ_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError)


@dataclass(frozen=True)
class LogLimits:
    """Caps that keep a hostile log (a decompression bomb, a file without newlines) from
    holding memory or running for ever. Real access-log lines are a few KB; logs compress
    10-30 times."""

    max_line_bytes: int = 64 * 1024
    max_ratio: int = 100  # decompressed bytes per compressed byte
    min_decompressed: int = 64 * 1024 * 1024  # the cap for small archives

    def decompressed_cap(self, compressed_size: int) -> int:
        return max(self.min_decompressed, self.max_ratio * compressed_size)


class LogTooLarge(HkcmsError):
    """A compressed log decompresses to far more than a real log would."""


@dataclass(frozen=True)
class DayViews:
    date: str
    views: int


@dataclass(frozen=True)
class ViewsReport:
    """A post's views: baseline from the old host + counted from logs, and daily counts."""

    slug: str
    baseline: int
    counted: int
    days: list[DayViews]
    today: str = ""
    history: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def total(self) -> int:
        return self.baseline + self.counted

    def last(self, days: int) -> int:
        """Views counted in the last `days` days, today included."""
        start = (dt.date.fromisoformat(self.today) - dt.timedelta(days=days - 1)).isoformat()
        return sum(n for day, n in self.history.items() if start <= day <= self.today)

    def to_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "total": self.total,
            "baseline": self.baseline,
            "counted": self.counted,
            "days": [{"date": d.date, "views": d.views} for d in self.days],
        }


@dataclass
class FileReport:
    """What importing one log file did."""

    path: str
    status: str  # new, continued, already read, changed, no complete line, error
    start: int = 0
    end: int = 0
    lines: int = 0
    counted: int = 0
    unparseable: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    unparseable_lines: list[int] = field(default_factory=list)
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "status": self.status,
            "bytes_from": self.start,
            "bytes_to": self.end,
            "lines": self.lines,
            "counted": self.counted,
            "skipped": dict(sorted(self.skipped.items())),
            "unparseable": self.unparseable,
            "unparseable_lines": self.unparseable_lines,
            "message": self.message,
        }


@dataclass
class ImportReport:
    """What a log import counted and skipped, and why, in total and per file."""

    files: list[FileReport]
    posts: int = 0  # posts whose counts changed

    @property
    def counted(self) -> int:
        return sum(f.counted for f in self.files)

    @property
    def lines(self) -> int:
        return sum(f.lines for f in self.files)

    @property
    def unparseable(self) -> int:
        return sum(f.unparseable for f in self.files)

    @property
    def skipped(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for f in self.files:
            total.update(f.skipped)
        return dict(sorted(total.items()))

    @property
    def errors(self) -> list[FileReport]:
        """Files that could not be read, or were refused (so that no line counts twice)."""
        return [f for f in self.files if f.status in ("error", "changed")]

    def to_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "counted": self.counted,
            "skipped": self.skipped,
            "unparseable": self.unparseable,
            "posts": self.posts,
            "files": [f.to_dict() for f in self.files],
        }


@dataclass
class _Computed:
    """An import worked out in memory, before anything is written."""

    report: ImportReport
    counts: dict[tuple[str, str], int]
    streams: dict[str, dict[str, Any]]  # fingerprint -> new bookkeeping document


class ViewStore:
    """Views of every post of a site."""

    def __init__(self, meta: MetaStore) -> None:
        self.meta = meta
        self.site = meta.site
        settings = self.site.settings
        self.views_settings = settings.views
        self.zone_name = settings.views_timezone
        self.zone = settings.views_zone

    # ---- reading -------------------------------------------------------------------------

    def today(self) -> str:
        return dt.datetime.now(self.zone).date().isoformat()

    def show(self, slug: str, days: int | None = None, *, today: str | None = None) -> ViewsReport:
        """Totals and daily counts; `days` = the last N days (zeros included), else every day."""
        validate_slug(slug)
        data = read_json(self.meta.post_file(slug)) or {}
        if not data and not self.site.post_path(slug).exists():
            raise NotFoundError(f"no post with slug {slug!r}")
        history: dict[str, int] = {}
        for doc in data.get(VIEWS_TABLE, {}).values():
            history[doc["date"]] = history.get(doc["date"], 0) + int(doc["views"])
        today = today or self.today()
        if days is None:
            shown = [DayViews(d, n) for d, n in sorted(history.items())]
        else:
            if days < 1:
                raise HkcmsError("--days must be at least 1")
            end = dt.date.fromisoformat(today)
            dates = [(end - dt.timedelta(days=i)).isoformat() for i in range(days - 1, -1, -1)]
            shown = [DayViews(d, history.get(d, 0)) for d in dates]
        return ViewsReport(
            slug=slug,
            baseline=_baseline(data),
            counted=sum(history.values()),
            days=shown,
            today=today,
            history=history,
        )

    def top(
        self, days: int | None = None, *, limit: int | None = None, today: str | None = None
    ) -> list[tuple[str, int]]:
        """Most-read posts: all time (baseline included) or counted in the last N days."""
        summaries = self.meta.summaries()
        if days is None:
            ranked = [(s, int(v.get("views", 0))) for s, v in summaries.items()]
        else:
            if days < 1:
                raise HkcmsError("--days must be at least 1")
            end = dt.date.fromisoformat(today or self.today())
            start = (end - dt.timedelta(days=days - 1)).isoformat()
            stop = end.isoformat()
            ranked = []
            for slug, summary in summaries.items():
                if summary.get("views_last_day", "") < start:
                    continue  # no view in the period: skip reading its file
                docs = (read_json(self.meta.post_file(slug)) or {}).get(VIEWS_TABLE, {})
                total = sum(int(d["views"]) for d in docs.values() if start <= d["date"] <= stop)
                ranked.append((slug, total))
        ranked = sorted((r for r in ranked if r[1] > 0), key=lambda r: (-r[1], r[0]))
        return ranked[:limit] if limit is not None else ranked

    # ---- baseline ------------------------------------------------------------------------

    def set_baseline(self, slug: str, views: int) -> ViewsReport:
        """Set the views carried over from the previous host; the total is baseline + counted."""
        validate_slug(slug)
        if views < 0:
            raise HkcmsError("a baseline cannot be negative")
        if not self.site.post_path(slug).exists():
            raise NotFoundError(f"no post with slug {slug!r}")
        with self.meta.transaction() as txn:
            storage = txn.post_db(slug).storage
            data = storage.read() or {}
            data[BASELINE_TABLE] = {"1": {"views": views, "set": now_iso()}}
            storage.write(data)
            txn.update_summary(slug, views=views + _counted(data))
        return self.show(slug)

    # ---- import --------------------------------------------------------------------------

    def import_logs(
        self, paths: Iterable[Path | str], *, limits: LogLimits | None = None
    ) -> ImportReport:
        """Count new lines of access logs; lines already read (copies, rotations) never again.

        The counting runs without the lock; the lock is then held only to write. If another
        process imported one of the same logs meanwhile, the work is redone inside the lock.
        """
        files = [Path(p) for p in paths]
        limits = limits or LogLimits()
        for attempt in range(3):
            state = _streams(self.meta.site_table(IMPORTS_TABLE).values())
            computed = self._compute(files, state, limits)
            with self.meta.transaction() as txn:
                now = _streams(txn.site_db().table(IMPORTS_TABLE).all())
                if any(now.get(fp) != state.get(fp) for fp in computed.streams):
                    if attempt < 2:
                        continue
                    computed = self._compute(files, now, limits)
                self._write(txn, computed)
                return computed.report
        raise AssertionError("unreachable")  # pragma: no cover

    def _compute(
        self, paths: list[Path], state: dict[str, dict[str, Any]], limits: LogLimits
    ) -> _Computed:
        slugs = self._known_slugs()
        counter = ViewCounter(
            slugs,
            aliases=self._aliases(slugs),
            patterns=patterns_for(self.views_settings, self.site.settings.base_url),
            timezone=self.zone,
            log_format=str(self.views_settings.get("log_format", "combined")),
            extra_bot_tokens=self._bot_patterns(),
        )
        streams: dict[str, dict[str, Any]] = {}
        reports: dict[int, FileReport] = {}
        pending: list[tuple[Path, int, int]] = []
        # Oldest log first (by its first line), whatever the order given: `access.log*`
        # lists access.log before access.log.1, but repeats are judged in time order.
        times = [_first_time(path, counter) for path in paths]
        order = sorted(range(len(paths)), key=lambda i: (times[i] is None, times[i] or 0, i))
        for i in order:
            known = {**state, **streams}
            reports[i] = _read_log(paths[i], known, counter, streams, pending, limits)
        files = [reports[i] for i in range(len(paths))]
        return _Computed(ImportReport(files), counter.counts, streams)

    def _bot_patterns(self) -> list[str]:
        patterns = self.views_settings.get("bot_patterns", [])
        if not isinstance(patterns, list):
            raise SiteError("[views] bot_patterns must be a list of strings, e.g. ['my-checker']")
        return [str(p) for p in patterns]

    def _aliases(self, slugs: set[str]) -> dict[str, str]:
        """Old addresses of posts (`aliases` in their front matter) → slug. Only files that
        mention `aliases:` are parsed; a post that cannot be read is simply left out here."""
        out: dict[str, str] = {}
        for slug in sorted(slugs):
            path = self.site.post_path(slug)
            try:
                data = read_regular_file(path)
            except (HkcmsError, OSError):
                continue
            end = data.find(b"\n---", 3)
            if b"\naliases:" not in data[: end if end > 0 else len(data)]:
                continue
            try:
                post = parse_post(data.decode("utf-8"), slug, path)
            except (HkcmsError, UnicodeDecodeError):
                continue
            aliases = post.front.get("aliases")
            for alias in aliases if isinstance(aliases, list) else []:
                if isinstance(alias, str) and alias.startswith("/"):
                    out.setdefault(alias, slug)
        return out

    def _known_slugs(self) -> set[str]:
        try:
            names = os.listdir(self.site.posts_dir)
        except OSError as exc:
            raise HkcmsError(
                f"cannot read the posts folder: {exc.strerror}", self.site.posts_dir
            ) from exc
        return {n[:-3] for n in names if n.endswith(".md") and not n.startswith(".")}

    def _write(self, txn: MetaTxn, computed: _Computed) -> None:
        """One write per post touched (all its days), one per summary shard, one per stream."""
        by_post: dict[str, dict[str, int]] = {}
        for (slug, day), n in computed.counts.items():
            by_post.setdefault(slug, {})[day] = n
        totals: dict[str, dict[str, Any]] = {}
        files: list[tuple[Path, bytes]] = []
        for slug, days in sorted(by_post.items()):
            if not self.site.post_path(slug).exists():
                continue  # trashed or renamed while we were counting: no ghost metadata
            path = self.meta.post_file(slug)
            data = txn.read_json(path) or {}
            table: dict[str, dict[str, Any]] = data.setdefault(VIEWS_TABLE, {})
            doc_of_day = {doc["date"]: key for key, doc in table.items()}
            next_id = max((int(k) for k in table), default=0) + 1
            for day, n in sorted(days.items()):
                key = doc_of_day.get(day)
                if key is None:
                    table[str(next_id)] = {"date": day, "views": n}
                    next_id += 1
                else:
                    table[key]["views"] = int(table[key]["views"]) + n
            files.append((path, json_bytes(data)))
            last_day = max(d["date"] for d in table.values())
            totals[slug] = {"views": _baseline(data) + _counted(data), "views_last_day": last_day}
            txn.forget(path)  # a TinyDB opened on it earlier would hold stale ids
        # Counts, summaries and read positions land together (one journaled commit), so a
        # killed import never counts a line twice.
        for path, payload in files:
            txn.put(path, payload, backup="keep")
        _update_summaries(txn, totals)
        imports = txn.site_db().table(IMPORTS_TABLE)
        for fp, doc in computed.streams.items():
            imports.upsert(doc, _FP.fp == fp)
        computed.report.posts = len(totals)


def _baseline(data: dict[str, Any]) -> int:
    doc = data.get(BASELINE_TABLE, {}).get("1", {})
    return int(doc.get("views", 0))


def _counted(data: dict[str, Any]) -> int:
    """Views counted from logs, all days: the total is this plus the baseline."""
    return sum(int(d["views"]) for d in data.get(VIEWS_TABLE, {}).values())


def _streams(docs: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {d["fp"]: dict(d) for d in docs if "fp" in d}


def _update_summaries(txn: MetaTxn, totals: dict[str, dict[str, Any]]) -> None:
    """Group summary updates by shard file: one write per shard instead of one per post."""
    by_shard: dict[str, list[str]] = {}
    for slug in totals:
        by_shard.setdefault(summary_shard(slug), []).append(slug)
    for slugs in by_shard.values():
        table = txn.summary_db(slugs[0]).table("posts")
        present = {doc.get("slug") for doc in table.all()}
        updates = [(totals[s], Query().slug == s) for s in slugs if s in present]
        if updates:
            table.update_multiple(updates)
        missing = [{"slug": s, **totals[s]} for s in slugs if s not in present]
        if missing:
            table.insert_multiple(missing)


# ---- reading one log file ----------------------------------------------------------------


def _open_log(path: Path) -> tuple[BinaryIO, bool]:
    """Open plain, gzip, bzip2 or xz by content (not name); True if compressed."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise HkcmsError("is not a regular file", path)
    raw = path.open("rb")
    magic = raw.read(6)
    raw.seek(0)
    # The decompressors are given the path, so that closing them closes the file too.
    opener: Any = None
    if magic.startswith(b"\x1f\x8b"):
        opener = gzip.open
    elif magic.startswith(b"BZh"):
        opener = bz2.open
    elif magic.startswith(b"\xfd7zXZ\x00"):
        opener = lzma.open
    if opener is None:
        return raw, False
    raw.close()
    return cast(BinaryIO, opener(path, "rb")), True


def _first_time(path: Path, counter: ViewCounter) -> int | None:
    """The time of a log's first line (None if it cannot be read), to sort logs by age."""
    try:
        handle, _ = _open_log(path)
        with handle:
            head = handle.read(HEAD_BYTES)
    except (HkcmsError, *_READ_ERRORS):
        return None
    return counter.line_time(head.split(b"\n", 1)[0])


def _replay_pending(pending: list[tuple[Path, int, int]], counter: ViewCounter) -> None:
    """Re-read the last 30 minutes of the previous (already imported) log, uncounted, so
    that visits just after a rotation are judged against the visits just before it."""
    if not pending:
        return
    path, start, end = pending.pop()
    try:
        handle, _ = _open_log(path)
        with handle:
            handle.seek(start)
            data = handle.read(end - start)
    except (HkcmsError, *_READ_ERRORS):
        return  # only a little less exact; the import itself goes on
    counter.replay(data.split(b"\n")[:-1])


def _read_log(
    path: Path,
    known: dict[str, dict[str, Any]],
    counter: ViewCounter,
    streams: dict[str, dict[str, Any]],
    pending: list[tuple[Path, int, int]],
    limits: LogLimits,
) -> FileReport:
    """Feed the unread lines of one log to the counter; record how far it was read.

    A log is known by a hash of its first line, so its rotated (.1, .gz) copies are continued
    where the last import stopped. The last 30 minutes already read are replayed, uncounted,
    so that a visitor's repeat across two imports is still a repeat. `pending` holds the
    replay range of the previous log if it had nothing new.
    """
    report = FileReport(str(path), "new")
    try:
        handle, compressed = _open_log(path)
    except FileNotFoundError:
        return FileReport(str(path), "error", message="no such file")
    except HkcmsError as exc:
        return FileReport(str(path), "error", message=exc.message)
    except OSError as exc:
        return FileReport(str(path), "error", message=f"cannot open: {exc.strerror}")
    tally = FileTally()
    copy_key = _copy_key(path) if compressed else ""
    # Counts are restored if the file fails half-way, so that its first part (whose offset is
    # not recorded) is not counted now and again by the next import.
    counts_before = dict(counter.counts)
    try:
        with handle:
            head = handle.read(HEAD_BYTES)
            newline = head.find(b"\n")
            if newline < 0 and len(head) < HEAD_BYTES and not (compressed and head):
                report.status = "no complete line"
                report.message = "the file has no complete line yet"
                return report
            first = head[: newline + 1] if newline >= 0 else head
            fp = _digest(first)
            previous = known.get(fp)
            start, line_no, tail, marks, recent = 0, 1, b"", [], 0
            if previous is not None:
                start, line_no = int(previous["offset"]), int(previous["lines"]) + 1
                report.start = report.end = start
                marks = [list(m) for m in previous.get("marks", [])]
                recent = int(marks[0][0]) if marks and int(marks[0][0]) < start else start
                if not compressed and os.fstat(handle.fileno()).st_size == start:
                    report.status = "already read"  # the usual re-import: no need to read
                    pending[:] = [(path, recent, start)]
                    return report
                if compressed and copy_key in previous.get("copies", {}):
                    report.status = "already read"  # a compressed copy read to its end before
                    pending[:] = [(path, recent, start)]
                    return report
                report.status = "continued"
                tail_from = max(0, start - TAIL_BYTES)
                replay_from = min([tail_from, *(int(m[0]) for m in marks if m[0] <= start)])
                handle.seek(replay_from)
                before = handle.read(start - replay_from)
                tail = before[tail_from - replay_from :]
                if len(before) < start - replay_from:
                    report.status = "already read"
                    report.message = "an older, shorter copy of a log already imported"
                    return report  # not a replay source: its end is not where we stopped
                if _digest(tail) != previous["tail"]:
                    report.status = "changed"
                    report.message = (
                        "starts like a log already imported but differs from it at byte "
                        f"{start:,}; not imported, so that no line is counted twice"
                    )
                    return report
                _replay_pending(pending, counter)
                if recent < start:
                    counter.replay(before[recent - replay_from :].split(b"\n")[:-1])
            else:
                handle.seek(0)
                _replay_pending(pending, counter)
            cap = limits.decompressed_cap(path.stat().st_size) if compressed else None
            end, tail = _feed(
                handle, counter, tally, start, line_no, tail, marks, compressed, limits, cap
            )
    except (*_READ_ERRORS, LogTooLarge) as exc:
        counter.counts.clear()
        counter.counts.update(counts_before)
        report.status = "error"
        report.message = exc.message if isinstance(exc, LogTooLarge) else f"cannot read: {exc}"
        return report
    report.start, report.end = start, end
    if end == start and previous is not None:
        report.status = "already read"
        pending[:] = [(path, recent, start)]
    report.lines, report.counted, report.unparseable = tally.lines, tally.counted, tally.unparseable
    report.skipped = dict(tally.skipped)
    report.unparseable_lines = tally.first_unparseable
    if tally.overlong:
        report.message = (
            (
                f"{tally.overlong:,} line(s) longer than {limits.max_line_bytes:,} bytes skipped "
                "(not access-log lines)"
            )
            .replace("1 line(s)", "1 line")
            .replace("line(s)", "lines")
        )
    copies = dict(previous.get("copies", {})) if previous else {}
    if compressed and copy_key and end >= start:
        # A compressed log never changes: the next import can skip it without decompressing.
        copies = dict(list(copies.items())[-(MAX_COPIES - 1) :]) | {copy_key: end}
    if end > start:
        streams[fp] = {
            "fp": fp,
            "offset": end,
            "lines": line_no - 1 + tally.lines,
            "tail": _digest(tail),
            "marks": _recent_marks(marks),
            "copies": copies,
            "path": str(path.resolve()),
            "imported": now_iso(),
        }
    elif previous is not None and copies != previous.get("copies", {}):
        streams[fp] = dict(previous) | {"copies": copies}
    return report


def _copy_key(path: Path) -> str:
    """Identity of a compressed file: its size and last bytes (gzip ends with CRC32 + size)."""
    try:
        with path.open("rb") as raw:
            size = raw.seek(0, os.SEEK_END)
            raw.seek(max(0, size - 32))
            return f"{size}:{_digest(raw.read())}"
    except OSError:
        return ""


def _feed(
    handle: IO[bytes],
    counter: ViewCounter,
    tally: FileTally,
    start: int,
    line_no: int,
    tail: bytes,
    marks: list[list[int]],
    final: bool,
    limits: LogLimits,
    cap: int | None = None,
) -> tuple[int, bytes]:
    """Feed complete lines from `start`; returns the end offset and the bytes just before it.

    Appends to `marks` [offset, time] of the first line of each chunk, for the next replay.
    Memory stays flat: a line longer than limits.max_line_bytes is skipped (unparseable)
    without being kept, and reading stops with LogTooLarge after `cap` decompressed bytes.
    """
    max_line = limits.max_line_bytes
    offset, rest, lines = start, b"", [b""]
    skipping = False  # inside an overlong line, dropping bytes up to its newline
    while True:
        chunk = handle.read(CHUNK_BYTES)
        if not chunk:
            break
        if cap is not None and offset + len(rest) + len(chunk) - start > cap:
            raise LogTooLarge(
                f"decompresses to more than {cap:,} bytes ({limits.max_ratio} times its size), "
                "far more than an access log; not imported (a damaged file or a zip bomb?)"
            )
        if skipping:
            newline = chunk.find(b"\n")
            if newline < 0:
                offset += len(chunk)
                continue
            offset += newline + 1
            line_no += 1
            chunk = chunk[newline + 1 :]
            skipping = False
            if not chunk:
                continue
        data = rest + chunk if rest else chunk
        cut = data.rfind(b"\n")
        if cut < 0:
            if len(data) > max_line:
                _overlong(tally, line_no)
                offset += len(data)
                rest, skipping = b"", True
            else:
                rest = data
            continue
        lines = data[:cut].split(b"\n")
        if cut > max_line * 2 and max(map(len, lines)) > max_line:
            for index, line in enumerate(lines):
                if len(line) > max_line:
                    tally.overlong += 1
                    lines[index] = b"-"  # counted unparseable by the counter, at its number
        _mark(marks, counter, offset, lines)
        counter.feed(lines, tally, line_no)
        line_no += len(lines)
        offset += cut + 1
        tail = (tail + data[max(0, cut + 1 - TAIL_BYTES) : cut + 1])[-TAIL_BYTES:]
        rest = data[cut + 1 :]
        if len(rest) > max_line:
            _overlong(tally, line_no)
            offset += len(rest)
            rest, skipping = b"", True
    if rest and final:
        # A compressed log is finished: its last line counts even without a newline.
        _mark(marks, counter, offset, [rest])
        counter.feed([rest], tally, line_no)
        offset += len(rest)
        tail = (tail + rest)[-TAIL_BYTES:]
    if marks and offset > start:
        newest = next((t for t in map(counter.line_time, reversed(lines[-50:])) if t), None)
        if newest is not None:
            marks.append([offset, newest])
    return offset, tail


def _overlong(tally: FileTally, line_no: int) -> None:
    tally.overlong += 1
    tally.unparseable += 1
    if len(tally.first_unparseable) < 5:
        tally.first_unparseable.append(line_no)


def _mark(marks: list[list[int]], counter: ViewCounter, offset: int, lines: list[bytes]) -> None:
    when = next((t for t in map(counter.line_time, lines[:20]) if t), None)
    if when is not None:
        marks.append([offset, when])


def _recent_marks(marks: list[list[int]]) -> list[list[int]]:
    """Keep the marks of the last 30 minutes read, and the one just before them."""
    if not marks:
        return []
    newest = max(m[1] for m in marks)
    old = [m for m in marks if m[1] <= newest - REPEAT_WINDOW_S]
    recent = [m for m in marks if m[1] > newest - REPEAT_WINDOW_S]
    return sorted(([max(old, key=lambda m: m[0])] if old else []) + recent)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]
