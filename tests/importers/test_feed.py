"""Feeds (RSS 2.0 / Atom): full content when present, else the excerpt, a link and a warning."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from hkcms.core.errors import HkcmsError
from hkcms.core.import_records import ImportWarning
from hkcms.core.importing import import_posts
from hkcms.core.posts import PostStore
from hkcms.core.site import Site
from hkcms.importers import feed

FIXTURES = Path(__file__).parent / "fixtures"


def test_rss_with_full_content() -> None:
    warnings: list[ImportWarning] = []
    first, second = feed.read(FIXTURES / "feed-rss.xml", warnings)
    assert warnings == []
    assert first.title == "Bristol vigil" and first.source_id == "post-101"
    assert first.body == (
        "We lit candles on the harbourside.\n\n"
        "![Candles](https://bristol.example.org/img/candles.jpg)\n"
    )
    assert first.date == "2024-06-04T19:00:00+00:00"
    assert first.author == "Ada Wong" and first.tags == ["vigil", "events"]
    assert first.slug == "bristol-vigil" and first.aliases == ["/blog/bristol-vigil.html"]
    assert first.media == ["https://bristol.example.org/img/candles.jpg"]
    assert second.body == "我們在海旁點起燭光。\n" and second.lang == "zh-Hant"
    assert second.slug == "六四悼念"


def test_atom_with_only_a_summary_gets_a_link_and_a_warning() -> None:
    warnings: list[ImportWarning] = []
    [entry] = feed.read(FIXTURES / "feed-atom.xml", warnings)
    assert entry.body == (
        "這是摘要。\n\n[Read the whole post on the old site]"
        "(https://atom.example.org/2024/06/summary-only/)\n"
    )
    assert "only an excerpt" in str(warnings[0])
    assert entry.updated == "2024-06-06T09:00:00+00:00" and entry.author == "陳大文"


def test_feed_import_is_idempotent(site: Site) -> None:
    for expected in ({"created": 2}, {"unchanged": 2}):
        warnings: list[ImportWarning] = []
        report = import_posts(
            site, "feed", feed.read(FIXTURES / "feed-rss.xml", warnings), warnings
        )
        assert {k: v for k, v in report.posts.items() if v} == expected
    assert len(PostStore(site).list()) == 2


def test_hostile_feeds(tmp_path: Path) -> None:
    with pytest.raises(HkcmsError, match="declares XML entities"):
        list(feed.read(FIXTURES / "bomb.xml", []))
    (tmp_path / "junk.xml").write_text("this is not a feed <<<")
    with pytest.raises(HkcmsError, match="junk.xml"):
        list(feed.read(tmp_path / "junk.xml", []))


@pytest.fixture
def feed_server() -> Iterator[str]:
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(FIXTURES))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_feed_from_a_url(feed_server: str) -> None:
    entries = list(feed.read_url(f"{feed_server}/feed-rss.xml", [], allow_private=True))
    assert [e.title for e in entries] == ["Bristol vigil", "六四悼念"]
    with pytest.raises(HkcmsError, match="private network"):
        list(feed.read_url(f"{feed_server}/feed-rss.xml", []))
    with pytest.raises(HkcmsError, match="cannot fetch"):
        list(feed.read_url(f"{feed_server}/nothing.xml", [], allow_private=True))
