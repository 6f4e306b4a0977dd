"""Hugo: YAML/TOML/JSON front matter, bundles, dates, pages, old URLs, shortcodes, hostile files."""

from __future__ import annotations

from pathlib import Path

import pytest

from hkcms.core.errors import HkcmsError
from hkcms.core.import_records import ImportedPost, ImportWarning
from hkcms.importers import hugo


def read_all(site: Path) -> tuple[dict[str, ImportedPost], list[ImportWarning]]:
    warnings: list[ImportWarning] = []
    posts = {p.slug: p for p in hugo.read(site, warnings)}
    return posts, warnings


def messages(warnings: list[ImportWarning]) -> str:
    return "\n".join(str(w) for w in warnings)


def test_toml_front_matter(hugo_site: Path) -> None:
    posts, _ = read_all(hugo_site)
    post = posts["toml-post"]
    assert post.title == "TOML post with shortcodes" and post.kind == "post"
    assert post.date == "2022-03-01T18:30:00+00:00"
    assert post.updated == "2022-03-05T08:00:00+00:00"  # lastmod
    assert post.tags == ["rally", "倫敦", "events"] and post.author == "Ada Wong"
    assert post.summary == "A post in TOML."


def test_json_front_matter(hugo_site: Path) -> None:
    posts, _ = read_all(hugo_site)
    post = posts["json-post"]
    assert post.title == "JSON front matter" and post.date == "2022-04-01"
    assert post.tags == ["json", "test"] and post.summary == "Written with JSON."
    assert post.body == "Body of the JSON post.\n"


def test_top_level_single_file_is_a_page(hugo_site: Path) -> None:
    posts, _ = read_all(hugo_site)
    about = posts["about"]
    assert about.kind == "page" and about.summary == "Who we are." and about.aliases == ["/about/"]
    assert "posts" not in posts  # the empty section list page brings nothing


def test_old_urls_from_permalinks_aliases_and_traversal_refused(hugo_site: Path) -> None:
    posts, warnings = read_all(hugo_site)
    assert posts["toml-post"].aliases == [
        "/2022/03/toml-post/",
        "/old/toml-post/",
        "/posts/relative-alias",
    ]
    assert posts["bundle"].aliases == ["/2022/05/a-page-bundle-頁面包/"]
    assert "'/../../../etc/passwd' is unsafe" in messages(warnings)


def test_draft_scheduled_and_expired(hugo_site: Path) -> None:
    posts, warnings = read_all(hugo_site)
    assert posts["zh-post"].status == "draft" and posts["zh-post"].aliases == []
    assert posts["future"].status == "scheduled"
    assert posts["future"].date == "2999-01-01T00:00:00+00:00" and posts["future"].aliases == []
    assert posts["expired"].status == "draft"
    assert "expired on 2020-02-01; imported as a draft" in messages(warnings)
    assert posts["bundle"].extra["expiry_date"] == "2999-01-01"


def test_language_from_the_file_name(hugo_site: Path) -> None:
    posts, _ = read_all(hugo_site)
    assert posts["zh-post"].lang == "zh-Hant"
    assert posts["zh-post"].extra["translation_key"] == "posts/zh-post"


def test_config_time_zone_applies_to_dates_without_one(hugo_site: Path) -> None:
    posts, _ = read_all(hugo_site)
    assert posts["bundle"].date == "2022-05-01T10:00:00+01:00"  # Europe/London in May


def test_bundle_resources_are_listed_for_copying(hugo_site: Path) -> None:
    posts, _ = read_all(hugo_site)
    bundle = hugo_site / "content/posts/bundle"
    files = posts["bundle"].media_files
    assert files == {
        "photo.png": str((bundle / "photo.png").resolve()),
        "images/diagram.png": str((bundle / "images/diagram.png").resolve()),
        "notes.txt": str((bundle / "notes.txt").resolve()),
    }
    assert posts["bundle"].media == ["photo.png", "images/diagram.png", "notes.txt"]
    assert posts["toml-post"].media_files == {
        "/img/banner.png": str((hugo_site / "static/img/banner.png").resolve())
    }


def test_bundle_resource_links_out_of_the_bundle_are_refused(
    hugo_site: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "id_rsa"
    secret.write_text("KEY")
    bundle = hugo_site / "content/posts/bundle"
    (bundle / "key.txt").symlink_to(secret)
    (bundle / "index.md").write_text("---\ntitle: B\n---\n![k](../../../../id_rsa) ![l](key.txt)\n")
    posts, warnings = read_all(hugo_site)
    assert all("id_rsa" not in v for v in posts["bundle"].media_files.values())
    assert "key.txt" not in posts["bundle"].media_files
    assert "outside the source folder" in messages(warnings)


def test_shortcodes(hugo_site: Path) -> None:
    posts, warnings = read_all(hugo_site)
    body = posts["toml-post"].body
    for expected in (
        "[YouTube video](https://www.youtube.com/watch?v=dQw4w9WgXcQ)",
        "[Vimeo video](https://vimeo.com/123456789)",
        "![Banner 橫額](/img/banner.png)\n\n*The banner we carried*",
        "[Gist ada/0123abcd](https://gist.github.com/ada/0123abcd)",
        "[Post by @hkfp](https://twitter.com/hkfp/status/1234567890123)",
        '```go\nfmt.Println("hi")\n```',
        "[the JSON post](/posts/json-post/)",
        "[about](/about/)",
        "Literal: {{< youtube abc >}}",
    ):
        assert expected in body, expected
    assert "{{< notice warning >}}\nUnknown shortcode content stays.\n{{< /notice >}}" in body
    assert "content/posts/toml-post.md:28: shortcode notice left as it was" in messages(warnings)


def test_broken_front_matter_and_links_are_skipped(hugo_site: Path) -> None:
    posts, warnings = read_all(hugo_site)
    assert "content/posts/broken.md:2: skipped: front matter is not valid TOML" in messages(
        warnings
    )
    assert "broken" not in posts and "link" not in posts  # a symbolic link is never followed
    assert len(posts) == 8


def test_invalid_utf8_names_file_and_line(hugo_site: Path) -> None:
    (hugo_site / "content/posts/bad.md").write_bytes(b"---\ntitle: Bad\n---\nok\n\xc3\x28\n")
    posts, warnings = read_all(hugo_site)
    assert "bad" not in posts
    assert "content/posts/bad.md:5: skipped: is not valid UTF-8" in messages(warnings)


def test_not_a_hugo_site(tmp_path: Path) -> None:
    with pytest.raises(HkcmsError, match="no content/"):
        list(hugo.read(tmp_path, []))


def test_a_page_without_a_date_takes_its_file_time_not_the_import_time(hugo_site: Path) -> None:
    import datetime as dt
    import os

    about = hugo_site / "content/about.md"
    os.utime(about, (1_600_000_000, 1_600_000_000))
    posts, _ = read_all(hugo_site)
    expected = dt.datetime.fromtimestamp(1_600_000_000, dt.UTC).astimezone(
        hugo.zone_of("Europe/London")
    )
    assert posts["about"].date == expected.isoformat()
    assert posts["deep-post"].aliases == []  # no written date: its dated old URL is unknown
