"""Rendered post bodies kept by content in one SQLite file (.hkcms/cache/fragments.sqlite), so
`export --full`, a new output folder or a theme change renders no Markdown it rendered before.

An entry is the sanitised HTML of one body, keyed by a hash of the body and of everything that
shapes that HTML (FRAGMENT_VERSION: parser, plugins, sanitiser); zlib keeps 10,000 entries near
30 MB. One file, not a file an entry: creating 10,000 small files costs seconds on some file
systems. Workers only read it; they hand new entries back with their results and the export's
own process stores them, many to a transaction. It is a cache: any error reading or writing it
is a miss, never a failed export, and a file that is not a database is started again. Entries
are pruned to the two newest bodies of each post the site still has.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

LEVEL = 1  # fast; the entries are small and read far more often than written
KEEP_PER_POST = 2  # the current body and the one before (an edit undone renders nothing)
BUSY_TIMEOUT_S = 30.0
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS fragment ("
    "key BLOB NOT NULL UNIQUE, slug TEXT NOT NULL, used INTEGER NOT NULL, html BLOB NOT NULL);"
    "CREATE INDEX IF NOT EXISTS fragment_slug ON fragment (slug, used)"
)


@dataclass(frozen=True)
class Entry:
    """A body's rendered HTML, compressed, on its way to the cache."""

    key: bytes
    slug: str
    html: bytes


class FragmentCache:
    """Content-addressed sanitised HTML of post bodies."""

    def __init__(self, path: Path | str, version: str) -> None:
        self.path = Path(path)
        self.version = version
        self._db: sqlite3.Connection | None = None
        self._broken = False

    def key(self, body: str) -> bytes:
        return hashlib.sha256(f"{self.version}\0{body}".encode()).digest()

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is None and not self._broken:
            try:
                self._db = _open(self.path)
            except (sqlite3.Error, OSError):
                self._broken = True  # unusable this run: every lookup is a miss
        return self._db

    def ready(self) -> bool:
        """Open the file now (a damaged one is started again); False if it cannot be used."""
        return self._connect() is not None

    def get(self, body: str) -> str | None:
        return self.lookup(self.key(body))

    def lookup(self, key: bytes) -> str | None:
        """The HTML kept under a body's key (see `key`), or None."""
        db = self._connect()
        if db is None:
            return None
        try:
            row = db.execute("SELECT html FROM fragment WHERE key = ?", (key,)).fetchone()
            return None if row is None else zlib.decompress(row[0]).decode("utf-8")
        except (sqlite3.Error, zlib.error, UnicodeDecodeError):
            return None

    def entry(self, key: bytes, html: str, slug: str) -> Entry:
        """What `store` writes for a body (by its key) rendered to `html` for the post `slug`."""
        return Entry(key, slug, zlib.compress(html.encode("utf-8"), LEVEL))

    def store(self, entries: Iterable[Entry]) -> None:
        """Write entries in one transaction (by one process at a time: the export's)."""
        now = time.time_ns()
        rows = [(e.key, e.slug, now + n, e.html) for n, e in enumerate(entries)]
        db = self._connect() if rows else None
        if db is None:
            return
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO fragment VALUES (?, ?, ?, ?)", rows)
        except sqlite3.Error:
            pass  # a full disk or a read-only cache: only misses later

    def prune(self, rendered: Iterable[str], every: Iterable[str] | None = None) -> None:
        """Keep the newest KEEP_PER_POST entries of each post just `rendered`; with `every`
        (all the site's posts: a large export, where a pass over the whole cache costs
        nothing to speak of) also of every post, and drop those of posts no longer there.
        A damaged file is deleted (run by the export alone, once its workers are done)."""
        db = self._connect()
        if db is None:
            return
        try:
            with db:
                if every is None:
                    db.executemany(
                        "DELETE FROM fragment WHERE slug = ?1 AND rowid NOT IN (SELECT rowid FROM"
                        " fragment WHERE slug = ?1 ORDER BY used DESC LIMIT ?2)",
                        [(slug, KEEP_PER_POST) for slug in set(rendered)],
                    )
                else:  # the pass over every post covers those just rendered
                    db.execute(
                        "DELETE FROM fragment WHERE rowid IN (SELECT rowid FROM (SELECT rowid,"
                        " slug, row_number() OVER (PARTITION BY slug ORDER BY used DESC) AS n"
                        " FROM fragment) WHERE n > ?"
                        " OR slug NOT IN (SELECT value FROM json_each(?)))",
                        (KEEP_PER_POST, json.dumps(sorted(set(every)))),
                    )
        except sqlite3.DatabaseError as exc:
            if not isinstance(exc, sqlite3.OperationalError):  # not "locked" or "disk full"
                self.close()
                remove(self.path)
        except sqlite3.Error:
            pass

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _open(path: Path) -> sqlite3.Connection:
    """The cache's database, created if missing; a file that is not one is started again."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return _connect(path)
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError):
            raise  # locked or unreadable: a miss this time, the file is kept
    remove(path)
    return _connect(path)


def _connect(path: Path) -> sqlite3.Connection:
    try:
        # Made here, not by SQLite (which makes 0644 whatever the umask): the file, and its
        # -wal and -shm that SQLite gives the same mode, take the export's umask, so every
        # member of a shared site can write them.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except FileExistsError:
        pass
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    try:
        # WAL: the workers read while the export stores; NORMAL: no fsync per commit (a crash
        # can lose the last entries, which are then only misses).
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(SCHEMA)
        db.execute("SELECT 1 FROM fragment LIMIT 1").fetchall()
    except sqlite3.Error:
        db.close()
        raise
    return db


def remove(path: Path) -> None:
    """Delete the cache's files (the database, its write-ahead log and shared memory)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
