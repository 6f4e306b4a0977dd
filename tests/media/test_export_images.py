"""Export: published images carry no metadata, come in several widths as WebP and the original
format, are cached by content hash, and bad files are reported without stopping the export."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from PIL import Image

from hkcms.core.posts import PostStore
from hkcms.core.site import Site
from hkcms.export import images as export_images
from hkcms.export.build import export_site
from tests.export.conftest import tree
from tests.media import images

BODY = """Before the march.

![Umbrellas in Piccadilly](/media/big.jpg)

Some words between.

![A small badge](/media/small.png)

![Dropped in by hand](/media/hand.jpg)
"""


@pytest.fixture
def site(tmp_path: Path) -> Site:
    site = Site.init(tmp_path / "site", title="Blog")
    media = site.media_dir
    images.photo(media / "big.jpg", size=(3200, 2400))  # dropped in by hand, GPS and all
    images.png_with_text(media / "small.png")  # 300x200: never upscaled
    images.photo(media / "hand.jpg", size=(1000, 800), orientation=1)
    PostStore(site).create("Rally photos", body=BODY)
    return site


def published_images(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if p.suffix in (".jpg", ".png", ".webp")]


def test_every_published_image_is_clean_and_keeps_its_profile(site: Site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = export_site(site, out, base_url="https://example.org/")
    assert report.warnings == []
    files = published_images(out)
    assert len(files) > 10
    for path in files:
        meta = images.metadata_of(path)
        assert meta["exif"] == meta["gps"] == 0, path
        assert not meta["xmp"] and not meta["comment"] and meta["text"] == {}, path
        assert meta["icc"] == images.srgb(), path
        assert b"Apple" not in path.read_bytes() and b"GPS" not in path.read_bytes(), path


def test_widths_formats_and_picture_markup(site: Site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    export_site(site, out, base_url="https://example.org/")
    names = sorted(p.name for p in (out / "media" / "_img").iterdir())
    big = [n for n in names if n.startswith("big-")]
    assert [n.rsplit("-", 1)[1] for n in big] == [
        "1600.jpg", "1600.webp", "480.jpg", "480.webp", "960.jpg", "960.webp", "og.jpg"
    ]  # fmt: skip
    small = [n for n in names if n.startswith("small-") and not n.endswith("og.jpg")]
    assert sorted(n.rsplit("-", 1)[1] for n in small) == ["300.png", "300.webp"]
    with Image.open(out / "media" / "big.jpg") as fallback:
        assert fallback.size == (1600, 2133)  # portrait after orientation 6, 1600 wide
    with Image.open(next((out / "media" / "_img").glob("big-*-og.jpg"))) as card:
        assert card.size == (1200, 630)
    page = (out / "posts" / "rally-photos" / "index.html").read_text()
    pictures = re.findall(r"<picture>.*?</picture>", page)
    assert len(pictures) == 3
    first, second, _ = pictures
    assert 'type="image/webp"' in first and " 480w" in first and " 1600w" in first
    assert 'width="1600" height="2133"' in first and 'alt="Umbrellas in Piccadilly"' in first
    assert "loading=" not in first and 'fetchpriority="high"' in first  # seen at once
    assert 'loading="lazy" decoding="async"' in second and 'width="300" height="200"' in second
    assert re.search(r'og:image" content="https://example.org/media/_img/big-\w+-og.jpg"', page)


def test_incremental_export_does_no_image_work(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    first = export_site(site, out)
    assert first.images == 3
    calls: list[object] = []
    monkeypatch.setattr(export_images, "run_jobs", lambda jobs, *a: calls.extend(jobs) or [])
    path = site.post_path("rally-photos")
    path.write_text(path.read_text().replace("Some words", "Other words"))
    again = export_site(site, out)
    assert calls == [] and again.images == 0
    assert "Other words" in (out / "posts" / "rally-photos" / "index.html").read_text()
    # A second folder reuses the cache in .hkcms/: still no image work, the same bytes.
    export_site(site, tmp_path / "other")
    assert calls == []
    assert tree(out) == tree(tmp_path / "other")


def test_a_changed_image_is_made_again_and_its_page_follows(site: Site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    export_site(site, out)
    page = (out / "posts" / "rally-photos" / "index.html").read_text()
    Image.new("RGB", (700, 500), "navy").save(site.media_dir / "small.png")
    report = export_site(site, out)
    assert report.images == 1
    new_page = (out / "posts" / "rally-photos" / "index.html").read_text()
    assert new_page != page and 'width="700" height="500"' not in page
    assert 'width="700" height="500"' in new_page


def test_bad_images_and_active_files_are_reported_and_the_export_goes_on(
    site: Site, tmp_path: Path
) -> None:
    media = site.media_dir
    images.truncated_jpeg(media / "cut.jpg")
    images.bomb_png(media / "bomb.png")
    images.heic(media / "iphone.heic")
    (media / "fake.png").write_text("not a picture")
    (media / "page.html").write_text("<script>alert(1)</script>")
    (media / "x.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script>'
        '<image href="https://tracker.example/p.png"/><rect width="1" height="1"/></svg>'
    )
    (media / "bomb.svg").write_text(
        '<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/'
        '2000/svg">&a;</svg>'
    )
    (media / "leaflet.pdf").write_bytes(b"%PDF-1.4\n")
    out = tmp_path / "out"
    report = export_site(site, out)
    joined = "\n".join(report.warnings)
    for name, said in [("cut.jpg", "truncated"), ("bomb.png", "too large"),
                       ("iphone.heic", "HEIC"), ("fake.png", "not a JPEG"),
                       ("page.html", "not published"), ("bomb.svg", "DTD")]:  # fmt: skip
        line = next(w for w in report.warnings if name in w)
        assert said in line and "\n" not in line, joined
    assert len(report.warnings) == 6, joined
    published = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert "posts/rally-photos/index.html" in published and "media/big.jpg" in published
    assert "media/leaflet.pdf" in published and "media/x.svg" in published
    for name in ("cut.jpg", "bomb.png", "iphone.heic", "fake.png", "page.html", "bomb.svg"):
        assert f"media/{name}" not in published
    svg = (out / "media" / "x.svg").read_text()
    assert "script" not in svg and "onload" not in svg and "tracker" not in svg and "<rect" in svg
    assert not list(site.state_dir.glob("cache/images/*/.tmp-*"))  # nothing half-written


def test_cover_front_matter_picks_the_social_card(site: Site, tmp_path: Path) -> None:
    path = site.post_path("rally-photos")
    path.write_text(path.read_text().replace("title:", "cover: /media/hand.jpg\ntitle:", 1))
    out = tmp_path / "out"
    export_site(site, out, base_url="https://example.org/")
    page = (out / "posts" / "rally-photos" / "index.html").read_text()
    assert re.search(r'og:image" content="https://example.org/media/_img/hand-\w+-og.jpg"', page)


def test_cache_of_a_removed_image_is_pruned_and_its_files_leave_the_export(
    site: Site, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    export_site(site, out)
    cache = site.state_dir / "cache" / "images"
    before = {p.name for p in cache.glob("*/*")}
    assert len(before) == 3
    (site.media_dir / "hand.jpg").unlink()
    report = export_site(site, out)
    assert len({p.name for p in cache.glob("*/*")}) == 2
    assert not (out / "media" / "hand.jpg").exists()
    assert not list((out / "media" / "_img").glob("hand-*"))
    assert any("hand.jpg" in w and "not found" in w for w in report.warnings)


def test_cmyk_16bit_and_animated_files_dropped_by_hand_are_published_as_stills(
    site: Site, tmp_path: Path
) -> None:
    media = site.media_dir
    images.cmyk_jpeg(media / "print.jpg")
    images.png16(media / "scan.png")
    images.animated_gif(media / "wave.gif")
    images.animated_webp(media / "spin.webp")
    path = site.post_path("rally-photos")
    extra = "".join(f"\n![{n}](/media/{n})\n" for n in ("print.jpg", "scan.png", "wave.gif",
                                                       "spin.webp"))  # fmt: skip
    path.write_text(path.read_text() + extra)
    out = tmp_path / "out"
    report = export_site(site, out)
    assert report.warnings == []
    with Image.open(out / "media" / "print.jpg") as image:
        assert image.mode == "RGB"
    with Image.open(out / "media" / "scan.png") as image:
        assert image.mode == "L" and image.getextrema()[1] > 200
    gif = next((out / "media" / "_img").glob("wave-*-120.png"))
    spin = next((out / "media" / "_img").glob("spin-*-120.webp"))
    for still in (gif, spin):
        with Image.open(still) as image:
            assert not getattr(image, "is_animated", False)
    assert not (out / "media" / "wave.gif").exists()  # its still is a PNG, under its own name
    page = (out / "posts" / "rally-photos" / "index.html").read_text()
    assert f'src="../../media/_img/{gif.name}"' in page


def test_processing_is_deterministic_without_the_cache(site: Site, tmp_path: Path) -> None:
    export_site(site, tmp_path / "one")
    shutil.rmtree(site.state_dir / "cache" / "images")
    export_site(site, tmp_path / "two", full=True)
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
