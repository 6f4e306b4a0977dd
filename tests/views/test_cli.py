"""`hkcms views import|show|set|top`: exit codes 0/1/2, JSON shapes, one-line errors."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from hkcms.core.posts import PostStore
from tests.views.logs import GOOGLEBOT, ZH_PATH, ZH_SLUG, line, make_posts, write


def hkcms(*args: str, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hkcms", "--site", str(site), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def root(store: PostStore) -> Path:
    make_posts(store, "hello", ZH_SLUG)
    return store.site.root


def test_import_show_set_top(root: Path, tmp_path: Path) -> None:
    log = write(
        tmp_path / "access.log",
        line("/posts/hello/"),
        line("/posts/hello/", ua=GOOGLEBOT),
        line(ZH_PATH, minutes=1),
        "not a log line\n",
    )
    gz = tmp_path / "old.log.gz"
    gz.write_bytes(gzip.compress(line("/posts/hello/", ip="192.0.2.9", minutes=-1440).encode()))
    result = hkcms("views", "import", str(log), str(gz), "--json", site=root)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert {k: report[k] for k in ("lines", "counted", "unparseable", "posts")} == {
        "lines": 5,
        "counted": 3,
        "unparseable": 1,
        "posts": 2,
    }
    assert report["skipped"] == {"bot, crawler, preview or monitor": 1}
    assert [f["status"] for f in report["files"]] == ["new", "new"]
    assert report["files"][0]["unparseable_lines"] == [4]

    text = hkcms("views", "import", str(log), site=root)
    assert text.returncode == 0
    assert "already read" in text.stdout and "0 views counted" in text.stdout

    shown = json.loads(hkcms("views", "show", "hello", "--json", site=root).stdout)
    assert shown == {
        "slug": "hello",
        "total": 2,
        "baseline": 0,
        "counted": 2,
        "days": [{"date": "2026-03-09", "views": 1}, {"date": "2026-03-10", "views": 1}],
    }
    windowed = json.loads(
        hkcms("views", "show", "hello", "--days", "5", "--json", site=root).stdout
    )
    assert len(windowed["days"]) == 5 and set(windowed) == set(shown)

    assert hkcms("views", "set", "hello", "130", site=root).returncode == 0
    shown = json.loads(hkcms("views", "show", "hello", "--json", site=root).stdout)
    assert (shown["total"], shown["baseline"], shown["counted"]) == (132, 130, 2)
    listed = json.loads(hkcms("list", "--json", site=root).stdout)
    assert {p["slug"]: p["views"] for p in listed} == {"hello": 132, ZH_SLUG: 1}

    top = json.loads(hkcms("views", "top", "--json", site=root).stdout)
    assert top == [{"slug": "hello", "views": 132}, {"slug": ZH_SLUG, "views": 1}]
    table = hkcms("views", "top", site=root).stdout
    assert table.splitlines()[1].split() == ["132", "hello"]
    human = hkcms("views", "show", ZH_SLUG, site=root)
    assert (
        human.returncode == 0 and f"{ZH_SLUG}: 1 view (0 carried over + 1 counted)" in human.stdout
    )


def test_errors_and_usage(root: Path, tmp_path: Path) -> None:
    missing = hkcms("views", "import", str(tmp_path / "nope.log"), site=root)
    assert missing.returncode == 1
    assert "nope.log: no such file" in missing.stderr and "Traceback" not in missing.stderr

    unknown = hkcms("views", "show", "no-such-post", site=root)
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "hkcms: no post with slug 'no-such-post'"
    assert hkcms("views", "set", "no-such-post", "5", site=root).returncode == 1

    for args in (
        ["views", "set", "hello", "-3"],
        ["views", "set", "hello", "many"],
        ["views", "show", "hello", "--days", "0"],
        ["views", "import"],
        ["views"],
        ["views", "frobnicate"],
    ):
        result = hkcms(*args, site=root)
        assert result.returncode == 2, args
        assert "Traceback" not in result.stderr

    (root / "hkcms.toml").write_text('[views]\nold_patterns = "/post/{slug}"\n')
    bad = hkcms("views", "import", str(write(tmp_path / "a.log", line("/posts/hello/"))), site=root)
    assert bad.returncode == 1
    assert "old_patterns must be a list" in bad.stderr and len(bad.stderr.splitlines()) == 1
