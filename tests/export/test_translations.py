"""A bilingual site: alternates both ways, language switches, per-language indexes and feeds,
Chinese chrome, pages, redirects and strings files."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import feedparser
import pytest

from hkcms.core.errors import HkcmsError
from hkcms.core.posts import PostStore
from hkcms.core.site import Site
from hkcms.export.build import export_site
from tests.export.conftest import copy_demo, prepare_bilingual


class Links(HTMLParser):
    """The alternates, the language switch and the canonical link of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.alternates: dict[str, str] = {}
        self.switch: list[dict[str, str]] = []
        self.canonical = ""
        self.html_lang = ""
        self.in_langs = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.html_lang = a.get("lang", "")
        elif tag == "link" and a.get("rel") == "alternate" and "hreflang" in a:
            self.alternates[a["hreflang"]] = a["href"]
        elif tag == "link" and a.get("rel") == "canonical":
            self.canonical = a["href"]
        elif tag == "nav" and a.get("class") == "langs":
            self.in_langs = True
        elif tag == "a" and self.in_langs:
            self.switch.append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self.in_langs = False


def links(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def page_file(out: Path, base_url: str, page: Path, href: str) -> Path:
    """The exported file an (absolute or relative) link leads to."""
    here = base_url + page.relative_to(out).as_posix()
    url = urlparse(urljoin(here, href))
    assert url.geturl().startswith(base_url), href
    rel = unquote(url.path[len(urlparse(base_url).path) :])
    target = out / rel
    return target / "index.html" if rel.endswith("/") or rel == "" else target


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory: pytest.TempPathFactory) -> tuple[Site, Path]:
    root = tmp_path_factory.mktemp("bilingual")
    site = prepare_bilingual(root / "site")
    out = root / "out"
    export_site(site, out)
    return site, out


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Site, Path]:
    root = tmp_path_factory.mktemp("demo-translations")
    site = copy_demo(root / "site")
    out = root / "out"
    assert export_site(site, out).warnings == []
    return site, out


@pytest.mark.parametrize("which", ["bilingual", "demo"])
def test_every_alternate_resolves_to_a_page_whose_alternates_point_back(
    which: str, request: pytest.FixtureRequest
) -> None:
    site, out = request.getfixturevalue(which)
    base = site.settings.base_url
    checked = 0
    for page in sorted(out.rglob("*.html")):
        own = links(page)
        if not own.alternates:
            continue
        checked += 1
        # Itself included, under its own language, plus x-default (the default language).
        assert own.alternates.get(own.html_lang) == own.canonical, page
        assert "x-default" in own.alternates, page
        for lang, href in own.alternates.items():
            target = page_file(out, base, page, href)
            assert target.is_file(), f"{page}: {lang} → {href}"
            back = links(target)
            assert own.canonical in back.alternates.values(), f"{target} does not link {page}"
            if lang != "x-default":
                assert back.html_lang == lang, target
        # The visible switch: one link per other version, with hreflang and lang.
        others = {lang for lang in own.alternates if lang not in ("x-default", own.html_lang)}
        assert {a["hreflang"] for a in own.switch} == others, page
        for a in own.switch:
            assert a["lang"] == a["hreflang"]
            assert page_file(out, base, page, a["href"]).is_file()
    assert checked >= (8 if which == "bilingual" else 9)


def test_translations_are_linked_by_key_never_by_slug(tmp_path: Path) -> None:
    site = prepare_bilingual(tmp_path / "site")
    store = PostStore(site)
    post = store.load("周年大會")
    del post.front["translation_key"]
    store.save(post)
    # A post whose slug matches another's is still a stranger without a shared key.
    store.create("二〇二六年周年大會", slug="agm-2026-zh", lang="zh-Hant", body="另一篇。\n")
    export_site(site, tmp_path / "out")
    assert links(tmp_path / "out/posts/agm-2026/index.html").alternates == {}
    assert links(tmp_path / "out/posts/周年大會/index.html").alternates == {}


