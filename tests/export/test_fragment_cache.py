"""The rendered-fragment cache: `--full`, a new output folder and a theme change render no
Markdown for bodies rendered before, and give the same bytes."""

from __future__ import annotations

import sqlite3
import zlib
from pathlib import Path

import pytest

import hkcms.export.fast_markdown as fast_markdown
from hkcms.core.site import Site
from hkcms.export.build import export_site
from hkcms.export.fragment_cache import Entry, FragmentCache
from tests.export.conftest import tree


def entry(cache: FragmentCache, body: str, html: str, slug: str) -> Entry:
    return cache.entry(cache.key(body), html, slug)


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every body the export renders from Markdown (the small fixture renders in-process)."""
    seen: list[str] = []
    real = fast_markdown.render_html

    def counting(markdown: str) -> str:
        seen.append(markdown)
        return real(markdown)

    monkeypatch.setattr(fast_markdown, "render_html", counting)
    return seen


def test_full_new_folder_and_theme_change_render_no_markdown(
    fixture_site: Site, tmp_path: Path, renders: list[str]
) -> None:
    export_site(fixture_site, tmp_path / "one")
    assert renders  # the first export renders every body once
    first = tree(tmp_path / "one")
    renders.clear()
    export_site(fixture_site, tmp_path / "one", full=True)
    export_site(fixture_site, tmp_path / "two")
    assert renders == []
    assert tree(tmp_path / "one") == first == tree(tmp_path / "two")
    templates = fixture_site.root / "templates"
    templates.mkdir()
    (templates / "post.html").write_text(
        (Path(__file__).parents[2] / "hkcms/export/templates/post.html")
        .read_text(encoding="utf-8")
        .replace("</article>", "</article><!-- theme -->"),
        encoding="utf-8",
    )
    export_site(fixture_site, tmp_path / "one")
    assert renders == []
    page = tmp_path / "one" / "posts" / "first-post" / "index.html"
    assert b"<!-- theme -->" in page.read_bytes()


def test_a_changed_body_is_rendered_again(
    fixture_site: Site, tmp_path: Path, renders: list[str]
) -> None:
    export_site(fixture_site, tmp_path / "out")
    renders.clear()
    path = fixture_site.post_path("first-post")
    path.write_text(path.read_text(encoding="utf-8") + "\nA new line.\n", encoding="utf-8")
    export_site(fixture_site, tmp_path / "out", full=True)
    assert len(renders) == 1 and "A new line." in renders[0]


def test_entries_are_kept_by_body_and_version(tmp_path: Path) -> None:
    cache = FragmentCache(tmp_path / "fragments.sqlite", "v1")
    assert cache.get("# Hi\n") is None
    cache.store([entry(cache, "# Hi\n", "<h1>Hi</h1>", "hi")])
    assert cache.get("# Hi\n") == "<h1>Hi</h1>"
    cache.close()
    assert FragmentCache(tmp_path / "fragments.sqlite", "v1").get("# Hi\n") == "<h1>Hi</h1>"
    assert FragmentCache(tmp_path / "fragments.sqlite", "v2").get("# Hi\n") is None


def test_damaged_entries_are_misses(tmp_path: Path) -> None:
    path = tmp_path / "fragments.sqlite"
    cache = FragmentCache(path, "v1")
    cache.store(
        [entry(cache, "# Hi\n", "<h1>Hi</h1>", "hi"), entry(cache, "# Yo\n", "<h1>Yo</h1>", "yo")]
    )
    cache.close()
    db = sqlite3.connect(path)
    with db:
        db.execute(
            "UPDATE fragment SET html = ? WHERE key = ?",
            (zlib.compress(b"<h1>Hi</h1>")[:-3], cache.key("# Hi\n")),
        )
        db.execute("UPDATE fragment SET html = ? WHERE key = ?", (b"\xff\xfe", cache.key("# Yo\n")))
    db.close()
    cache = FragmentCache(path, "v1")
    assert cache.get("# Hi\n") is None
    assert cache.get("# Yo\n") is None


def test_a_file_that_is_not_a_database_is_started_again(tmp_path: Path) -> None:
    path = tmp_path / "fragments.sqlite"
    path.write_bytes(b"not a database at all " * 100)
    cache = FragmentCache(path, "v1")
    assert cache.get("# Hi\n") is None
    cache.store([entry(cache, "# Hi\n", "<h1>Hi</h1>", "hi")])
    cache.close()
    assert FragmentCache(path, "v1").get("# Hi\n") == "<h1>Hi</h1>"


def test_an_unwritable_cache_is_only_misses(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache's folder would be", encoding="utf-8")
    cache = FragmentCache(blocked / "fragments.sqlite", "v1")
    cache.store([entry(cache, "# Hi\n", "<h1>Hi</h1>", "hi")])
    assert cache.get("# Hi\n") is None


def test_prune_keeps_the_two_newest_bodies_of_each_post_still_there(tmp_path: Path) -> None:
    cache = FragmentCache(tmp_path / "fragments.sqlite", "v1")
    for n in range(4):
        cache.store([entry(cache, f"edit {n}", f"<p>{n}</p>", "kept")])
    cache.store([entry(cache, "gone", "<p>gone</p>", "deleted-post")])
    cache.prune(["kept"])  # a small export: only the posts it rendered
    assert [cache.get(f"edit {n}") for n in range(4)] == [None, None, "<p>2</p>", "<p>3</p>"]
    assert cache.get("gone") == "<p>gone</p>"
    cache.prune([], every=["kept"])  # a large one: posts no longer there too
    assert cache.get("gone") is None
    assert cache.get("edit 3") == "<p>3</p>"


def test_a_reader_sees_what_the_writer_stored(tmp_path: Path) -> None:
    writer = FragmentCache(tmp_path / "fragments.sqlite", "v1")
    reader = FragmentCache(tmp_path / "fragments.sqlite", "v1")
    assert reader.get("a") is None  # connected before the write, as a worker is
    writer.store([entry(writer, "a", "<p>a</p>", "a")])
    assert reader.get("a") == "<p>a</p>"


def test_the_old_cache_folder_is_removed(fixture_site: Site, tmp_path: Path) -> None:
    old = fixture_site.state_dir / "cache" / "fragments" / "ab"
    old.mkdir(parents=True)
    (old / "cdef").write_bytes(b"x")
    export_site(fixture_site, tmp_path / "out")
    assert not old.parent.exists()
    assert (fixture_site.state_dir / "cache" / "fragments.sqlite").is_file()
