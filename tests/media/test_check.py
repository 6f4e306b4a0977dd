"""`hkcms check` and `hkcms media list`: alt text, missing, unused and located images; SVG."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hkcms.core.check import check_site
from hkcms.core.media import MediaLibrary
from hkcms.core.media_refs import image_refs, media_name
from hkcms.core.posts import PostStore
from hkcms.core.site import Site
from hkcms.core.svg import SvgError, sanitize_svg
from tests.media import images
from tests.media.test_clean import hkcms


@pytest.fixture
def site(tmp_path: Path) -> Site:
    site = Site.init(tmp_path / "site", title="Blog")
    images.photo(site.media_dir / "gps.jpg", size=(300, 200))
    images.png_with_text(site.media_dir / "unused.png")
    (site.media_dir / "used.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>'
    )
    body = (
        "Intro.\n\n![](/media/used.svg)\n\n![A rally](/media/gps.jpg)\n\n"
        '<img src="/media/gone.png">\n\n![Logo](https://example.org/logo.png)\n'
    )
    PostStore(site).create("Photos", body=body)
    return site


def test_check_reports_alt_missing_unused_and_location(site: Site) -> None:
    problems, _ = check_site(site)
    text = sorted(str(p) for p in problems)
    post = site.post_path("photos")
    assert any(t.startswith(f"{post}:") and "'/media/used.svg' has no alt text" in t for t in text)
    assert any(f"{post}:" in t and "'/media/gone.png' has no alt attribute" in t for t in text)
    assert any(f"{post}:" in t and "'/media/gone.png' is not in media/" in t for t in text)
    assert any(t.startswith(str(site.media_dir / "unused.png")) and "not used" in t for t in text)
    assert any(t.startswith(str(site.media_dir / "gps.jpg")) and "location" in t for t in text)
    # unused.png holds a GPS position too (its EXIF came from a phone).
    assert len(problems) == 6, text
    result = hkcms(site, "check")
    assert result.returncode == 1 and "6 problem" in result.stderr


def test_check_gives_the_line_of_the_image(site: Site) -> None:
    problems, _ = check_site(site)
    alt = next(p for p in problems if "has no alt text" in str(p))
    text = site.post_path("photos").read_text().splitlines()
    assert alt.line is not None and "![](/media/used.svg)" in text[alt.line - 1]


def test_media_list_json_shows_users_dimensions_and_problems(site: Site) -> None:
    result = hkcms(site, "media", "list", "--json")
    assert result.returncode == 0, result.stderr
    by_name = {e["name"]: e for e in json.loads(result.stdout)}
    assert set(by_name) == {"gps.jpg", "unused.png", "used.svg"}
    gps = by_name["gps.jpg"]
    assert (gps["width"], gps["height"], gps["posts"], gps["location"]) == (200, 300, ["photos"],
                                                                             True)  # fmt: skip
    assert gps["bytes"] == (site.media_dir / "gps.jpg").stat().st_size and gps["url"]
    assert any("location" in p for p in gps["problems"])
    assert by_name["unused.png"]["problems"][0] == "not used by any post"
    table = hkcms(site, "media", "list")
    assert "gps.jpg" in table.stdout and "200x300" in table.stdout


def test_image_refs_find_markdown_and_html_images_but_not_code() -> None:
    body = (
        "![one](/media/a%20b.jpg)\n\n    ![in code](/media/no.jpg)\n\n"
        '<p><img alt="two" src="media/c.png"></p>\n\nText <img src=../../media/d.gif> here.\n'
    )
    refs = image_refs(body)
    assert [(r.media, r.alt) for r in refs] == [
        ("a b.jpg", "one"), ("c.png", "two"), ("d.gif", None)
    ]  # fmt: skip
    assert media_name("https://example.org/media/x.jpg") is None
    assert media_name("/media/") is None


def test_svg_sanitiser_removes_active_content_and_keeps_clean_files() -> None:
    clean = b'<svg xmlns="http://www.w3.org/2000/svg"><title>t</title></svg>'
    assert sanitize_svg(clean, Path("a.svg")) == (clean, [])
    hostile = (
        b'<?xml-stylesheet href="https://evil.example/x.css"?><svg xmlns="http://www.w3.org/2000'
        b'/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="x()"><script>x()</script>'
        b'<a xlink:href="javascript:x()"><rect onclick="x()" style="fill:url(https://e.x/a)"/>'
        b'</a><use href="#ok"/><foreignObject><p>hi</p></foreignObject>'
        b'<set attributeName="href" to="javascript:x()"/></svg>'
    )
    data, removed = sanitize_svg(hostile, Path("b.svg"))
    text = data.decode()
    for bad in ("script", "onload", "onclick", "javascript", "evil", "e.x", "foreignObject"):
        assert bad not in text, (bad, text)
    assert 'href="#ok"' in text and "<rect" in text and removed
    for bad_doc, said in [
        (b"<html><body/></html>", "not an SVG"),
        (b"<svg", "not a well-formed"),
        (b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
         "DTD"),
    ]:  # fmt: skip
        with pytest.raises(SvgError, match=said):
            sanitize_svg(bad_doc, Path("c.svg"))


def test_media_add_sanitises_svg(site: Site, tmp_path: Path) -> None:
    source = tmp_path / "Banner Art.svg"
    source.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>')
    added = MediaLibrary(site).add(source, "Banner")
    assert added.name == "banner-art.svg"
    assert "script" not in (site.media_dir / added.name).read_text()
