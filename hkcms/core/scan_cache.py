"""What the last scan saw, so the next one reads only what changed: the parsed front matter of
each post (keyed by the file's stat) and the documents of each summary shard (keyed by its).

At 10,000 posts, parsing and checking the 64 summary shards took half of a warm `hkcms list`;
a shard whose stat (mtime, ctime, size, inode) has not changed is taken from here. Every
metadata write replaces the file (a new inode), so any write is seen. The cache is never
synced: a lost or broken one is rebuilt, never an error.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from hkcms.core.atomic import write_atomic
from hkcms.core.meta import SUMMARY_SHARDS, MetaStore, read_json
from hkcms.core.stamps import shard_key

Summaries = dict[str, dict[str, Any]]


def load(path: Path, version: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """(posts, shards) of the cache at `path`; empty when missing, broken or of another version."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}, {}
    if not isinstance(data, dict) or data.get("version") != version:
        return {}, {}
    posts, shards = data.get("posts"), data.get("shards")
    return (
        posts if isinstance(posts, dict) else {},
        shards if isinstance(shards, dict) else {},
    )


def save(path: Path, version: int, posts: dict[str, Any], shards: dict[str, Any]) -> None:
    data = {"version": version, "posts": posts, "shards": shards}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))  # unsorted: faster
    try:
        write_atomic(path, text.encode(), sync_file=False, sync_dir=False)
    except OSError:
        pass  # the cache only saves time; a read-only site still lists


def summaries(meta: MetaStore, cached: dict[str, Any]) -> tuple[Summaries, dict[str, Any]]:
    """MetaStore.summaries(), reading only the shards that changed since `cached`; returns
    the summaries and the shards to cache. A broken shard raises MetadataError, as there."""
    meta.settle()  # a change a killed writer left half done is finished first
    out: Summaries = {}
    shards: dict[str, Any] = {}
    for name in shard_names():
        path = meta.meta_dir / name
        try:
            info = os.stat(path)
        except FileNotFoundError:
            continue
        except OSError:
            read_json(path)  # names the problem
            continue
        key = shard_key(info)
        entry = cached.get(name)
        if (
            isinstance(entry, dict)
            and entry.get("key") == key
            and isinstance(entry.get("docs"), list)
        ):
            docs = entry["docs"]
        else:
            data = read_json(path) or {}
            docs = list(data.get("posts", {}).values())
        shards[name] = {"key": key, "docs": docs}
        for doc in docs:
            out[doc["slug"]] = doc
    return out, shards


def shard_names() -> list[str]:
    return [f"summary-{shard:02d}.json" for shard in range(SUMMARY_SHARDS)]


def shard_stamps(shards: dict[str, Any]) -> dict[str, str]:
    """Every shard's key as read by summaries() (shards as returned there), '-' if missing:
    the stamps core/stamps.shard_stamp gives the same files on disk."""
    out: dict[str, str] = {}
    for name in shard_names():
        entry = shards.get(name)
        out[name] = ",".join(map(str, entry["key"])) if entry else "-"
    return out
