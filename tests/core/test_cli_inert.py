"""Everything the CLI prints that came from a file name or a file's content is inert."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hkcms.cli import main
from hkcms.core.inert import inert, inert_json
from hkcms.core.posts import PostStore
from hkcms.core.site import Site

HOSTILE = "esc\x1b]0;PWNED\x07\x9b2J\u202enl\nx"


@pytest.fixture
def site(tmp_path: Path) -> Site:
    site = Site.init(tmp_path / "blog", title="Blog")
    PostStore(site).create("Good post", slug="good-post")
    return site


def run(site: Site, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "hkcms", "--site", str(site.root), *args],
        capture_output=True,
        timeout=60,
    )


def assert_inert(data: bytes) -> None:
    text = data.decode("utf-8")
    for raw in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert raw not in text


def test_inert_shows_controls_as_escapes() -> None:
    assert inert(HOSTILE) == "esc\\x1b]0;PWNED\\x07\\x9b2J\\u202enl\\x0ax"
    assert inert("caf\udce9") == "caf\\xe9"  # the byte the file name really has
    assert inert("香港　人 a\u00a0b") == "香港　人 a\u00a0b"  # ideographic and no-break spaces stay
    assert inert("a\nb\tc", keep_newlines=True) == "a\nb\tc"
    assert inert_json('"\x9b\ud800"') == '"\\u009b\\ud800"'


@pytest.mark.parametrize("command", ["list", "check", "export"])
def test_hostile_file_name_printed_inert_on_one_line(site: Site, command: str) -> None:
    (site.posts_dir / f"{HOSTILE}.md").write_text("---\ntitle: t\n---\n", encoding="utf-8")
    done = run(site, command)
    assert_inert(done.stdout + done.stderr)
    lines = [line for line in done.stderr.decode().splitlines() if "PWNED" in line]
    assert len(lines) == 1 and "esc\\x1b]0;PWNED\\x07" in lines[0] and "nl\\x0ax.md" in lines[0]


def test_hostile_content_printed_inert(site: Site) -> None:
    path = site.posts_dir / "evil.md"
    # YAML escapes: the parsed values hold ESC, BEL and a right-to-left override.
    front = '---\ntitle: "T \\e]0;PWNED\\a"\nauthor: "\\e[2J"\ntags: [a, "\\u202eb"]\n---\n'
    path.write_text(front + "first\n", encoding="utf-8")
    assert run(site, "list").returncode == 0  # revision 1
    path.write_text(front + HOSTILE + "\n", encoding="utf-8")
    for args in (["list"], ["show", "evil"], ["history", "evil"], ["diff", "evil", "1"]):
        done = run(site, *args)
        assert done.returncode == 0, done.stderr
        assert_inert(done.stdout + done.stderr)
        assert b"PWNED" in done.stdout or args[0] == "history"


def test_error_messages_printed_by_the_cli_are_inert(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "not\x1b]0;PWNED\x07a site\nsecond line"
    folder.mkdir()
    assert main(["--site", str(folder), "list"]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and err.count("\n") == 1 and "PWNED" in err


@pytest.mark.parametrize(
    "args", [["new", b"caf\xe9"], ["--site", b"/tmp/caf\xe9", "list"], ["show", b"\xff\xfe"]]
)
def test_an_argument_that_is_not_utf8_is_a_usage_error(site: Site, args: list[str | bytes]) -> None:
    raw = [a if isinstance(a, bytes) else a.encode() for a in args]
    if raw[0] != b"--site":
        raw = [b"--site", str(site.root).encode(), *raw]
    done = subprocess.run([sys.executable, "-m", "hkcms", *raw], capture_output=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.count(b"\n") == 1 and b"not valid UTF-8" in done.stderr
    assert b"\\x" in done.stderr  # the bad byte shown as an escape
    assert sorted(p.name for p in site.posts_dir.iterdir()) == ["good-post.md"]


def test_site_from_the_environment_that_is_not_utf8(tmp_path: Path) -> None:
    env = {**os.environ, "HKCMS_SITE": os.fsdecode(b"/tmp/caf\xe9")}
    done = subprocess.run(
        [sys.executable, "-m", "hkcms", "list"], capture_output=True, timeout=60, env=env
    )
    assert done.returncode == 2 and b"not valid UTF-8" in done.stderr
