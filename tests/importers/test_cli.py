"""`hkcms import …` from the command line: report shapes, dry run, errors, views on old URLs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hkcms.core.meta import MetaStore
from hkcms.core.site import Site
from hkcms.core.views import ViewStore
from tests.views.logs import line, write

FIXTURES = Path(__file__).parent / "fixtures"
WXR = FIXTURES / "wordpress.xml"


def hkcms(*args: str, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hkcms", "--site", str(site), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_json_report_has_the_contract_keys_and_reimport_creates_nothing(site: Site) -> None:
    first = hkcms("import", "wordpress", str(WXR), "--json", site=site.root)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["source"] == "wordpress"
    assert report["posts"] == {"created": 6, "updated": 0, "unchanged": 0, "skipped": 0}
    assert report["comments"] == {"approved": 2, "pending": 1, "skipped": 2}
    assert report["media"] == {"copied": 0, "downloaded": 0, "missing": 0}
    assert report["redirects"] == 9  # permalinks and ?p=ID of the six posts
    assert isinstance(report["warnings"], list) and report["warnings"]
    assert first.stderr == ""  # no progress bar when stderr is not a terminal
    again = json.loads(hkcms("import", "wordpress", str(WXR), "--json", site=site.root).stdout)
    assert again["posts"] == {"created": 0, "updated": 0, "unchanged": 6, "skipped": 0}
    assert again["comments"]["approved"] == again["comments"]["pending"] == 0
    assert hkcms("check", site=site.root).returncode == 0


def test_report_in_words_and_dry_run_writes_nothing(site: Site) -> None:
    dry = hkcms("import", "wordpress", str(WXR), "--dry-run", site=site.root)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("Dry run (nothing written): imported from wordpress\n")
    assert "posts: 6 created, 0 updated, 0 unchanged, 0 skipped" in dry.stdout
    assert "comments: 2 approved, 1 pending" in dry.stdout
    assert list(site.posts_dir.iterdir()) == []
    words = hkcms("import", "wordpress", str(WXR), site=site.root)
    assert "posts: 6 created" in words.stdout and "warnings:" in words.stdout


def test_bad_files_give_one_line_and_exit_1(site: Site, tmp_path: Path) -> None:
    for name, expected in (("bomb.xml", "bomb.xml:3: declares an XML entity"),
                           ("missing.xml", "missing.xml: is not a file")):  # fmt: skip
        result = hkcms("import", "wordpress", str(FIXTURES / name), site=site.root)
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1 and expected in result.stderr
        assert "Traceback" not in result.stderr
    assert list(site.posts_dir.iterdir()) == []
    usage = hkcms("import", "nosuch", "x", site=site.root)
    assert usage.returncode == 2


def test_views_import_counts_hits_on_old_addresses(site: Site, tmp_path: Path) -> None:
    assert hkcms("import", "wordpress", str(WXR), site=site.root).returncode == 0
    log = write(
        tmp_path / "old-host.log",
        line("/2024/03/spring-rally/"),
        line("/?p=10", ip="198.51.100.1"),
        line("/2024/05/%E5%91%A8%E5%B9%B4%E5%A4%A7%E6%9C%83/?utm_source=x"),
        line("/about/index.html", ip="198.51.100.2"),
        line("/posts/spring-rally/", ip="198.51.100.3"),
        line("/2024/03/not-a-post/"),
    )
    result = hkcms("views", "import", str(log), "--json", site=site.root)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["counted"] == 5
    views = ViewStore(MetaStore(Site.open(site.root)))
    assert views.show("spring-rally").counted == 3
    assert views.show("周年大會").counted == 1
    assert views.show("about").counted == 1
    assert views.show("spring-rally").total == 3  # no baseline in the fixture
