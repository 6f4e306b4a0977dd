"""An imported blog exports to a valid, accessible site; `check` is clean; old dates are shown."""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

import pytest

from hkcms.core.check import check_site
from hkcms.core.posts import PostStore
from hkcms.core.site import Site
from hkcms.export.build import export_site
from hkcms.importers.run import run_import
from hkcms.importers.sources import SOURCES
from tests.export.test_validators import NEEDS_AXE, axe_report, nu_problems, serve
from tests.importers.test_media import PNG

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Site, Path]:
    """A fresh site with every WordPress and feed fixture imported, and its export."""
    root = tmp_path_factory.mktemp("imported")
    site = Site.init(root / "site", title="Imported")
    uploads = root / "uploads" / "2024" / "03"
    uploads.mkdir(parents=True)
    (uploads / "rally.jpg").write_bytes(PNG)
    for source, name, media in (
        ("wordpress", "wordpress.xml", root / "uploads"),
        ("wordpress", "wordpress-com.xml", None),
        ("feed", "feed-rss.xml", None),
        ("feed", "feed-atom.xml", None),
    ):
        args = argparse.Namespace(src=str(FIXTURES / name), dry_run=False, download=False,
                                  media=str(media) if media else None)  # fmt: skip
        run_import(site, SOURCES[source], args)
    out = root / "out"
    export_site(site, out)
    return site, out


def test_check_is_clean_after_an_import(imported: tuple[Site, Path]) -> None:
    problems, checked = check_site(imported[0])
    assert problems == [] and checked > 10


def test_post_pages_show_the_old_dates_views_and_comments(imported: tuple[Site, Path]) -> None:
    page = (imported[1] / "posts" / "spring-rally" / "index.html").read_text()
    assert re.search(r'Updated: <time datetime="2024-04-01T[^"]*">1 April 2024</time>', page)
    assert "0 views · 2 comments" in page
    assert "Great day!" in page and "Waiting for a moderator" not in page
    anchor = re.search(r'<li id="(comment-[0-9a-f]+)">\s*<div class="comment">\s*'
                       r'<p class="meta"><strong>Chris</strong>', page)  # fmt: skip
    assert anchor is not None
    assert f'<a href="#{anchor.group(1)}">in reply to Chris</a>' in page
    assert "alert" not in page and "chris@example.org" not in page
    store = PostStore(imported[0])
    post = store.load("spring-rally")
    post.body += "\nA local edit.\n"
    store.save(post)
    assert store.list()  # "Updated" now follows the local edit
    assert {p.slug: p.updated for p in store.list()}["spring-rally"][:4] != "2024"


@pytest.mark.skipif(shutil.which("java") is None, reason="the Nu HTML Checker needs java")
def test_nu_html_checker_finds_no_error_in_the_imported_site(imported: tuple[Site, Path]) -> None:
    files = sorted(str(p) for p in imported[1].rglob("*") if p.suffix in (".html", ".css"))
    assert len(files) > 10
    assert nu_problems(files) == ""


@NEEDS_AXE[0]
@NEEDS_AXE[1]
@NEEDS_AXE[2]
def test_axe_finds_no_violations_in_imported_posts(imported: tuple[Site, Path]) -> None:
    pages = [
        "",
        "posts/spring-rally/",  # caption, gallery, merged-cell table, comments
        "posts/%E5%91%A8%E5%B9%B4%E5%A4%A7%E6%9C%83/",  # Gutenberg, Chinese
        "posts/%E7%B2%B5%E8%AA%9E%E7%8F%AD%E9%96%8B%E8%AA%B2/",  # WordPress.com, code block
        "posts/bristol-vigil/",  # from a feed
    ]
    server = serve(imported[1])
    base = next(server)
    try:
        for page in axe_report(base, pages):
            where = f"{page['url']} ({page['scheme']})"
            assert page["violations"] == [], where
            assert page["scripts"] == 0, where
            assert page["status"] == 200, where
    finally:
        server.close()