def test_each_language_has_its_front_page_feed_and_archive(
    bilingual: tuple[Site, Path],
) -> None:
    site, out = bilingual
    home = (out / "index.html").read_text()
    chinese = (out / "zh-hant/index.html").read_text()
    # The default language's front page shows each story once: the English version, and the
    # Chinese-only post; the Chinese front page shows the Chinese posts.
    assert "Annual general meeting 2026" in home and "二〇二六年周年大會" not in home
    assert "粵語班開課" in (out / "page/2/index.html").read_text()
    assert "二〇二六年周年大會" in chinese and "Football" not in chinese
    assert '<html lang="zh-Hant">' in chinese and "首頁" in chinese and "文章存檔" in chinese
    assert '<meta name="description" content="News and events' in home
    for rel, lang, titles in (
        ("feed.xml", "en", {"Annual general meeting 2026", "Football on Sunday", "粵語班開課"}),
        ("zh-hant/feed.xml", "zh-Hant", {"二〇二六年周年大會", "粵語班開課"}),
    ):
        feed = feedparser.parse((out / rel).read_bytes())
        assert not feed.bozo, feed.get("bozo_exception")
        assert feed.feed.language == lang
        assert feed.feed.subtitle == site.settings.description
        assert {e.title for e in feed.entries} == titles
        assert "About us" not in {e.title for e in feed.entries}  # pages are never in feeds
    archive = (out / "zh-hant/archive/index.html").read_text()
    assert "2024年4月" in archive and "2024年2月" in archive
    assert "April 2024" in (out / "archive/index.html").read_text()


def test_chinese_chrome_and_dates(bilingual: tuple[Site, Path]) -> None:
    _, out = bilingual
    page = (out / "posts/周年大會/index.html").read_text()
    for words in ("更新於：", "2024年4月1日", "1 次瀏覽 · 1 則留言", "上一篇", "留言", "標籤"):
        assert words in page, words
    english = (out / "posts/agm-2026/index.html").read_text()
    assert "41 views · 0 comments" in english and "Updated:" in english
    assert "1 view · 0 comments" in (out / "donate/index.html").read_text()
    not_found = (out / "404.html").read_text()
    assert (
        "Page not found" in not_found and '<section class="not-found" lang="zh-Hant">' in not_found
    )


def test_pages_are_in_the_navigation_not_in_lists(bilingual: tuple[Site, Path]) -> None:
    _, out = bilingual
    about = (out / "about/index.html").read_text()
    assert "<h1>About us</h1>" in about
    assert "views" not in about and 'class="comments"' not in about  # not asked for
    nav = re.search(r'<nav aria-label="Site">(.*?)</nav>', about, re.S)
    assert nav is not None
    assert nav.group(1).index("About us") < nav.group(1).index("Donate")  # by menu
    chinese_nav = (out / "zh-hant/index.html").read_text()
    assert 'href="../%E9%97%9C%E6%96%BC%E6%88%91%E5%80%91/">關於我們</a>' in chinese_nav
    for rel in ("index.html", "page/2/index.html", "tags/index.html", "archive/index.html"):
        assert "about/" not in (out / rel).read_text().split("</nav>", 1)[1], rel
    assert "https://example.org/about/" in (out / "sitemap.xml").read_text()


def test_redirect_pages_and_the_nginx_map(bilingual: tuple[Site, Path]) -> None:
    _, out = bilingual
    page = (out / "old/agm/index.html").read_text()
    assert '<meta http-equiv="refresh" content="0; url=../../posts/agm-2026/">' in page
    assert '<link rel="canonical" href="https://example.org/posts/agm-2026/">' in page
    assert '<a href="../../posts/agm-2026/">Annual general meeting 2026</a>' in page
    assert (out / "2024/04/agm.html").is_file() and (out / "support/index.html").is_file()
    sitemap = (out / "sitemap.xml").read_text()
    assert "old/agm" not in sitemap and "support" not in sitemap
    conf = (out / "redirects.nginx.conf").read_text()
    assert 'location = "/old/agm/" { return 301 "https://example.org/posts/agm-2026/"; }' in conf
    assert "passwd" not in conf and "evil" not in conf
    assert not (out.parent / "etc").exists()


def test_an_alias_never_replaces_a_file_hkcms_did_not_write(tmp_path: Path) -> None:
    site = prepare_bilingual(tmp_path / "site")
    out = tmp_path / "out"
    export_site(site, out)
    mine = out / "mine/index.html"
    mine.parent.mkdir()
    mine.write_text("my own page")
    store = PostStore(site)
    post = store.load("english-only")
    post.front["aliases"] = ["/mine/", "/old/football"]
    store.save(post)
    report = export_site(site, out)
    assert mine.read_text() == "my own page"
    assert any("would replace a file hkcms did not write" in w for w in report.warnings)
    # Removing the alias later removes only the redirect page hkcms wrote.
    post = store.load("english-only")
    post.front["aliases"] = []
    store.save(post)
    export_site(site, out)
    assert not (out / "old/football").exists() and mine.is_file()


