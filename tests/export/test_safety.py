"""Hostile titles, tags, authors, bodies and comments end up inert in every exported file."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from hkcms.core.comments import CommentStore
from hkcms.core.posts import PostStore
from hkcms.core.site import Site
from hkcms.export.build import export_site
from hkcms.export.html import comment_html, sanitize

EVIL = "\"><script>alert(1)</script><img src=x onerror=alert(2)>'`{{7*7}}"
ACTIVE_TAGS = {"script", "iframe", "object", "embed", "style", "form", "svg", "math", "base"}


class Inspector(HTMLParser):
    """Collects what could run: active elements, event handlers, script URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ACTIVE_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}")
            if name in ("href", "src", "action", "formaction", "xlink:href") and value:
                scheme = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                if scheme.startswith(("javascript:", "data:", "vbscript:")):
                    self.problems.append(f"{tag} {name}={value}")
            if name == "style" and value and "text-align" not in value:
                self.problems.append(f"{tag} style={value}")


def inspect(markup: str) -> list[str]:
    parser = Inspector()
    parser.feed(markup)
    parser.close()
    return parser.problems


@pytest.fixture
def hostile_site(site: Site) -> Site:
    store = PostStore(site)
    post = store.create(EVIL, tags=[EVIL, "../../../etc/passwd", "<b>"], author=EVIL, lang=EVIL)
    post.front["summary"] = EVIL
    post.body = (
        "<script>alert(3)</script>\n\n"
        '<a href="jav&#x09;ascript:alert(4)">tab</a> <a href=" javascript:alert(5)">space</a>\n'
        '<img src="x" onerror="alert(6)"> <svg onload=alert(7)></svg>\n'
        '<a href="data:text/html;base64,PHNjcmlwdD4=">data</a> [md](javascript:alert(8))\n\n'
        '<form action="https://evil.example/"><input name=q></form>'
        '<iframe src="https://evil.example/"></iframe><object data="x"></object>\n\n'
        '<p style="position:fixed;top:0">overlay</p><base href="https://evil.example/">\n'
        '<math><mi xlink:href="javascript:alert(9)">x</mi></math>\n'
    )
    store.save(post)
    CommentStore(store.meta).add(
        post.slug, EVIL, EVIL + "\nhttps://ok.example/?q=<x>", status="approved"
    )
    return site


def test_hostile_input_is_inert_everywhere(hostile_site: Site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    export_site(hostile_site, out, base_url="https://example.org/")
    files = [p for p in out.rglob("*") if p.is_file()]
    pages = [p for p in files if p.suffix == ".html"]
    assert len(pages) >= 5
    for page in pages:
        text = page.read_text()
        assert inspect(text) == [], page
    # Every output stays inside the output folder, whatever the tags said.
    for path in files:
        assert path.resolve().is_relative_to(out.resolve())
    assert (out / "tags/etc-passwd/index.html").is_file()
    # The page language falls back to the site's when the post's is not a language tag.
    post_page = next(p for p in pages if p.parts[-3] == "posts")
    assert post_page.read_text().startswith('<!DOCTYPE html>\n<html lang="en">')
    # XML files parse, and their text holds the hostile strings as text, not markup.
    for name in ("feed.xml", "sitemap.xml"):
        ET.parse(out / name)
    feed = ET.parse(out / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert feed.find("a:entry/a:title", ns).text == EVIL  # type: ignore[union-attr]
    content = feed.find("a:entry/a:content", ns).text or ""  # type: ignore[union-attr]
    assert inspect(content) == []
    assert "overlay" in content and "tab" in content


def test_sanitize_keeps_ordinary_markup() -> None:
    html = sanitize(
        '<h2 id="a">T</h2><table><tr><td style="text-align:right">1</td></tr></table>'
        '<a href="https://x.example/">x</a> <a href="#fn1">1</a> <a href="mailto:a@b.c">m</a>'
        '<img src="/media/a.png" alt="A"><input type="checkbox" disabled checked>'
    )
    assert '<h2 id="a">T</h2>' in html
    assert 'style="text-align:right"' in html
    assert 'href="https://x.example/"' in html and 'href="#fn1"' in html
    assert 'href="mailto:a@b.c"' in html and 'src="/media/a.png"' in html
    assert 'type="checkbox"' in html


def test_comment_text_is_escaped_and_linked() -> None:
    html = comment_html('a <b>&amp;</b>\n\n\nhttps://x.example/p?a=1&b="2"). end\nline two')
    assert html == (
        "<p>a &lt;b&gt;&amp;amp;&lt;/b&gt;</p>\n"
        '<p><a href="https://x.example/p?a=1&amp;b=" rel="nofollow ugc noopener">'
        "https://x.example/p?a=1&amp;b=</a>&quot;2&quot;). end<br>\nline two</p>"
    )
    assert 'href="javascript' not in comment_html("javascript:alert(1) http://ok.example")
