"""MetaStore over TinyDB: atomic JSON storage, an inter-process lock, small sharded files."""

from __future__ import annotations

import json
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tinydb import Query, TinyDB
from tinydb.storages import Storage
from tinydb.table import Document

from hkcms.core.atomic import (
    clean_temp_files,
    file_mode,
    make_dirs,
    read_regular_file,
    write_atomic,
)
from hkcms.core.errors import HkcmsError, MetadataError
from hkcms.core.journal import Batch, Journal
from hkcms.core.meta_schema import check_tables
from hkcms.core.site import Site

SCHEMA_VERSION = 1
SUMMARY_SHARDS = 64  # keeps each summary file near 150 documents at 10,000 posts (~2 ms a write)
MIB = 1024 * 1024
META_FILE_LIMIT = 64 * MIB
LOCK_TIMEOUT_S = 30.0
_SLUG = Query()


class MetadataTooLarge(MetadataError):
    """A metadata file would grow past the size hkcms reads back; nothing was written."""

    def __init__(self, path: Path, size: int) -> None:
        self.size = size
        super().__init__(
            f"would grow to {size / MIB:,.1f} MiB, over the {META_FILE_LIMIT / MIB:,.0f} MiB "
            "that hkcms can read back; nothing was changed",
            path,
        )


class AtomicJSONStorage(Storage):
    """TinyDB storage that never leaves a half-written file and never overwrites a corrupt one.

    Inside a transaction, writes are collected and land together when it ends (journaled)."""

    def __init__(self, path: Path | str, txn: MetaTxn | None = None, **_: Any) -> None:
        self.path = Path(path)
        self.txn = txn

    def read(self) -> dict[str, dict[str, Any]] | None:
        if self.txn is not None:
            return self.txn.read_json(self.path)
        return read_json(self.path)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        if self.txn is not None:
            self.txn.put(self.path, json_bytes(data), backup="keep")
            return
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
    return parse_json(data, path, tables=tables)


def parse_json(data: bytes, path: Path, *, tables: bool = True) -> dict[str, Any] | None:
    """Parse the bytes of a metadata file (None if empty); MetadataError naming `path`."""
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


