"""What an export plans: the posts it shows, the other pages it writes, and their keys."""

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
    sig: str = ""
    excerpt: str = ""
    media: list[str] = field(default_factory=list)
    entry: dict[str, Any] | None = None  # its item in lists, built once

    @property
    def slug(self) -> str:
        return self.info.slug

    @property
    def rel(self) -> str:
        return f"posts/{self.info.slug}/index.html"


@dataclass
class Page:
    """A non-post output file: its key and how to make its bytes."""

    rel: str
    key: str
    make: Callable[[], bytes]
    task: Callable[[], PageTask] | None = None  # when set, a worker may render it instead


def digest(value: Any) -> str:
    payload = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def digest_text(*parts: str) -> str:
    return hashlib.sha256("\x1e".join(parts).encode("utf-8")).hexdigest()[:32]
