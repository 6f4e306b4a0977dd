"""Atomic file writes (temp file, fsync, rename, fsync of the folder) and safe reads."""

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Callable, Collection
from pathlib import Path
from typing import cast

from hkcms.core.errors import HkcmsError

TMP_PREFIX = ".hkcms-tmp-"
# Names are limited to 255 bytes: the temp name keeps this much of the real one (it only needs to
# be recognisable), leaving room for the prefix, pid and random part.
TMP_NAME_BYTES = 160
MAX_FILE_BYTES = 2 * 1024 * 1024  # posts and metadata files above this are refused, not read
# What hkcms writes is private to its owner, or to the site's group when the folder is shared
# (setgid, made by `hkcms init --group`): whatever the writer's umask, no other user can read it.
PRIVATE_FILE, PRIVATE_DIR = 0o600, 0o700
SHARED_FILE, SHARED_DIR = 0o660, 0o2770


def is_shared(folder: Path) -> bool:
    """A folder of a group-shared site: setgid, so that new files get the site's group."""
    try:
        return bool(os.stat(folder).st_mode & stat.S_ISGID)
    except OSError:
        return False


def file_mode(folder: Path) -> int:
    return SHARED_FILE if is_shared(folder) else PRIVATE_FILE


def make_dirs(folder: Path) -> None:
    """mkdir -p with hkcms's modes: 0700, or 02770 inside a shared (setgid) folder."""
    if os.path.isdir(folder):
        return
    missing: list[Path] = []
    current = folder
    while not os.path.isdir(current):
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    shared = is_shared(current)
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            if not path.is_dir():
                raise
            continue  # made by another process meanwhile: its maker set the mode
        os.chmod(path, SHARED_DIR if shared else PRIVATE_DIR)


def fsync_dir(folder: Path) -> None:
    """Persist a rename: the directory entry must reach the disk too."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def short_name(name: str, max_bytes: int = TMP_NAME_BYTES) -> str:
    """`name` cut to at most `max_bytes` UTF-8 bytes (never inside a character), for temp names."""
    data = name.encode("utf-8", "surrogateescape")
    if len(data) <= max_bytes:
        return name
    return data[:max_bytes].decode("utf-8", "ignore")


def write_atomic(
    path: Path,
    data: bytes,
    *,
    keep_backup: bool = False,
    sync_dir: bool = True,
    sync_file: bool = True,
    backup: str = "",
) -> None:
    """Write `data` to `path` so that readers see the old or the new file, never a mix.

    With keep_backup, the previous version is kept as `<name>.bak` (hard link, no copy);
    backup="scrub" makes the .bak the new version instead (after a deletion, so that nothing
    deleted survives in it). Without sync_dir the caller must fsync the folder (one sync for
    a batch of files); without sync_file and sync_dir, the caller makes a batch durable with
    sync_filesystem().
    """
    folder = path.parent
    tmp = write_temp(folder, path.name, data, sync=sync_file)
    try:
        install(tmp, path, backup=backup or ("keep" if keep_backup else ""))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if sync_dir:
        fsync_dir(folder)


def write_temp(folder: Path, name: str, data: bytes, *, sync: bool = True) -> Path:
    """A temp file in `folder` holding `data`, with hkcms's file mode; synced unless the
    caller syncs a whole batch at once (os.sync)."""
    make_dirs(folder)
    tmp = folder / f"{TMP_PREFIX}{short_name(name)}.{os.getpid()}.{os.urandom(4).hex()}"
    mode = file_mode(folder)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.fchmod(fd, mode)  # exactly this mode, whatever the umask
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        if sync:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    return tmp


def install(tmp: Path, path: Path, *, backup: str = "") -> None:
    """Rename a synced temp file over `path`. backup="keep": the old version becomes
    `<name>.bak` first; "scrub": the .bak becomes the new version (no more than the live file)."""
    if backup == "keep" and path.exists():
        link_backup(path)
    os.replace(tmp, path)
    if backup == "scrub":
        link_backup(path)


def link_backup(path: Path) -> None:
    """Make `<name>.bak` a hard link to the current `path` (replacing any older .bak)."""
    folder = path.parent
    bak_tmp = folder / f"{TMP_PREFIX}{short_name(path.name)}.bak.{os.getpid()}"
    bak_tmp.unlink(missing_ok=True)
    os.link(path, bak_tmp)
    try:
        os.chmod(bak_tmp, file_mode(folder))  # an old file may predate private modes
    except PermissionError:
        pass  # another member's file in a shared site: its mode is already the group's
    os.replace(bak_tmp, folder / f"{path.name}.bak")


def sync_filesystem(folder: Path) -> None:
    """Make every file written so far on `folder`'s file system durable: one syncfs(2) for a
    batch of thousands of files instead of two fsyncs each (os.sync() where there is none)."""
    syncfs = _load_syncfs()
    if syncfs is not None:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            if syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    os.sync()


@functools.cache
def _load_syncfs() -> Callable[[int], int] | None:
    """libc's syncfs, looked up on first use (ctypes costs start-up time)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return cast(Callable[[int], int], libc.syncfs)
    except (OSError, AttributeError):  # not Linux (or no C library to ask)
        return None


def write_atomic_many(
    files: list[tuple[Path, bytes]],
    *,
    keep_backup: bool = False,
    backups: Collection[Path] = (),
) -> None:
    """Write many files atomically with two file-system syncs instead of two fsyncs per file.

    Every temporary file is written, then one sync makes them all durable before any rename;
    a second sync after the renames makes the directory entries durable. For bulk writers
    (imports), where an fsync per file (~5 ms here) would dominate. The previous version of
    each file is kept as `<name>.bak` with keep_backup, or only for the paths in `backups`.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files:
            staged.append((write_temp(path.parent, path.name, data, sync=False), path))
        if staged:
            sync_filesystem(staged[0][1].parent)
        for tmp, path in staged:
            install(tmp, path, backup="keep" if keep_backup or path in backups else "")
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    if staged:
        sync_filesystem(staged[0][1].parent)


def clean_temp_files(folder: Path) -> int:
    """Remove temp files left by a writer that was killed mid-write; returns how many."""
    removed = 0
    if not folder.is_dir():
        return 0
    for entry in folder.iterdir():
        if entry.name.startswith(TMP_PREFIX):
            entry.unlink(missing_ok=True)
            removed += 1
    return removed


def read_regular_file(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """Read a regular file without following it into FIFOs or devices, and cap its size."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        raise
    except OSError as exc:
        if path.is_symlink():
            raise HkcmsError("is a symbolic link; refusing to follow it", path) from exc
        raise HkcmsError(f"cannot open: {exc.strerror}", path) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise HkcmsError("is not a regular file", path)
        if info.st_size > limit:
            raise HkcmsError(f"is too large ({info.st_size:,} bytes; the limit is {limit:,})", path)
        chunks = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise HkcmsError(f"is too large (over {limit:,} bytes)", path)
        return data
    finally:
        os.close(fd)


def decode_utf8(data: bytes, path: Path) -> str:
    """Decode UTF-8, naming the line of the first bad byte."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise HkcmsError(
            f"is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8 and try again",
            path,
            line,
        ) from exc
    return text
