"""Slug rules: readable slugs from any title, and hostile slugs refused."""

import pytest

from hkcms.core.errors import SlugError
from hkcms.core.slugs import MAX_SLUG_LENGTH, slugify, unique_slug, validate_slug


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
