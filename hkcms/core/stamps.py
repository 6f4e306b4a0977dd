"""Stamps: one line of text per file, from its stat alone, that changes whenever the file does.

The scan records the stamps of what it read (core/posts.py, core/scan_cache.py); the export's
no-op shortcut (export/memo.py) compares them with the files on disk without reading any.
Every write of hkcms replaces a file (a new inode), so an edit always changes its stamp; an
edit in place that keeps the size within one clock tick is missed, as by the scan cache."""

from __future__ import annotations

import os
import stat


def file_stamp(name: str, info: os.stat_result) -> str:
    """A file's name, mode, size, times and inode (from lstat: a link is not followed)."""
    return (
        f"{name}\0{info.st_mode}\0{info.st_size}\0{info.st_mtime_ns}"
        f"\0{info.st_ctime_ns}\0{info.st_ino}"
    )


def is_post_name(name: str) -> bool:
    """The files of posts/ the scan reads: '<slug>.md', not hidden."""
    return name.endswith(".md") and not name.startswith(".")


def posts_stamps(posts_dir: str) -> list[str] | None:
    """The stamps of every post file, by name, as the scan takes them (see stamps_of)."""
    with os.scandir(posts_dir) as entries:
        found = sorted(entries, key=lambda e: e.name)
    return stamps_of(
        [(e.name, e.stat(follow_symlinks=False)) for e in found if is_post_name(e.name)]
    )


def stamps_of(stats: list[tuple[str, os.stat_result]]) -> list[str] | None:
    """The stamps of files from (name, lstat) pairs; None when one is not a regular file (a
    link's target may change without its stamp changing)."""
    stamps: list[str] = []
    for name, info in stats:
        if not stat.S_ISREG(info.st_mode):
            return None
        stamps.append(file_stamp(name, info))
    return stamps


def shard_key(info: os.stat_result) -> list[int]:
    """What stands for the content of a metadata summary shard (the scan cache's key)."""
    return [info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino]


def shard_stamp(path: str) -> str:
    """The key of a summary shard as text; '-' when it does not exist."""
    try:
        return ",".join(map(str, shard_key(os.stat(path))))
    except FileNotFoundError:
        return "-"


def meta_stamp(path: str) -> str:
    """Size and time of a post's metadata file (its comments), 'missing' when there is none."""
    try:
        info = os.stat(path)
    except OSError:
        return "missing"
    return f"{info.st_size}:{info.st_mtime_ns}"
