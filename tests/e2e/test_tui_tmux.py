"""End to end: the real `hkcms` command in tmux at 80x24, driven by keystrokes like a user."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux"),
]
HKCMS = Path(sys.executable).with_name("hkcms")


class Tmux:
    """One detached tmux session on a private server socket."""

    def __init__(self, name: str) -> None:
        self.socket = f"hkcms-e2e-{os.getpid()}-{name}"
        self.name = name

    def run(self, *args: str) -> str:
        cmd = ["tmux", "-L", self.socket, *args]
        return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout

    def start(self, command: str, cols: int = 80, rows: int = 24) -> None:
        self.run("new-session", "-d", "-s", self.name, "-x", str(cols), "-y", str(rows), command)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.name)

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.run("send-keys", "-t", self.name, key)
            time.sleep(0.2 if key == "Escape" else 0.05)  # Escape needs Textual's ESC delay

    def type(self, text: str) -> None:
        self.run("send-keys", "-t", self.name, "-l", text)

    def wait(self, needle: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if needle in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{needle!r} never appeared; the screen was:\n{self.screen()}")

    def wait_toast(self, needle: str, timeout: float = 20.0) -> str:
        """Wait for a notification that says `needle` (toasts wrap over several lines)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lines = self.screen().splitlines()
            toast = " ".join(line.split("▌", 1)[1].strip() for line in lines if "▌" in line)
            if needle in toast:
                return toast
            time.sleep(0.1)
        raise AssertionError(f"{needle!r} never appeared; the screen was:\n{self.screen()}")

    def kill(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)
        socket_dir = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}"
        (socket_dir / self.socket).unlink(missing_ok=True)  # tmux leaves the socket file


def hkcms(site: Path, *args: str) -> str:
    result = subprocess.run(
        [str(HKCMS), "--site", str(site), *args], check=True, capture_output=True, text=True
    )
    return result.stdout


@pytest.fixture
def tmux():
    session = Tmux("tui")
    yield session
    session.kill()


def test_new_chinese_post_typed_saved_and_recorded(tmp_path: Path, tmux: Tmux) -> None:
    site = tmp_path / "blog"
    subprocess.run([str(HKCMS), "init", str(site), "--title", "E2E blog"], check=True)
    done = tmp_path / "exit-code"
    command = (
        f"env HKCMS_USER=e2e-user LANG=C.UTF-8 TERM=xterm-256color "
        f"{HKCMS} --site {site}; echo $? > {done}; sleep 5"
    )
    tmux.start(command)
    tmux.wait("No posts yet")
    tmux.keys("n")
    tmux.wait("Title of the new post")
    tmux.type("周年大會籌備")
    tmux.keys("Enter")
    tmux.wait(" saved ")
    tmux.type("會員大會將於十二月舉行。All welcome.")
    tmux.wait("UNSAVED")
    tmux.keys("C-s")
    tmux.wait("Saved revision 2")
    tmux.keys("Escape")
    screen = tmux.wait("1 post ")
    assert "周年大會籌備" in screen
    tmux.keys("q")
    deadline = time.monotonic() + 10
    while not done.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert done.read_text().strip() == "0"

    posts = json.loads(hkcms(site, "list", "--json"))
    assert [p["title"] for p in posts] == ["周年大會籌備"]
    slug = posts[0]["slug"]
    text = (site / "posts" / f"{slug}.md").read_text(encoding="utf-8")
    assert "title: 周年大會籌備" in text
    assert "會員大會將於十二月舉行。All welcome." in text
    history = json.loads(hkcms(site, "history", slug, "--json"))
    assert [h["rev"] for h in history] == [2, 1]
    assert history[0]["editor"] == "e2e-user"
    assert history[0]["size"] == len(text.encode("utf-8"))


@pytest.mark.parametrize(
    ("editor", "said"),
    [
        ("/nonexistent/hkcms-no-editor", "was not found"),
        ("sh -c 'exit 3'", "exited with status 3"),
        ("sh -c 'kill -9 $$'", "killed by SIGKILL"),
    ],
)
def test_failing_editor_gives_the_screen_back(
    tmp_path: Path, tmux: Tmux, editor: str, said: str
) -> None:
    site = tmp_path / "blog"
    subprocess.run([str(HKCMS), "init", str(site)], check=True, capture_output=True)
    hkcms(site, "new", "Rally report")
    before = (site / "posts" / "rally-report.md").read_bytes()
    done = tmp_path / "exit-code"
    (tmp_path / "editor").write_text(editor)
    command = (
        f"env HKCMS_USER=e2e-user LANG=C.UTF-8 TERM=xterm-256color "
        f'EDITOR="$(cat {tmp_path}/editor)" {HKCMS} --site {site}; echo $? > {done}; sleep 5'
    )
    tmux.start(command)
    tmux.wait("Rally report")
    tmux.keys("Enter")
    tmux.wait(" saved ")
    tmux.keys("C-o")
    toast = tmux.wait_toast(said)
    assert "Nothing was changed" in toast
    tmux.type("Still typing")  # the keyboard works again
    tmux.wait("UNSAVED")
    tmux.keys("Escape")
    tmux.wait("Discard your unsaved changes")
    tmux.keys("y")
    tmux.wait("1 post ")
    tmux.keys("q")
    deadline = time.monotonic() + 10
    while not done.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert done.read_text().strip() == "0"
    assert (site / "posts" / "rally-report.md").read_bytes() == before
