"""Slug rules: readable slugs from any title, and hostile slugs refused."""

from pathlib import Path

import pytest

from hkcms.core.atomic import write_atomic
from hkcms.core.errors import SlugError
from hkcms.core.posts import PostStore
from hkcms.core.site import Site
from hkcms.core.slugs import MAX_SLUG_BYTES, MAX_SLUG_LENGTH, slugify, unique_slug, validate_slug


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Spring Rally 2026", "spring-rally-2026"),
        ("香港人在英國：2026 年度報告", "香港人在英國-2026-年度報告"),
        ("Café — naïve résumé!", "cafe-naive-resume"),
        ("../../etc/passwd", "etc-passwd"),
        ("CON", "con-post"),
        ("???", "post"),
        ("Ｆｕｌｌ　ｗｉｄｔｈ", "full-width"),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug
    assert validate_slug(slugify(title)) == slug


def test_slugify_caps_length_at_a_word_boundary() -> None:
    slug = slugify("word " * 60)
    assert len(slug) <= MAX_SLUG_LENGTH and not slug.endswith("-")


@pytest.mark.parametrize(
    "bad",
    ["", "..", "../x", "a/b", "a\\b", "/etc/passwd", "a\x00b", ".hidden", "nul", "COM1", "aux",
     "Upper", "two--hyphens", "-lead", "trail-", "sp ace", "x" * 81, "a.md", "index"],
)  # fmt: skip
def test_validate_slug_refuses(bad: str) -> None:
    with pytest.raises(SlugError):
        validate_slug(bad)


def test_unique_slug() -> None:
    assert unique_slug("a", {"a", "a-2"}) == "a-3"
    assert unique_slug("b", {"a"}) == "b"


@pytest.mark.parametrize(
    "title", ["香港" * 45, "粵" * 76, "a-粵" * 40, "𠀋" * 90], ids=["hk", "yue", "mixed", "astral"]
)
def test_slugify_respects_the_byte_limit_of_file_names(title: str) -> None:
    slug = slugify(title)
    assert len(slug.encode()) <= MAX_SLUG_BYTES
    assert validate_slug(slug) == slug
    taken = {slug, *(f"{slug}-{n}" for n in range(2, 12))}
    again = unique_slug(slug, taken)
    assert again not in taken and len(again.encode()) <= MAX_SLUG_BYTES
    assert validate_slug(again) == again


def test_new_post_with_a_long_chinese_title(tmp_path: Path) -> None:
    site = Site.init(tmp_path / "blog")
    store = PostStore(site)
    title = "二〇二六年香港人在曼徹斯特社區大會的完整報告與記錄" * 4  # 100 characters
    first = store.create(title)
    second = store.create(title)  # a -2 suffix still fits
    assert first.slug != second.slug
    assert sorted(p.slug for p in store.scan().posts) == sorted([first.slug, second.slug])
    assert all(len(f.name.encode()) <= 255 for f in site.root.rglob("*"))


def test_temp_names_of_long_file_names_fit(tmp_path: Path) -> None:
    target = tmp_path / ("粵" * 84 + ".md")  # 254 bytes: a legal name
    write_atomic(target, b"text")
    assert target.read_bytes() == b"text"


def test_a_name_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(SlugError, match="UTF-8"):
        validate_slug("caf\udce9")
