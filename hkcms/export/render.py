"""Rendering work that runs in worker processes: Markdown → safe HTML fragments → pages."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import markdown_it
import mdit_py_plugins

from hkcms.core.atomic import decode_utf8, read_regular_file
from hkcms.core.errors import HkcmsError, PostError
from hkcms.core.markdown import PARSER_VERSION
from hkcms.core.post import content_hash
from hkcms.export.fragment_cache import Entry, FragmentCache
from hkcms.export.html import (
    SANITIZE_VERSION,
    excerpt,
    media_references,
    rebase_root_urls,
    sanitize,
)
from hkcms.export.images import Published, cover_of, og_image, picture_markup
from hkcms.export.paths import safe_join
from hkcms.export.theme import environment

STAGING = ".hkcms-tmp"
POST_ROOT = "../../"  # post pages live at posts/<slug>/index.html
# A post page keeps its rendered body between these comments, so a page whose post did not
# change (only its views, comments or neighbours) is re-rendered without Markdown: the page
# itself is the cache. Bumped with the parser and the sanitiser.
FRAGMENT_VERSION = hashlib.sha256(
    f"{markdown_it.__version__}/{mdit_py_plugins.__version__}/{SANITIZE_VERSION}/"
    f"{PARSER_VERSION}".encode()
).hexdigest()[:12]
BODY_START = f"<!--hkcms-body {FRAGMENT_VERSION}-->"
BODY_END = "<!--/hkcms-body-->"


@dataclass(frozen=True)
class Fragment:
    """A post body rendered, sanitised and rebased for a post page, with its excerpt and
    the media files it points at."""

    html: str
    excerpt: str
    media: list[str]
    cached: Entry | None = None  # for the fragment cache, when rendered from Markdown just now


@dataclass(frozen=True)
class PostTask:
    """One post page to render: the source file and the template context without the body.
    `reuse`: the existing page was rendered from this very source, so its body may be kept."""

    slug: str
    source: str
    rel: str
    context: dict[str, Any]
    reuse: bool = False
    root: str = POST_ROOT  # the way back to the site root from the page ("../" for a page)


@dataclass
class PostResult:
    slug: str
    hash: str
    excerpt: str
    media: list[str]
    written: bool
    reused: bool = False
    error: str = ""
    cached: Entry | None = None  # a body rendered just now, for the export to cache


@dataclass
class WorkerConfig:
    """What every worker needs: where to write, the site's templates, the shared context."""

    out: str
    templates: str | None
    base: dict[str, Any] = field(default_factory=dict)
    cache: str | None = None  # compiled templates
    images: dict[str, Published] = field(default_factory=dict)  # published media by rel
    # Rendered bodies by content (export/fragment_cache.py); default: beside `cache`.
    fragments: str | None = None
    umask: int = field(default_factory=lambda: current_umask())  # the export's file modes


_config: WorkerConfig | None = None
_fragments: FragmentCache | None = None


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def fragments_path(config: WorkerConfig) -> str | None:
    """The fragment cache's file: as configured, else beside the compiled templates."""
    if config.fragments:
        return config.fragments
    return str(Path(config.cache).parent / "fragments.sqlite") if config.cache else None


def init_worker(config: WorkerConfig) -> None:
    global _config, _fragments
    _config = config
    os.umask(config.umask)  # workers write pages with the modes the export chose
    if _fragments is not None:
        _fragments.close()
    path = fragments_path(config)
    _fragments = FragmentCache(path, FRAGMENT_VERSION) if path else None


def body_of(text: str, path: Path) -> str:
    """The Markdown after the front matter (the scan already validated the front matter)."""
    start = 1 if text.startswith("\ufeff") else 0
    first = text.find("\n", start)
    if first < 0 or text[start:first].rstrip("\r") != "---":
        raise PostError("has no front matter", path, 1)
    pos = first + 1
    while True:
        nl = text.find("\n", pos)
        line = text[pos:] if nl < 0 else text[pos:nl]
        if line.rstrip("\r") in ("---", "..."):
            return "" if nl < 0 else text[nl + 1 :]
        if nl < 0:
            raise PostError("front matter is not closed", path, 1)
        pos = nl + 1


def render_fragment(body: str, root: str = POST_ROOT, slug: str = "") -> Fragment:
    """Markdown through the site's parser, then nh3; javascript:/data: URLs never survive.
    A body rendered before comes from the fragment cache (`slug`: the post it is kept for)."""
    key = _fragments.key(body) if _fragments is not None else b""
    safe = _fragments.lookup(key) if _fragments is not None else None
    cached = None
    if safe is None:
        # Imported here: an export with nothing to render should not pay for the parser. The
        # compiled renderer gives the reference's HTML (export/fast_markdown.py).
        from hkcms.export.fast_markdown import render_html

        safe = sanitize(render_html(body))
        if _fragments is not None:
            cached = _fragments.entry(key, safe, slug)
    return Fragment(rebase_root_urls(safe, root), excerpt(safe), media_references(safe), cached)


