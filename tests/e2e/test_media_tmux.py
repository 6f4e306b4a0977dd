"""End to end, the issue's "done when": a phone photo is added and inserted from the terminal
app at 80x24, the post exported, and no published file carries a location or a camera."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.test_tui_tmux import HKCMS, Tmux, hkcms
from tests.media import images

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def tmux():
    session = Tmux("media")
    yield session
    session.kill()


def test_phone_photo_added_in_the_tui_is_published_without_location(
    tmp_path: Path, tmux: Tmux
) -> None:
    site = tmp_path / "blog"
    subprocess.run([str(HKCMS), "init", str(site)], check=True, capture_output=True)
    hkcms(site, "new", "Rally report")
    photo = images.photo(tmp_path / "IMG_0042.JPG", size=(2400, 1800))
    done = tmp_path / "exit-code"
    command = (
        f"env HKCMS_USER=e2e-user LANG=C.UTF-8 TERM=xterm-256color "
        f"{HKCMS} --site {site}; echo $? > {done}; sleep 5"
    )
    tmux.start(command)
    tmux.wait("Rally report")
    tmux.keys("Enter")
    tmux.wait(" saved ")
    tmux.keys("C-g")
    tmux.wait("Add a file from disk")
    tmux.keys("a")
    tmux.wait("Path of the image")
    tmux.type(str(photo))
    tmux.keys("Enter")
    tmux.wait("Alt text for img-0042.jpg")
    tmux.type("Marchers with yellow umbrellas")
    tmux.keys("Enter")
    tmux.wait("UNSAVED")
    tmux.keys("C-s")
    tmux.wait("Saved revision")
    tmux.keys("Escape")
    tmux.wait("1 post ")
    tmux.keys("q")
    deadline = time.monotonic() + 10
    while not done.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert done.read_text().strip() == "0"

    text = (site / "posts" / "rally-report.md").read_text()
    assert "![Marchers with yellow umbrellas](/media/img-0042.jpg)" in text
    hkcms(site, "export", "--base-url", "https://example.org/")
    out = site / "public"
    page = (out / "posts" / "rally-report" / "index.html").read_text()
    assert re.search(r'<picture><source type="image/webp"[^>]*480w', page)
    published = [p for p in out.rglob("*") if p.suffix in (".jpg", ".webp")]
    assert len(published) == 8  # 3 widths x 2 formats, the fallback and the social card
    for path in published:
        data = path.read_bytes()
        assert b"Apple" not in data and b"iPhone" not in data and b"GPS" not in data, path
        meta = images.metadata_of(path)
        assert meta["exif"] == meta["gps"] == 0 and not meta["xmp"] and not meta["comment"]
