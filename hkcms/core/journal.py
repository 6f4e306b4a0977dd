"""Journal: a change to several files lands whole or not at all, even if the writer is killed.

Write-ahead, roll forward: the new contents are staged as synced files
`.hkcms/journal/<id>.<n>`; one small entry `<id>.json` listing every step is written atomically
(the commit point); the steps are applied (renames); the entry and its folder are removed.
The next process that opens the site's metadata (under the metadata lock) replays every entry
left behind (each step is idempotent) and removes staged files that have no entry: a change
killed before its commit never happened, one killed after it is finished.

Most callers never use this module directly: every `MetaStore.transaction()` collects its
writes and commits them through one Batch (see MetaTxn.put/move/delete).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from hkcms.core.atomic import (
    fsync_dir,
    install,
    link_backup,
    make_dirs,
    sync_filesystem,
    write_atomic,
    write_temp,
)
from hkcms.core.errors import MetadataError

ENTRY_SUFFIX = ".json"
BULK_FILES = 16  # above this many files, a batch is made durable by one syncfs()
BACKUPS = ("", "keep", "scrub")


@dataclass(frozen=True)
class Step:
    """One idempotent step: put (staged bytes over `path`), move (`src` to `path`), delete."""

    op: str
    path: str  # relative to the site root
    src: str = ""  # move: the relative source path; put: the staged file's name
    backup: str = ""  # put: "" | "keep" (old version to .bak) | "scrub" (.bak = new version)


class Batch:
    """The steps of one change, applied by commit() in the order they were given."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self.id = f"{os.getpid()}-{os.urandom(6).hex()}"
        self.steps: list[tuple[str, Path, Path | bytes | None, str]] = []
        self._moved_from: set[Path] = set()

    def __bool__(self) -> bool:
        return bool(self.steps)

    def put(self, path: Path, data: bytes, *, backup: str = "") -> None:
        """Replace (or create) `path` with `data`; backup as in atomic.install."""
        if backup not in BACKUPS:
            raise ValueError(f"unknown backup mode {backup!r}")
        self._check_target(path)
        self.steps.append(("put", path, data, backup))

    def move(self, src: Path, dst: Path) -> None:
        """Rename `src` to `dst` (which must not exist)."""
        self._check_target(dst)
        self._moved_from.add(src)
        self.steps.append(("move", dst, src, ""))

    def delete(self, path: Path) -> None:
        self._check_target(path)
        self.steps.append(("delete", path, None, ""))

    def _check_target(self, path: Path) -> None:
        # Replaying `move a b` after a later step re-created `a` would move the new file:
        # a batch never writes where it moved a file from.
        if path in self._moved_from:
            raise ValueError(f"a batch cannot write {path} after moving it away")

    def commit(self) -> None:
        """Apply every step; killed at any point, the next open of the site finishes it."""
        if not self.steps:
            return
        if len(self.steps) == 1 and self.steps[0][0] == "put":
            # One file: an atomic write is already all-or-nothing; no journal needed.
            _, path, data, backup = self.steps[0]
            assert isinstance(data, bytes)
            write_atomic(path, data, backup=backup)
            return
        journal = self.journal
        # Staged files sit beside the entry: the one sync of the journal folder that makes the
        # entry durable makes their names durable too.
        stage = journal.folder
        staged: list[Path] = []
        steps: list[Step] = []
        # Many files (an import's batch): one system-wide sync instead of an fsync per file.
        bulk = sum(1 for step in self.steps if step[0] == "put") > BULK_FILES
        try:
            for n, (op, path, arg, backup) in enumerate(self.steps):
                rel = journal.relative(path)
                if op == "put":
                    assert isinstance(arg, bytes)
                    name = f"{self.id}.{n:06d}"
                    os.replace(write_temp(stage, name, arg, sync=not bulk), stage / name)
                    staged.append(stage / name)
                    steps.append(Step("put", rel, name, backup))
                elif op == "move":
                    assert isinstance(arg, Path)
                    steps.append(Step("move", rel, journal.relative(arg)))
                else:
                    steps.append(Step("delete", rel))
            if bulk:
                sync_filesystem(stage)
            entry = {"id": self.id, "steps": [s.__dict__ for s in steps]}
            write_atomic(journal.entry_path(self.id), json.dumps(entry).encode())
        except BaseException:
            for path in staged:  # not committed: nothing happened
                path.unlink(missing_ok=True)
            raise
        journal.apply(self.id, steps)


