"""The export manifest: which page was written from which inputs, so unchanged pages are skipped
and pages of deleted posts removed. Its presence marks a folder as an hkcms export."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from hkcms.core.errors import HkcmsError
from hkcms.core.site import Site
from hkcms.export.paths import ExportError
from hkcms.export.targets import check_local_folder

MANIFEST_NAME = ".hkcms-export.json"
# 3: `drafts` marks a preview export. Older manifests say nothing about drafts, so they are
# not trusted (one full rebuild) and not publishable until exported again.
MANIFEST_VERSION = 3


@dataclass
class Manifest:
    """pages: output path → key of its inputs ("" = unknown, rewrite it); sources: slug → hash
    of the post file its page was rendered from. Saved before any page is written (as a
    journal: pages about to change are marked unknown) and again at the end (complete).
    `drafts`: a preview that includes drafts and future posts, never to be published."""

    pages: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    complete: bool = True
    version: str = ""
    media: dict[str, list[str]] = field(default_factory=dict)  # slug → media files it uses
    drafts: bool = False

    @classmethod
    def load(cls, out: Path) -> Manifest | None:
        """The manifest of an earlier export; None if there is none."""
        try:
            data = json.loads((out / MANIFEST_NAME).read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return cls(complete=False)  # damaged: an export folder, but nothing can be trusted
        if not isinstance(data, dict) or data.get("format") != MANIFEST_VERSION:
            return cls(complete=False)
        pages, sources, media = data.get("pages"), data.get("sources"), data.get("media")
        if not (isinstance(pages, dict) and isinstance(sources, dict) and isinstance(media, dict)):
            return cls(complete=False)
        complete, version = bool(data.get("complete")), str(data.get("version", ""))
        drafts = data.get("drafts")
        if not isinstance(drafts, bool):
            return cls(complete=False)  # unknown: it may hold drafts, so it is not publishable
        return cls(pages, sources, complete, version, media, drafts)

    def same_as(self, other: Manifest) -> bool:
        return (
            self.pages, self.sources, self.media, self.complete, self.version, self.drafts
        ) == (
            other.pages, other.sources, other.media, other.complete, other.version, other.drafts
        )  # fmt: skip

    def to_bytes(self) -> bytes:
        # Sorted when complete (the same export gives the same bytes); a journal needs no order.
        order = sorted if self.complete else list
        data = {
            "format": MANIFEST_VERSION,
            "generator": "hkcms",
            "version": self.version,
            "complete": self.complete,
            "drafts": self.drafts,
            "pages": dict(order(self.pages.items())),
            "sources": dict(order(self.sources.items())),
            "media": dict(order(self.media.items())),
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def save(self, out: Path) -> None:
        # Atomic (temp file + rename) but not fsynced: it guards against a killed export, not a
        # power cut, like the pages it describes (after a power cut, export with --full).
        path = out / MANIFEST_NAME
        tmp = out / f"{MANIFEST_NAME}.{os.getpid()}.tmp"
        tmp.write_bytes(self.to_bytes())
        os.replace(tmp, path)


def check_output_folder(out: Path, site: Site) -> None:
    """Refuse folders an export must never write into: the site itself, its sources, or a
    non-empty folder that holds no hkcms export (its files would be mixed with or replaced
    by ours)."""
    try:
        check_local_folder(out, site.root, what="the export folder", inside_site_ok=True)
    except HkcmsError as exc:
        raise ExportError(exc.message, out) from None
    if out.exists() and not out.is_dir():
        raise ExportError("exists and is not a folder", out)
    if out.is_dir() and not (out / MANIFEST_NAME).exists() and any(out.iterdir()):
        raise ExportError(
            "is not empty and is not an hkcms export; refusing to write into it "
            "(choose an empty folder)",
            out,
        )
