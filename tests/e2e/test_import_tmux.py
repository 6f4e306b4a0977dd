"""End to end: a WordPress blog imported from the TUI's command palette, in tmux at 80x24."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_tui_tmux import HKCMS, Tmux, hkcms

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux"),
]
WXR = Path(__file__).parent.parent / "importers" / "fixtures" / "wordpress.xml"


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    session = Tmux("import")
    yield session
    session.kill()


def test_import_from_the_palette_then_the_list_shows_the_posts(tmp_path: Path, tmux: Tmux) -> None:
    site = tmp_path / "blog"
    subprocess.run([str(HKCMS), "init", str(site), "--title", "E2E blog"], check=True)
    done = tmp_path / "exit-code"
    tmux.start(
        f"env HKCMS_USER=e2e-user LANG=C.UTF-8 TERM=xterm-256color "
        f"{HKCMS} --site {site}; echo $? > {done}; sleep 5"
    )
    tmux.wait("No posts yet")
    tmux.keys("C-p")
    tmux.type("import a blog")
    tmux.wait("Import a blog")
    tmux.keys("Enter")
    tmux.wait("FILE.xml to import")
    tmux.type(str(WXR))
    tmux.keys("Enter")
    screen = tmux.wait("posts: 6 created", timeout=60)
    assert "comments: 2 approved, 1 pending" in screen
    assert all(len(line) <= 80 for line in screen.splitlines())
    tmux.keys("Escape")
    screen = tmux.wait("二〇二四年周年大會")
    assert "Spring rally & march" in screen
    tmux.keys("q")
    deadline = time.monotonic() + 10
    while not done.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert done.read_text().strip() == "0"
    posts = {p["slug"]: p for p in json.loads(hkcms(site, "list", "--json"))}
    assert posts["spring-rally"]["updated"].startswith("2024-04-01")
