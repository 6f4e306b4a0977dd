"""export_site: pages, drafts, incremental rebuilds, deletions, interruptions, refusals."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest

import hkcms.export.build as build
import hkcms.export.render as render
from hkcms.core.errors import HkcmsError
from hkcms.core.posts import PostStore
from hkcms.core.site import Site
from hkcms.export.build import export_site
from hkcms.export.paths import ExportError
from tests.export import dying_worker
from tests.export.conftest import tree


def stamps(root: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime) of every file: a rewritten file gets a new inode (temp file + rename)."""
    out = {}
    for path in root.rglob("*"):
        if path.is_file() and path.name != ".hkcms-export.json":
            info = path.stat()
            out[path.relative_to(root).as_posix()] = (info.st_ino, info.st_mtime_ns)
    return out


def rewritten(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> set[str]:
    return {rel for rel, stamp in after.items() if before.get(rel) != stamp}


def fresh(site: Site, tmp_path: Path, name: str = "fresh") -> dict[str, bytes]:
    """What a from-scratch export of the site's current state looks like."""
    export_site(site, tmp_path / name)
    return tree(tmp_path / name)


def test_layout_pages_and_hidden_posts(fixture_site: Site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = export_site(fixture_site, out)
    files = set(tree(out))
    for rel in (
        "index.html",
        "page/2/index.html",
        "posts/first-post/index.html",
        "posts/中文文章/index.html",
        "tags/index.html",
        "tags/events/index.html",
        "tags/活動/index.html",
        "feed.xml",
        "sitemap.xml",
        "robots.txt",
        "404.html",
        "favicon.ico",
        "assets/style.css",
        "media/photo.svg",
    ):
        assert rel in files, rel
    assert report.posts == 3
    everything = b"".join(tree(out).values())
    assert b"marmalade" not in everything and b"Draft notes" not in everything
    assert b"Future post" not in everything
    assert not any(rel.startswith(("posts/draft-notes", "posts/future-post")) for rel in files)
    assert report.written == len(files) and report.removed == 0


def test_post_page_contents(fixture_site: Site, tmp_path: Path) -> None:
    export_site(fixture_site, tmp_path / "out")
    page = (tmp_path / "out/posts/first-post/index.html").read_text()
    assert "<h1>First post</h1>" in page
    assert 'Updated: <time datetime="2024-01-12T10:00:00+00:00">12 January 2024</time>' in page
    assert 'Published <time datetime="2024-01-10">10 January 2024</time>' in page
    assert "By Ada Wong" in page
    assert "12 views · 1 comment" in page
    assert '<link rel="canonical" href="https://example.org/blog/posts/first-post/">' in page
    assert '<meta property="og:title" content="First post">' in page
    # Approved comments only; plain text with paragraphs and linked URLs.
    assert "Mei" in page and "Spammer" not in page and "Not approved yet" not in page
    assert '<a href="https://example.org/photos/?a=1&amp;b=2" rel="nofollow ugc noopener">' in page
    assert "See you next time<br>\nat the fair.</p>" in page
    assert 'rel="next" href="../../posts/second-post/"' in page
    assert 'href="../../tags/news/" rel="tag">News</a>' in page
    assert '<img src="../../media/photo.svg" alt="A yellow umbrella">' in page
    chinese = (tmp_path / "out/posts/中文文章/index.html").read_text()
    assert chinese.startswith('<!DOCTYPE html>\n<html lang="zh-Hant">')
    assert "更新於：" in chinese and "3456 次瀏覽" in chinese
    # The chrome around a Chinese post is Chinese too, and leads to the Chinese front page.
    assert '<header class="site">' in chinese and '<a href="../../zh-hant/">首頁</a>' in chinese
    css = (tmp_path / "out/assets/style.css").read_text()
    assert ":lang(zh-Hant)" in css and "prefers-color-scheme: dark" in css and "@media print" in css
    assert not list((tmp_path / "out").rglob("*.js"))


def test_drafts_flag_includes_marked_drafts(fixture_site: Site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = export_site(fixture_site, out, drafts=True)
    assert report.posts == 5
    draft = (out / "posts/draft-notes/index.html").read_text()
    assert '<p class="badge">Draft (not public)</p>' in draft
    future = (out / "posts/future-post/index.html").read_text()
    assert "Scheduled (not public yet)" in future
    # Never in the feed or the sitemap, even in a preview.
    for rel in ("feed.xml", "sitemap.xml"):
        text = (out / rel).read_text()
        assert "draft-notes" not in text and "future-post" not in text
    # Exporting again without --drafts takes them out again.
    report = export_site(fixture_site, out)
    assert not (out / "posts/draft-notes").exists() and report.removed >= 2


def test_incremental_rewrites_only_pages_showing_the_post(
    fixture_site: Site, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    export_site(fixture_site, out)
    store = PostStore(fixture_site)
    before = stamps(out)
    report = export_site(fixture_site, out)
    assert report.written == 0 and rewritten(before, stamps(out)) == set()

    post = store.load("first-post")
    post.body += "\nOne more paragraph.\n"
    store.save(post)
    report = export_site(fixture_site, out)
    after = stamps(out)
    # The body changed: its page, the feed (full content) and the sitemap (lastmod).
    assert rewritten(before, after) == {"posts/first-post/index.html", "feed.xml", "sitemap.xml"}
    assert report.written == 3
    assert tree(out) == fresh(fixture_site, tmp_path)

    post = store.load("first-post")
    post.front["title"] = "First post, renamed"
    store.save(post)
    export_site(fixture_site, out)
    # (the sitemap's lastmod changes only if the two saves fell in different seconds)
    assert rewritten(after, stamps(out)) - {"sitemap.xml"} == {
        "posts/first-post/index.html",
        "posts/second-post/index.html",  # its "Older" link names the post
        "page/2/index.html",
        "tags/events/page/2/index.html",
        "tags/news/index.html",
        "archive/index.html",
        "feed.xml",
    }
    assert tree(out) == fresh(fixture_site, tmp_path, "fresh2")


def test_deleted_and_renamed_posts_and_tags_disappear(fixture_site: Site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    export_site(fixture_site, out)
    store = PostStore(fixture_site)
    store.trash("second-post")
    store.rename("first-post", "first-renamed")
    report = export_site(fixture_site, out)
    assert not (out / "posts/second-post").exists()
    assert not (out / "posts/first-post").exists()
    assert (out / "posts/first-renamed/index.html").is_file()
    assert not (out / "tags/etc").exists() and not (out / "tags/b-bold-b").exists()
    assert not (out / "page/2").exists()  # two posts left: one page
    assert report.removed >= 5
    assert tree(out) == fresh(fixture_site, tmp_path)


def test_full_rebuild_repairs_hand_edited_pages(fixture_site: Site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    export_site(fixture_site, out)
    (out / "index.html").write_text("broken by hand")
    export_site(fixture_site, out)
    assert (out / "index.html").read_text() == "broken by hand"  # inputs unchanged: skipped
    report = export_site(fixture_site, out, full=True)
    assert report.written == 1
    assert tree(out) == fresh(fixture_site, tmp_path)


class Crash(Exception):
    pass


def crash_after(monkeypatch: pytest.MonkeyPatch, writes: int) -> None:
    """Make the export die (like a SIGKILL) after `writes` pages were written."""
    real = render.write_if_changed
    count = {"n": 0}

    def writer(out: Path, path: Path, data: bytes, old: bytes | None = None) -> bool:
        if count["n"] >= writes:
            raise Crash
        count["n"] += 1
        return real(out, path, data, old)

    monkeypatch.setattr(render, "write_if_changed", writer)
    monkeypatch.setattr(build, "write_if_changed", writer)


@pytest.mark.parametrize("writes", [0, 1, 3, 6])
def test_interrupted_export_is_completed_by_the_next(
    fixture_site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writes: int
) -> None:
    out = tmp_path / "out"
    export_site(fixture_site, out)
    store = PostStore(fixture_site)
    for slug in ("first-post", "中文文章"):
        post = store.load(slug)
        post.front["title"] += " (edited)"
        post.body += "\nEdited.\n"
        store.save(post)
    new = store.create("Brand new post", tags=["fresh-tag"], body="Brand new body.\n")
    with monkeypatch.context() as patch:
        crash_after(patch, writes)
        with pytest.raises(Crash):
            export_site(fixture_site, out)
    # Before the next export the new post goes away again: its half-written pages must too.
    store.trash(new.slug)
    export_site(fixture_site, out)
    assert tree(out) == fresh(fixture_site, tmp_path)


def test_interrupted_first_export_then_completed(
    fixture_site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    with monkeypatch.context() as patch:
        crash_after(patch, 2)
        with pytest.raises(Crash):
            export_site(fixture_site, out)
    export_site(fixture_site, out)  # the half-written folder is recognised as an export
    assert tree(out) == fresh(fixture_site, tmp_path)


def test_refuses_folders_that_are_not_exports(fixture_site: Site, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.txt").write_text("years of work")
    with pytest.raises(ExportError, match="not an hkcms export"):
        export_site(fixture_site, mine)
    assert [p.name for p in mine.iterdir()] == ["thesis.txt"]
    with pytest.raises(ExportError, match="site folder"):
        export_site(fixture_site, fixture_site.root)
    with pytest.raises(ExportError, match="site folder"):
        export_site(fixture_site, fixture_site.root.parent)
    with pytest.raises(ExportError, match="posts/"):
        export_site(fixture_site, fixture_site.posts_dir / "out")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExportError, match="not a folder"):
        export_site(fixture_site, tmp_path / "file")


def test_user_files_in_an_export_folder_are_never_removed(
    fixture_site: Site, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    export_site(fixture_site, out)
    (out / "posts" / "second-post" / "notes.txt").write_text("mine")
    (out / "google1234.html").write_text("verification")
    PostStore(fixture_site).trash("second-post")
    export_site(fixture_site, out, full=True)
    assert (out / "posts/second-post/notes.txt").read_text() == "mine"
    assert (out / "google1234.html").read_text() == "verification"
    assert not (out / "posts/second-post/index.html").exists()


def test_base_url_option_and_bad_base_url(fixture_site: Site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    export_site(fixture_site, out, base_url="https://other.example/sub")
    page = (out / "posts/first-post/index.html").read_text()
    assert '<link rel="canonical" href="https://other.example/sub/posts/first-post/">' in page
    assert "Sitemap: https://other.example/sub/sitemap.xml" in (out / "robots.txt").read_text()
    assert 'href="/sub/assets/style.css"' in (out / "404.html").read_text()
    with pytest.raises(HkcmsError, match="http"):
        export_site(fixture_site, out, base_url="javascript:alert(1)")
    report = export_site(fixture_site, out, base_url="")
    assert any("no base_url" in w for w in report.warnings)
    assert "canonical" not in (out / "posts/first-post/index.html").read_text()


def test_media_links_outside_are_not_copied(fixture_site: Site, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("private key")
    os.symlink(secret, fixture_site.media_dir / "leak.txt")
    (fixture_site.media_dir / "sub").mkdir()
    (fixture_site.media_dir / "sub" / "doc.pdf").write_bytes(b"%PDF-1.4")
    out = tmp_path / "out"
    report = export_site(fixture_site, out)
    assert not (out / "media/leak.txt").exists()
    assert (out / "media/sub/doc.pdf").read_bytes() == b"%PDF-1.4"
    assert any("leak.txt" in w for w in report.warnings)


def test_unsafe_output_paths_are_refused(tmp_path: Path) -> None:
    from hkcms.export.paths import safe_join

    root = tmp_path / "out"
    root.mkdir()
    for bad in ("../x", "a/../../x", "/etc/passwd", "a//b", "a/./b", "a\\b", "nul\x00"):
        with pytest.raises(ExportError):
            safe_join(root, bad)
    os.symlink(tmp_path, root / "link")
    with pytest.raises(ExportError, match="outside"):
        safe_join(root, "link/escape.html")
    assert safe_join(root, "posts/粵語/index.html") == root / "posts" / "粵語" / "index.html"


def test_progress_reports_reach_the_total(fixture_site: Site, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    export_site(fixture_site, tmp_path / "out", progress=lambda d, t: calls.append((d, t)))
    assert calls and calls[-1][0] == calls[-1][1]
    assert all(0 <= d <= t for d, t in calls)


def test_worker_processes_give_the_same_bytes(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the pool threshold two worker processes render; the result must not differ."""
    store = PostStore(site)
    for i in range(build.POOL_THRESHOLD + 12):
        lang = "zh-Hant" if i % 5 == 0 else "en"
        store.create(f"Post {i}", tags=[f"t{i % 3}"], lang=lang, body=f"Body **{i}**.\n")
    pooled = export_site(site, tmp_path / "pooled")
    assert pooled.rendered == build.POOL_THRESHOLD + 12
    monkeypatch.setattr(build, "POOL_THRESHOLD", 10**6)
    export_site(site, tmp_path / "serial")
    assert tree(tmp_path / "pooled") == tree(tmp_path / "serial")
    monkeypatch.setattr(build, "POOL_THRESHOLD", 2)  # lists of posts rendered by workers too
    export_site(site, tmp_path / "all-pooled")
    assert tree(tmp_path / "all-pooled") == tree(tmp_path / "serial")


def worker_dies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "render_chunk", dying_worker.render_chunk_then_die)


def worker_hangs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "render_chunk", dying_worker.render_chunk_then_hang)


def pool_breaks_when_a_chunk_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    """The executor noticed a dead worker before the next chunk went out: `submit` raises."""
    real = ProcessPoolExecutor.submit
    sent = [0]

    def submit(self: ProcessPoolExecutor, *args: Any, **kwargs: Any) -> Any:
        sent[0] += 1
        if sent[0] == 4:
            raise BrokenProcessPool("A child process terminated abruptly")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(ProcessPoolExecutor, "submit", submit)


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (worker_dies, "worker process of the export stopped"),
        (worker_hangs, "gave no page for 3 s"),
        (pool_breaks_when_a_chunk_is_sent, "worker process of the export stopped"),
    ],
)
def test_a_worker_that_dies_or_hangs_stops_the_export_with_an_error_not_a_hang(
    site: Site,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    breakage: Callable[[pytest.MonkeyPatch], None],
    message: str,
) -> None:
    store = PostStore(site)
    for i in range(build.POOL_THRESHOLD * 4):
        store.create(f"Post {i}", body=f"Body {i}.\n")
    breakage(monkeypatch)
    monkeypatch.setattr(build, "STALL_S", 3.0)
    outcome: list[BaseException | None] = []

    def export() -> None:
        try:
            export_site(site, tmp_path / "out")
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
            outcome.append(exc)

    runner = threading.Thread(target=export, daemon=True)
    runner.start()
    runner.join(timeout=120)
    assert outcome, "the export hung after its worker died"
    assert isinstance(outcome[0], ExportError)
    assert message in str(outcome[0]) and "run the export again" in str(outcome[0])
    monkeypatch.undo()
    report = export_site(site, tmp_path / "out")  # the next run completes the site
    assert report.posts == build.POOL_THRESHOLD * 4
    assert (tmp_path / "out" / "posts" / "post-0" / "index.html").is_file()


def test_comment_moderation_and_views_reach_the_page(fixture_site: Site, tmp_path: Path) -> None:
    from hkcms.core.comments import CommentStore

    out = tmp_path / "out"
    export_site(fixture_site, out)
    store = PostStore(fixture_site)
    comments = CommentStore(store.meta)
    waiting = comments.list(post="first-post", status="pending")[0]
    comments.set_status([waiting.id], "approved")
    before = stamps(out)
    export_site(fixture_site, out)
    page = (out / "posts/first-post/index.html").read_text()
    assert "Not approved yet" in page and "12 views · 2 comments" in page
    assert rewritten(before, stamps(out)) == {"posts/first-post/index.html"}
    with store.meta.transaction() as txn:
        txn.update_summary("first-post", views=13)
    export_site(fixture_site, out)
    assert "13 views · 2 comments" in (out / "posts/first-post/index.html").read_text()
    assert tree(out) == fresh(fixture_site, tmp_path)


def test_interrupted_export_then_edit_reverted(
    fixture_site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page written by a killed run from a text that was then undone is not trusted."""
    out = tmp_path / "out"
    export_site(fixture_site, out)
    path = fixture_site.post_path("first-post")
    original = path.read_bytes()
    path.write_bytes(original.replace(b"Hello **world**", b"Hello **edited world**"))
    with monkeypatch.context() as patch:
        crash_after(patch, 1)
        with pytest.raises(Crash):
            export_site(fixture_site, out)
    assert b"edited world" in (out / "posts/first-post/index.html").read_bytes()
    path.write_bytes(original)
    export_site(fixture_site, out)
    assert tree(out) == fresh(fixture_site, tmp_path)