class Journal:
    """The journal folder of one site; paths in entries are relative to the site root."""

    def __init__(self, root: Path, folder: Path) -> None:
        self.root = root
        self.folder = folder

    def batch(self) -> Batch:
        return Batch(self)

    def entry_path(self, entry_id: str) -> Path:
        return self.folder / f"{entry_id}{ENTRY_SUFFIX}"

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def absolute(self, rel: str, entry: Path) -> Path:
        """A path of an entry, refused unless it stays inside the site (a planted entry)."""
        pure = PurePosixPath(rel)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts:
            raise MetadataError(f"journal entry names an unsafe path {rel!r}", entry)
        return self.root.joinpath(*pure.parts)

    def pending(self) -> list[str]:
        """Ids of changes committed but not finished (a writer was killed)."""
        try:
            names = os.listdir(self.folder)
        except FileNotFoundError:
            return []
        return sorted(n[: -len(ENTRY_SUFFIX)] for n in names if n.endswith(ENTRY_SUFFIX))

    def needs_recovery(self) -> bool:
        """Anything left by a killed writer: an entry or staged files (cheap: one listdir)."""
        try:
            return bool(os.listdir(self.folder))
        except FileNotFoundError:
            return False

    def recover(self) -> int:
        """Finish every committed change, drop uncommitted ones; the caller holds the lock.
        Returns how many changes were finished."""
        finished = 0
        for entry_id in self.pending():
            path = self.entry_path(entry_id)
            try:
                raw = json.loads(path.read_bytes())
                steps = [Step(**s) for s in raw["steps"]]
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise MetadataError(
                    "an unfinished change cannot be read; it was left untouched "
                    "(move it away to go on without it)",
                    path,
                ) from exc
            for step in steps:
                self.absolute(step.path, path)
                if step.op == "move":
                    self.absolute(step.src, path)
                elif step.op == "put" and ("/" in step.src or step.src.startswith(".")):
                    raise MetadataError(f"journal entry names an unsafe file {step.src!r}", path)
            self.apply(entry_id, steps)
            finished += 1
        try:
            names = os.listdir(self.folder)
        except FileNotFoundError:
            return finished
        for name in names:
            leftover = self.folder / name
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)  # staged but never committed, or a temp file
        return finished

    def apply(self, entry_id: str, steps: list[Step]) -> None:
        """Apply (or re-apply) the steps of a committed entry, then clear it."""
        stage = self.folder
        entry = self.entry_path(entry_id)
        folders: set[Path] = set()
        for step in steps:
            target = self.absolute(step.path, entry)
            if step.op == "put":
                staged = stage / step.src
                make_dirs(target.parent)
                if staged.exists():
                    install(staged, target, backup=step.backup)
                elif step.backup == "scrub" and target.exists():
                    link_backup(target)  # replayed after the rename: finish the scrub
                folders.add(target.parent)
            elif step.op == "move":
                src = self.absolute(step.src, entry)
                if os.path.lexists(src) and not os.path.lexists(target):
                    make_dirs(target.parent)
                    os.replace(src, target)
                folders.update((src.parent, target.parent))
            elif step.op == "delete":
                target.unlink(missing_ok=True)
                folders.add(target.parent)
            else:
                raise MetadataError(f"journal entry has an unknown step {step.op!r}", entry)
        for folder in folders:
            if folder.is_dir():
                fsync_dir(folder)
        for step in steps:
            if step.op == "put":
                (stage / step.src).unlink(missing_ok=True)  # left when a step was skipped
        entry.unlink(missing_ok=True)
        # The entry must not come back after a power cut: a replay then would undo later work.
        fsync_dir(self.folder)
