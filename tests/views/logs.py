"""Helpers for view tests: combined log lines and small sites."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hkcms.core.posts import PostStore

CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
T0 = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
ZH_SLUG = "社區報告"
ZH_PATH = "/posts/%E7%A4%BE%E5%8D%80%E5%A0%B1%E5%91%8A/"


def stamp(when: dt.datetime) -> str:
    return when.strftime("%d/%b/%Y:%H:%M:%S %z")


def line(
    path: str,
    *,
    minutes: float = 0,
    ip: str = "203.0.113.7",
    ua: str = CHROME,
    status: int = 200,
    method: str = "GET",
    when: dt.datetime | None = None,
) -> str:
    moment = (when or T0) + dt.timedelta(minutes=minutes)
    return (
        f'{ip} - - [{stamp(moment)}] "{method} {path} HTTP/1.1" {status} 512 '
        f'"https://example.org/" "{ua}"\n'
    )


def write(path: Path, *lines: str, mode: str = "w") -> Path:
    with path.open(mode, encoding="utf-8") as handle:
        handle.write("".join(lines))
    return path


def make_posts(store: PostStore, *slugs: str) -> None:
    for slug in slugs:
        store.create(f"Post {slug}", slug=slug)
