"""The live Wix path against a local server that replays saved answers (cursor paging, errors)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from hkcms.core.import_records import ImportWarning
from hkcms.importers import wix
from hkcms.importers.wix_api import WixApiError, WixClient
from tests.importers.conftest import FIXTURES

KEY = "IST.secret-api-key-never-shown"
Route = Callable[[str, str, dict[str, list[str]]], tuple[int, Any]]


def saved(name: str) -> Any:
    return json.loads((FIXTURES / "wix" / name).read_text(encoding="utf-8"))


def replay(method: str, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
    if path == "/members/v1/members":
        return 200, saved("members.json")
    if path == "/blog/v3/categories":
        return 200, saved("categories.json")
    if path == "/blog/v3/tags/query" and method == "POST":
        return 200, saved("tags.json")
    if path == "/blog/v3/posts":
        assert set(query["fieldsets"]) == {"RICH_CONTENT", "METRICS", "URL", "SEO"}
        cursor = query.get("paging.cursor", [""])[0]
        return 200, saved("posts-2.json" if cursor == "cursor-page-2" else "posts.json")
    if path == "/comments/v1/comments/list-by-resource":
        post = query["contextId"][0]
        every = [c for c in saved("comments.json")["comments"] if c.get("contextId") == post]
        # One comment a page, to exercise cursor paging of comments too.
        index = int(query.get("cursorPaging.cursor", ["0"])[0])
        page = every[index : index + 1]
        more = index + 1 < len(every)
        meta = {"cursors": {"next": str(index + 1)} if more else {}, "hasNext": more}
        return 200, {"comments": page, "pagingMetadata": meta}
    return 404, {"message": "not found"}


@pytest.fixture
def server() -> Iterator[Callable[[Route], tuple[str, list[dict[str, str]]]]]:
    servers: list[ThreadingHTTPServer] = []

    def start(route: Route) -> tuple[str, list[dict[str, str]]]:
        seen: list[dict[str, str]] = []

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, method: str) -> None:
                parts = urlsplit(self.path)
                seen.append({"path": parts.path, **{k.lower(): v for k, v in self.headers.items()}})
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                status, body = route(method, parts.path, parse_qs(parts.query))
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if status == 429:
                    self.send_header("Retry-After", "0")
                if 300 <= status < 400 and isinstance(body, dict) and "location" in body:
                    self.send_header("Location", body["location"])
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                self._answer("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._answer("POST")

            def log_message(self, *args: Any) -> None:
                pass

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}", seen

    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


def test_live_import_pages_through_posts_and_comments(server: Any) -> None:
    base, seen = server(replay)
    warnings: list[ImportWarning] = []
    posts = list(wix.read_api("site-123", KEY, warnings, base_url=base))
    assert [p.source_id[:9] for p in posts] == ["post-0001", "post-0002", "post-0003", "post-0004"]
    first = posts[0]
    assert first.author == "Ada Wong" and first.tags == ["Events", "vigil", "hongkong"]
    assert [c.source_id for c in first.comments] == ["cm-1", "cm-2"]  # two comment pages
    assert all(r["authorization"] == KEY and r["wix-site-id"] == "site-123" for r in seen)
    assert sum(r["path"] == "/blog/v3/posts" for r in seen) == 2  # followed the cursor once


def test_the_same_answers_live_and_saved_give_the_same_posts(server: Any, wix_dir: Path) -> None:
    base, _ = server(replay)
    live = list(wix.read_api("site", KEY, [], base_url=base))
    offline = list(wix.read(wix_dir, []))
    assert [(p.source_id, p.body, p.tags, p.views) for p in live] == [
        (p.source_id, p.body, p.tags, p.views) for p in offline
    ]


@pytest.mark.parametrize(
    ("status", "words"),
    [(401, "API key was refused"), (403, "permissions"), (404, "site ID"), (500, "server failed")],
)
def test_http_errors_are_one_line_and_never_show_the_key(
    server: Any, status: int, words: str
) -> None:
    base, seen = server(lambda m, p, q: (status, {"message": KEY}))
    client = WixClient("site", KEY, base, retries=2, sleep=lambda s: None)
    with pytest.raises(WixApiError) as info:
        client.get("/blog/v3/posts")
    message = str(info.value)
    assert words in message and KEY not in message and "\n" not in message
    assert len(seen) == (3 if status == 500 else 1)  # 5xx retried (bounded), 4xx not


def test_rate_limit_is_retried_then_succeeds(server: Any) -> None:
    calls = {"n": 0}

    def flaky(method: str, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        calls["n"] += 1
        return (429, {}) if calls["n"] < 3 else (200, {"posts": []})

    base, _ = server(flaky)
    waits: list[float] = []
    client = WixClient("site", KEY, base, retries=3, sleep=waits.append)
    assert client.get("/blog/v3/posts") == {"posts": []}
    assert waits == [0.0, 0.0]  # honoured Retry-After: 0


def test_network_failure_is_a_clear_line() -> None:
    client = WixClient("site", KEY, "http://127.0.0.1:9", retries=1, sleep=lambda s: None)
    with pytest.raises(WixApiError, match="cannot connect") as info:
        client.get("/blog/v3/posts")
    assert KEY not in str(info.value)


def test_an_answer_that_is_not_json_is_reported(server: Any) -> None:
    base, _ = server(lambda m, p, q: (200, b"<html>oops</html>"))
    with pytest.raises(WixApiError, match="not JSON"):
        WixClient("site", KEY, base).get("/x")


def test_a_cursor_that_never_ends_stops(server: Any) -> None:
    base, seen = server(
        lambda m, p, q: (200, {"posts": [{"id": "a"}], "metaData": {"cursor": "same"}})
    )
    pages = list(WixClient("site", KEY, base).pages("/p", "posts", [], cursor_param="c"))
    assert len(pages) == 2 and len(seen) == 2


def test_the_key_is_never_sent_over_plain_http_to_another_host() -> None:
    with pytest.raises(WixApiError, match="plain http"):
        WixClient("site", KEY, "http://www.wixapis.com")
    with pytest.raises(WixApiError, match="empty"):
        WixClient("site", "  ", "https://www.wixapis.com")


def args(**values: Any) -> Any:
    import argparse

    return argparse.Namespace(**{"src": None, "site_id": None, "api_key_env": None, **values})


def test_records_reads_the_key_from_the_named_variable(
    server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, seen = server(replay)
    monkeypatch.setenv("MY_WIX_KEY", KEY)
    monkeypatch.setenv(wix.API_URL_ENV, base)
    posts = list(wix.records(args(site_id="site-9", api_key_env="MY_WIX_KEY"), []))
    assert len(posts) == 4 and seen[0]["authorization"] == KEY


def test_records_usage_and_missing_key(monkeypatch: pytest.MonkeyPatch, wix_dir: Path) -> None:
    from hkcms.core.errors import HkcmsError, UsageError

    with pytest.raises(UsageError, match="needs DIR"):
        wix.records(args(), [])
    with pytest.raises(UsageError, match="not both"):
        wix.records(args(src=str(wix_dir), site_id="s", api_key_env="V"), [])
    monkeypatch.delenv("NO_SUCH_VAR", raising=False)
    with pytest.raises(HkcmsError, match="NO_SUCH_VAR is empty or not set"):
        wix.records(args(site_id="s", api_key_env="NO_SUCH_VAR"), [])
    assert len(list(wix.records(args(src=str(wix_dir)), []))) == 4


def test_a_malformed_second_file_stops_before_any_post(tmp_path: Path, wix_dir: Path) -> None:
    from hkcms.core.errors import HkcmsError

    (tmp_path / "posts.json").write_bytes((wix_dir / "posts.json").read_bytes())
    (tmp_path / "posts-2.json").write_text('{"posts": [}', encoding="utf-8")
    reader = wix.read(tmp_path, [])
    with pytest.raises(HkcmsError, match="posts-2.json:1"):
        next(reader)


def test_a_redirect_is_refused_so_the_key_goes_nowhere_else(server: Any) -> None:
    other, elsewhere = server(lambda m, p, q: (200, {"posts": []}))

    def redirect(method: str, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        return 302, {"location": other + "/steal"}

    base, _ = server(redirect)
    with pytest.raises(WixApiError, match="redirect"):
        WixClient("site", KEY, base, retries=0).get("/blog/v3/posts")
    assert elsewhere == []
