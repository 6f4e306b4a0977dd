"""ViewStore: idempotent import (twice, grown, rotated, gzipped), reports, baseline, show, top."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from hkcms.core.access_log import BOT, NOT_A_POST, REPEAT
from hkcms.core.errors import HkcmsError, NotFoundError
from hkcms.core.meta import MetaStore
from hkcms.core.posts import PostStore
from hkcms.core.site import Site
from hkcms.core.views import ViewStore
from tests.views.logs import FIREFOX, GOOGLEBOT, SAFARI, ZH_PATH, ZH_SLUG, line, make_posts, write


@pytest.fixture
def views(store: PostStore) -> ViewStore:
    make_posts(store, "hello", ZH_SLUG, "quiet")
    return ViewStore(store.meta)


def day_one() -> list[str]:
    return [
        line("/posts/hello/", minutes=0),
        line("/posts/hello/", minutes=5),  # repeat
        line("/posts/hello/", minutes=6, ua=FIREFOX),
        line(ZH_PATH + "?utm_source=tg", minutes=7),
        line("/posts/hello/", minutes=8, ua=GOOGLEBOT),
        line("/assets/site.css", minutes=9),
    ]


def test_import_counts_and_reports(views: ViewStore, tmp_path: Path) -> None:
    log = write(tmp_path / "access.log", *day_one(), "garbage line\n")
    report = views.import_logs([log])
    assert report.to_dict() == {
        "lines": 7,
        "counted": 3,
        "skipped": {BOT: 1, NOT_A_POST: 1, REPEAT: 1},
        "unparseable": 1,
        "posts": 2,
        "files": [
            {
                "path": str(log),
                "status": "new",
                "bytes_from": 0,
                "bytes_to": log.stat().st_size,
                "lines": 7,
                "counted": 3,
                "skipped": {BOT: 1, NOT_A_POST: 1, REPEAT: 1},
                "unparseable": 1,
                "unparseable_lines": [7],
                "message": "",
            }
        ],
    }
    assert views.show("hello").to_dict() == {
        "slug": "hello",
        "total": 2,
        "baseline": 0,
        "counted": 2,
        "days": [{"date": "2026-03-10", "views": 2}],
    }
    # The post list reads totals from the summaries, not from per-post files.
    summaries = views.meta.summaries()
    assert summaries["hello"]["views"] == 2 and summaries[ZH_SLUG]["views"] == 1
    assert {p.slug: p.views for p in PostStore(views.site).list()} == {
        "hello": 2,
        ZH_SLUG: 1,
        "quiet": 0,
    }


def test_privacy_no_ip_or_user_agent_is_stored(views: ViewStore, tmp_path: Path) -> None:
    views.import_logs([write(tmp_path / "access.log", *day_one())])
    stored = b"".join(p.read_bytes() for p in views.meta.meta_dir.rglob("*.json*"))
    for secret in (b"203.0.113", b"Chrome", b"Firefox", b"Mozilla", b"Googlebot"):
        assert secret not in stored


def test_same_file_twice_counts_nothing_more(views: ViewStore, tmp_path: Path) -> None:
    log = write(tmp_path / "access.log", *day_one())
    views.import_logs([log])
    before = views.show("hello").to_dict()
    again = views.import_logs([log, log])
    assert again.counted == 0 and again.lines == 0
    assert [f.status for f in again.files] == ["already read", "already read"]
    assert views.show("hello").to_dict() == before


def test_grown_file_counts_only_new_lines(views: ViewStore, tmp_path: Path) -> None:
    log = write(tmp_path / "access.log", *day_one())
    views.import_logs([log])
    write(
        log,
        line("/posts/hello/", minutes=20, ua=SAFARI),
        line("/posts/hello/", minutes=25),  # Chrome's repeat, 25 min after its counted view
        line("/posts/quiet/", minutes=26),
        mode="a",
    )
    report = views.import_logs([log])
    assert report.files[0].status == "continued"
    assert report.lines == 3 and report.counted == 2
    # The earlier import's visitors were replayed from the log, so the repeat is known.
    assert report.skipped == {REPEAT: 1}
    assert report.files[0].start > 0
    assert views.show("hello").counted == 3
    assert views.show("quiet").counted == 1


def test_partial_last_line_waits_for_its_end(views: ViewStore, tmp_path: Path) -> None:
    whole = line("/posts/quiet/", minutes=1)
    log = write(tmp_path / "access.log", line("/posts/hello/"), whole[:30])
    assert views.import_logs([log]).counted == 1
    write(log, whole[30:], mode="a")
    report = views.import_logs([log])
    assert report.lines == 1 and report.counted == 1 and report.unparseable == 0


def test_rotated_and_gzipped_copies_are_not_counted_twice(views: ViewStore, tmp_path: Path) -> None:
    log = write(tmp_path / "access.log", *day_one())
    views.import_logs([log])
    # logrotate: access.log -> access.log.1 (with lines written after our import),
    # then access.log.1 -> access.log.2.gz; a new access.log starts.
    write(log, line("/posts/quiet/", minutes=40), mode="a")
    rotated = tmp_path / "access.log.1"
    shutil.move(log, rotated)
    new_log = write(tmp_path / "access.log", line("/posts/quiet/", minutes=60, ip="192.0.2.5"))
    report = views.import_logs([rotated, new_log])
    assert [f.status for f in report.files] == ["continued", "new"]
    assert report.counted == 2
    gz = tmp_path / "access.log.2.gz"
    with rotated.open("rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    rotated.unlink()
    again = views.import_logs([gz, new_log])
    assert again.counted == 0
    assert [f.status for f in again.files] == ["already read", "already read"]
    assert views.show("quiet").counted == 2


def test_gzip_of_a_log_read_halfway_counts_the_rest(views: ViewStore, tmp_path: Path) -> None:
    log = write(tmp_path / "access.log", line("/posts/hello/"))
    views.import_logs([log])
    write(log, line("/posts/quiet/", minutes=50), line("/posts/hello/", minutes=51), mode="a")
    gz = tmp_path / "access.log.1.gz"
    gz.write_bytes(gzip.compress(log.read_bytes()))
    report = views.import_logs([gz, log])
    assert [f.status for f in report.files] == ["continued", "already read"]
    assert report.counted == 2
    assert views.show("hello").counted == 2


def test_older_shorter_copy_is_already_read(views: ViewStore, tmp_path: Path) -> None:
    log = write(tmp_path / "access.log", *day_one())
    copy = write(tmp_path / "copy.log", *day_one()[:2])
    views.import_logs([log])
    report = views.import_logs([copy])
    assert report.files[0].status == "already read" and report.counted == 0


def test_file_that_changed_under_the_same_first_line_is_refused(
    views: ViewStore, tmp_path: Path
) -> None:
    lines = day_one()
    log = write(tmp_path / "access.log", *lines)
    views.import_logs([log])
    # Same first line, other lines after it: a different log (or an edited one).
    write(log, lines[0], *[line("/posts/quiet/", minutes=m, ip=f"192.0.2.{m}") for m in range(9)])
    report = views.import_logs([log])
    assert report.files[0].status == "changed" and report.counted == 0
    assert "differs" in report.files[0].message
    assert report.errors == report.files  # the CLI says so on stderr and exits 1


def test_missing_and_unreadable_files_are_reported_not_fatal(
    views: ViewStore, tmp_path: Path
) -> None:
    good = write(tmp_path / "access.log", *day_one())
    broken = tmp_path / "broken.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00garbage")
    report = views.import_logs([tmp_path / "missing.log", tmp_path, broken, good])
    assert [f.status for f in report.files] == ["error", "error", "error", "new"]
    assert report.files[0].message == "no such file"
    assert report.files[1].message == "is not a regular file"
    assert report.counted == 3 and len(report.errors) == 3


def test_empty_and_lineless_files(views: ViewStore, tmp_path: Path) -> None:
    empty = write(tmp_path / "empty.log")
    partial = write(tmp_path / "partial.log", "1.2.3.4 - - [10/Mar")
    report = views.import_logs([empty, partial])
    assert [f.status for f in report.files] == ["no complete line", "no complete line"]
    assert views.meta.site_table("log_imports") == {}


def test_baseline_adds_to_the_total(views: ViewStore, tmp_path: Path) -> None:
    views.import_logs([write(tmp_path / "access.log", *day_one())])
    report = views.set_baseline("hello", 130)
    assert (report.baseline, report.counted, report.total) == (130, 2, 132)
    assert views.meta.summary("hello")["views"] == 132
    views.import_logs([write(tmp_path / "more.log", line("/posts/hello/", ip="192.0.2.1"))])
    assert views.show("hello").total == 133
    assert views.meta.summary("hello")["views"] == 133
    assert views.set_baseline("hello", 0).total == 3
    with pytest.raises(HkcmsError, match="negative"):
        views.set_baseline("hello", -1)
    with pytest.raises(NotFoundError):
        views.set_baseline("nope", 5)


def test_show_days_window_and_period_totals(views: ViewStore, tmp_path: Path) -> None:
    lines = [line("/posts/hello/", minutes=d * 1440, ip=f"192.0.2.{d}") for d in range(10)]
    views.import_logs([write(tmp_path / "access.log", *lines)])
    report = views.show("hello", days=3, today="2026-03-20")
    assert report.to_dict()["days"] == [
        {"date": "2026-03-18", "views": 1},
        {"date": "2026-03-19", "views": 1},
        {"date": "2026-03-20", "views": 0},
    ]
    assert report.counted == 10 and report.total == 10
    assert report.last(7) == 6  # 14th..19th March
    assert report.last(365) == 10
    assert len(views.show("hello").days) == 10
    with pytest.raises(NotFoundError):
        views.show("nope")


def test_top_all_time_and_by_period(views: ViewStore, tmp_path: Path) -> None:
    lines = [line("/posts/hello/", minutes=m * 31) for m in range(3)]  # 3 views on 10 March
    lines += [line(ZH_PATH, minutes=10 * 1440 + m * 31) for m in range(2)]  # 2 on 20 March
    views.import_logs([write(tmp_path / "access.log", *lines)])
    views.set_baseline("quiet", 50)
    assert views.top() == [("quiet", 50), ("hello", 3), (ZH_SLUG, 2)]
    assert views.top(limit=1) == [("quiet", 50)]
    assert views.top(days=7, today="2026-03-20") == [(ZH_SLUG, 2)]
    assert views.top(days=30, today="2026-03-20") == [("hello", 3), (ZH_SLUG, 2)]


def test_settings_old_patterns_and_timezone(tmp_path: Path) -> None:
    site = Site.init(tmp_path / "site")
    settings = site.root / "hkcms.toml"
    settings.write_text(
        settings.read_text().replace(
            '# old_patterns = ["/post/{slug}"]',
            'old_patterns = ["/post/{slug}"]\ntimezone = "Asia/Hong_Kong"',
        )
    )
    site = Site.open(site.root)
    make_posts(PostStore(site), "hello")
    views = ViewStore(MetaStore(site))
    log = write(tmp_path / "a.log", line("/post/hello", minutes=14 * 60 + 30))  # 23:30 UTC
    assert views.import_logs([log]).counted == 1
    assert views.show("hello").to_dict()["days"] == [{"date": "2026-03-11", "views": 1}]


def test_bad_settings_are_one_clear_error(tmp_path: Path) -> None:
    site = Site.init(tmp_path / "site")
    (site.root / "hkcms.toml").write_text('[views]\nlog_format = "$remote_addr $status"\n')
    views = ViewStore(MetaStore(Site.open(site.root)))
    with pytest.raises(HkcmsError, match="log_format must contain"):
        views.import_logs([write(tmp_path / "a.log", line("/posts/x/"))])
    (site.root / "hkcms.toml").write_text('timezone = "Mars/Olympus"\n')
    with pytest.raises(HkcmsError, match="unknown timezone"):
        ViewStore(MetaStore(Site.open(site.root)))


def test_import_by_another_process_meanwhile_is_not_counted_twice(
    views: ViewStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = write(tmp_path / "access.log", *day_one())
    other = ViewStore(MetaStore(views.site))
    compute = ViewStore._compute
    calls = []

    def racing(self: ViewStore, paths: list[Path], state: dict, *rest: object) -> object:
        result = compute(self, paths, state, *rest)
        calls.append(len(state))
        if self is views and len(calls) == 1:
            other.import_logs([log])  # lands between our counting and our write
        return result

    monkeypatch.setattr(ViewStore, "_compute", racing)
    report = views.import_logs([log])
    assert report.counted == 0 and report.files[0].status == "already read"
    assert views.show("hello").counted == 2
    assert calls == [0, 0, 1]  # ours, the other's, ours again after seeing its bookkeeping


def test_importing_in_slices_counts_the_same_as_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import random

    import hkcms.core.views as views_module

    monkeypatch.setattr(views_module, "CHUNK_BYTES", 4096)  # many chunks, many marks
    rng = random.Random(5)
    slugs = ["hello", ZH_SLUG, "quiet"]
    paths = {"hello": "/posts/hello/", ZH_SLUG: ZH_PATH, "quiet": "/posts/quiet/index.html"}
    lines = [
        line(paths[rng.choice(slugs)], minutes=i * 0.2, ip=f"192.0.2.{rng.randint(1, 12)}",
             ua=rng.choice([FIREFOX, SAFARI, GOOGLEBOT]))
        for i in range(1500)
    ]  # fmt: skip
    results = []
    for slices in (1, 13):
        site = Site.init(tmp_path / f"site{slices}")
        make_posts(PostStore(site), *slugs)
        views = ViewStore(MetaStore(site))
        log = tmp_path / f"access{slices}.log"
        step = -(-len(lines) // slices)
        for start in range(0, len(lines), step):
            write(log, *lines[start : start + step], mode="a")
            views.import_logs([log])
        results.append({s: views.show(s).counted for s in slugs})
    assert results[0] == results[1]
    assert sum(results[0].values()) > 100


def test_repeats_across_a_rotation_and_logs_given_newest_first(
    views: ViewStore, tmp_path: Path
) -> None:
    log = write(tmp_path / "access.log", line("/posts/hello/"), line("/posts/quiet/", minutes=1))
    views.import_logs([log])
    rotated = tmp_path / "access.log.1"
    shutil.move(log, rotated)
    write(
        log,
        line("/posts/hello/", minutes=10),  # the same reader 10 minutes later: a repeat
        line("/posts/hello/", minutes=11, ua=FIREFOX),
    )
    # `access.log*` lists the new log first; it is still judged after the older one.
    report = views.import_logs([log, rotated])
    assert [f.status for f in report.files] == ["new", "already read"]
    assert report.counted == 1 and report.skipped == {REPEAT: 1}
    assert views.show("hello").counted == 2


def test_first_import_of_logs_given_newest_first(views: ViewStore, tmp_path: Path) -> None:
    older = write(tmp_path / "access.log.1", line("/posts/hello/"), line("/posts/quiet/"))
    newer = write(
        tmp_path / "access.log",
        line("/posts/hello/", minutes=25),
        line("/posts/hello/", minutes=50),
    )
    report = views.import_logs([newer, older])
    # In time order: 0 counted, 25 and 50 each within 30 minutes of the visit before.
    assert report.counted == 2 and report.skipped == {REPEAT: 2}
    assert [f.path for f in report.files] == [str(newer), str(older)]  # as given


def test_compressed_copies_already_read_are_not_decompressed_again(
    views: ViewStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hkcms.core.views as views_module

    gz = tmp_path / "access.log.2.gz"
    gz.write_bytes(gzip.compress("".join(day_one()).encode()))
    assert views.import_logs([gz]).counted == 3
    fed: list[int] = []
    real_feed = views_module._feed
    monkeypatch.setattr(views_module, "_feed", lambda *a: fed.append(1) or real_feed(*a))
    again = views.import_logs([gz])
    assert again.files[0].status == "already read" and fed == []
    # A different compressed file with the same first line is still read (and judged).
    other = tmp_path / "other.gz"
    other.write_bytes(gzip.compress("".join([*day_one(), line("/posts/quiet/")]).encode()))
    assert views.import_logs([other]).counted == 1 and fed == [1]
