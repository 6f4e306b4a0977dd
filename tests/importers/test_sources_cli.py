"""End to end through the CLI: fresh site, import, check is clean, list shows it, re-import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.importers.conftest import FIXTURES
from tests.importers.test_wix_live import KEY, replay, server  # noqa: F401 - the fixture

pytestmark = pytest.mark.e2e


def hkcms(*args: str, site: Path | None = None, env: dict[str, str] | None = None) -> Any:
    prefix = ["--site", str(site)] if site else []
    return subprocess.run(
        [sys.executable, "-m", "hkcms", *prefix, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def fresh_site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    made = hkcms("init", str(root), "--title", "Imported")
    assert made.returncode == 0, made.stderr
    return root


def import_json(site: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    done = hkcms("import", *args, "--json", site=site, env=env)
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def listed(site: Path) -> dict[str, dict[str, Any]]:
    done = hkcms("list", "--json", site=site)
    assert done.returncode == 0, done.stderr
    return {item["title"]: item for item in json.loads(done.stdout)}


def assert_clean(site: Path) -> None:
    checked = hkcms("check", site=site)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_wix_saved_answers(tmp_path: Path) -> None:
    site = fresh_site(tmp_path)
    report = import_json(site, "wix", str(FIXTURES / "wix"))
    assert report["source"] == "wix"
    assert report["posts"]["created"] == 4 and report["posts"]["skipped"] == 0
    assert report["comments"]["approved"] == 1 and report["comments"]["pending"] == 1
    assert any("poll" in str(w) for w in report["warnings"])
    assert_clean(site)
    posts = listed(site)
    first = posts["Every Ricos node"]
    assert first["author"] == "Ada Wong" and first["views"] == 130
    assert first["date"].startswith("2021-01-04") and first["updated"].startswith("2021-01-05")
    assert first["tags"] == ["Events", "vigil", "hongkong"]
    assert posts["燭光晚會 2021"]["slug"] == "燭光晚會" and posts["燭光晚會 2021"]["views"] == 987
    again = import_json(site, "wix", str(FIXTURES / "wix"))
    assert again["posts"]["created"] == 0 and again["posts"]["unchanged"] == 4
    assert again["comments"]["approved"] == 0 and again["comments"]["pending"] == 0
    assert len(listed(site)) == 4


def test_wix_live_api_never_writes_the_key(tmp_path: Path, server: Any) -> None:  # noqa: F811
    base, _ = server(replay)
    site = fresh_site(tmp_path)
    env = {"MY_WIX_KEY": KEY, "HKCMS_WIX_API_URL": base}
    done = hkcms(
        "import", "wix", "--site-id", "site-1", "--api-key-env", "MY_WIX_KEY", site=site, env=env
    )
    assert done.returncode == 0, done.stderr
    assert KEY not in done.stdout + done.stderr
    assert len(listed(site)) == 4
    for path in site.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    missing = hkcms("import", "wix", "--site-id", "s", "--api-key-env", "NOPE_UNSET", site=site)
    assert missing.returncode == 1 and "NOPE_UNSET" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    usage = hkcms("import", "wix", site=site)
    assert usage.returncode == 2


def test_jekyll(tmp_path: Path, jekyll_site: Path) -> None:
    site = fresh_site(tmp_path)
    report = import_json(site, "jekyll", str(jekyll_site))
    assert report["source"] == "jekyll" and report["posts"]["created"] == 7
    assert report["media"]["copied"] == 2
    assert any("_posts/2021-07-01-liquid-post.md:19" in str(w) for w in report["warnings"])
    assert_clean(site)
    posts = listed(site)
    vigil = posts["六四燭光晚會 Candlelight vigil"]
    assert vigil["author"] == "陳寶" and vigil["tags"] == ["events", "中文", "vigil", "香港"]
    assert vigil["date"].startswith("2021-06-04")
    assert posts["草稿 Draft idea"]["status"] == "draft"
    body = Path(vigil["path"]).read_text(encoding="utf-8")
    assert "/media/" in body and "{{" not in body
    assert "/blog/events/中文/2021/06/04/candle-vigil.html" in body  # the alias, in front matter
    again = import_json(site, "jekyll", str(jekyll_site))
    assert again["posts"]["created"] == 0 and again["posts"]["unchanged"] == 7


def test_hugo(tmp_path: Path, hugo_site: Path) -> None:
    site = fresh_site(tmp_path)
    report = import_json(site, "hugo", str(hugo_site))
    assert report["source"] == "hugo" and report["posts"]["created"] == 8
    assert report["media"]["copied"] == 4  # three bundle files and the static banner
    assert_clean(site)
    posts = listed(site)
    bundle = posts["A page bundle 頁面包"]
    body = Path(bundle["path"]).read_text(encoding="utf-8")
    assert "](photo.png)" not in body and "/media/" in body
    copied = [p for p in (site / "media").rglob("*") if p.is_file()]
    assert {p.name for p in copied} >= {"photo.png", "diagram.png", "notes.txt", "banner.png"}
    assert posts["TOML post with shortcodes"]["updated"].startswith("2022-03-05")
    assert posts["About us 關於我們"]["status"] == "published"
    again = import_json(site, "hugo", str(hugo_site))
    assert again["posts"]["created"] == 0 and again["posts"]["unchanged"] == 8
    assert again["media"]["copied"] == 0


def test_dry_run_writes_nothing(tmp_path: Path, hugo_site: Path) -> None:
    site = fresh_site(tmp_path)
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    report = import_json(site, "hugo", str(hugo_site), "--dry-run")
    assert report["posts"]["created"] == 8
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before


def test_not_a_site_is_one_line(tmp_path: Path) -> None:
    site = fresh_site(tmp_path)
    for source in ("jekyll", "hugo", "wix"):
        done = hkcms("import", source, str(tmp_path / "nowhere"), site=site)
        assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1, done.stderr
