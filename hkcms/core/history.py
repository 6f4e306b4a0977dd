"""Revisions: recorded on every changed save, listed, diffed and restored; content in blobs."""

from __future__ import annotations

import datetime as dt
import difflib
import getpass
import os
import pwd
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from hkcms.core.atomic import read_regular_file, write_atomic
from hkcms.core.errors import MetadataError, NotFoundError
from hkcms.core.meta import MetaStore, MetaTxn
from hkcms.core.post import content_hash

EXTERNAL_EDITOR = "external"


def current_editor() -> str:
    """The login user behind this process, by its user id (not $USER, which `su`/`runuser`
    may leave as someone else's); sudo keeps the real person's name."""
    if os.environ.get("HKCMS_USER"):
        return os.environ["HKCMS_USER"]
    uid = os.getuid()
    if uid == 0 and os.environ.get("SUDO_USER"):
        return os.environ["SUDO_USER"]
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        pass
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Revision:
    """One recorded version of a post (rev 1 is the oldest)."""

    rev: int
    time: str
    editor: str
    hash: str
    size: int
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def summary_fields(revision: dict[str, Any]) -> dict[str, Any]:
    """What a post's summary keeps of its newest revision."""
    return {
        "updated": revision["time"],
        "revisions": revision["rev"],
        "hash": revision["hash"],
        "size": revision["size"],
    }


class BlobStore:
    """Content-addressed, compressed revision texts under .hkcms/blobs/ (outside TinyDB)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, digest: str) -> Path:
        return self.root / digest[:2] / digest[2:]

    def put(self, data: bytes, digest: str | None = None, *, durable: bool = True) -> str:
        """Store `data`; without `durable` the caller syncs the file system afterwards (a
        batch). An empty file (a power cut before that sync) is written again."""
        digest = digest or content_hash(data)
        path = self.path(digest)
        try:
            missing = path.stat().st_size == 0
        except FileNotFoundError:
            missing = True
        if missing:
            write_atomic(path, zlib.compress(data, 6), sync_file=durable, sync_dir=durable)
        return digest

    def staged(self, data: bytes, digest: str) -> tuple[Path, bytes] | None:
        """The file `put` would write (for a bulk writer), or None if the blob exists."""
        path = self.path(digest)
        return None if path.exists() else (path, zlib.compress(data, 6))

    def get(self, digest: str) -> bytes:
        path = self.path(digest)
        try:
            data = zlib.decompress(read_regular_file(path, 64 * 1024 * 1024))
        except FileNotFoundError as exc:
            raise MetadataError("revision content is missing", path) from exc
        except zlib.error as exc:
            raise MetadataError("revision content is damaged", path) from exc
        if content_hash(data) != digest:
            raise MetadataError("revision content does not match its hash", path)
        return data


class History:
    """Revision history of every post."""

    def __init__(self, meta: MetaStore) -> None:
        self.meta = meta
        self.blobs = BlobStore(meta.state_dir / "blobs")

    def record(
        self,
        txn: MetaTxn,
        slug: str,
        data: bytes,
        *,
        editor: str | None = None,
        note: str = "",
        time: str | None = None,
    ) -> Revision | None:
        """Record `data` as a new revision unless it equals the newest; caller holds the lock."""
        digest = content_hash(data)
        table = txn.post_db(slug).table("revisions")
        docs = table.all()
        count = len(docs)
        if docs:
            newest = max(docs, key=lambda d: d["rev"])
            if newest["hash"] == digest:
                if txn.get_summary(slug).get("hash") != digest:
                    # Recorded, but killed before the summary was written: finish the job.
                    txn.update_summary(slug, **summary_fields(newest))
                return None
        self.blobs.put(data, digest)
        revision = Revision(
            rev=count + 1,
            time=time or now_iso(),
            editor=editor or current_editor(),
            hash=digest,
            size=len(data),
            note=note,
        )
        table.insert(revision.to_dict())
        txn.update_summary(slug, **summary_fields(revision.to_dict()))
        return revision

    def list(self, slug: str) -> list[Revision]:
        """Revisions of a post, newest first."""
        docs = self.meta.post_table(slug, "revisions")
        revs = [Revision(**{k: v for k, v in d.items() if k != "_id"}) for d in docs]
        return sorted(revs, key=lambda r: r.rev, reverse=True)

    def get(self, slug: str, rev: int) -> Revision:
        for revision in self.list(slug):
            if revision.rev == rev:
                return revision
        raise NotFoundError(f"post {slug!r} has no revision {rev}")

    def text(self, slug: str, rev: int) -> str:
        return self.blobs.get(self.get(slug, rev).hash).decode("utf-8", errors="replace")

    def diff(self, slug: str, old_text: str, new_text: str, old_label: str, new_label: str) -> str:
        """Unified diff between two texts of a post."""
        lines = difflib.unified_diff(
            old_text.splitlines(keepends=True),
            new_text.splitlines(keepends=True),
            fromfile=f"{slug} {old_label}",
            tofile=f"{slug} {new_label}",
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
