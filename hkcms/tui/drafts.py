"""Crash drafts: unsaved editor text kept under .hkcms/drafts/ until saved or discarded.

If the SSH connection drops or the terminal is closed with unsaved work, the next time the
same person opens the post, hkcms offers the text back. (No Textual import: plain files.)"""

from __future__ import annotations

import json
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

from hkcms.core.atomic import write_atomic
from hkcms.core.history import now_iso
from hkcms.core.site import Site


@dataclass(frozen=True)
class Draft:
    """The whole file text (front matter and body) as it was on screen."""

    slug: str
    user: str
    time: str
    text: str


class DraftStore:
    """One draft per (person, post)."""

    def __init__(self, site: Site, user: str) -> None:
        self.dir = site.state_dir / "drafts"
        self.user = user

    def _path(self, slug: str) -> Path:
        key = zlib.crc32(f"{self.user}\0{slug}".encode())
        return self.dir / f"{key:08x}.json"

    def save(self, slug: str, text: str) -> None:
        draft = Draft(slug, self.user, now_iso(), text)
        data = json.dumps(asdict(draft), ensure_ascii=False).encode("utf-8")
        write_atomic(self._path(slug), data)

    def load(self, slug: str) -> Draft | None:
        try:
            raw = json.loads(self._path(slug).read_bytes())
            draft = Draft(str(raw["slug"]), str(raw["user"]), str(raw["time"]), str(raw["text"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return draft if draft.slug == slug and draft.user == self.user else None

    def discard(self, slug: str) -> None:
        self._path(slug).unlink(missing_ok=True)
