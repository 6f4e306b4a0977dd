"""Jekyll: dates with zones, categories and tags, old URLs, Liquid, drafts, hostile files."""

from __future__ import annotations

from pathlib import Path

import pytest

from hkcms.core.errors import HkcmsError
from hkcms.core.import_records import ImportedPost, ImportWarning
from hkcms.importers import jekyll


def read_all(site: Path) -> tuple[dict[str, ImportedPost], list[ImportWarning]]:
    warnings: list[ImportWarning] = []
    posts = {p.slug: p for p in jekyll.read(site, warnings)}
    return posts, warnings


def messages(warnings: list[ImportWarning]) -> str:
    return "\n".join(str(w) for w in warnings)


def test_post_fields(jekyll_site: Path) -> None:
    posts, _ = read_all(jekyll_site)
    vigil = posts["candle-vigil"]
    assert vigil.title == "六四燭光晚會 Candlelight vigil"
    assert vigil.date == "2021-06-04T20:00:00+01:00"  # front matter (with its zone) wins
    assert vigil.author == "陳寶" and vigil.status == "published"
    assert vigil.tags == ["events", "中文", "vigil", "香港"]  # space-separated categories + tags
    assert vigil.summary == "我們在曼徹斯特聚集。"
    assert vigil.source == "jekyll" and vigil.source_id == "_posts/2021-06-04-candle-vigil.md"


def test_default_permalink_with_baseurl_is_an_alias(jekyll_site: Path) -> None:
    posts, _ = read_all(jekyll_site)
    assert posts["candle-vigil"].aliases == ["/blog/events/中文/2021/06/04/candle-vigil.html"]
    assert posts["html-post"].aliases == ["/blog/2021/08/01/html-post.html"]


def test_permalink_and_redirect_from_are_aliases_and_traversal_is_refused(
    jekyll_site: Path,
) -> None:
    posts, warnings = read_all(jekyll_site)
    assert posts["liquid-post"].aliases == ["/blog/guides/2021/liquid-post/", "/blog/old-liquid/"]
    assert "'../../../etc/passwd' is unsafe" in messages(warnings)
    hostile = posts["hostile"]
    assert hostile.slug == "hostile" and hostile.aliases == []
    assert "its slug is unsafe" in messages(warnings)


def test_config_timezone_applies_to_dates_without_one(jekyll_site: Path) -> None:
    posts, _ = read_all(jekyll_site)
    assert posts["liquid-post"].updated == "2021-07-02T10:00:00+08:00"
    assert posts["draft-idea"].date == "2021-10-01T09:00:00+08:00"


def test_file_name_date_when_front_matter_has_none(jekyll_site: Path) -> None:
    posts, _ = read_all(jekyll_site)
    assert posts["liquid-post"].date == "2021-07-01"


def test_drafts_and_unpublished_posts_are_drafts_without_old_urls(jekyll_site: Path) -> None:
    posts, _ = read_all(jekyll_site)
    assert posts["draft-idea"].status == "draft" and posts["draft-idea"].aliases == []
    assert posts["unpublished"].status == "draft" and posts["unpublished"].aliases == []


def test_category_folder_and_percent_encoded_slug(jekyll_site: Path) -> None:
    posts, _ = read_all(jekyll_site)
    news = posts["新聞"]
    assert news.tags == ["news"] and news.aliases == ["/blog/news/2021/09/01/新聞.html"]


def test_liquid_is_converted_or_left_visible_with_file_and_line(jekyll_site: Path) -> None:
    posts, warnings = read_all(jekyll_site)
    body = posts["liquid-post"].body
    assert '```python\ndef hello():\n    return "{{ not liquid }}"\n```' in body
    assert "A link to /posts/candle-vigil/ and one to {% post_url 2019-01-01-missing %}." in body
    assert "{% include signup.html %}" in body
    assert "{{ kept literally }}" in body and "{% raw %}" not in body
    assert "<!-- private editorial note -->" in body
    assert "Title: Liquid post." in body and "![Logo](/assets/img/logo.png)" in body
    text = messages(warnings)
    assert "_posts/2021-07-01-liquid-post.md:17: post_url names no imported post" in text
    assert "_posts/2021-07-01-liquid-post.md:19: Liquid tag left as it was: {% include" in text
    assert "Read [the follow-up](/posts/liquid-post/)." in posts["candle-vigil"].body


def test_local_images_are_listed_for_copying(jekyll_site: Path) -> None:
    posts, _ = read_all(jekyll_site)
    vigil = posts["candle-vigil"]
    image = str((jekyll_site / "assets/img/vigil.png").resolve())
    assert vigil.media_files == {"/assets/img/vigil.png": image}
    assert vigil.media == ["/assets/img/vigil.png"]


def test_an_image_outside_the_site_is_not_copied(jekyll_site: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"x")
    (jekyll_site / "assets/img/leak.png").symlink_to(secret)
    post = jekyll_site / "_posts/2021-02-01-leak.md"
    post.write_text("---\ntitle: Leak\n---\n![a](../../../secret.png) ![b](/assets/img/leak.png)\n")
    posts, warnings = read_all(jekyll_site)
    assert posts["leak"].media_files == {} and posts["leak"].media == []
    assert messages(warnings).count("outside the source folder") == 2


def test_broken_files_are_skipped_with_file_and_line(jekyll_site: Path) -> None:
    posts, warnings = read_all(jekyll_site)
    text = messages(warnings)
    assert "_posts/2021-01-01-broken-yaml.md:4: skipped: front matter is not valid YAML" in text
    assert "_posts/2021-01-02-bad-utf8.md:5: skipped: is not valid UTF-8" in text
    assert "_posts/notes.md: not named YYYY-MM-DD-title" in text
    assert "broken-yaml" not in posts and len(posts) == 7


def test_yaml_bombs_and_oversized_files_are_refused(jekyll_site: Path) -> None:
    bomb = "---\ntitle: x\na: &a [1,1,1]\nb: [*a,*a,*a]\n---\nbody\n"
    (jekyll_site / "_posts/2021-03-01-bomb.md").write_text(bomb)
    (jekyll_site / "_posts/2021-03-02-huge.md").write_bytes(
        b"---\ntitle: x\n---\n" + b"a" * 9_000_000
    )
    posts, warnings = read_all(jekyll_site)
    assert "bomb" not in posts and "huge" not in posts
    assert "anchors or aliases" in messages(warnings) and "too large" in messages(warnings)


def test_not_a_jekyll_site(tmp_path: Path) -> None:
    with pytest.raises(HkcmsError, match="no _posts"):
        list(jekyll.read(tmp_path, []))


def test_html_posts_become_markdown(jekyll_site: Path) -> None:
    posts, warnings = read_all(jekyll_site)
    assert posts["html-post"].body == "Paragraph one with **bold**.\n\n第二段。\n"
    assert "kept as HTML" not in messages(warnings)
