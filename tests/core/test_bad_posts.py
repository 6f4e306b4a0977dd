"""One bad post never stops the others: each command names it in one line and carries on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hkcms.cli import main
from hkcms.core.errors import PostError
from hkcms.core.post import parse_post
from hkcms.core.posts import PostStore
from hkcms.core.site import Site

# Values PyYAML's resolver takes for dates or numbers but Python cannot hold, and a date that
# parses but overflows when converted to UTC.
BAD_VALUES = {
    "month-13": "date: 2024-13-45",
    "feb-30": "date: 2024-02-30",
    "year-0": "date: 0000-01-01",
    "hour-25": "date: 2024-01-01 25:61:00",
    "offset-25": "date: 2024-01-01T10:00:00+25:00",
    "huge-int": "views: " + "7" * 5000,
    "bad-hex": "count: !!int 0x_",
    "overflow": "date: 9999-12-31T23:59:59-14:00",
    "overflow-text": "date: '9999-12-31T23:59:59-14:00'",
}


@pytest.fixture
def site(tmp_path: Path) -> Site:
    site = Site.init(tmp_path / "blog", title="Blog")
    PostStore(site).create("Good post", slug="good-post")
    return site


def write_bad(site: Site, name: str, line: str) -> Path:
    path = site.posts_dir / f"{name}.md"
    path.write_text(f"---\ntitle: Bad {name}\n{line}\n---\nbody\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(BAD_VALUES))
def test_parser_turns_every_unreadable_value_into_a_post_error(name: str) -> None:
    text = f"---\ntitle: t\n{BAD_VALUES[name]}\n---\nbody\n"
    with pytest.raises(PostError) as caught:
        parse_post(text, name, Path(f"posts/{name}.md"))
    assert caught.value.line == 3
    assert "\n" not in str(caught.value)


def test_deeply_nested_front_matter_is_a_post_error() -> None:
    text = "---\ntitle: t\nx: " + "[" * 5000 + "]" * 5000 + "\n---\n"
    with pytest.raises(PostError):
        parse_post(text, "deep", Path("posts/deep.md"))


def test_scan_lists_good_posts_and_reports_each_bad_one(site: Site) -> None:
    for name, line in BAD_VALUES.items():
        write_bad(site, name, line)
    result = PostStore(site).scan()
    assert [p.slug for p in result.posts] == ["good-post"]
    named = sorted(Path(str(p.path)).stem for p in result.problems)
    assert named == sorted(BAD_VALUES)
    assert all(isinstance(p, PostError) for p in result.problems)


@pytest.mark.parametrize("command", ["list", "check", "export"])
def test_site_commands_name_each_bad_post_and_carry_on(
    site: Site, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, line in BAD_VALUES.items():
        write_bad(site, name, line)
    code = main(["--site", str(site.root), command])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if ".md" in line]
    assert len(lines) == len(BAD_VALUES)
    for name in BAD_VALUES:
        assert sum(f"/{name}.md" in line for line in lines) == 1
    if command == "export":
        assert code == 0
        assert (site.root / "public" / "posts" / "good-post" / "index.html").exists()
        assert not (site.root / "public" / "posts" / "overflow").exists()
        assert all(line.startswith("warning: left out:") for line in lines)
    else:
        assert code == 1
    if command == "list":
        assert "good-post" in out


@pytest.mark.parametrize("command", ["show", "history"])
def test_post_commands_give_one_line_for_a_bad_post(
    site: Site, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, line in BAD_VALUES.items():
        write_bad(site, name, line)
        assert main(["--site", str(site.root), command, name]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"{name}.md:" in err, err


def test_non_utf8_file_name_is_named_and_skipped(site: Site) -> None:
    raw = os.fsencode(str(site.posts_dir)) + b"/caf\xe9 \x1b[31m.md"
    with open(raw, "wb") as handle:
        handle.write(b"---\ntitle: x\n---\n")
    result = PostStore(site).scan()
    assert [p.slug for p in result.posts] == ["good-post"]
    assert len(result.problems) == 1 and "UTF-8" in result.problems[0].message
    for command in ("list", "check", "export"):
        done = subprocess.run(
            [sys.executable, "-m", "hkcms", "--site", str(site.root), command],
            capture_output=True,
            timeout=60,
        )
        assert b"Traceback" not in done.stderr
        assert b"\x1b" not in done.stderr + done.stdout
        problem_lines = [line for line in done.stderr.splitlines() if b"caf" in line]
        assert problem_lines and all(b"caf\\xe9 \\x1b[31m.md" in line for line in problem_lines)


def test_list_json_stays_valid_with_a_bad_post(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    write_bad(site, "overflow", BAD_VALUES["overflow"])
    assert main(["--site", str(site.root), "list", "--json"]) == 1
    out, err = capsys.readouterr()
    assert [p["slug"] for p in json.loads(out)] == ["good-post"]
    assert "overflow.md:3" in err
