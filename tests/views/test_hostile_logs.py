"""Hostile access logs: calendar edges, lines without end, decompression bombs. Each is a clear
report, memory stays flat, and nothing is counted twice."""

from __future__ import annotations

import bz2
import gzip
import lzma
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from hkcms.cli import main
from hkcms.core.posts import PostStore
from hkcms.core.site import Site
from hkcms.core.views import LogLimits, ViewStore
from tests.views.logs import CHROME, line, make_posts, write

COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    "gz": gzip.compress,
    "bz2": bz2.compress,
    "xz": lzma.compress,
}
SMALL = LogLimits(max_line_bytes=4096, max_ratio=10, min_decompressed=1024 * 1024)


@pytest.fixture
def views(store: PostStore) -> ViewStore:
    make_posts(store, "hello")
    return ViewStore(store.meta)


def edge(stamp: str, ip: str = "198.51.100.1") -> str:
    return f'{ip} - - [{stamp}] "GET /posts/hello/ HTTP/1.1" 200 5 "-" "{CHROME}"\n'


@pytest.mark.parametrize(
    "stamp",
    ["31/Dec/9999:23:59:59 -1400", "31/Dec/9999:20:00:00 -0500", "01/Jan/0001:00:30:00 +1400"],
)
def test_dates_beyond_the_calendar_after_the_offset_are_unparseable(
    views: ViewStore, tmp_path: Path, stamp: str
) -> None:
    # The first line fills the caches, so the second takes the fast path, then the slow one.
    log = write(
        tmp_path / "access.log", line("/posts/hello/"), edge(stamp), edge(stamp, "10.0.0.9")
    )
    report = views.import_logs([log])
    assert report.counted == 1
    assert report.unparseable == 2 and report.files[0].unparseable_lines == [2, 3]


def test_iso_times_beyond_the_calendar(views: ViewStore, tmp_path: Path) -> None:
    site_toml = views.site.root / "hkcms.toml"
    fmt = 'log_format = \'$time_iso8601 "$request" $status "$http_user_agent"\''
    text = site_toml.read_text(encoding="utf-8")
    assert "\n[views]\n" in text
    site_toml.write_text(text.replace("\n[views]\n", f"\n[views]\n{fmt}\n"), encoding="utf-8")
    store = ViewStore(PostStore(Site.open(views.site.root)).meta)
    log = write(
        tmp_path / "iso.log",
        f'9999-12-31T23:59:59-14:00 "GET /posts/hello/ HTTP/1.1" 200 "{CHROME}"\n',
        f'2026-03-10T09:00:00+00:00 "GET /posts/hello/ HTTP/1.1" 200 "{CHROME}"\n',
    )
    report = store.import_logs([log])
    assert report.counted == 1 and report.unparseable == 1


@pytest.mark.parametrize("kind", sorted(COMPRESSORS))
def test_a_compressed_log_without_newlines_is_skipped_in_flat_memory(
    views: ViewStore, tmp_path: Path, kind: str
) -> None:
    data = line("/posts/hello/").encode() + b"x" * (48 * 1024 * 1024)  # one endless line
    path = tmp_path / f"access.log.{kind}"
    path.write_bytes(COMPRESSORS[kind](data))
    limits = LogLimits(max_line_bytes=64 * 1024, max_ratio=100_000, min_decompressed=1 << 30)
    tracemalloc.start()
    try:
        report = views.import_logs([path], limits=limits)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Read buffers and the decompressor's (about 20-30 MB whatever the size), not the line.
    assert peak < 40 * 1024 * 1024
    file = report.files[0]
    assert file.status == "new" and file.counted == 1
    assert file.unparseable == 1 and file.unparseable_lines == [2]
    assert "longer than 65,536 bytes" in file.message


def test_an_overlong_line_among_good_ones(views: ViewStore, tmp_path: Path) -> None:
    long = '1.2.3.4 - - [10/Mar/2026:09:00:00 +0000] "GET /' + "a" * 10_000 + '" 200 5 "-" "-"\n'
    log = write(
        tmp_path / "access.log", line("/posts/hello/"), long, line("/posts/hello/", ip="10.1.1.1")
    )
    report = views.import_logs([log], limits=SMALL)
    assert report.counted == 2 and report.files[0].unparseable_lines == [2]


@pytest.mark.parametrize("kind", sorted(COMPRESSORS))
def test_a_newline_bomb_stops_at_the_cap_and_counts_nothing(
    views: ViewStore, tmp_path: Path, kind: str
) -> None:
    data = line("/posts/hello/").encode() + b"\n" * (8 * 1024 * 1024)
    path = tmp_path / f"bomb.log.{kind}"
    path.write_bytes(COMPRESSORS[kind](data))
    assert path.stat().st_size * 10 < 1024 * 1024  # so the cap is the 1 MB floor
    report = views.import_logs([path], limits=SMALL)
    file = report.files[0]
    assert file.status == "error" and "decompresses to more than 1,048,576 bytes" in file.message
    assert report.counted == 0 and views.show("hello").counted == 0
    # Nothing was recorded as read: the same file is refused again, not half-counted.
    assert views.import_logs([path], limits=SMALL).files[0].status == "error"
    assert views.show("hello").counted == 0


def test_views_import_says_one_error_in_one_line(
    views: ViewStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = ["--site", str(views.site.root)]
    assert main([*site, "views", "import", str(tmp_path / "nope.log")]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err == f"hkcms: {tmp_path / 'nope.log'}: no such file\n"
    good = write(tmp_path / "access.log", line("/posts/hello/"))
    assert main([*site, "views", "import", str(tmp_path / "nope.log"), str(good)]) == 1
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and "nope.log" not in out and "1 view counted" in out
