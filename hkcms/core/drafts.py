"""Crash drafts: unsaved editor text kept under .hkcms/drafts/ until saved or discarded.

If the SSH connection drops or the terminal is closed with unsaved work, the next time the
same person opens the post, hkcms offers the text back. A renamed post takes its drafts along.
"""

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


def draft_dir(site: Site) -> Path:
    return site.state_dir / "drafts"


def _path(folder: Path, user: str, slug: str) -> Path:
    key = zlib.crc32(f"{user}\0{slug}".encode("utf-8", "surrogateescape"))
    return folder / f"{key:08x}.json"


def _read(path: Path) -> Draft | None:
    try:
        raw = json.loads(path.read_bytes())
        return Draft(str(raw["slug"]), str(raw["user"]), str(raw["time"]), str(raw["text"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write(path: Path, draft: Draft) -> None:
    write_atomic(path, json.dumps(asdict(draft), ensure_ascii=False).encode("utf-8"))


class DraftStore:
    """One draft per (person, post)."""

    def __init__(self, site: Site, user: str) -> None:
        self.dir = draft_dir(site)
        self.user = user

    def save(self, slug: str, text: str) -> None:
        _write(_path(self.dir, self.user, slug), Draft(slug, self.user, now_iso(), text))

    def load(self, slug: str) -> Draft | None:
        draft = _read(_path(self.dir, self.user, slug))
        if draft is None or draft.slug != slug or draft.user != self.user:
            return None
        return draft

    def discard(self, slug: str) -> None:
        _path(self.dir, self.user, slug).unlink(missing_ok=True)


def move_drafts(site: Site, old: str, new: str) -> int:
    """Give every person's draft of post `old` to post `new` (after a rename); returns how many.

    Drafts are few and small (one per person per post being edited), so reading them all is
    cheap. A person's draft already kept under `new` (of an older post of that name) is never
    overwritten: their draft of `old` then stays where it is, so no words are lost."""
    folder = draft_dir(site)
    try:
        paths = sorted(folder.glob("*.json"))
    except OSError:
        return 0
    moved = 0
    for path in paths:
        draft = _read(path)
        if draft is None or draft.slug != old:
            continue
        target = _path(folder, draft.user, new)
        if target.exists():
            continue
        _write(target, Draft(new, draft.user, draft.time, draft.text))
        path.unlink(missing_ok=True)
        moved += 1
    return moved
