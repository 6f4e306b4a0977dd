"""Record outside edits of many posts at once: each metadata file written once, one sync a batch.

A site hkcms has never seen (cloned with git, copied from a backup, written by an importer) needs
a first revision of every post. One by one that costs four file writes and eight fsyncs a post
and rewrites a summary shard each time; here a batch writes its blobs and per-post files without
syncing, makes them durable with one syncfs, and only then writes each summary shard it touches
once. A post counts as recorded when its summary holds its hash, so a process killed at any
moment leaves whole files, and the next scan records what is missing (or, when the revision is
already there, only writes the summary).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from hkcms.core.atomic import sync_filesystem, write_atomic
from hkcms.core.history import EXTERNAL_EDITOR, History, Revision, now_iso, summary_fields
from hkcms.core.meta import MetaTxn, json_bytes, read_json, summary_shard
from hkcms.core.post import content_hash

FIRST_SEEN = "first seen by hkcms"
CHANGED = "changed outside hkcms"
# Below this many posts the per-file path (an fsync per file) is cheaper than syncing the file
# system, which also flushes other programs' writes.
SMALL_BATCH = 8

Reader = Callable[[str], bytes | None]


def record_external(
    txn: MetaTxn,
    history: History,
    slugs: Iterable[str],
    read: Reader,
    *,
    time: str | None = None,
) -> int:
    """Record the current text of each post (read(slug); None skips it) as a revision by
    'external' unless it already is the newest. The caller holds the metadata lock."""
    slugs = list(slugs)
    if len(slugs) < SMALL_BATCH:
        return _one_by_one(txn, history, slugs, read, time)
    meta = txn.store
    when = time or now_iso()
    shard_of = {slug: meta.meta_dir / summary_shard(slug) for slug in slugs}
    # Every summary shard is parsed first: a corrupt one stops the batch before any write.
    shards = {path: read_json(path) or {} for path in sorted(set(shard_of.values()))}
    updates: dict[Path, dict[str, dict[str, Any]]] = {}
    recorded = 0
    for slug in slugs:
        shard = shards[shard_of[slug]]
        data = read(slug)
        if data is None:
            continue
        digest = content_hash(data)
        path = meta.post_file(slug)
        doc = read_json(path)
        existed = doc is not None
        tables = doc or {}
        revisions: dict[str, Any] = tables.setdefault("revisions", {})
        newest = max(revisions.values(), key=lambda r: int(r["rev"]), default=None)
        if newest is None or newest["hash"] != digest:
            before = _find(shard, slug)
            known = before is not None and before.get("revisions")
            history.blobs.put(data, digest, durable=False)
            newest = Revision(
                rev=len(revisions) + 1,
                time=when,
                editor=EXTERNAL_EDITOR,
                hash=digest,
                size=len(data),
                note=CHANGED if known else FIRST_SEEN,
            ).to_dict()
            revisions[str(_next_id(revisions))] = newest
            write_atomic(
                path, json_bytes(tables), keep_backup=existed, sync_file=False, sync_dir=False
            )
            txn.forget(path)
            recorded += 1
        updates.setdefault(shard_of[slug], {})[slug] = summary_fields(newest)
    if not updates:
        return recorded
    # Blobs and revisions reach the disk before any summary says they are there.
    sync_filesystem(meta.meta_dir)
    for path, fields_of in updates.items():
        tables = shards[path]
        posts: dict[str, Any] = tables.setdefault("posts", {})
        by_slug = {doc.get("slug"): doc for doc in posts.values()}
        for slug, fields in fields_of.items():
            if slug in by_slug:
                by_slug[slug].update(fields)
            else:
                posts[str(_next_id(posts))] = {"slug": slug, **fields}
        write_atomic(path, json_bytes(tables), keep_backup=True, sync_file=False, sync_dir=False)
        txn.forget(path)
    sync_filesystem(meta.meta_dir)
    return recorded


def _one_by_one(
    txn: MetaTxn, history: History, slugs: list[str], read: Reader, time: str | None
) -> int:
    recorded = 0
    for slug in slugs:
        data = read(slug)
        if data is None:
            continue
        note = CHANGED if txn.get_summary(slug).get("revisions") else FIRST_SEEN
        if history.record(txn, slug, data, editor=EXTERNAL_EDITOR, note=note, time=time):
            recorded += 1
    return recorded


def _find(shard: dict[str, Any], slug: str) -> dict[str, Any] | None:
    for doc in shard.get("posts", {}).values():
        if doc.get("slug") == slug:
            return doc  # type: ignore[no-any-return]
    return None


def _next_id(table: dict[str, Any]) -> int:
    """TinyDB's next document id: one more than the largest."""
    return max((int(k) for k in table), default=0) + 1
