"""MetaStore over TinyDB: atomic JSON storage, an inter-process lock, small sharded files."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tinydb import Query, TinyDB
from tinydb.storages import Storage
from tinydb.table import Document

from hkcms.core.atomic import clean_temp_files, read_regular_file, write_atomic
from hkcms.core.errors import HkcmsError, MetadataError
from hkcms.core.meta_schema import check_tables
from hkcms.core.site import Site

SCHEMA_VERSION = 1
SUMMARY_SHARDS = 64  # keeps each summary file near 150 documents at 10,000 posts (~2 ms a write)
META_FILE_LIMIT = 64 * 1024 * 1024
LOCK_TIMEOUT_S = 30.0
_SLUG = Query()


class AtomicJSONStorage(Storage):
    """TinyDB storage that never leaves a half-written file and never overwrites a corrupt one."""

    def __init__(self, path: Path | str, **_: Any) -> None:
        self.path = Path(path)

    def read(self) -> dict[str, dict[str, Any]] | None:
        return read_json(self.path)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        write_atomic(self.path, json_bytes(data), keep_backup=True)

    def close(self) -> None:
        pass


def json_bytes(data: Any) -> bytes:
    """Compact, sorted UTF-8 JSON: the bytes every metadata file is written as."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def read_json(path: Path, *, tables: bool = True) -> dict[str, Any] | None:
    """Parse a metadata file; None if it does not exist; MetadataError if it is corrupt.

    With `tables` (TinyDB files) the known fields must also have the right types.
    """
    try:
        data = read_regular_file(path, META_FILE_LIMIT)
    except FileNotFoundError:
        return None
    except HkcmsError as exc:
        raise MetadataError(exc.message, path) from exc
    if not data.strip():
        return None
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        backup = path.with_name(path.name + ".bak")
        hint = (
            f"the last good copy is {backup}; check it, then copy it over the broken file"
            if backup.exists()
            else "no backup exists; repair the file by hand or move it away"
        )
        line = getattr(exc, "lineno", None)
        raise MetadataError(
            f"metadata cannot be parsed ({type(exc).__name__}); it was left untouched, {hint}",
            path,
            line,
        ) from exc
    if not isinstance(parsed, dict):
        raise MetadataError("metadata is not a JSON object; it was left untouched", path)
    if tables:
        check_tables(parsed, path)
    return parsed


def summary_shard(slug: str) -> str:
    return f"summary-{zlib.crc32(slug.encode('utf-8')) % SUMMARY_SHARDS:02d}.json"


class MetaTxn:
    """One locked read-modify-write session; TinyDB files are opened fresh inside it."""

    def __init__(self, store: MetaStore) -> None:
        self.store = store
        self._open: dict[Path, TinyDB] = {}

    def db(self, path: Path) -> TinyDB:
        if path not in self._open:
            self._open[path] = TinyDB(path, storage=AtomicJSONStorage)
        return self._open[path]

    def forget(self, path: Path) -> None:
        """Drop a TinyDB opened on `path`: the file was rewritten or moved behind its back."""
        self._open.pop(path, None)

    def post_db(self, slug: str) -> TinyDB:
        """The per-post file: tables revisions, comments, views."""
        return self.db(self.store.post_file(slug))

    def summary_db(self, slug: str) -> TinyDB:
        return self.db(self.store.meta_dir / summary_shard(slug))

    def site_db(self) -> TinyDB:
        """Site-wide bookkeeping: schema version, log-import state, comment-import keys."""
        return self.db(self.store.meta_dir / "site.json")

    def get_summary(self, slug: str) -> dict[str, Any]:
        doc = self.summary_db(slug).table("posts").get(_SLUG.slug == slug)
        return dict(doc) if isinstance(doc, dict) else {}

    def update_summary(self, slug: str, **fields: Any) -> None:
        """Merge fields into the post's summary (the totals the list needs)."""
        table = self.summary_db(slug).table("posts")
        if not table.update(fields, _SLUG.slug == slug):
            table.insert({"slug": slug, **fields})

    def delete_summary(self, slug: str) -> dict[str, Any]:
        summary = self.get_summary(slug)
        if summary:
            self.summary_db(slug).table("posts").remove(_SLUG.slug == slug)
        return summary