def fragment_of_bytes(data: bytes, source: Path, root: str = POST_ROOT, slug: str = "") -> Fragment:
    """The fragment of a post file's contents, its site-absolute URLs made relative to `root`."""
    return render_fragment(body_of(decode_utf8(data, source), source), root, slug)


def fragment_of_file(source: Path, root: str = POST_ROOT) -> Fragment:
    return fragment_of_bytes(read_regular_file(source), source, root)


def body_from_page(page: bytes) -> str | None:
    """The rendered body kept in an exported post page, or None (no markers, other version)."""
    text = page.decode("utf-8", errors="replace")
    start = text.find(BODY_START)
    end = text.find(BODY_END, start)
    if start < 0 or end < 0:
        return None
    return text[start + len(BODY_START) : end]


_made: set[str] = set()


def _mkdir(folder: Path) -> None:
    """mkdir -p, remembered: creating folders is a large part of writing 10,000 pages."""
    key = str(folder)
    if key not in _made:
        folder.mkdir(parents=True, exist_ok=True)
        _made.add(key)


def forget_folders() -> None:
    """Called at the start of a run: folders may have been deleted since the last one."""
    _made.clear()


def write_bytes(path: Path, data: bytes, staging: Path | None = None) -> None:
    """Replace a file in one step (temp file + rename): a reader never sees half a page."""
    folder = staging or path.parent
    _mkdir(folder)
    tmp = folder / f".hkcms-tmp-{os.getpid()}-{os.urandom(4).hex()}"
    try:
        with open(tmp, "xb") as handle:
            handle.write(data)
        if staging is not None:
            _mkdir(path.parent)
        try:
            os.replace(tmp, path)
        except FileNotFoundError:
            # The folder was removed since we remembered it (a stale page cleaned up).
            _made.discard(str(path.parent))
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_existing(path: Path) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def write_if_changed(out: Path, path: Path, data: bytes, old: bytes | None = None) -> bool:
    """Write a page unless the file already holds these bytes; True if written."""
    if old is None:
        old = read_existing(path)
    if old == data:
        return False
    if old is None:
        # A new file: nothing can be half-replaced, so skip the temp file and rename (the
        # journal already marks it unknown should this run be killed while writing it).
        try:
            created = _create(path, data)
        except FileNotFoundError:
            _mkdir(path.parent)
            created = _create(path, data)
        if created:
            return True
    write_bytes(path, data, out / STAGING)
    return True


def _create(path: Path, data: bytes) -> bool:
    """Write a file that must not exist yet; False if one appeared meanwhile."""
    try:
        with open(path, "xb") as handle:
            handle.write(data)
    except FileExistsError:
        return False
    return True


def render_page(
    template: str, context: dict[str, Any], templates: str | None, cache: str | None = None
) -> bytes:
    env = environment(templates, cache)
    return env.get_template(template).render(context).encode("utf-8")


def render_post(task: PostTask) -> PostResult:
    """Render and write one post page (runs in a worker process)."""
    assert _config is not None, "init_worker was not called"
    out = Path(_config.out)
    source = Path(task.source)
    try:
        path = safe_join(out, task.rel)
        old = read_existing(path)
        data = read_regular_file(source)
        digest = content_hash(data)
        kept = body_from_page(old) if task.reuse and old is not None else None
        if kept is not None and "<picture" in kept:
            kept = None  # its image markup may be out of date: made again from the Markdown
        if kept is not None:
            fragment = Fragment(kept, excerpt(kept), [])
        else:
            fragment = fragment_of_bytes(data, source, task.root, task.slug)
    except (HkcmsError, OSError) as exc:
        return PostResult(task.slug, "", "", [], False, error=str(exc))
    cover = cover_of(data)
    media = fragment.media + ([f"media/{cover}"] if cover else [])
    html = picture_markup(fragment.html, _config.images, task.root)
    body = BODY_START + html + BODY_END
    og = og_image(_config.images, media, cover, _config.base.get("site", {}).get("base_url", ""))
    context = _config.base | task.context | {"body": body, "og_image": og}
    if not context["description"]:
        context["description"] = fragment.excerpt
    page = render_page("post.html", context, _config.templates, _config.cache)
    written = write_if_changed(out, path, page, old)
    return PostResult(
        task.slug,
        digest,
        fragment.excerpt,
        sorted(set(media)),
        written,
        reused=kept is not None,
        cached=fragment.cached,
    )


@dataclass(frozen=True)
class PageTask:
    """Any other page to render in a worker: a template and its context."""

    rel: str
    template: str
    context: dict[str, Any]


def render_other(task: PageTask) -> bool:
    assert _config is not None, "init_worker was not called"
    out = Path(_config.out)
    page = render_page(task.template, _config.base | task.context, _config.templates, _config.cache)
    return write_if_changed(out, safe_join(out, task.rel), page)


def render_chunk(tasks: list[PostTask | PageTask]) -> list[PostResult | bool]:
    """A chunk of pages (one pickled round trip per chunk, not per page)."""
    return [render_post(t) if isinstance(t, PostTask) else render_other(t) for t in tasks]
