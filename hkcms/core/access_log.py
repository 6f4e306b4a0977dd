"""Access-log lines → post views: combined/custom formats, post URL patterns, bot detection."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from hkcms.core.bots import is_bot
from hkcms.core.errors import SiteError
from hkcms.core.site import parse_zone

REPEAT_WINDOW_S = 30 * 60
CACHE_LIMIT = 200_000  # distinct URIs / user agents remembered during one import
DEFAULT_PATTERNS = ("/posts/{slug}/",)

# Skip reasons, as reported to the user.
NOT_A_POST = "not a post page"
NOT_GET = "not a GET request"
BOT = "bot, crawler, preview or monitor"
REPEAT = "repeat within 30 minutes"
UNKNOWN_POST = "unknown post"
BAD_URL = "undecodable URL"
EMPTY = "empty line"

_MONTHS = {
    name.encode(): number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
_NGINX_ESCAPE = re.compile(rb"\\x([0-9A-Fa-f]{2})")


@dataclass(frozen=True)
class UrlPattern:
    """A URL shape of a post page: literal prefix, the slug, and a suffix such as '/'."""

    prefix: str
    suffix: str

    @classmethod
    def parse(cls, text: str) -> UrlPattern:
        if text.count("{slug}") != 1 or not text.startswith("/"):
            raise SiteError(
                f"URL pattern {text!r} must start with '/' and contain {{slug}} once, "
                "e.g. '/post/{slug}'"
            )
        prefix, suffix = text.split("{slug}")
        return cls(prefix, suffix)

    def slug_part(self, path: bytes) -> bytes | None:
        """The raw slug of a page path, or None if the path is not a page of this shape."""
        prefix = self.prefix.encode()
        if not path.startswith(prefix):
            return None
        rest = path[len(prefix) :]
        suffix = self.suffix.rstrip("/").encode()
        # '/posts/x/', '/posts/x', '/posts/x/index.html' (and '.../index.htm') are one page.
        for ending in (b"/index.html", b"/index.htm", b"/"):
            if rest.endswith(ending):
                rest = rest[: -len(ending)]
                break
        if suffix:
            if not rest.endswith(suffix):
                return None
            rest = rest[: -len(suffix)]
        if not rest or b"/" in rest:
            return None
        return rest


def decode_slug(raw: bytes) -> str | None:
    """Percent-encoded (or nginx \\xHH-escaped) UTF-8 → NFC text; None if not UTF-8."""
    if b"\\x" in raw:
        raw = _NGINX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)
    if b"%" in raw:
        raw = unquote_to_bytes(raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return unicodedata.normalize("NFC", text)


def alias_key(path: str) -> str:
    """An old address as compared with request paths: decoded, NFC, without a trailing '/'
    or 'index.html'; a query string is kept ('/?p=12' is a post on WordPress)."""
    path, _, query = path.strip().partition("?")
    text = decode_slug(path.encode("utf-8")) or path
    for ending in ("/index.html", "/index.htm"):
        if text.endswith(ending):
            text = text[: -len(ending)]
    text = text.rstrip("/")
    return f"{text}?{query}" if query else text


def patterns_for(views_settings: dict[str, Any], base_url: str = "") -> tuple[UrlPattern, ...]:
    """The site's post URL patterns: /posts/{slug}/ under base_url's path, plus old_patterns."""
    base_path = urlsplit(base_url).path.rstrip("/") if base_url else ""
    patterns = [UrlPattern.parse(base_path + p) for p in DEFAULT_PATTERNS]
    old = views_settings.get("old_patterns", [])
    if isinstance(old, str) or not isinstance(old, list):
        raise SiteError("[views] old_patterns must be a list of strings like '/post/{slug}'")
    patterns += [UrlPattern.parse(str(p)) for p in old]
    return tuple(dict.fromkeys(patterns))


def slug_from_url(url: str, patterns: Iterable[UrlPattern]) -> str | None:
    """The slug in a post URL (absolute or a path), or None if it is not a post page."""
    path = urlsplit(url.strip()).path.encode("utf-8")
    for pattern in patterns:
        raw = pattern.slug_part(path)
        if raw is not None:
            return decode_slug(raw)
    return None


# ---- log formats -------------------------------------------------------------------------

_NGINX_VARS = {
    "remote_addr": "ip", "http_x_forwarded_for": "xff", "time_local": "time",
    "time_iso8601": "iso", "request": "request", "status": "status",
    "http_user_agent": "ua", "request_method": "method", "request_uri": "uri", "uri": "uri",
}  # fmt: skip
_APACHE_VARS = {
    "h": "ip", "a": "ip", "t": "time", "r": "request", ">s": "status", "s": "status",
    "{User-agent}i": "ua", "{User-Agent}i": "ua", "{user-agent}i": "ua", "m": "method", "U": "uri",
}  # fmt: skip
_FORMAT_TOKEN = re.compile(r"\$([a-z_0-9]+)|%(>?[a-zA-Z]|\{[^}]*\}[a-zA-Z])")
NAMED_FORMATS = {"combined", "nginx", "apache", "common"}


def compile_format(fmt: str) -> re.Pattern[bytes]:
    """An nginx ($var) or Apache (%x) log_format string → a line regex with named groups."""
    fmt = fmt.replace('\\"', '"')
    out, seen, pos = ["^"], set(), 0
    for match in _FORMAT_TOKEN.finditer(fmt):
        out.append(re.escape(fmt[pos : match.start()]))
        pos = match.end()
        name = _NGINX_VARS.get(match.group(1) or "") or _APACHE_VARS.get(match.group(2) or "")
        after = fmt[pos : pos + 1]
        if match.group(2) == "t":  # Apache's %t includes the brackets: [10/Oct/2026:13:55:36 +0000]
            out.append(r"\[(?P<time>[^\]]*)\]" if "time" not in seen else r"\[[^\]]*\]")
            seen.add("time")
            continue
        # A field runs up to the literal that follows it; quoted fields may hold \" escapes.
        if after == '"':
            body = r'(?:[^"\\]|\\.)*'
        else:
            body = rf"[^{re.escape(after)}]*" if after else ".*"
        if name and name not in seen:
            seen.add(name)
            out.append(f"(?P<{name}>{body})")
        else:
            out.append(f"(?:{body})")
    out.append(re.escape(fmt[pos:]) + r"\s*$")
    if not ({"time", "iso"} & seen) or not ({"request", "uri"} & seen) or "status" not in seen:
        raise SiteError(
            "[views] log_format must contain the time, the request (or URI) and the status, "
            "e.g. '$remote_addr - $remote_user [$time_local] \"$request\" $status ...'"
        )
    return re.compile("".join(out).encode())


COMBINED_RE = compile_format(
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
    '"$http_referer" "$http_user_agent"'
)
# Combined, tolerant of extra fields after the user agent (nginx "main" adds X-Forwarded-For).
COMBINED_LOOSE_RE = re.compile(
    rb'^(?P<ip>\S+) \S+ .*?\[(?P<time>[^\]]+)\] "(?P<request>(?:[^"\\]|\\.)*)" (?P<status>\d{3}) '
    rb'\S+(?: "(?:[^"\\]|\\.)*" "(?P<ua>(?:[^"\\]|\\.)*)")?.*$'
)


# ---- the counter -------------------------------------------------------------------------


@dataclass
class FileTally:
    """What one stretch of a log file contributed."""

    lines: int = 0
    counted: int = 0
    unparseable: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    first_unparseable: list[int] = field(default_factory=list)
    overlong: int = 0  # lines longer than the line cap (counted in unparseable too)


class ViewCounter:
    """Counts views per (post, day) from log lines; visitors are hashed, in memory only.

    Every line gets one verdict, checked in this order: not a post page / not GET / unknown
    post (from the request), status, bot (from the user agent), repeat, else counted.
    A repeat is a visit less than 30 minutes after the same visitor's previous visit of the
    post (counted or not), like a web-analytics session: the state needed to continue is then
    only the last 30 minutes of the log, which a later import re-reads.
    """

    def __init__(
        self,
        known_slugs: set[str],
        *,
        patterns: tuple[UrlPattern, ...] = (UrlPattern("/posts/", "/"),),
        timezone: str | dt.tzinfo = "UTC",
        log_format: str = "combined",
        extra_bot_tokens: Iterable[str] = (),
        aliases: dict[str, str] | None = None,
    ) -> None:
        self.known = known_slugs
        self.patterns = patterns
        # Old addresses of posts (their `aliases`, e.g. from an import) → slug: hits on them
        # count for the post, so that the old host's logs and the new one's both count.
        self.aliases = {alias_key(path): slug for path, slug in (aliases or {}).items()}
        self.zone = parse_zone(timezone) if isinstance(timezone, str) else timezone
        self.extra_bot_tokens = tuple(t.lower() for t in extra_bot_tokens)
        fmt = log_format.strip() or "combined"
        self.has_ua = fmt != "common"
        self.custom: re.Pattern[bytes] | None = None
        if fmt not in NAMED_FORMATS:
            self.custom = compile_format(fmt)
            self.has_ua = "ua" in self.custom.groupindex
        # Needles for the substring pre-filter: the page prefix after the request method.
        self.needles = tuple(dict.fromkeys(b" " + p.prefix.encode() for p in patterns))
        self.counts: dict[tuple[str, str], int] = {}
        self._last_seen: dict[int, int] = {}
        self._ua_ids: dict[bytes, int] = {}  # user agent -> visitor part, or -1 for a bot
        self._requests: dict[bytes, str] = {}  # request line -> slug of a GET of a post page
        self._request_skips: dict[bytes, str] = {}  # request line -> skip reason
        # "dd/Mon/yyyy:hh:mm" -> (Unix time of that minute, local date, " +zone] ")
        self._minutes: dict[bytes, tuple[int, str, bytes]] = {}
        self._hours: dict[bytes, int] = {}  # "dd/Mon/yyyy:hh +zone" -> Unix time of the hour
        self._days: dict[int, str] = {}  # quarter-hour bucket -> local date
        self._since_prune = 0
        self._next_uid = 0

    # The hot loop, called with lists of complete lines (bytes, without the newline). A usual
    # combined line whose request, user agent and minute were seen before is handled inline;
    # anything else goes through _count(), which fills those caches.
    def feed(self, lines: list[bytes], tally: FileTally, first_line_no: int) -> None:
        if self.custom is not None:
            self._feed_regex(lines, tally, first_line_no, self.custom)
            return
        needles = self.needles
        one_needle = needles[0] if len(needles) == 1 else None
        fast = self.has_ua
        skipped = tally.skipped
        requests, request_skips = self._requests, self._request_skips
        ua_ids, minutes, counts = self._ua_ids, self._minutes, self.counts
        last_seen = self._last_seen
        aliases = self.aliases
        not_post = counted = bots = repeats = empty = 0
        reason: str | None
        for index, line in enumerate(lines):
            if one_needle is not None:
                hit = one_needle in line
            else:
                hit = any(n in line for n in needles)
            if not hit:
                if not line:
                    empty += 1  # counted in bulk: a file of newlines must not crawl
                    continue
                # A log line has '] "' between the time and the request; else it is noise.
                if b'] "' not in line:
                    self._unparseable(line, tally, first_line_no + index)
                    continue
                if not aliases:
                    not_post += 1
                    continue
                parts = []  # an old address (alias) of a post, perhaps: the slow path
            else:
                parts = line.split(b'"')
            if not parts or not fast or (len(parts) != 7 and (len(parts) != 9 or b'\\"' in line)):
                reason = self._count_loose(line)
            else:
                slug = requests.get(parts[1])
                if slug is None:
                    reason = request_skips.get(parts[1]) or self._count_parts(parts)
                else:
                    status = parts[2][1:4]
                    uid = ua_ids.get(parts[5])
                    if (status != b"200" and status != b"304") or uid is None:
                        reason = self._count_parts(parts)
                    elif uid < 0:
                        bots += 1
                        continue
                    else:
                        head = parts[0]
                        minute = minutes.get(head[-28:-11])
                        if minute is None or not head.endswith(minute[2]):
                            minute = self._minute(head[-28:-2])
                            if minute is None or not head.endswith(minute[2]):
                                self._unparseable(line, tally, first_line_no + index)
                                continue
                        try:
                            when = minute[0] + int(head[-10:-8])
                        except ValueError:
                            self._unparseable(line, tally, first_line_no + index)
                            continue
                        visitor = hash((head[:-28], uid, slug))
                        last = last_seen.get(visitor)
                        if last is not None and -REPEAT_WINDOW_S < when - last < REPEAT_WINDOW_S:
                            if when > last:
                                last_seen[visitor] = when
                            repeats += 1
                            continue
                        last_seen[visitor] = when
                        key = (slug, minute[1])
                        counts[key] = counts.get(key, 0) + 1
                        counted += 1
                        continue
            if reason is None:
                counted += 1
            elif reason == "?":
                self._unparseable(line, tally, first_line_no + index)
            else:
                skipped[reason] += 1
        for why, n in ((NOT_A_POST, not_post), (BOT, bots), (REPEAT, repeats), (EMPTY, empty)):
            if n:
                skipped[why] += n
        tally.counted += counted
        tally.lines += len(lines)
        self._since_prune += counted
        if self._since_prune >= 200_000:
            self._prune()

    def replay(self, lines: list[bytes]) -> None:
        """Read lines already counted by an earlier import, only to remember their visitors."""
        saved, self.counts = self.counts, {}
        try:
            self.feed(lines, FileTally(), 1)
        finally:
            self.counts = saved

    def line_time(self, line: bytes) -> int | None:
        """The Unix time of a log line, or None."""
        if self.custom is not None:
            match = self.custom.match(line)
            if match is None:
                return None
            groups = match.groupdict()
            time = groups.get("time") or groups.get("iso")
        else:
            start, end = line.find(b" ["), line.find(b"] ")
            time = line[start + 2 : end] if 0 <= start < end else None
        moment = self._when(time) if time else None
        return moment[0] if moment else None

    def _feed_regex(
        self, lines: list[bytes], tally: FileTally, first_line_no: int, regex: re.Pattern[bytes]
    ) -> None:
        groups = regex.groupindex
        for index, line in enumerate(lines):
            match = regex.match(line)
            if match is None:
                self._unparseable(line, tally, first_line_no + index)
                continue
            request = match["request"] if "request" in groups else None
            if request is None:
                method = match["method"] if "method" in groups else b"GET"
                request = method + b" " + match["uri"]
            time = match["time"] if "time" in groups else match["iso"]
            ua = match["ua"] if "ua" in groups else None
            ip = match["ip"] if "ip" in groups else b""
            reason = self._count(ip, time, request, match["status"], ua)
            if reason is None:
                tally.counted += 1
            elif reason == "?":
                self._unparseable(line, tally, first_line_no + index)
            else:
                tally.skipped[reason] += 1
        tally.lines += len(lines)

    def _unparseable(self, line: bytes, tally: FileTally, line_no: int) -> None:
        if not line.strip():
            tally.skipped[EMPTY] += 1
            return
        tally.unparseable += 1
        if len(tally.first_unparseable) < 5:
            tally.first_unparseable.append(line_no)

    def _count_loose(self, line: bytes) -> str | None:
        match = COMBINED_LOOSE_RE.match(line)
        if match is None:
            return "?"
        return self._count(
            match["ip"], match["time"], match["request"], match["status"], match["ua"]
        )

    def _count_parts(self, parts: list[bytes]) -> str | None:
        head = parts[0]
        bracket = head.find(b" [")
        if bracket < 0 or not head.endswith(b"] "):
            return "?"
        # The visitor part is the same slice the inline path hashes: 'ip ident user ['.
        return self._count(head[:-28], head[bracket + 2 : -2], parts[1], parts[2][1:4], parts[5])

    def _count(
        self, ip: bytes, time: bytes, request: bytes, status: bytes, ua: bytes | None
    ) -> str | None:
        """None when counted, else the skip reason ('?' for an unparseable line)."""
        slug = self._requests.get(request)
        if slug is None:
            reason = self._request_skips.get(request)
            if reason is None:
                slug, reason = self._resolve(request)
                if len(self._requests) + len(self._request_skips) > CACHE_LIMIT:
                    self._requests.clear()  # a scanner's random URLs must not grow these
                    self._request_skips.clear()
                if slug is not None:
                    self._requests[request] = slug
                else:
                    self._request_skips[request] = reason
            if slug is None:
                return reason
        if status != b"200" and status != b"304":
            if len(status) != 3 or not status.isdigit():
                return "?"
            return f"status {status.decode()}"
        uid = 0
        if ua is not None and self.has_ua:
            known_uid = self._ua_ids.get(ua)
            if known_uid is None:
                if len(self._ua_ids) > CACHE_LIMIT:
                    self._ua_ids.clear()
                self._next_uid += 1
                bot = is_bot(ua.decode("utf-8", "replace"), self.extra_bot_tokens)
                known_uid = self._ua_ids[ua] = -1 if bot else self._next_uid
            if known_uid < 0:
                return BOT
            uid = known_uid
        moment = self._when(time)
        if moment is None:
            return "?"
        when, day = moment
        visitor = hash((ip, uid, slug))
        last = self._last_seen.get(visitor)
        if last is not None and -REPEAT_WINDOW_S < when - last < REPEAT_WINDOW_S:
            if when > last:
                self._last_seen[visitor] = when
            return REPEAT
        self._last_seen[visitor] = when
        key = (slug, day)
        self.counts[key] = self.counts.get(key, 0) + 1
        return None

    def _prune(self) -> None:
        """Forget visitors not seen for an hour (logs run forward), so memory stays flat."""
        newest = max(self._last_seen.values(), default=0)
        horizon = newest - 2 * REPEAT_WINDOW_S
        self._last_seen = {k: v for k, v in self._last_seen.items() if v >= horizon}
        self._since_prune = 0

    def _resolve(self, request: bytes) -> tuple[str | None, str]:
        """A request line → (slug, "") or (None, the reason it is not a view of a post)."""
        fields = request.split(b" ")
        if len(fields) < 2 or not fields[0].isalpha():
            return None, "?"
        target = fields[1].split(b"#", 1)[0]
        path = target.split(b"?", 1)[0]
        if self.aliases:
            text = decode_slug(target)
            slug = None
            if text is not None:
                slug = self.aliases.get(alias_key(text)) or self.aliases.get(
                    alias_key(text.split("?", 1)[0])
                )
            if slug is not None:
                if fields[0] != b"GET":
                    return None, NOT_GET
                return (slug, "") if slug in self.known else (None, UNKNOWN_POST)
        for pattern in self.patterns:
            raw = pattern.slug_part(path)
            if raw is None:
                continue
            if fields[0] != b"GET":
                return None, NOT_GET
            slug = decode_slug(raw)
            if slug is None:
                return None, BAD_URL
            if slug not in self.known:
                return None, UNKNOWN_POST
            return slug, ""
        return None, NOT_A_POST

    def _when(self, time: bytes) -> tuple[int, str] | None:
        """'10/Oct/2026:13:55:36 +0100' (or ISO 8601) → (Unix time, local date); None if bad."""
        try:
            if len(time) == 26 and time[2:3] == b"/":
                minute = self._minutes.get(time[:17])
                if minute is None or minute[2] != time[20:] + b"] ":
                    minute = self._minute(time)
                    if minute is None:
                        return None
                seconds = int(time[18:20])
                if not 0 <= seconds < 61:
                    return None
                return minute[0] + seconds, minute[1]
            parsed = dt.datetime.fromisoformat(time.decode("ascii"))
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=self.zone)
            when = int(parsed.timestamp())
            day = self._day(when)
            return None if day is None else (when, day)
        except (ValueError, KeyError, UnicodeDecodeError, OverflowError):
            return None

    def _minute(self, time: bytes) -> tuple[int, str, bytes] | None:
        """Cache entry of a log time's minute: (Unix time, local date, ' +zone] ')."""
        try:
            hour_key = time[:14] + time[20:]
            hour = self._hours.get(hour_key)
            if hour is None:
                hour = _hour_epoch(time)
                if len(self._hours) > CACHE_LIMIT:
                    self._hours.clear()
                self._hours[hour_key] = hour
            minutes = time[15:17]
            if time[14:15] != b":" or not minutes.isdigit() or int(minutes) > 59:
                return None
            base = hour + int(minutes) * 60
        except (ValueError, KeyError, OverflowError):
            return None
        day = self._day(base)
        if day is None:
            return None
        if len(self._minutes) > CACHE_LIMIT:
            self._minutes.clear()
        entry = self._minutes[time[:17]] = (base, day, time[20:] + b"] ")
        return entry

    def _day(self, when: int) -> str | None:
        """The local date (site timezone) of a Unix time; offsets are multiples of 15 min.
        None outside the calendar (31/Dec/9999 at -1400 is in year 10000 in UTC)."""
        bucket = when // 900
        day = self._days.get(bucket)
        if day is None:
            try:
                local = dt.datetime.fromtimestamp(bucket * 900, self.zone).date()
            except (ValueError, OverflowError, OSError):
                return None
            if len(self._days) > CACHE_LIMIT:
                self._days.clear()
            day = self._days[bucket] = local.isoformat()
        return day


def _hour_epoch(time: bytes) -> int:
    """Unix time of the hour of '10/Oct/2026:13:55:36 +0100'; ValueError/KeyError if bad."""
    if len(time) != 26 or time[2:3] != b"/" or time[6:7] != b"/" or time[11:12] != b":":
        raise ValueError("not a log time")
    day, month, year, hour = int(time[0:2]), _MONTHS[time[3:6]], int(time[7:11]), int(time[12:14])
    sign = time[21:22]
    if sign not in (b"+", b"-") or time[20:21] != b" ":
        raise ValueError("not a log time")
    offset = int(time[22:24]) * 3600 + int(time[24:26]) * 60
    if not (1 <= day <= calendar.monthrange(year, month)[1] and hour < 24):
        raise ValueError("out of range")
    local = calendar.timegm((year, month, day, hour, 0, 0))
    return local - offset if sign == b"+" else local + offset
