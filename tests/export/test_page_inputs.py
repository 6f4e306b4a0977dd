"""Every input a page source declares reaches its pages' keys: change one input, export again,
and the result must equal a fresh export (a forgotten input leaves a stale page behind)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

import hkcms.export.sources as sources_module
from hkcms.core.comments import CommentStore
from hkcms.core.posts import PostStore
from hkcms.core.site import Site
from hkcms.export.build import export_site
from hkcms.export.sources.tags import TagSource
from hkcms.export.theme import TEMPLATES_DIR
from tests.export.conftest import prepare_bilingual, prepare_fixture, tree


def edit_front(slug: str, key: str, value: object) -> Callable[[Site], Site]:
    def change(site: Site) -> Site:
        store = PostStore(site)
        post = store.load(slug)
        post.front[key] = value
        store.save(post)
        return site

    return change


def edit_body(site: Site) -> Site:
    store = PostStore(site)
    post = store.load("second-post")
    post.body += "\nA new closing line.\n"
    store.save(post)
    return site


def set_summary(slug: str, **fields: object) -> Callable[[Site], Site]:
    def change(site: Site) -> Site:
        with PostStore(site).meta.transaction() as txn:
            txn.update_summary(slug, **fields)
        return site

    return change


def approve_comment(site: Site) -> Site:
    comments = CommentStore(PostStore(site).meta)
    waiting = comments.list(post="first-post", status="pending")[0]
    comments.set_status([waiting.id], "approved")
    return site


def setting(line: str, new: str) -> Callable[[Site], Site]:
    def change(site: Site) -> Site:
        path = site.root / "hkcms.toml"
        text = path.read_text()
        text = text.replace(line, new) if line else text.replace("[publish]", new + "\n[publish]")
        assert text != path.read_text()
        path.write_text(text)
        return Site.open(site.root)

    return change


def strings_file(site: Site) -> Site:
    folder = site.root / "strings"
    folder.mkdir()
    (folder / "zh-Hant.toml").write_text('subscribe = "訂閱我們"\n', encoding="utf-8")
    return site


def template(site: Site) -> Site:
    folder = site.root / "templates"
    folder.mkdir()
    text = (TEMPLATES_DIR / "_entry.html").read_text().replace('class="meta"', 'class="meta x"')
    (folder / "_entry.html").write_text(text)
    return site


MUTATIONS: dict[str, Callable[[Site], Site]] = {
    "post body": edit_body,
    "post title": edit_front("first-post", "title", "First post, renamed"),
    "post author": edit_front("中文文章", "author", "陳大文"),
    "post date": edit_front("second-post", "date", "2023-12-31"),
    "post summary": edit_front("first-post", "summary", "A new summary."),
    "post tags": edit_front("first-post", "tags", ["events", "New tag"]),
    "post lang": edit_front("first-post", "lang", "zh-Hant"),
    "post status": edit_front("second-post", "status", "draft"),
    "views": set_summary("中文文章", views=3457),
    "last update": set_summary("second-post", updated="2024-02-22T09:00:00+00:00"),
    "approved comment": approve_comment,
    "site title": setting('title = "Fixture <Blog> & Friends"', 'title = "Another title"'),
    "timezone": setting('timezone = "Europe/London"', 'timezone = "Pacific/Kiritimati"'),
    "posts per page": setting("posts_per_page = 2", "posts_per_page = 3"),
    "feed entries": setting("", "feed_entries = 1"),
    "base url": setting("https://example.org/blog/", "https://example.net/"),
    "language": setting('language = "en"', 'language = "zh-Hant"'),
    "template": template,
}
# Inputs of translations, pages and old links, changed on the bilingual fixture site.
BILINGUAL: dict[str, Callable[[Site], Site]] = {
    "translation key": edit_front("只有中文", "translation_key", "agm-2026"),
    "translation removed": edit_front("周年大會", "translation_key", "other"),
    "page menu": edit_front("donate", "menu", 0),
    "page out of the menu": edit_front("關於我們", "menu", None),
    "kind": edit_front("english-only", "kind", "page"),
    "show counts": edit_front("about", "show_counts", True),
    "aliases": edit_front("agm-2026", "aliases", ["/2024/04/agm.html", "/newer/"]),
    "page title in the menu": edit_front("about", "title", "About the group"),
    "description": setting("News and events", "Stories"),
    "strings file": strings_file,
}


def fresh(site: Site, tmp_path: Path) -> dict[str, bytes]:
    export_site(site, tmp_path / "fresh")
    return tree(tmp_path / "fresh")


@pytest.mark.parametrize(
    "name", [f"fixture: {n}" for n in MUTATIONS] + [f"bilingual: {n}" for n in BILINGUAL]
)
def test_changing_an_input_rewrites_the_pages_that_show_it(name: str, tmp_path: Path) -> None:
    kind, mutation = name.split(": ", 1)
    if kind == "fixture":
        site, change = prepare_fixture(tmp_path / "site"), MUTATIONS[mutation]
    else:
        site, change = prepare_bilingual(tmp_path / "site"), BILINGUAL[mutation]
    out = tmp_path / "out"
    export_site(site, out)
    site = change(site)
    report = export_site(site, out)
    assert report.written > 0
    assert tree(out) == fresh(site, tmp_path)


def test_a_source_that_forgets_an_input_is_caught(
    fixture_site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check above can fail: tag pages that declare no inputs go stale after a rename."""

    class Forgetful(TagSource):
        def generate_output(self, ctx):  # type: ignore[no-untyped-def]
            for page in super().generate_output(ctx):
                yield dataclasses.replace(page, inputs=())

    real = sources_module.default_sources

    def with_forgetful() -> list:  # type: ignore[type-arg]
        return [Forgetful() if isinstance(s, TagSource) else s for s in real()]

    monkeypatch.setattr("hkcms.export.build.default_sources", with_forgetful)
    out = tmp_path / "out"
    export_site(fixture_site, out)
    site = MUTATIONS["post title"](fixture_site)
    export_site(site, out)
    assert tree(out) != fresh(site, tmp_path)
