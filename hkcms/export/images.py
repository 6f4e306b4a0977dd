"""Published images: clean resized variants (WebP + original format) cached by content hash,
made on a process pool, and the <picture> markup that points at them."""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from hkcms.core.errors import HkcmsError
from hkcms.core.media_refs import media_name

# Pillow, the SVG sanitiser and the process pool are imported where images are made: an
# export whose images are all cached (or a site without any) never loads them.

# Bump when the variants change (widths, quality, naming), so cached images are made again.
PROCESS_VERSION = "2"
# Bump when the <picture> markup changes, so the pages showing images are written again.
MARKUP_VERSION = "2"
WIDTHS = (480, 960, 1600)
OG_SIZE = (1200, 630)
JPEG_QUALITY = 82
WEBP_QUALITY = 80
WEBP_METHOD = 2  # 2.4x faster than the default 4 for 3 % more bytes (measured on photos)
WORKERS = 2
# The text column of style.css: 44rem wide at most, less 1rem of padding on each side.
SIZES = "(max-width: 44rem) calc(100vw - 2rem), 42rem"
# The published copy of each format, by source format: GIF's stills are better as PNG.
_VARIANT_FORMAT = {"JPEG": ("JPEG", "jpg"), "PNG": ("PNG", "png"), "GIF": ("PNG", "png"),
                   "WEBP": ("WEBP", "webp")}  # fmt: skip
_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Published:
    """One source image as published: its fallback file, srcsets and social-media card."""

    rel: str  # the clean fallback at its source path, 'media/photo.jpg'
    width: int  # of the fallback (no layout shift: width/height attributes)
    height: int
    srcset: list[tuple[str, int]]  # original format: (rel, width), narrowest first
    webp: list[tuple[str, int]]  # empty when the original is WebP
    og: str  # 1200x630 JPEG
    files: dict[str, str] = field(default_factory=dict)  # output rel → cached file


@dataclass(frozen=True)
class Job:
    """One image to process in a worker: source file, content hash, cache folder."""

    rel: str
    source: str
    digest: str
    folder: str


def _cache_root(state_dir: Path) -> Path:
    return state_dir / "cache" / "images"


def _target_draft(size: tuple[int, int], rotated: bool) -> tuple[int, int] | None:
    """The smallest size the JPEG decoder may scale to and still fill the widest variant and
    the social card (decoding a 12-megapixel photo at half size saves time and memory)."""
    w, h = (size[1], size[0]) if rotated else size
    scale = max(min(1.0, WIDTHS[-1] / w), min(1.0, max(OG_SIZE[0] / w, OG_SIZE[1] / h)))
    if scale >= 1.0:
        return None
    return math.ceil(size[0] * scale), math.ceil(size[1] * scale)


def process_job(job: Job) -> tuple[str, dict[str, Any] | None, str]:
    """Make every variant of one image into its cache folder (runs in a worker process).
    Returns (rel, info, error); nothing is left half-written."""
    from PIL import Image

    source = Path(job.source)
    final = Path(job.folder)
    tmp = final.with_name(f".tmp-{final.name}-{os.getpid()}")
    try:
        info = _make_variants(source, tmp)
        (tmp / "info.json").write_text(json.dumps(info, sort_keys=True))
        try:
            os.replace(tmp, final)
        except OSError:
            if not (final / "info.json").is_file():  # not made meanwhile by another export
                raise
        return job.rel, info, ""
    except HkcmsError as exc:
        return job.rel, None, exc.message
    except (OSError, ValueError, SyntaxError, MemoryError, Image.DecompressionBombError) as exc:
        return job.rel, None, f"cannot be processed ({exc})"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _make_variants(source: Path, folder: Path) -> dict[str, Any]:
    from PIL import Image, ImageOps

    from hkcms.core.images import encode, open_image, prepare

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with open_image(source) as image:
        fmt = image.format or "PNG"
        if fmt == "JPEG":
            rotated = image.getexif().get(0x0112) in (5, 6, 7, 8)
            draft = _target_draft(image.size, rotated)
            if draft is not None:
                image.draft(image.mode if image.mode in ("RGB", "L") else "RGB", draft)
        base, icc = prepare(image, source)
    orig_fmt, ext = _VARIANT_FORMAT.get(fmt, ("PNG", "png"))
    width, height = base.size
    widths = sorted({min(w, width) for w in WIDTHS})
    options = {
        "JPEG": {"quality": JPEG_QUALITY, "optimize": True, "progressive": True},
        "PNG": {"compress_level": 6},
        "WEBP": {"quality": WEBP_QUALITY, "method": WEBP_METHOD},
    }
    current = base
    made: dict[str, Any] = {"widths": [], "ext": ext, "webp": orig_fmt != "WEBP"}
    for w in reversed(widths):  # widest first; each narrower one is made from the last
        h = max(1, round(height * w / width))
        if current.size != (w, h):
            current = current.resize((w, h), Image.Resampling.LANCZOS, reducing_gap=3.0)
        (folder / f"{w}.{ext}").write_bytes(encode(current, orig_fmt, icc, **options[orig_fmt]))
        if made["webp"]:
            (folder / f"{w}.webp").write_bytes(encode(current, "WEBP", icc, **options["WEBP"]))
        made["widths"].append([w, h])
    card = ImageOps.fit(base.convert("RGB"), OG_SIZE, Image.Resampling.LANCZOS)
    (folder / "og.jpg").write_bytes(encode(card, "JPEG", icc, **options["JPEG"]))
    made["widths"].sort()
    made["version"] = PROCESS_VERSION
    return made


