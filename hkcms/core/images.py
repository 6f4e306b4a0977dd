"""Raster images with Pillow: safe opening, inspection, and clean copies without metadata."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from hkcms.core.errors import HkcmsError

# Formats hkcms publishes, by file suffix. Anything else is refused with a reason.
RASTER_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".gif": "GIF", ".webp": "WEBP"}
# Pillow's own limit (about 89 megapixels): larger images are refused as possible bombs.
MAX_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"heim", b"heis")
# The suffix a clean copy gets: a GIF's first frame is kept as PNG (see README: animations).
CLEAN_SUFFIX = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".png", "WEBP": ".webp"}
_SRGB: bytes | None = None


class ImageError(HkcmsError):
    """An image cannot be read or cleaned (damaged, not an image, too large, unsupported)."""


@dataclass(frozen=True)
class ImageInfo:
    """What a look at an image file shows: format, size, and the metadata it carries."""

    format: str
    width: int
    height: int
    animated: bool = False
    location: bool = False
    metadata: list[str] = field(default_factory=list)  # e.g. ["EXIF", "GPS", "XMP"]


def _sniff_heif(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(32)
    except OSError:
        return False
    return head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS


def open_image(path: Path) -> Image.Image:
    """Open an image for reading, or raise ImageError naming what is wrong with it."""
    if _sniff_heif(path):
        raise ImageError(
            "is a HEIC/HEIF photo, which hkcms cannot read (the only decoder for it is under "
            "the GPL); export it as JPEG first (on an iPhone: Settings > Camera > Formats > "
            "Most Compatible)",
            path,
        )
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice it; both are refused here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path, formats=list(set(RASTER_FORMATS.values())))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(
            f"is too large to process safely (more than {MAX_PIXELS // 1_000_000} megapixels)",
            path,
        ) from exc
    except UnidentifiedImageError as exc:
        raise ImageError("is not a JPEG, PNG, GIF or WebP image (or it is damaged)", path) from exc
    except FileNotFoundError as exc:
        raise ImageError("does not exist", path) from exc
    except IsADirectoryError as exc:
        raise ImageError("is a folder, not an image", path) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"is damaged or not a JPEG, PNG, GIF or WebP image ({exc})", path) from exc
    if image.width * image.height > MAX_PIXELS:
        image.close()
        raise ImageError(
            f"is too large to process safely ({image.width}x{image.height} pixels)", path
        )
    return image


def load(image: Image.Image, path: Path) -> None:
    """Decode the pixels; a damaged or truncated file raises ImageError."""
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        reason = "is truncated" if "truncated" in str(exc) else f"is damaged ({exc})"
        raise ImageError(f"{reason}; re-export or copy it again", path) from exc


def metadata_blocks(image: Image.Image) -> list[str]:
    """Names of the metadata blocks an opened image carries (before any cleaning)."""
    info = image.info
    found: list[str] = []
    exif = image.getexif()
    if len(exif) or info.get("exif"):
        found.append("EXIF")
    if exif.get_ifd(0x8825):
        found.append("GPS")
    if exif.get_ifd(0x927C) or exif.get_ifd(0x8769).get(0x927C):
        found.append("maker notes")
    if info.get("xmp") or info.get("XML:com.adobe.xmp"):
        found.append("XMP")
    applist = getattr(image, "applist", [])
    if info.get("photoshop") or any(marker == "APP13" for marker, _ in applist):
        found.append("IPTC")
    if any(marker == "APP2" and data.startswith(b"MPF") for marker, data in applist):
        found.append("embedded thumbnails")
    if info.get("comment"):
        found.append("comment")
    text = getattr(image, "text", None) if image.format == "PNG" else None
    if text:
        found.append("text")
    return found


def has_location(image: Image.Image) -> bool:
    """GPS position in the EXIF block or in XMP."""
    if image.getexif().get_ifd(0x8825):
        return True
    xmp = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp") or b""
    if isinstance(xmp, str):
        xmp = xmp.encode("utf-8", "replace")
    return b"GPSLatitude" in xmp or b"GPSLongitude" in xmp


def inspect_image(path: Path) -> ImageInfo:
    """Format, oriented size and metadata of an image; the pixels are decoded (small) to catch
    damaged files."""
    with open_image(path) as image:
        fmt = image.format or "?"
        blocks = metadata_blocks(image)
        location = has_location(image)
        animated = bool(getattr(image, "is_animated", False))
        width, height = image.size
        if image.getexif().get(0x0112) in (5, 6, 7, 8):
            width, height = height, width
        if fmt == "JPEG":
            image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
        load(image, path)
    return ImageInfo(fmt, width, height, animated, location, blocks)


def srgb_profile() -> bytes:
    global _SRGB
    if _SRGB is None:
        _SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return _SRGB


def prepare(image: Image.Image, path: Path) -> tuple[Image.Image, bytes | None]:
    """The first frame, upright, in a mode every encoder takes (RGB, RGBA or L), with its
    colour profile (CMYK is converted to sRGB through its profile). Metadata is left behind."""
    image.seek(0)
    load(image, path)
    icc = image.info.get("icc_profile") or None
    try:
        upright = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError) as exc:  # a broken EXIF block
        raise ImageError(f"has a damaged EXIF block ({exc})", path) from exc
    upright = upright if upright is not None else image
    mode = upright.mode
    if mode == "CMYK":
        upright, icc = _cmyk_to_rgb(upright, icc)
    elif mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # 16-bit grey (common in scans): scale to 8 bits instead of clipping at 255.
        upright = upright.convert("I").point(lambda v: v / 256).convert("L")
    elif mode in ("P", "PA", "LA", "1", "RGBa", "La"):
        has_alpha = mode in ("PA", "LA", "La", "RGBa") or "transparency" in upright.info
        upright = upright.convert("RGBA" if has_alpha else "RGB")
    elif mode not in ("RGB", "RGBA", "L"):
        upright = upright.convert("RGB")
    if upright is image:
        upright = image.copy()
    upright.info = {}  # encoders fall back on info (a JPEG comment, PNG text): drop it all
    return upright, icc


def _cmyk_to_rgb(image: Image.Image, icc: bytes | None) -> tuple[Image.Image, bytes | None]:
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            target = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
            converted = ImageCms.profileToProfile(image, source, target, outputMode="RGB")
            if converted is not None:
                return converted, srgb_profile()
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: the plain conversion below is still a fair picture
    return image.convert("RGB"), None


def encode(image: Image.Image, fmt: str, icc: bytes | None, **options: Any) -> bytes:
    """Encode with nothing but the pixels and the colour profile."""
    params: dict[str, Any] = dict(options)
    if icc:
        params["icc_profile"] = icc
    if fmt == "JPEG" and image.mode == "RGBA":
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def clean_copy(path: Path) -> tuple[bytes, str, ImageInfo]:
    """A clean copy of an image file: (bytes, suffix, what the original held). Orientation is
    applied, every metadata block is dropped and the colour profile kept."""
    with open_image(path) as image:
        fmt = image.format or "PNG"
        before = ImageInfo(
            fmt,
            image.width,
            image.height,
            bool(getattr(image, "is_animated", False)),
            has_location(image),
            metadata_blocks(image),
        )
        clean, icc = prepare(image, path)
    out_fmt = "PNG" if fmt == "GIF" else fmt
    options: dict[str, Any] = {}
    if out_fmt == "JPEG":
        options = {"quality": 90, "optimize": True}
    elif out_fmt == "WEBP":
        options = {"quality": 90, "method": 4}
    try:
        data = encode(clean, out_fmt, icc, **options)
    except (OSError, ValueError) as exc:
        raise ImageError(f"cannot be written as {out_fmt}: {exc}", path) from exc
    return data, CLEAN_SUFFIX[fmt], before