def backup_of(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def summary_shard(slug: str) -> str:
    return f"summary-{zlib.crc32(slug.encode('utf-8')) % SUMMARY_SHARDS:02d}.json"


class MetaTxn:
    """One locked read-modify-write session. Its writes (TinyDB files, posts, moves) are
    collected and land together when the transaction ends: all of them or, if it fails or
    the process is killed before the commit, none (see journal.py)."""

    def __init__(self, store: MetaStore) -> None:
        self.store = store
        self._open: dict[Path, TinyDB] = {}
        # Pending state of the files this transaction changed: bytes (written), None (deleted
        # or moved away) or the Path a file was moved from.
        self._view: dict[Path, bytes | Path | None] = {}
        self._ops: list[tuple[str, Path, bytes | Path | None, str]] = []
        self._last_put: dict[Path, int] = {}

    def db(self, path: Path) -> TinyDB:
        if path not in self._open:
            self._open[path] = TinyDB(path, storage=AtomicJSONStorage, txn=self)
        return self._open[path]

    # ---- the transaction's view of the files ------------------------------------------

    def read_bytes(self, path: Path) -> bytes | None:
        """The file as this transaction left it (None: it does not exist)."""
        if path in self._view:
            value = self._view[path]
            if not isinstance(value, Path):
                return value
            path = value
        try:
            return read_regular_file(path, META_FILE_LIMIT)
        except FileNotFoundError:
            return None

    def read_json(self, path: Path) -> dict[str, Any] | None:
        if path in self._view:
            value = self._view[path]
            if value is None:
                return None
            if isinstance(value, bytes):
                return parse_json(value, path)
            path = value
        return read_json(path)

    def exists(self, path: Path) -> bool:
        if path in self._view:
            return self._view[path] is not None
        return path.exists()

    def put(self, path: Path, data: bytes, *, backup: str = "") -> None:
        """Write `path` when the transaction commits (the last put of a path wins)."""
        index = self._last_put.get(path)
        if index is not None:
            old = self._ops[index][3]
            self._ops[index] = ("put", path, data, "scrub" if old == "scrub" else backup)
        else:
            self._last_put[path] = len(self._ops)
            self._ops.append(("put", path, data, backup))
        self._view[path] = data

    def scrub_backup(self, path: Path) -> None:
        """The pending write of `path` removes private data: its .bak must not keep it."""
        index = self._last_put.get(path)
        if index is not None:
            op, target, data, _ = self._ops[index]
            self._ops[index] = (op, target, data, "scrub")

    def move(self, src: Path, dst: Path) -> None:
        """Rename a file (a post file into the trash, say) when the transaction commits."""
        if self.exists(dst):
            raise MetadataError("exists already; not moving a file over it", dst)
        pending = self._view.get(src, src)
        self._ops.append(("move", dst, src, ""))
        self._view[dst] = pending
        self._view[src] = None
        self._last_put.pop(src, None)
        self._last_put.pop(dst, None)
        self.forget(src)

    def delete(self, path: Path) -> None:
        self._ops.append(("delete", path, None, ""))
        self._view[path] = None
        self._last_put.pop(path, None)
        self.forget(path)

    def changed(self) -> list[Path]:
        """Paths this transaction writes, moves or deletes (for tests and reports)."""
        return [op[1] for op in self._ops]

    def commit(self) -> None:
        """Land every collected write (one journaled batch when there is more than one)."""
        batch: Batch = self.store.journal.batch()
        for op, path, arg, backup in self._ops:
            if op == "put":
                assert isinstance(arg, bytes)
                if len(arg) > META_FILE_LIMIT and path.suffix == ".json":
                    raise MetadataTooLarge(path, len(arg))
                batch.put(path, arg, backup=backup)
            elif op == "move":
                assert isinstance(arg, Path)
                batch.move(arg, path)
            else:
                batch.delete(path)
        self._ops.clear()
        batch.commit()

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
        self.journal = Journal(site.root, self.state_dir / "journal")
        self._checked = False
        self._local = threading.local()  # the transaction open in this thread, if any

    def post_file(self, slug: str) -> Path:
        return self.posts_meta_dir / f"{slug}.json"

    def post_exists(self, slug: str) -> bool:
        """Whether the post's file exists, as the open transaction (if any) will leave it."""
        path = self.site.post_path(slug)
        txn = self.current()
        return txn.exists(path) if txn is not None else path.exists()

    def ensure_ready(self) -> None:
        """Create folders, clean temp files of killed writers, check the schema version."""
        if self._checked:
            return
        for folder in (self.meta_dir, self.posts_meta_dir, self.lock_path.parent):
            make_dirs(folder)
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
            blobs = self.state_dir / "blobs"
            if blobs.is_dir():
                for folder in blobs.iterdir():
                    clean_temp_files(folder)
            if schema is None:
                txn.site_db().table("schema").upsert(Document({"version": SCHEMA_VERSION}, 1))

    def clean_temp_files(self) -> int:
        removed = 0
        for folder in (self.meta_dir, self.posts_meta_dir, self.site.posts_dir):
            removed += clean_temp_files(folder)
        return removed

    @contextmanager
    def lock(self) -> Iterator[None]:
        make_dirs(self.lock_path.parent)
        from filelock import FileLock, Timeout  # 30–70 ms to import; lock-free reads skip it

        # A lock file made by one member of a shared site must open for the others.
        lock = FileLock(
            str(self.lock_path), timeout=LOCK_TIMEOUT_S, mode=file_mode(self.lock_path.parent)
        )
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
        """Hold the inter-process lock around a read-modify-write of metadata; every write made
        inside lands together at the end, or not at all if it raises. A transaction opened
        inside another (same thread) joins it: one commit covers both (e.g. a post and its
        imported comments)."""
        outer: MetaTxn | None = getattr(self._local, "txn", None)
        if outer is not None:
            yield outer
            return
        if not self._checked:
            self.ensure_ready()
        with self.lock():
            if self.journal.needs_recovery():
                self.journal.recover()
            txn = MetaTxn(self)
            self._local.txn = txn
            try:
                yield txn
                txn.commit()
            finally:
                self._local.txn = None

    def current(self) -> MetaTxn | None:
        """The transaction open in this thread, if any."""
        txn: MetaTxn | None = getattr(self._local, "txn", None)
        return txn

    def settle(self) -> None:
        """Before a lock-free read: finish a change a killed writer left behind, if any."""
        if self.current() is None and self.journal.needs_recovery():
            try:
                with self.transaction():
                    pass
            except OSError:
                pass  # a read-only site: read what is there

    # Lock-free reads: every write is an atomic rename, so a reader sees a whole file.

    def summaries(self) -> dict[str, dict[str, Any]]:
        """All post summaries, keyed by slug."""
        out: dict[str, dict[str, Any]] = {}
        if not self.meta_dir.is_dir():
            return out
        self.settle()
        for shard in range(SUMMARY_SHARDS):
            data = read_json(self.meta_dir / f"summary-{shard:02d}.json")
            if not data:
                continue
            for doc in data.get("posts", {}).values():
                out[doc["slug"]] = doc
        return out

    def summary(self, slug: str) -> dict[str, Any]:
        self.settle()
        data = read_json(self.meta_dir / summary_shard(slug)) or {}
        for doc in data.get("posts", {}).values():
            if doc.get("slug") == slug:
                return dict(doc)
        return {}

    def post_table(self, slug: str, table: str) -> list[dict[str, Any]]:
        """Documents of one table of a post's metadata file, in insertion order."""
        self.settle()
        data = read_json(self.post_file(slug)) or {}
        docs = data.get(table, {})
        return [docs[k] | {"_id": int(k)} for k in sorted(docs, key=int)]

    def read_post(self, slug: str) -> dict[str, Any] | None:
        """A post's whole metadata file (None if it has none)."""
        self.settle()
        return read_json(self.post_file(slug))

    def site_table(self, table: str) -> dict[str, dict[str, Any]]:
        data = read_json(self.meta_dir / "site.json") or {}
        return dict(data.get(table, {}))

    def rename_post(self, txn: MetaTxn, old: str, new: str) -> None:
        """Move a post's metadata file and summary to a new slug (history, views, comments)."""
        old_file, new_file = self.post_file(old), self.post_file(new)
        if txn.exists(old_file):
            data = txn.read_json(old_file) or {}
            for comment in data.get("comments", {}).values():
                comment["post"] = new
            txn.put(new_file, json_bytes(data))
            txn.delete(old_file)
            txn.delete(backup_of(old_file))  # the old name's backup would be an orphan
        txn.forget(old_file)
        summary = txn.delete_summary(old)
        if summary:
            summary["slug"] = new
            txn.update_summary(new, **{k: v for k, v in summary.items() if k != "slug"})
