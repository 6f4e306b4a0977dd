"""Log line verdicts: post URLs, percent-encoding, statuses, bots, repeats, formats, noise."""

from __future__ import annotations

import pytest

from hkcms.core.access_log import (
    BOT,
    NOT_A_POST,
    NOT_GET,
    REPEAT,
    UNKNOWN_POST,
    FileTally,
    UrlPattern,
    ViewCounter,
    compile_format,
    decode_slug,
    patterns_for,
    slug_from_url,
)
from hkcms.core.bots import is_bot
from hkcms.core.errors import SiteError
from tests.views.logs import CHROME, FIREFOX, GOOGLEBOT, SAFARI, ZH_PATH, ZH_SLUG, line

KNOWN = {"hello", ZH_SLUG, "old-post"}


def run(*lines: str, **options: object) -> tuple[ViewCounter, FileTally]:
    options.setdefault("timezone", "UTC")
    counter = ViewCounter(KNOWN, **options)  # type: ignore[arg-type]
    tally = FileTally()
    counter.feed([raw.rstrip("\n").encode() for raw in lines], tally, 1)
    return counter, tally


def verdict(raw: str, **options: object) -> str:
    _, tally = run(raw, **options)
    if tally.counted:
        return "counted"
    if tally.unparseable:
        return "unparseable"
    return next(iter(tally.skipped))


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/posts/hello/", "counted"),
        ("/posts/hello/index.html", "counted"),
        ("/posts/hello/?utm_source=mail&x=%20", "counted"),
        ("/posts/hello/index.html?fbclid=abc#top", "counted"),
        ("/posts/hello", "counted"),
        (ZH_PATH, "counted"),
        (ZH_PATH + "index.html?ref=tg", "counted"),
        ("/posts/%e7%a4%be%e5%8d%80%e5%a0%b1%e5%91%8a/", "counted"),  # lowercase hex
        ("/posts/\\xE7\\xA4\\xBE\\xE5\\x8D\\x80\\xE5\\xA0\\xB1\\xE5\\x91\\x8A/", "counted"),
        ("/posts/hello/photo.jpg", NOT_A_POST),
        ("/posts/", NOT_A_POST),
        ("/assets/site.css", NOT_A_POST),
        ("/tags/news/", NOT_A_POST),
        ("/posts/nope/", UNKNOWN_POST),
        ("/posts/%FF%FE/", "undecodable URL"),
    ],
)
def test_post_page_urls(path: str, expected: str) -> None:
    assert verdict(line(path)) == expected


@pytest.mark.parametrize(
    ("status", "expected"), [(200, "counted"), (304, "counted"), (404, "status 404"),
                             (301, "status 301"), (206, "status 206"), (500, "status 500")]
)  # fmt: skip
def test_only_200_and_304_count(status: int, expected: str) -> None:
    assert verdict(line("/posts/hello/", status=status)) == expected


@pytest.mark.parametrize("method", ["HEAD", "POST", "OPTIONS"])
def test_only_get_counts(method: str) -> None:
    assert verdict(line("/posts/hello/", method=method)) == NOT_GET


@pytest.mark.parametrize(
    "ua",
    [
        GOOGLEBOT,
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_1) AppleWebKit/600.2.5 (KHTML, like Gecko)"
        " Version/8.0.2 Safari/600.2.5 (Applebot/0.1; +http://www.apple.com/go/applebot)",
        "WhatsApp/2.23.20.0",
        "TelegramBot (like TwitterBot)",
        "Twitterbot/1.0",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
        "Mastodon/4.2.0 (http.rb/5.1.1; +https://mastodon.social/)",
        "Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)",
        "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; "
        "+https://openai.com/gptbot)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; ClaudeBot/1.0",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/120.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/109.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse",
        "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
        "Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)",
        "Mozilla/5.0 (compatible; StatusCake)",
        "Datadog/Synthetics",
        "Prometheus/2.45.0",
        "Blackbox Exporter/0.24.0",
        "check_http/v2.3.3 (monitoring-plugins 2.3.3)",
        "curl/8.5.0",
        "Wget/1.21.4",
        "python-requests/2.31.0",
        "Go-http-client/1.1",
        "Java/17.0.2",
        "okhttp/4.12.0",
        "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 3 subscribers)",
        "",
        "-",
    ],
)
def test_bots_crawlers_previews_and_monitors_do_not_count(ua: str) -> None:
    assert is_bot(ua)
    assert verdict(line("/posts/hello/", ua=ua)) == BOT


@pytest.mark.parametrize(
    "ua",
    [
        CHROME,
        FIREFOX,
        SAFARI,
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
        "like Gecko) Mobile/15E148 Instagram 330.0.0.40.92",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
        "like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/460.0.0.48.109]",
    ],
)
def test_people_count(ua: str) -> None:
    assert not is_bot(ua)
    assert verdict(line("/posts/hello/", ua=ua)) == "counted"