def _published(rel: str, digest: str, folder: Path, info: dict[str, Any]) -> Published:
    stem = os.path.splitext(rel.rsplit("/", 1)[-1])[0]
    ext = info["ext"]
    base = f"media/_img/{stem}-{digest[:10]}"
    files: dict[str, str] = {}
    srcset: list[tuple[str, int]] = []
    webp: list[tuple[str, int]] = []
    widths = [(int(w), int(h)) for w, h in info["widths"]]
    for w, _ in widths:
        files[f"{base}-{w}.{ext}"] = str(folder / f"{w}.{ext}")
        srcset.append((f"{base}-{w}.{ext}", w))
        if info["webp"]:
            files[f"{base}-{w}.webp"] = str(folder / f"{w}.webp")
            webp.append((f"{base}-{w}.webp", w))
    top_w, top_h = widths[-1]
    # The fallback keeps the source's address (feeds and old links point there); a GIF's is
    # its still frame, under its own name so servers send the right type.
    fallback = rel if os.path.splitext(rel)[1].lower() != ".gif" else srcset[-1][0]
    if fallback == rel:
        files[rel] = str(folder / f"{top_w}.{ext}")
    files[f"{base}-og.jpg"] = str(folder / "og.jpg")
    return Published(fallback, top_w, top_h, srcset, webp, f"{base}-og.jpg", files)


@dataclass
class MediaPlan:
    """What the export publishes from media/: (output rel, key, file to copy), and warnings."""

    outputs: list[tuple[str, str, Path]] = field(default_factory=list)
    images: dict[str, Published] = field(default_factory=dict)  # by source rel
    keys: dict[str, str] = field(default_factory=dict)  # source rel → content key
    warnings: list[str] = field(default_factory=list)
    processed: int = 0

    def sig(self, refs: list[str]) -> str:
        """What the pages using these media files depend on."""
        if not refs:
            return ""
        return MARKUP_VERSION + ":" + ",".join(f"{r}={self.keys.get(r, '-')}" for r in refs)