class MetaStore:
    """Metadata of a site under <site>/.hkcms/: reads are lock-free, writes take the lock."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.state_dir = site.state_dir
        self.meta_dir = self.state_dir / "meta"
        self.posts_meta_dir = self.meta_dir / "posts"
        self.lock_path = self.state_dir / "locks" / "meta.lock"
        self._checked = False

    def post_file(self, slug: str) -> Path:
        return self.posts_meta_dir / f"{slug}.json"

    def ensure_ready(self) -> None:
        """Create folders, clean temp files of killed writers, check the schema version."""
        if self._checked:
            return
        for folder in (self.meta_dir, self.posts_meta_dir, self.lock_path.parent):
            folder.mkdir(parents=True, exist_ok=True)
        site_file = self.meta_dir / "site.json"
        data = read_json(site_file) or {}
        schema = data.get("schema", {}).get("1", {}).get("version")
        if schema is not None and schema > SCHEMA_VERSION:
            raise MetadataError(
                f"metadata schema {schema} was written by a newer hkcms; upgrade hkcms", site_file
            )
        self._checked = True
        with self.transaction() as txn:
            # Writers hold this lock while writing, so any temp file seen now is a dead writer's.
            self.clean_temp_files()
            if schema is None:
                txn.site_db().table("schema").upsert(Document({"version": SCHEMA_VERSION}, 1))

    def clean_temp_files(self) -> int:
        removed = 0
        for folder in (self.meta_dir, self.posts_meta_dir, self.site.posts_dir):
            removed += clean_temp_files(folder)
        return removed

    @contextmanager
    def lock(self) -> Iterator[None]:
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        from filelock import FileLock, Timeout  # 30–70 ms to import; lock-free reads skip it

        lock = FileLock(str(self.lock_path), timeout=LOCK_TIMEOUT_S)
        try:
            lock.acquire()
        except Timeout as exc:
            raise HkcmsError(
                f"another hkcms process has held the metadata lock for {LOCK_TIMEOUT_S:.0f} s; "
                "try again",
                self.lock_path,
            ) from exc
        try:
            yield
        finally:
            lock.release()

    @contextmanager
    def transaction(self) -> Iterator[MetaTxn]:
        """Hold the inter-process lock around a read-modify-write of metadata."""
        if not self._checked:
            self.ensure_ready()
        with self.lock():
            yield MetaTxn(self)

    # Lock-free reads: every write is an atomic rename, so a reader sees a whole file.

    def summaries(self) -> dict[str, dict[str, Any]]:
        """All post summaries, keyed by slug."""
        out: dict[str, dict[str, Any]] = {}
        if not self.meta_dir.is_dir():
            return out
        for shard in range(SUMMARY_SHARDS):
            data = read_json(self.meta_dir / f"summary-{shard:02d}.json")
            if not data:
                continue
            for doc in data.get("posts", {}).values():
                out[doc["slug"]] = doc
        return out

    def summary(self, slug: str) -> dict[str, Any]:
        data = read_json(self.meta_dir / summary_shard(slug)) or {}
        for doc in data.get("posts", {}).values():
            if doc.get("slug") == slug:
                return dict(doc)
        return {}

    def post_table(self, slug: str, table: str) -> list[dict[str, Any]]:
        """Documents of one table of a post's metadata file, in insertion order."""
        data = read_json(self.post_file(slug)) or {}
        docs = data.get(table, {})
        return [docs[k] | {"_id": int(k)} for k in sorted(docs, key=int)]

    def site_table(self, table: str) -> dict[str, dict[str, Any]]:
        data = read_json(self.meta_dir / "site.json") or {}
        return dict(data.get(table, {}))

    def rename_post(self, txn: MetaTxn, old: str, new: str) -> None:
        """Move a post's metadata file and summary to a new slug (history, views, comments)."""
        old_file, new_file = self.post_file(old), self.post_file(new)
        if old_file.exists():
            data = read_json(old_file) or {}
            for comment in data.get("comments", {}).values():
                comment["post"] = new
            write_atomic(new_file, json_bytes(data))
            old_file.unlink()
        txn.forget(old_file)
        summary = txn.delete_summary(old)
        if summary:
            summary["slug"] = new
            txn.update_summary(new, **{k: v for k, v in summary.items() if k != "slug"})
