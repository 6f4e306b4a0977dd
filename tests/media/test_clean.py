"""Clean copies: every metadata block goes, orientation is applied, the colour profile stays;
bad input gets one clear line and leaves nothing behind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from hkcms.core.errors import HkcmsError
from hkcms.core.images import inspect_image
from hkcms.core.media import MediaLibrary, clean_name
from hkcms.core.site import Site
from hkcms.core.slugs import validate_slug
from tests.media import images


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site.init(tmp_path / "site", title="Blog")


def hkcms(site: Site, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hkcms", "--site", str(site.root), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_phone_photo_loses_gps_camera_xmp_and_comment_but_keeps_its_profile(
    site: Site, tmp_path: Path
) -> None:
    source = images.photo(tmp_path / "IMG_0001.JPG")
    before = inspect_image(source)
    assert before.location and {"EXIF", "GPS", "XMP", "comment", "maker notes"} <= set(
        before.metadata
    )
    added = MediaLibrary(site).add(source, "Yellow umbrellas")
    assert added.name == "img-0001.jpg"
    assert added.markdown == "![Yellow umbrellas](/media/img-0001.jpg)"
    meta = images.metadata_of(site.media_dir / added.name)
    assert meta["exif"] == meta["gps"] == 0
    assert not meta["xmp"] and not meta["comment"]
    assert meta["icc"] == images.srgb()
    assert "APP1" not in meta["applist"]  # no EXIF or XMP segment at all
    assert meta["size"] == (1800, 2400)  # orientation 6 applied: portrait
    assert source.read_bytes()[:2] == b"\xff\xd8"  # the original is untouched


def test_png_text_chunks_and_exif_are_dropped(site: Site, tmp_path: Path) -> None:
    added = MediaLibrary(site).add(images.png_with_text(tmp_path / "logo.png"))
    meta = images.metadata_of(site.media_dir / added.name)
    assert meta["text"] == {} and meta["exif"] == 0
    assert meta["icc"] == images.srgb()


def test_chinese_names_become_readable_unique_slugs(site: Site, tmp_path: Path) -> None:
    source = images.photo(tmp_path / "集會 相片 (1).JPEG", size=(200, 100))
    library = MediaLibrary(site)
    assert library.add(source).name == "集會-相片-1.jpg"
    assert library.add(source).name == "集會-相片-1-2.jpg"
    assert library.add(images.photo(tmp_path / "！！！.jpg", size=(50, 50))).name == "image.jpg"


@given(st.text(min_size=1, max_size=60))
@settings(max_examples=200, deadline=None)
def test_clean_names_are_always_safe_and_new(name: str) -> None:
    taken = {"photo.jpg", "image.jpg"}
    clean = clean_name(name, ".jpg", taken)
    assert clean not in taken and clean.endswith(".jpg")
    validate_slug(clean.removesuffix(".jpg"))


def test_cmyk_16bit_and_animated_images_are_converted(site: Site, tmp_path: Path) -> None:
    library = MediaLibrary(site)
    cmyk = library.add(images.cmyk_jpeg(tmp_path / "print.jpg"))
    with Image.open(site.media_dir / cmyk.name) as image:
        assert image.mode == "RGB"
    deep = library.add(images.png16(tmp_path / "scan.png"))
    with Image.open(site.media_dir / deep.name) as image:
        assert image.mode == "L"
        assert image.getextrema()[1] > 200  # scaled from 16 bits, not clipped to white
    gif = library.add(images.animated_gif(tmp_path / "wave.gif"))
    assert gif.name == "wave.png"  # the first frame, as a still
    with Image.open(site.media_dir / gif.name) as image:
        assert not getattr(image, "is_animated", False)
    webp = library.add(images.animated_webp(tmp_path / "spin.webp"))
    with Image.open(site.media_dir / webp.name) as image:
        assert not getattr(image, "is_animated", False)


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda p: p.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg" * 10), "not a JPEG"),
        (lambda p: p.write_text("just some words"), "not a JPEG"),
        (images.truncated_jpeg, "truncated"),
        (images.bomb_png, "too large"),
        (images.heic, "HEIC"),
    ],
    ids=["corrupt", "text", "truncated", "bomb", "heic"],
)
def test_bad_input_is_one_clear_line_and_nothing_is_written(
    site: Site, tmp_path: Path, make: object, said: str
) -> None:
    suffix = ".png" if make is images.bomb_png else ".heic" if make is images.heic else ".jpg"
    source = tmp_path / f"bad{suffix}"
    make(source)  # type: ignore[operator]
    with pytest.raises(HkcmsError, match=said):
        MediaLibrary(site).add(source)
    result = hkcms(site, "media", "add", str(source), "--alt", "x")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(source) in lines[0] and said in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert list(site.media_dir.iterdir()) == []


def test_media_add_cli_prints_markdown_and_goes_on_after_a_bad_file(
    site: Site, tmp_path: Path
) -> None:
    good = images.photo(tmp_path / "rally.jpg", size=(400, 300))
    bad = tmp_path / "notes.jpg"
    bad.write_text("not an image")
    result = hkcms(site, "media", "add", str(bad), str(good), "--alt", "The rally")
    assert result.returncode == 1
    assert result.stdout == "![The rally](/media/rally.jpg)\n"
    assert "notes.jpg" in result.stderr and "removed EXIF, GPS" in result.stderr
    assert sorted(p.name for p in site.media_dir.iterdir()) == ["rally.jpg"]
