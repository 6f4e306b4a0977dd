"""The export and serve commands as a user runs them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from hkcms.cli import main
from hkcms.core.posts import PostStore
from hkcms.core.site import Site


def test_export_command(fixture_site: Site, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    root = str(fixture_site.root)
    assert main(["--site", root, "export"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"Exported 3 posts to {fixture_site.public_dir}: ")
    assert "1 warning" in out and "1 warnings" not in out
    assert "warning: " in err and "media/missing.png" in err
    assert (fixture_site.public_dir / "index.html").is_file()

    assert main(["--site", root, "export"]) == 0
    assert ": 0 files written" in capsys.readouterr().out

    other = tmp_path / "other"
    args = ["--site", root, "export", "--out", str(other), "--full", "--drafts"]
    assert main([*args, "--base-url", "https://x.example/"]) == 0
    assert (other / "posts/draft-notes/index.html").is_file()
    assert "https://x.example/posts/" in (other / "sitemap.xml").read_text()
    capsys.readouterr()

    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("x")
    assert main(["--site", root, "export", "--out", str(tmp_path / "busy")]) == 1
    err = capsys.readouterr().err
    assert "not an hkcms export" in err and err.count("\n") == 1
    assert main(["--site", root, "export", "--base-url", "ftp://x"]) == 1
    assert main(["--site", root, "serve", "--port", "0"]) == 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def wait_for(predicate, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


def test_serve_previews_and_reexports_on_change(fixture_site: Site) -> None:
    port = free_port()
    env = os.environ | {"PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "hkcms", "--site", str(fixture_site.root), "serve", "--port",
         str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/"
    printed: list[str] = []
    # Read the output as it comes: the page can be served a moment before its line is printed.
    reader = threading.Thread(target=lambda: printed.extend(iter(proc.stdout.readline, "")))
    reader.start()
    try:

        def up() -> bool:
            try:
                return fetch(base)[0] == 200
            except OSError:
                return False

        wait_for(up)
        status, page = fetch(base + "posts/first-post/")
        assert status == 200 and "<h1>First post</h1>" in page
        status, page = fetch(base + "no/such/page")
        assert status == 404 and "Page not found" in page
        assert fetch(base + ".hkcms-export.json")[0] == 404
        assert fetch(base + "assets/style.css")[0] == 200
        assert fetch(base + "media/")[0] == 404  # no folder listings

        store = PostStore(fixture_site)
        post = store.load("first-post")
        post.front["title"] = "First post, live"
        store.save(post)
        wait_for(lambda: "First post, live" in fetch(base + "posts/first-post/")[1])
        store.create("Written while serving", body="Hello.\n")
        wait_for(lambda: fetch(base + "posts/written-while-serving/")[0] == 200)
        wait_for(lambda: "".join(printed).count("Exported") >= 3)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
        reader.join(timeout=20)
    output = "".join(printed)
    assert proc.returncode == 0, output
    assert f"Serving {fixture_site.public_dir} at {base}" in output
    assert output.count("Exported") >= 3


def test_serve_reports_a_busy_port(fixture_site: Site, capsys: pytest.CaptureFixture) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert main(["--site", str(fixture_site.root), "serve", "--port", str(port)]) == 1
    assert f"port {port} is already in use" in capsys.readouterr().err
