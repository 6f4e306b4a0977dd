"""The `hkcms` command line: contract commands, JSON shapes, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hkcms.core.site import Site


def hkcms(*args: str, site: Path | None = None, stdin: str = "") -> subprocess.CompletedProcess:
    prefix = ["--site", str(site)] if site else []
    return subprocess.run(
        [sys.executable, "-m", "hkcms", *prefix, *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
    )


def test_post_lifecycle_through_the_cli(tmp_path: Path) -> None:
    root = tmp_path / "blog"
    assert hkcms("init", str(root), "--title", "Blog").returncode == 0
    made = hkcms("new", "二〇二六年周年大會", "--tag", "活動", "--lang", "zh-Hant", site=root)
    assert made.returncode == 0, made.stderr
    path = Path(made.stdout.strip())
    assert path.exists() and path.parent == (root / "posts").resolve()
    slug = path.stem
    hkcms("new", "Draft one", "--draft", "--author", "Ada", "--slug", "draft-one", site=root)
    listed = json.loads(hkcms("list", "--json", site=root).stdout)
    keys = {"slug", "title", "status", "author", "tags", "lang", "date", "updated", "views",
            "comments", "path"}  # fmt: skip
    assert all(keys <= set(item) for item in listed)
    assert {i["slug"]: i["status"] for i in listed} == {slug: "published", "draft-one": "draft"}
    assert [i["slug"] for i in json.loads(hkcms("list", "--json", "--status", "draft",
                                                 site=root).stdout)] == ["draft-one"]  # fmt: skip
    assert json.loads(hkcms("list", "--json", "--tag", "活動", site=root).stdout)[0]["slug"] == slug

    with path.open("a", encoding="utf-8") as handle:
        handle.write("新的一段。\n")
    history = json.loads(hkcms("history", slug, "--json", site=root).stdout)
    assert [h["rev"] for h in history] == [2, 1]
    assert history[0]["editor"] == "external"
    assert {"rev", "time", "editor", "hash", "size", "note"} <= set(history[0])
    diff = hkcms("diff", slug, "1", site=root)
    assert "+新的一段。" in diff.stdout
    assert hkcms("diff", slug, "1", "2", site=root).stdout == diff.stdout.replace(
        "current", "rev 2"
    )
    assert hkcms("restore", slug, "1", site=root).returncode == 0
    assert "新的一段" not in path.read_text()
    assert len(json.loads(hkcms("history", slug, "--json", site=root).stdout)) == 3
    shown = json.loads(hkcms("show", slug, "--json", site=root).stdout)
    assert shown["front_matter"]["title"] == "二〇二六年周年大會" and shown["revisions"] == 3
    assert hkcms("check", site=root).returncode == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"---\ntitle: caf\xe9\n---\n", "bad.md:2: is not valid UTF-8"),
        (b"---\n- just\n- a list\n---\n", "bad.md:2: front matter must be a mapping"),
        (b"---\ntitle: x\nx: !!python/name:os.system\n---\n", "bad.md:3: front matter is not"),
    ],
)
def test_bad_post_is_one_line_exit_1_and_untouched(
    site: Site, content: bytes, expected: str
) -> None:
    bad = site.posts_dir / "bad.md"
    bad.write_bytes(content)
    for args in (["show", "bad"], ["check"], ["list"]):
        result = hkcms(*args, site=site.root)
        assert result.returncode == 1, args
        assert expected in result.stderr
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) <= 2
    assert bad.read_bytes() == content


def test_corrupt_metadata_is_one_line_and_kept(site: Site) -> None:
    assert hkcms("new", "Post", site=site.root).returncode == 0
    meta_file = site.state_dir / "meta" / "posts" / "post.json"
    meta_file.write_text("{not json")
    result = hkcms("history", "post", site=site.root)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "post.json" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert meta_file.read_text() == "{not json"


def test_usage_errors_exit_2(site: Site) -> None:
    assert hkcms("list", "--sort", "nonsense", site=site.root).returncode == 2
    assert hkcms("restore", "x", "notanumber", site=site.root).returncode == 2
    assert hkcms("frobnicate", site=site.root).returncode == 2


def test_hostile_slug_and_missing_things_exit_1(site: Site) -> None:
    for args in (["new", "x", "--slug", "../../etc/passwd"], ["show", "no-such-post"],
                 ["history", "../x"], ["restore", "nope", "1"]):  # fmt: skip
        result = hkcms(*args, site=site.root)
        assert result.returncode == 1, (args, result.stderr)
        assert result.stderr.startswith("hkcms: ") and "Traceback" not in result.stderr
    assert hkcms("list", site=site.root / "nowhere").returncode == 1


def test_check_reports_post_problems_even_with_broken_metadata(site: Site) -> None:
    assert hkcms("new", "Good post", site=site.root).returncode == 0
    (site.posts_dir / "badfm.md").write_text("---\ntitle: [unclosed\n---\nb\n")
    (site.state_dir / "meta" / "posts" / "good-post.json").write_text('{"broken')
    result = hkcms("check", site=site.root)
    assert result.returncode == 1
    assert "good-post.json" in result.stderr and "badfm.md:" in result.stderr