def test_extra_bot_patterns_from_settings() -> None:
    ua = CHROME + " X-Internal"
    assert verdict(line("/posts/hello/", ua=ua)) == "counted"
    assert verdict(line("/posts/hello/", ua=ua), extra_bot_tokens=["x-internal"]) == BOT


def test_same_visitor_same_post_within_30_minutes_counts_once() -> None:
    counter, tally = run(
        line("/posts/hello/", minutes=0),
        line("/posts/hello/?again", minutes=10),
        line("/posts/hello/index.html", minutes=29.9),
        line("/posts/hello/", minutes=60),  # 30 min after the visitor's last visit
        line("/posts/hello/", minutes=60, ua=FIREFOX),  # same IP, other browser
        line("/posts/hello/", minutes=60, ip="198.51.100.1"),  # other IP, same browser
        line(ZH_PATH, minutes=61),  # same visitor, other post
    )
    assert tally.counted == 5
    assert tally.skipped == {REPEAT: 2}
    assert counter.counts == {("hello", "2026-03-10"): 4, (ZH_SLUG, "2026-03-10"): 1}


def test_a_reader_who_keeps_coming_back_within_30_minutes_is_one_visit() -> None:
    # Like an analytics session: each visit extends the window (a tab reloaded every 20 min).
    _, tally = run(*(line("/posts/hello/", minutes=m) for m in (0, 20, 40, 60, 80, 111)))
    assert tally.counted == 2 and tally.skipped == {REPEAT: 4}


def test_days_follow_the_site_timezone() -> None:
    # 23:30 UTC on 10 March is 10 March in London (GMT) but 11 March in Hong Kong.
    raw = line("/posts/hello/", minutes=14 * 60 + 30)
    london = run(raw, timezone="Europe/London")[0].counts
    hong_kong = run(raw, timezone="Asia/Hong_Kong")[0].counts
    assert london == {("hello", "2026-03-10"): 1}
    assert hong_kong == {("hello", "2026-03-11"): 1}


def test_log_time_offsets_are_honoured() -> None:
    counter, tally = run(
        '1.1.1.1 - - [11/Mar/2026:07:30:00 +0800] "GET /posts/hello/ HTTP/1.1" 200 5 "-" '
        f'"{CHROME}"',
        '1.1.1.1 - - [10/Mar/2026:23:59:59 -0000] "GET /posts/hello/ HTTP/1.1" 200 5 "-" '
        f'"{CHROME}"',
    )
    # 07:30 +0800 is 23:30 UTC: the second line is 29 min 59 s later, so a repeat.
    assert tally.counted == 1 and tally.skipped == {REPEAT: 1}
    assert counter.counts == {("hello", "2026-03-10"): 1}


def test_unparseable_lines_are_counted_with_line_numbers_never_fatal() -> None:
    counter = ViewCounter(KNOWN, timezone="UTC")
    tally = FileTally()
    lines = [
        line("/posts/hello/").rstrip("\n").encode(),
        b"\x00\x01binary junk",
        b"",
        b'1.1.1.1 - - [99/Foo/2026:25:00:00 +0000] "GET /posts/hello/ HTTP/1.1" 200 5 "-" "'
        + CHROME.encode()
        + b'"',
        b'1.1.1.1 - - [10/Mar/2026:09:00:00 +0000] "GET /posts/old-post/ HTTP/1.1" 2xx 5 "-" "'
        + CHROME.encode()
        + b'"',
        b"truncated 1.1.1.1 - - [10/Mar/2026:09:00",
        "\u00e9\u4e2d\u6587 not a log line".encode() + b"\xff",
        line("/posts/old-post/", ip="9.9.9.9").rstrip("\n").encode(),
    ]
    counter.feed(lines, tally, 100)
    assert tally.counted == 2
    assert tally.unparseable == 5
    assert tally.first_unparseable == [101, 103, 104, 105, 106]
    assert tally.skipped == {"empty line": 1}
    assert counter.counts == {("hello", "2026-03-10"): 1, ("old-post", "2026-03-10"): 1}


def test_apache_escaped_quotes_and_nginx_extra_fields() -> None:
    apache = (
        '10.0.0.1 - - [10/Mar/2026:09:00:00 +0000] "GET /posts/hello/ HTTP/1.1" 200 5 '
        f'"https://ex.org/?q=\\"hi\\"" "{CHROME}"'
    )
    nginx_main = line("/posts/old-post/").rstrip("\n") + ' "203.0.113.9, 10.0.0.2"'
    counter, tally = run(apache, nginx_main)
    assert tally.counted == 2
    assert counter.counts == {("hello", "2026-03-10"): 1, ("old-post", "2026-03-10"): 1}


