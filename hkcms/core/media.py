"""The media library: clean copies into media/ with clean names, listing, usage and checks."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock

from hkcms.core.atomic import decode_utf8, fsync_dir, read_regular_file
from hkcms.core.errors import HkcmsError
from hkcms.core.images import RASTER_FORMATS, ImageError, clean_copy, inspect_image, open_image
from hkcms.core.images import has_location as image_has_location
from hkcms.core.media_refs import ImageRef, image_refs
from hkcms.core.post import parse_post
from hkcms.core.site import Site
from hkcms.core.slugs import slugify, unique_slug
from hkcms.core.svg import SvgError, sanitize_svg

MAX_IMAGE_BYTES = 200 * 1024 * 1024
# Files in media/ that are published as they are; everything else that is not an image (HTML,
# scripts, XML…) could run in a visitor's browser from our address and is not published.
PASSIVE_SUFFIXES = {
    ".pdf", ".txt", ".csv", ".mp3", ".m4a", ".ogg", ".oga", ".opus", ".wav", ".flac", ".mp4",
    ".m4v", ".webm", ".ogv", ".mov", ".zip", ".epub", ".odt", ".ods", ".odp", ".docx", ".xlsx",
    ".pptx", ".ics", ".vtt", ".srt", ".woff", ".woff2",
}  # fmt: skip


class MediaError(HkcmsError):
    """A media file cannot be added or used."""


def kind_of(name: str) -> str:
    """'raster', 'svg', 'heic', 'passive' or 'active' (not published), by file suffix."""
    suffix = os.path.splitext(name)[1].lower()
    if suffix in RASTER_FORMATS:
        return "raster"
    if suffix == ".svg":
        return "svg"
    if suffix in (".heic", ".heif"):
        return "heic"
    if suffix in PASSIVE_SUFFIXES:
        return "passive"
    return "active"


def clean_name(original: str, suffix: str, taken: set[str]) -> str:
    """A safe, readable, unused file name: '集會 相片 (1).JPG' → '集會-相片-1.jpg'."""
    stem = slugify(os.path.splitext(os.path.basename(original))[0])
    if stem == "post":  # slugify's word for "nothing readable was left"
        stem = "image"
    stem = unique_slug(stem, {os.path.splitext(n)[0] for n in taken if n.endswith(suffix)})
    return stem + suffix


@dataclass(frozen=True)
class Added:
    """One file added to media/: where from, its new name, and the Markdown to paste."""

    source: Path
    name: str
    markdown: str
    removed: list[str] = field(default_factory=list)  # metadata blocks that were dropped


@dataclass(frozen=True)
class MediaEntry:
    """One file in media/ as `hkcms media list` shows it."""

    name: str
    bytes: int
    kind: str
    format: str = ""
    width: int = 0
    height: int = 0
    location: bool = False
    metadata: list[str] = field(default_factory=list)
    posts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PostImages:
    """The images one post uses (its body and its cover)."""

    slug: str
    path: Path
    refs: list[ImageRef]


def markdown_for(name: str, alt: str) -> str:
    url = "/media/" + name.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return f"![{alt.replace(']', '')}]({url})"


class MediaLibrary:
    """The files under a site's media/ folder."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.folder = site.media_dir

    # ---- adding --------------------------------------------------------------------------

    def add(self, source: Path, alt: str = "") -> Added:
        """Copy one image into media/ as a clean copy (see core.images.clean_copy) under a
        clean, unused name. Nothing is written unless the whole copy succeeded."""
        source = Path(source).expanduser()
        try:
            info = source.stat()
        except OSError as exc:
            raise MediaError(f"cannot read the file: {exc.strerror}", source) from exc
        if not stat.S_ISREG(info.st_mode):
            raise MediaError("is not a regular file", source)
        if info.st_size > MAX_IMAGE_BYTES:
            raise MediaError(f"is larger than {MAX_IMAGE_BYTES // 2**20} MB", source)
        kind = kind_of(source.name)
        removed: list[str] = []
        if kind == "svg":
            data, removed = sanitize_svg(read_regular_file(source, MAX_IMAGE_BYTES), source)
            suffix = ".svg"
        else:
            # Pillow reads the content, not the suffix: a photo named .dat is still taken,
            # anything that is not a picture is refused with a reason.
            data, suffix, before = clean_copy(source)
            removed = before.metadata
        self.folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.site.state_dir / "locks" / "media.lock"), timeout=30)
        (self.site.state_dir / "locks").mkdir(parents=True, exist_ok=True)
        with lock:
            taken = {p.name for p in self.folder.iterdir()}
            name = clean_name(source.name, suffix, taken)
            _write_new(self.folder / name, data)
        return Added(source, name, markdown_for(name, alt), removed)

    # ---- reading -------------------------------------------------------------------------

    def files(self) -> Iterator[tuple[str, Path]]:
        """(name relative to media/, path) of every regular file, sorted; hidden ones skipped."""
        if not self.folder.is_dir():
            return
        for folder, dirs, names in os.walk(self.folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                if name.startswith("."):
                    continue
                path = Path(folder) / name
                if path.is_symlink() or not path.is_file():
                    continue
                yield path.relative_to(self.folder).as_posix(), path

    def post_images(self) -> list[PostImages]:
        """Every readable post's images; unreadable posts are left to `hkcms check`."""
        out: list[PostImages] = []
        if not self.site.posts_dir.is_dir():
            return out
        for path in sorted(self.site.posts_dir.glob("*.md")):
            try:
                text = decode_utf8(read_regular_file(path), path)
                if "![" not in text and "<img" not in text.lower() and "cover" not in text:
                    continue
                post = parse_post(text, path.stem, path)
            except HkcmsError:
                continue
            offset = text.count("\n", 0, len(text) - len(post.body))
            refs = image_refs(post.body, offset)
            cover = post.front.get("cover")
            if isinstance(cover, str) and cover.strip():
                refs.insert(0, ImageRef(cover.strip(), "cover", 1))
            if refs:
                out.append(PostImages(path.stem, path, refs))
        return out

    def usage(self) -> dict[str, list[str]]:
        """media name → slugs of the posts that use it."""
        used: dict[str, list[str]] = {}
        for post in self.post_images():
            for ref in post.refs:
                name = ref.media
                if name is not None and post.slug not in used.setdefault(name, []):
                    used[name].append(post.slug)
        return used

    def entries(self) -> list[MediaEntry]:
        """Every file in media/ with its size, dimensions, users and problems."""
        used = self.usage()
        out = []
        for name, path in self.files():
            out.append(self.entry(name, path, used.get(name, [])))
        return out

    def entry(self, name: str, path: Path, posts: list[str]) -> MediaEntry:
        kind = kind_of(name)
        size = path.stat().st_size
        problems: list[str] = [] if posts else ["not used by any post"]
        if kind == "active":
            problems.append("not published: only images, PDFs, audio, video and documents are")
            return MediaEntry(name, size, kind, posts=posts, problems=problems)
        if kind == "passive":
            return MediaEntry(name, size, kind, posts=posts, problems=problems)
        if kind == "svg":
            try:
                _, removed = sanitize_svg(read_regular_file(path, MAX_IMAGE_BYTES), path)
            except (SvgError, HkcmsError) as exc:
                problems.append(exc.message)
            else:
                if removed:
                    problems.append("active content removed on export: " + ", ".join(removed[:5]))
            return MediaEntry(name, size, kind, "SVG", posts=posts, problems=problems)
        try:
            info = inspect_image(path)
        except ImageError as exc:
            return MediaEntry(name, size, kind, posts=posts, problems=[*problems, exc.message])
        if info.location:
            problems.append("holds the location where it was taken (GPS); stripped on export")
        if info.animated:
            problems.append("animated: only the first frame is published")
        return MediaEntry(
            name, size, kind, info.format, info.width, info.height, info.location,
            info.metadata, posts, problems,
        )  # fmt: skip

    # ---- checking ------------------------------------------------------------------------

    def problems(self) -> list[HkcmsError]:
        """For `hkcms check`: images without alt text, missing and unused images, and images
        in media/ that still hold a location."""
        found = dict(self.files())
        problems: list[HkcmsError] = []
        used: set[str] = set()
        for post in self.post_images():
            for ref in post.refs:
                name = ref.media
                if ref.alt is not None and not ref.alt.strip():
                    problems.append(
                        MediaError(
                            f"image {ref.src!r} has no alt text (describe it for people who "
                            "cannot see it)",
                            post.path,
                            ref.line,
                        )
                    )
                elif ref.alt is None:
                    problems.append(
                        MediaError(f"image {ref.src!r} has no alt attribute", post.path, ref.line)
                    )
                if name is None:
                    continue
                used.add(name)
                if name not in found:
                    problems.append(
                        MediaError(f"image {ref.src!r} is not in media/", post.path, ref.line)
                    )
        for name, path in found.items():
            if name not in used and kind_of(name) in ("raster", "svg", "heic"):
                problems.append(MediaError("is not used by any post", path))
            if kind_of(name) == "raster" and _holds_location(path):
                problems.append(
                    MediaError(
                        "holds the location where the photo was taken (GPS); the export "
                        "strips it, but replace it with `hkcms media add` to be safe",
                        path,
                    )
                )
        return problems


def _holds_location(path: Path) -> bool:
    try:
        with open_image(path) as image:
            return image_has_location(image)
    except (ImageError, OSError, ValueError):  # Pillow reads EXIF lazily: damage shows here
        return False  # a damaged file is reported by `hkcms media list` and the export


def _write_new(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet: temp file, fsync, link into place (never replaces
    another file), fsync the folder."""
    tmp = path.with_name(f".hkcms-tmp-{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
    try:
        with open(tmp, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError as exc:
            raise MediaError("appeared while it was being written; try again", path) from exc
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(path.parent)