def test_a_site_overrides_strings_and_adds_a_language(tmp_path: Path) -> None:
    site = prepare_bilingual(tmp_path / "site")
    strings = site.root / "strings"
    strings.mkdir()
    (strings / "zh-Hant.toml").write_text('subscribe = "訂閱我們"\n', encoding="utf-8")
    (strings / "fr.toml").write_text(
        'language_name = "Français"\nhome = "Accueil"\nupdated = "Mis à jour :"\n'
        'date_format = "{day} {month_name} {year}"\n'
        'month_names = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", '
        '"août", "septembre", "octobre", "novembre", "décembre"]\n'
        '[plural.views]\none = "{n} vue"\nother = "{n} vues"\n',
        encoding="utf-8",
    )
    store = PostStore(site)
    store.create(
        "Assemblée générale",
        slug="ag-2026",
        lang="fr",
        body="Bienvenue.\n",
        extra={"translation_key": "agm-2026", "date": "2024-04-01"},
    )
    export_site(site, tmp_path / "out")
    out = tmp_path / "out"
    assert "訂閱我們" in (out / "zh-hant/index.html").read_text()
    french = (out / "posts/ag-2026/index.html").read_text()
    assert "Accueil" in french and "1 avril 2024" in french and "0 vues" in french
    assert "Skip to content" in french  # keys it leaves out come from English
    assert (out / "fr/index.html").is_file() and (out / "fr/feed.xml").is_file()
    assert 'hreflang="fr"' in (out / "posts/agm-2026/index.html").read_text()


def test_a_broken_strings_file_is_named(tmp_path: Path) -> None:
    site = prepare_bilingual(tmp_path / "site")
    (site.root / "strings").mkdir()
    bad = site.root / "strings" / "zh-Hant.toml"
    bad.write_text('subscribe = "unclosed\n', encoding="utf-8")
    with pytest.raises(HkcmsError) as caught:
        export_site(site, tmp_path / "out")
    assert str(bad) in str(caught.value)
    bad.write_text('date_format = "{year}年{weekday}"\n', encoding="utf-8")
    with pytest.raises(HkcmsError, match="placeholder") as caught:
        export_site(site, tmp_path / "out")
    assert str(bad) in str(caught.value)


def test_two_versions_in_one_language_are_reported_not_guessed(tmp_path: Path) -> None:
    site = prepare_bilingual(tmp_path / "site")
    store = PostStore(site)
    store.create(
        "AGM again", slug="agm-copy", lang="en", body="Copy.\n",
        extra={"translation_key": "agm-2026"},
    )  # fmt: skip
    report = export_site(site, tmp_path / "out")
    assert any(
        "'agm-2026' is already the en version of translation_key 'agm-2026'" in w
        for w in report.warnings
    )
    assert links(tmp_path / "out/posts/agm-copy/index.html").alternates == {}
    alternates = links(tmp_path / "out/posts/周年大會/index.html").alternates
    assert alternates["en"] == "https://example.org/posts/agm-2026/"


def test_a_query_string_alias_is_an_nginx_redirect_without_a_warning(tmp_path: Path) -> None:
    # WordPress imports keep '/?p=12' so old logs count; a static page cannot answer it.
    site = prepare_bilingual(tmp_path / "site")
    store = PostStore(site)
    post = store.load("english-only")
    post.front["aliases"] = ["/?p=12", "/blog/?page_id=7&x=1"]
    store.save(post)
    out = tmp_path / "out"
    report = export_site(site, out)
    assert not [w for w in report.warnings if "english-only" in w]
    conf = (out / "redirects.nginx.conf").read_text()
    assert 'if ($request_uri = "/?p=12") { return 301 ' in conf
    assert 'if ($request_uri = "/blog/?page_id=7&x=1") { return 301 ' in conf
    assert not (out / "index.html?p=12").exists()


def test_an_alias_that_is_the_post_s_own_address_is_quietly_ignored(tmp_path: Path) -> None:
    # A WordPress page /about/ imported as the page 'about' keeps /about/ as an old address.
    site = prepare_bilingual(tmp_path / "site")
    store = PostStore(site)
    post = store.load("english-only")
    post.front["aliases"] = ["/posts/english-only/", "/posts/english-only"]
    store.save(post)
    out = tmp_path / "out"
    report = export_site(site, out)
    assert not [w for w in report.warnings if "english-only" in w]
    assert "<article" in (out / "posts/english-only/index.html").read_text()