def test_common_log_format_has_no_user_agent_so_every_view_counts() -> None:
    raw = '10.0.0.1 - frank [10/Mar/2026:09:00:00 +0000] "GET /posts/hello/ HTTP/1.0" 200 2326'
    assert verdict(raw, log_format="common") == "counted"


def test_custom_nginx_format_with_iso_time_and_forwarded_for() -> None:
    fmt = (
        '$http_x_forwarded_for $remote_addr [$time_iso8601] "$request_method $request_uri" '
        '$status "$http_user_agent" $request_time'
    )
    raw = (
        '198.51.100.4 10.0.0.1 [2026-03-10T09:00:00+00:00] "GET /posts/hello/?a=1" 200 '
        f'"{CHROME}" 0.004'
    )
    counter, tally = run(raw, raw, log_format=fmt)
    assert tally.counted == 1 and tally.skipped == {REPEAT: 1}
    assert verdict(raw.replace(CHROME, GOOGLEBOT), log_format=fmt) == BOT
    assert verdict("nonsense", log_format=fmt) == "unparseable"


def test_custom_apache_format() -> None:
    fmt = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i" %D'
    raw = line("/posts/hello/").rstrip("\n") + " 1234"
    assert verdict(raw, log_format=fmt) == "counted"


def test_custom_format_without_the_needed_fields_is_refused() -> None:
    with pytest.raises(SiteError, match="must contain the time"):
        compile_format("$remote_addr $status")


def test_old_url_patterns_and_base_path() -> None:
    patterns = patterns_for(
        {"old_patterns": ["/post/{slug}", "/{slug}.html"]}, "https://x.org/blog/"
    )
    assert patterns[0] == UrlPattern("/blog/posts/", "/")
    counter = ViewCounter(KNOWN, timezone="UTC", patterns=patterns)
    tally = FileTally()
    raw = [
        line("/post/old-post", ip="1.1.1.1"),
        line("/post/old-post/", ip="1.1.1.2"),
        line("/hello.html", ip="1.1.1.3"),
        line("/blog/posts/hello/", ip="1.1.1.4"),
        line("/posts/hello/", ip="1.1.1.5"),  # not under the base path
    ]
    counter.feed([r.rstrip("\n").encode() for r in raw], tally, 1)
    assert counter.counts == {("old-post", "2026-03-10"): 2, ("hello", "2026-03-10"): 2}
    assert tally.skipped == {NOT_A_POST: 1}
    with pytest.raises(SiteError, match="slug"):
        patterns_for({"old_patterns": ["/post/"]})
    with pytest.raises(SiteError, match="list"):
        patterns_for({"old_patterns": "/post/{slug}"})


def test_slug_helpers() -> None:
    assert decode_slug(b"%E7%A4%BE") == "社"
    assert decode_slug(b"%FF") is None
    # A decomposed (NFD) slug from a Mac is normalised to the NFC file name.
    assert decode_slug("cafe\u0301".encode()) == "caf\u00e9"
    pattern = [UrlPattern("/posts/", "/")]
    assert slug_from_url("https://example.org" + ZH_PATH + "?x=1", pattern) == ZH_SLUG
    assert slug_from_url("/posts/hello/index.html", pattern) == "hello"
    assert slug_from_url("https://example.org/about/", pattern) is None


def test_same_local_minute_in_two_zones_is_an_hour_apart() -> None:
    # The clocks go back in London: 01:30 BST and 01:30 GMT are one hour apart.
    template = (
        '1.1.1.1 - - [25/Oct/2026:01:30:00 {zone}] "GET /posts/hello/ HTTP/1.1" 200 5 "-" "{ua}"'
    )
    counter, tally = run(
        template.format(zone="+0100", ua=CHROME),
        template.format(zone="+0000", ua=CHROME),
        template.format(zone="+0000", ua=CHROME),  # a real repeat
        timezone="Europe/London",
    )
    assert tally.counted == 2 and tally.skipped == {REPEAT: 1}
    assert counter.counts == {("hello", "2026-10-25"): 2}


@pytest.mark.parametrize(
    "stamp",
    ["31/Feb/2026:10:00:00 +0000", "10/Foo/2026:10:00:00 +0000", "10/Mar/2026:24:00:00 +0000",
     "10/Mar/2026:10:61:00 +0000", "10/Mar/2026:10:00:00 0000", "10/Mar/2026 10:00:00 +0000"],
)  # fmt: skip
def test_impossible_times_are_unparseable(stamp: str) -> None:
    raw = f'1.1.1.1 - - [{stamp}] "GET /posts/hello/ HTTP/1.1" 200 5 "-" "{CHROME}"'
    assert verdict(raw) == "unparseable"