class _Index:
    """Remembers each media file's content hash by its stat, so an unchanged file is not
    read again (an incremental export then does no image work at all)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            data = json.loads(path.read_bytes())
            self.files: dict[str, Any] = dict(data["files"]) if data.get("v") == 1 else {}
        except (OSError, ValueError, KeyError, TypeError):
            self.files = {}
        self.new: dict[str, Any] = {}

    def digest(self, rel: str, path: Path, info: os.stat_result) -> str:
        key = [info.st_size, info.st_mtime_ns, info.st_ino]
        old = self.files.get(rel)
        if isinstance(old, dict) and old.get("stat") == key:
            digest = str(old["hash"])
        else:
            sha = hashlib.sha256()
            with open(path, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    sha.update(chunk)
            digest = sha.hexdigest()
        self.new[rel] = {"stat": key, "hash": digest}
        return digest

    def save(self) -> None:
        if self.new == self.files:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"v": 1, "files": self.new}, sort_keys=True))
        os.replace(tmp, self.path)


def plan_media(
    media_dir: Path, state_dir: Path, progress: Callable[[int, int], None] | None = None
) -> MediaPlan:
    """Everything media/ publishes. Raster images become clean variants (made now if not
    cached), SVGs are sanitised, passive files copied; active files (HTML…) are left out."""
    plan = MediaPlan()
    if not media_dir.is_dir():
        return plan
    if media_dir.is_symlink():
        # e.g. a media/ that links to ~/.ssh, arriving with a git pull: never publish it.
        real = Path(os.path.realpath(media_dir))
        site_root = Path(os.path.realpath(state_dir.parent))
        if not real.is_relative_to(site_root) or real.relative_to(site_root).parts[:1] in (
            (".hkcms",),
            (".git",),
        ):
            plan.warnings.append(
                f"{media_dir}: a symbolic link to {real}, outside the site's media; "
                "nothing in it was published"
            )
            return plan
    root = _cache_root(state_dir)
    index = _Index(root / "index.json")
    jobs: list[Job] = []
    for folder, dirs, names in os.walk(media_dir):
        # _img/ is where the export puts variants: a user folder of that name is not copied.
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "_img")
        for name in sorted(names):
            if name.startswith("."):
                continue
            src = Path(folder) / name
            rel = "media/" + src.relative_to(media_dir).as_posix()
            try:
                info = src.lstat()
            except OSError as exc:
                plan.warnings.append(f"{src}: cannot be read ({exc.strerror}); not published")
                continue
            if not stat.S_ISREG(info.st_mode):
                plan.warnings.append(f"{src}: not a regular file; not copied")
                continue
            from hkcms.core.media import kind_of  # loads Pillow: only for a site with media

            kind = kind_of(name)
            if kind == "active":
                plan.warnings.append(
                    f"{src}: not published (only images, PDFs, audio, video and documents are; "
                    "HTML and scripts could run as pages of the site)"
                )
                continue
            if kind == "passive":
                plan.keys[rel] = f"{info.st_size}:{info.st_mtime_ns}"
                plan.outputs.append((rel, plan.keys[rel], src))
                continue
            try:
                digest = index.digest(rel, src, info)
            except OSError as exc:
                plan.warnings.append(f"{src}: cannot be read ({exc.strerror}); not published")
                continue
            folder_path = root / digest[:2] / f"{digest}-{PROCESS_VERSION}"
            plan.keys[rel] = f"{digest}-{PROCESS_VERSION}"
            if kind == "svg":
                _plan_svg(plan, rel, src, folder_path)
            else:
                info_file = folder_path / "info.json"
                if info_file.is_file():
                    _add_published(plan, rel, digest, folder_path)
                else:
                    jobs.append(Job(rel, str(src), digest, str(folder_path)))
    for rel, _info, error in run_jobs(jobs, progress):
        if error:
            plan.warnings.append(f"{media_dir.parent / rel}: {error}; not published")
            plan.keys[rel] = "error"
            continue
        plan.processed += 1
        job_digest = plan.keys[rel].rsplit("-", 1)[0]
        _add_published(plan, rel, job_digest, root / job_digest[:2] / plan.keys[rel])
    index.save()
    # Cache folders are named by content key ('<sha256>-<version>'); other keys are not.
    _prune(root, {key for key in plan.keys.values() if len(key) > 64})
    return plan


def _prune(root: Path, keep: set[str]) -> None:
    """Drop cached variants of images no longer in media/ (and what a killed run left)."""
    for shard in root.iterdir() if root.is_dir() else []:
        if not shard.is_dir():
            continue
        for folder in shard.iterdir():
            if folder.name not in keep:
                shutil.rmtree(folder, ignore_errors=True)


def _add_published(plan: MediaPlan, rel: str, digest: str, folder: Path) -> None:
    try:
        info = json.loads((folder / "info.json").read_bytes())
        published = _published(rel, digest, folder, info)
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        plan.warnings.append(f"{rel}: its cached variants are damaged; export with --full")
        plan.keys[rel] = "error"
        return
    plan.images[rel] = published
    for out, cached in sorted(published.files.items()):
        plan.outputs.append((out, plan.keys[rel], Path(cached)))


def _plan_svg(plan: MediaPlan, rel: str, src: Path, folder: Path) -> None:
    clean = folder / "clean.svg"
    if not clean.is_file():
        from hkcms.core.svg import sanitize_svg

        try:
            data, _ = sanitize_svg(src.read_bytes(), src)
        except (HkcmsError, OSError) as exc:
            plan.warnings.append(f"{exc}; not published")
            plan.keys[rel] = "error"
            return
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".clean.svg.{os.getpid()}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, clean)
    plan.outputs.append((rel, plan.keys[rel], clean))


def run_jobs(
    jobs: list[Job], progress: Callable[[int, int], None] | None = None
) -> list[tuple[str, dict[str, Any] | None, str]]:
    """Process images on WORKERS processes (in this one when there is a single image)."""
    if not jobs:
        return []
    results = []
    if len(jobs) == 1:
        results.append(process_job(jobs[0]))
    else:
        import concurrent.futures
        import multiprocessing

        # forkserver: workers never inherit the threads of a caller such as the TUI.
        context = multiprocessing.get_context("forkserver")
        with concurrent.futures.ProcessPoolExecutor(WORKERS, mp_context=context) as pool:
            for n, result in enumerate(pool.map(process_job, jobs, chunksize=1), start=1):
                results.append(result)
                if progress is not None:
                    progress(n, len(jobs))
    return results


# ---- markup ------------------------------------------------------------------------------

_IMG = re.compile(r"<img\b([^>]*)>")
_SRC = re.compile(r'\ssrc="([^"]*)"')


def _url(root: str, rel: str) -> str:
    return root + quote(rel, safe="/-._~")


def _srcset(root: str, items: list[tuple[str, int]]) -> str:
    return ", ".join(f"{_url(root, rel)} {w}w" for rel, w in items)


def picture_markup(fragment: str, images: dict[str, Published], root: str) -> str:
    """Each <img> of a published image becomes a <picture> with WebP and original-format
    srcsets, width/height, and lazy loading for all but the page's first image."""
    if "<img" not in fragment:
        return fragment
    first = True

    def swap(match: re.Match[str]) -> str:
        nonlocal first
        attrs = match.group(1)
        src = _SRC.search(attrs)
        name = media_name(src.group(1).removeprefix(root)) if src else None
        image = images.get(f"media/{name}") if name is not None else None
        eager, first = first, False
        if image is None:
            return match.group(0)
        rest = _SRC.sub("", attrs, count=1)
        rest = re.sub(r'\s(?:width|height)="[^"]*"', "", rest).rstrip(" /")
        # The first image is usually the largest thing on screen: fetched first, not lazily.
        lazy = ' fetchpriority="high"' if eager else ' loading="lazy" decoding="async"'
        source = ""
        if image.webp:
            source = (
                f'<source type="image/webp" srcset="{_srcset(root, image.webp)}" sizes="{SIZES}">'
            )
        return (
            f'<picture>{source}<img src="{_url(root, image.rel)}" '
            f'srcset="{_srcset(root, image.srcset)}" sizes="{SIZES}"{rest} '
            f'width="{image.width}" height="{image.height}"{lazy}></picture>'
        )

    return _IMG.sub(swap, fragment)


def og_image(
    images: dict[str, Published], refs: list[str], cover: str | None, base_url: str
) -> dict[str, str]:
    """The og:image of a page: its cover (front matter), else its first image; absolute URLs
    only, so only with a base_url."""
    if not base_url:
        return {}
    for rel in ([f"media/{cover}"] if cover else []) + refs:
        image = images.get(rel)
        if image is not None:
            return {"url": base_url + quote(image.og, safe="/-._~"), "width": "1200",
                    "height": "630"}  # fmt: skip
    return {}


def cover_of(data: bytes) -> str | None:
    """The media file named by a post's `cover` front matter key ('/media/a.jpg' or 'a.jpg')."""
    if not data.startswith(b"---") or b"cover" not in data[:4096]:
        return None
    end = data.find(b"\n---", 3)
    if end < 0:
        return None
    try:
        front = yaml.load(data[3:end].decode("utf-8"), Loader=_LOADER)
    except (yaml.YAMLError, UnicodeDecodeError):
        return None
    value = front.get("cover") if isinstance(front, dict) else None
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    return media_name(value) if "/" in value else value
