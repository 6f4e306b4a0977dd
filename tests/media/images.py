"""Real image files made with Pillow for the media tests: phone photos with GPS, bad input."""

from __future__ import annotations

import functools
import io
from pathlib import Path

from PIL import Image, ImageCms

XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
    b'syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="22,17.0N" exif:GPSLongitude="114,10.0E"/></rdf:RDF></x:xmpmeta>'
)


@functools.cache
def srgb() -> bytes:
    """One sRGB profile (its header holds the time it was made: made once, compared as is)."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def phone_exif(orientation: int = 6) -> Image.Exif:
    """EXIF as a phone writes it: camera, time, orientation, GPS position, maker notes."""
    exif = Image.Exif()
    exif[0x010F] = "Apple"  # Make
    exif[0x0110] = "iPhone 15"  # Model
    exif[0x0112] = orientation
    exif[0x0132] = "2026:06:04 15:30:00"  # DateTime
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (22.0, 17.0, 3.5), 3: "E", 4: (114.0, 10.0, 7.2)})
    exif.get_ifd(0x8769)[0x927C] = b"Apple iOS\x00maker-note-bytes"
    return exif


def photo(
    path: Path, size: tuple[int, int] = (2400, 1800), orientation: int = 6, **extra: object
) -> Path:
    """A JPEG with EXIF (GPS, maker notes), XMP with a location, a comment and an sRGB
    profile."""
    gradient = Image.linear_gradient("L").resize(size)
    other = gradient.transpose(Image.Transpose.ROTATE_90).resize(size)
    image = Image.merge("RGB", (gradient, other, gradient))
    image.save(
        path,
        "JPEG",
        exif=phone_exif(orientation),
        icc_profile=srgb(),
        comment=b"taken at the rally",
        xmp=XMP,
        quality=85,
        **extra,
    )
    return path


def png_with_text(path: Path) -> Path:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Ada Wong")
    info.add_itxt("Location", "Hong Kong", lang="en")
    image = Image.new("RGBA", (300, 200), (200, 30, 30, 128))
    image.save(path, "PNG", pnginfo=info, exif=phone_exif(1), icc_profile=srgb())
    return path


def cmyk_jpeg(path: Path) -> Path:
    Image.new("CMYK", (320, 200), (0, 255, 255, 0)).save(path, "JPEG")
    return path


def png16(path: Path) -> Path:
    Image.linear_gradient("L").resize((300, 200)).convert("I").point(lambda v: v * 256).convert(
        "I;16"
    ).save(path, "PNG")
    return path


def animated_gif(path: Path) -> Path:
    frames = [Image.new("P", (120, 80), i * 40) for i in range(4)]
    frames[0].save(path, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0,
                   comment=b"made by a phone")  # fmt: skip
    return path


def animated_webp(path: Path) -> Path:
    frames = [Image.new("RGB", (120, 80), (i * 60, 0, 0)) for i in range(3)]
    frames[0].save(path, "WEBP", save_all=True, append_images=frames[1:], duration=100)
    return path


def truncated_jpeg(path: Path) -> Path:
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize((800, 600)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    return path


def bomb_png(path: Path) -> Path:
    """100 megapixels in a few kilobytes: over Pillow's limit."""
    Image.new("1", (10_000, 10_000)).save(path, "PNG")
    return path


def heic(path: Path) -> Path:
    """The first bytes of an iPhone HEIC file (enough to be recognised)."""
    path.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64)
    return path


def metadata_of(path: Path) -> dict[str, object]:
    """What a published image still carries."""
    with Image.open(path) as image:
        exif = image.getexif()
        return {
            "exif": len(exif),
            "gps": len(exif.get_ifd(0x8825)),
            "xmp": bool(image.info.get("xmp") or image.info.get("XML:com.adobe.xmp")),
            "comment": bool(image.info.get("comment")),
            "text": dict(getattr(image, "text", {}) or {}),
            "icc": image.info.get("icc_profile"),
            "applist": [m for m, _ in getattr(image, "applist", [])],
            "size": image.size,
            "format": image.format,
        }
