"""A real nginx serves a small export; its own access log is imported and counted exactly."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hkcms.core.access_log import BOT, NOT_A_POST, NOT_GET, REPEAT, UNKNOWN_POST
from hkcms.core.posts import PostStore
from hkcms.core.views import ViewStore
from tests.views.logs import CHROME, FIREFOX, GOOGLEBOT, SAFARI, ZH_PATH, ZH_SLUG, make_posts

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
EDGE = CHROME + " Edg/124.0.2478.51"
pytestmark = pytest.mark.skipif(not os.path.exists(NGINX), reason="nginx is not installed")


@dataclass
class Nginx:
    port: int
    access_log: Path

    def get(self, path: str, ua: str, method: str = "GET", **headers: str) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, headers={"User-Agent": ua, **headers})
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()

    def wait_for_log(self, lines: int) -> None:
        """nginx writes a request's log line after the response; wait until all are there."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.access_log.exists() and self.access_log.read_bytes().count(b"\n") >= lines:
                return
            time.sleep(0.02)
        raise AssertionError(f"nginx did not log {lines} lines")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_export(root: Path, slugs: list[str]) -> None:
    for slug in slugs:
        folder = root / "posts" / slug
        folder.mkdir(parents=True)
        (folder / "index.html").write_text(f"<!doctype html><title>{slug}</title><p>{slug}")
    (root / "assets").mkdir()
    (root / "assets" / "site.css").write_text("body { font-family: sans-serif }")
    (root / "index.html").write_text("<!doctype html><title>home</title>")


@pytest.fixture
def nginx(tmp_path: Path) -> Iterator[Nginx]:
    prefix = tmp_path / "nginx"
    public = tmp_path / "public"
    for sub in ("logs", "tmp"):
        (prefix / sub).mkdir(parents=True)
    build_export(public, ["hello-world", "second-post", ZH_SLUG])
    port = free_port()
    access_log = prefix / "logs" / "access.log"
    # As root, workers would run as 'nobody' and could not read the 0700 pytest folders.
    user = "user root root;" if os.geteuid() == 0 else ""
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"""
{user}
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log;
events {{ worker_connections 64; }}
http {{
    types {{ text/html html; text/css css; }}
    access_log {access_log} combined;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {public};
        index index.html;
    }}
}}
"""
    )
    proc = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "logs" / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read().decode() if proc.stderr else ""
                    pytest.fail(f"nginx did not start: {err}")
                time.sleep(0.05)
        yield Nginx(port, access_log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()


def test_nginx_access_log_is_counted_exactly(nginx: Nginx, store: PostStore) -> None:
    make_posts(store, "hello-world", "second-post", ZH_SLUG)
    views = ViewStore(store.meta)
    requests = [
        ("/posts/hello-world/", CHROME, "GET", 200),  # counted
        ("/posts/hello-world/", CHROME, "GET", 200),  # repeat
        ("/posts/hello-world/index.html?utm_source=mail", CHROME, "GET", 200),  # repeat
        ("/posts/hello-world/index.html?utm_source=x", FIREFOX, "GET", 200),  # counted
        (ZH_PATH, FIREFOX, "GET", 200),  # counted: percent-encoded UTF-8 slug
        ("/posts/second-post/?a=1&b=%20", SAFARI, "GET", 200),  # counted
        ("/posts/hello-world/", GOOGLEBOT, "GET", 200),  # bot
        ("/posts/hello-world/", "facebookexternalhit/1.1", "GET", 200),  # preview fetcher
        ("/posts/second-post/", "Mozilla/5.0+(compatible; UptimeRobot/2.0)", "GET", 200),
        ("/posts/second-post/", "curl/8.5.0", "GET", 200),  # a tool
        ("/assets/site.css", CHROME, "GET", 200),  # not a post page
        ("/", CHROME, "GET", 200),  # not a post page
        ("/posts/no-such-post/", CHROME, "GET", 404),  # unknown post
        ("/posts/hello-world/missing.png", CHROME, "GET", 404),  # not a post page
        ("/posts/second-post/", CHROME, "HEAD", 200),  # not GET
        ("/posts/second-post/", CHROME, "POST", 405),  # not GET
        ("/posts/hello-world", SAFARI, "GET", 301),  # nginx redirects to the slash
    ]
    for path, ua, method, expected in requests:
        assert nginx.get(path, ua, method) == expected, path
    # A conditional request answered 304 is a view of the page too.
    modified = _last_modified(nginx, "/posts/second-post/")
    assert nginx.get("/posts/second-post/", EDGE, **{"If-Modified-Since": modified}) == 304
    total = len(requests) + 2
    nginx.wait_for_log(total)

    first = views.import_logs([nginx.access_log])
    assert first.errors == [] and first.unparseable == 0
    assert first.lines == total
    # _last_modified's own request came from Safari on /posts/second-post/: a repeat.
    assert first.counted == 5
    assert first.skipped == {
        BOT: 4,
        NOT_A_POST: 3,
        NOT_GET: 2,
        REPEAT: 3,
        UNKNOWN_POST: 1,
        "status 301": 1,
    }
    counts = {slug: views.show(slug).counted for slug in ("hello-world", "second-post", ZH_SLUG)}
    assert counts == {"hello-world": 2, "second-post": 2, ZH_SLUG: 1}

    again = views.import_logs([nginx.access_log])
    assert again.counted == 0 and again.lines == 0
    assert again.files[0].status == "already read"
    assert {s: views.show(s).counted for s in counts} == counts

    # More traffic after the import: only the new lines count, and repeats of visitors
    # seen by the first import are still repeats.
    more = [
        ("/posts/second-post/", CHROME, 200),  # counted: Chrome had not read it
        ("/posts/hello-world/", FIREFOX, 200),  # repeat from the first import
        (ZH_PATH + "index.html", SAFARI, 200),  # counted
        ("/posts/second-post/", "Mozilla/5.0 (compatible; bingbot/2.0)", 200),  # bot
    ]
    for path, ua, expected in more:
        assert nginx.get(path, ua) == expected
    nginx.wait_for_log(total + len(more))
    third = views.import_logs([nginx.access_log])
    assert third.files[0].status == "continued"
    assert (third.lines, third.counted) == (len(more), 2)
    assert third.skipped == {REPEAT: 1, BOT: 1}
    assert {s: views.show(s).counted for s in counts} == {
        "hello-world": 2,
        "second-post": 3,
        ZH_SLUG: 2,
    }
    assert views.meta.summary("second-post")["views"] == 3


def _last_modified(nginx: Nginx, path: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", nginx.port, timeout=10)
    try:
        conn.request("GET", path, headers={"User-Agent": SAFARI})
        response = conn.getresponse()
        response.read()
        return response.getheader("Last-Modified") or ""
    finally:
        conn.close()
