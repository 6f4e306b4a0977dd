"""Translations: creating a post's version in another language, and which are missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from hkcms.core.errors import PostError
from hkcms.core.posts import PostStore
from hkcms.core.site import Site
from hkcms.core.translations import create_translation, languages_of
from tests.core.test_cli import hkcms


@pytest.fixture
def store(tmp_path: Path) -> PostStore:
    return PostStore(Site.init(tmp_path / "blog", title="Blog"))


def test_translation_copies_fields_and_links_both(store: PostStore) -> None:
    source = store.create("Spring rally", tags=["events"], body="We marched.\n", author="Ada")
    source.front.update(
        {"summary": "A rally.", "cover": "media/x.png", "aliases": ["/old/"], "menu": 2}
    )
    store.save(source)
    made = create_translation(store, source.slug, "zh-hant")
    again = store.load(source.slug)
    assert again.translation_key == source.slug  # the source got a key (a new revision)
    assert made.lang == "zh-Hant" and made.translation_key == source.slug
    assert made.status == "draft" and made.body == "We marched.\n"
    assert made.front["summary"] == "A rally." and made.front["cover"] == "media/x.png"
    assert made.front["menu"] == 2 and made.tags == ["events"] and made.author == "Ada"
    assert "aliases" not in made.front  # old links belong to the source
    assert made.front["date"] == again.front["date"]
    # A second translation into the same language is refused; the same language too.
    with pytest.raises(PostError, match="already has a zh-Hant version"):
        create_translation(store, source.slug, "zh-Hant")
    with pytest.raises(PostError, match="already in en"):
        create_translation(store, source.slug, "en")
    with pytest.raises(PostError, match="not a language tag"):
        create_translation(store, source.slug, "../x")


def test_missing_translations(store: PostStore) -> None:
    one = store.create("One", body="1\n")
    store.create("Two", body="2\n", lang="zh-Hant")
    create_translation(store, one.slug, "zh-Hant")
    posts = store.list()
    langs = languages_of(posts, "en", ())
    assert langs.site == ("en", "zh-Hant")
    assert langs.missing("one") == () and langs.have["one"] == ("en", "zh-Hant")
    assert langs.missing("two") == ("en",)
    # Languages configured in hkcms.toml count even before any post uses them.
    assert languages_of(posts, "en", ("en", "zh-Hant", "fr")).missing("one") == ("fr",)


def test_cli_new_translation_of(tmp_path: Path) -> None:
    root = tmp_path / "blog"
    assert hkcms("init", str(root), "--description", "Our news").returncode == 0
    assert 'description = "Our news"' in (root / "hkcms.toml").read_text()
    assert hkcms("new", "Hello", site=root).returncode == 0
    made = hkcms("new", "--translation-of", "hello", "--lang", "zh-Hant", "你好", site=root)
    assert made.returncode == 0, made.stderr
    text = Path(made.stdout.strip()).read_text()
    assert "title: 你好" in text and "translation_key: hello" in text and "lang: zh-Hant" in text
    again = hkcms("new", "--translation-of", "hello", "--lang", "zh-Hant", site=root)
    assert again.returncode == 1 and "already has a zh-Hant version" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    assert hkcms("new", "--translation-of", "hello", site=root).returncode == 2
    assert hkcms("new", site=root).returncode == 2
