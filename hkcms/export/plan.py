"""What an export plans: the posts it shows, the pages it writes and the inputs of each page."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hkcms.core.posts import PostInfo
from hkcms.export.render import PageTask

SEP = "\x1f"


@dataclass
class PlannedPost:
    """A visible post with what every page showing it needs, and a signature of its inputs."""

    info: PostInfo
    hash: str
    day: dt.date | None
    status_label: str
    lang: str
    tags: list[tuple[str, str]]  # (slug, name)
    updated: str = ""  # the last saved revision (ISO), from the metadata summaries
    views: int = 0
    comments: int = 0  # approved comments
    sig: str = ""
    excerpt: str = ""
    media: list[str] = field(default_factory=list)
    entry: dict[str, Any] | None = None  # its item in lists, built once
    list_sig: str = ""  # what its item in lists shows, computed once (listings.entry_sig)

    @property
    def slug(self) -> str:
        return self.info.slug

    @property
    def is_page(self) -> bool:
        return self.info.kind == "page"

    @property
    def url(self) -> str:
        """Its address inside the site: posts/<slug>/, or <slug>/ for a page."""
        return f"{self.info.slug}/" if self.is_page else f"posts/{self.info.slug}/"

    @property
    def rel(self) -> str:
        return self.url + "index.html"

    @property
    def root(self) -> str:
        """The way back to the site's root from its page."""
        return "../" if self.is_page else "../../"


@dataclass
class Page:
    """One output file: the inputs it shows (its key is derived from them) and how to make it.

    `inputs` must name everything the bytes depend on, besides the theme and the settings
    (the build's base key): a page whose inputs did not change is not written again."""

    rel: str
    inputs: tuple[str, ...]
    make: Callable[[], bytes]
    task: Callable[[], PageTask] | None = None  # when set, a worker may render it instead
    key: str = ""  # set by the build: digest of the base key, the source, rel and inputs


@dataclass
class PostPage:
    """A page rendered from a post's Markdown in a worker process; `context` is the template
    context without the body, built only if the page is written."""

    post: PlannedPost
    rel: str
    inputs: tuple[str, ...]
    context: Callable[[], dict[str, Any]]
    key: str = ""


def digest(value: Any) -> str:
    payload = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def digest_text(*parts: str) -> str:
    return hashlib.sha256("\x1e".join(parts).encode("utf-8")).hexdigest()[:32]
