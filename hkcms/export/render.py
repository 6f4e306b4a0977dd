"""Rendering work that runs in worker processes: Markdown → safe HTML fragments → pages."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import markdown_it
import mdit_py_plugins

from hkcms.core.atomic import decode_utf8, read_regular_file
from hkcms.core.errors import HkcmsError
from hkcms.core.markdown import render_html
from hkcms.core.post import content_hash, parse_post
from hkcms.export.html import (
    SANITIZE_VERSION,
    excerpt,
    media_references,
    rebase_root_urls,
    sanitize,
)
from hkcms.export.paths import safe_join
from hkcms.export.theme import environment

STAGING = ".hkcms-tmp"
# Cached fragments are valid for one parser and sanitiser version.
FRAGMENT_VERSION = hashlib.sha256(
    f"{markdown_it.__version__}/{mdit_py_plugins.__version__}/{SANITIZE_VERSION}".encode()
).hexdigest()[:12]


@dataclass(frozen=True)
class Fragment:
    """A post body rendered and sanitised, with what the lists and warnings need."""

    html: str
    excerpt: str
    media: list[str]


@dataclass(frozen=True)
class PostTask:
    """One post page to render: the source file and the template context without the body."""

    slug: str
    source: str
    rel: str
    context: dict[str, Any]


@dataclass
class PostResult:
    slug: str
    hash: str
    excerpt: str
    media: list[str]
    written: bool
    error: str = ""


@dataclass
class WorkerConfig:
    """What every worker needs: where to write, where templates and the cache live."""

    out: str
    templates: str | None
    cache: str | None
    base: dict[str, Any] = field(default_factory=dict)


_config: WorkerConfig | None = None


def init_worker(config: WorkerConfig) -> None:
    global _config
    _config = config


def fragment_path(cache: str, digest: str) -> Path:
    return Path(cache) / FRAGMENT_VERSION / digest[:2] / f"{digest}.json"


def load_fragment(cache: str | None, digest: str) -> Fragment | None:
    """A cached fragment, or None (a missing or damaged cache entry is simply rendered again)."""
    if not cache:
        return None
    try:
        data = json.loads(fragment_path(cache, digest).read_bytes())
        return Fragment(str(data["html"]), str(data["excerpt"]), list(data["media"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def render_fragment(body: str) -> Fragment:
    """Markdown through the one parser, then nh3; javascript:/data: URLs never survive."""
    safe = sanitize(render_html(body))
    return Fragment(safe, excerpt(safe), media_references(safe))


def fragment_for(data: bytes, slug: str, source: Path, cache: str | None) -> tuple[str, Fragment]:
    """(content hash, fragment) of a post file's bytes, from the cache when possible."""
    digest = content_hash(data)
    cached = load_fragment(cache, digest)
    if cached is not None:
        return digest, cached
    post = parse_post(decode_utf8(data, source), slug, source)
    fragment = render_fragment(post.body)
    if cache:
        payload = {"html": fragment.html, "excerpt": fragment.excerpt, "media": fragment.media}
        try:
            write_bytes(
                fragment_path(cache, digest), json.dumps(payload, ensure_ascii=False).encode()
            )
        except OSError:
            pass  # the cache only saves time
    return digest, fragment


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


def write_if_changed(out: Path, path: Path, data: bytes) -> bool:
    """Write a page unless the file already holds these bytes; True if written."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_bytes(path, data, out / STAGING)
    return True


def render_page(template: str, context: dict[str, Any], templates: str | None) -> bytes:
    return environment(templates).get_template(template).render(context).encode("utf-8")


def render_post(task: PostTask) -> PostResult:
    """Render and write one post page (runs in a worker process)."""
    assert _config is not None, "init_worker was not called"
    out = Path(_config.out)
    source = Path(task.source)
    try:
        data = read_regular_file(source)
        digest, fragment = fragment_for(data, task.slug, source, _config.cache)
    except (HkcmsError, OSError) as exc:
        return PostResult(task.slug, "", "", [], False, error=str(exc))
    root = task.context["root"]
    context = _config.base | task.context | {"body": rebase_root_urls(fragment.html, root)}
    page = render_page("post.html", context, _config.templates)
    written = write_if_changed(out, safe_join(out, task.rel), page)
    return PostResult(task.slug, digest, fragment.excerpt, fragment.media, written)


def render_posts(tasks: list[PostTask]) -> list[PostResult]:
    """A chunk of post pages (one pickled round trip per chunk, not per post)."""
    return [render_post(task) for task in tasks]
