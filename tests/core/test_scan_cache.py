"""The scan cache keeps parsed summary shards: unchanged ones are not read again, and every
metadata write is seen at the next scan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import hkcms.core.scan_cache as scan_cache
from hkcms.core.errors import MetadataError
from hkcms.core.posts import PostStore


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    seen: list[Path] = []
    real = scan_cache.read_json

    def counting(path: Path, *args: Any, **kwargs: Any) -> Any:
        seen.append(path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(scan_cache, "read_json", counting)
    return seen


def test_unchanged_shards_are_not_read_again(store: PostStore, reads: list[Path]) -> None:
    for i in range(5):
        store.create(f"Post {i}")
    store.scan()
    reads.clear()
    assert len(store.scan().posts) == 5
    assert reads == []


def test_a_metadata_write_is_seen_at_the_next_scan(store: PostStore, reads: list[Path]) -> None:
    post = store.create("Counted")
    other = store.create("Other")
    store.scan()
    with store.meta.transaction() as txn:
        txn.update_summary(post.slug, views=41)
    reads.clear()
    listed = {p.slug: p for p in store.scan().posts}
    assert listed[post.slug].views == 41 and listed[other.slug].views == 0
    assert len(reads) == 1  # only the shard that changed


def test_a_broken_shard_is_still_reported(store: PostStore) -> None:
    post = store.create("Post")
    store.scan()
    shard = next(store.meta.meta_dir.glob("summary-*.json"))
    shard.write_text("{not json", encoding="utf-8")
    with pytest.raises(MetadataError) as info:
        store.scan()
    assert shard.name in str(info.value) and post.slug


def test_a_broken_cache_is_rebuilt(store: PostStore) -> None:
    store.create("Post")
    store.scan()
    store.cache_path.write_bytes(b"\x00garbage")
    assert [p.title for p in store.scan().posts] == ["Post"]


def test_a_post_from_the_cache_is_the_post_read_from_its_file(store: PostStore) -> None:
    """The cache keeps each post as a row of fields: every field comes back in its place."""
    post = store.create(
        "Every field",
        tags=["a", "b"],
        lang="zh-Hant",
        body="Text.\n",
        extra={"summary": "Short.", "translation_key": "k", "kind": "page", "menu": 2,
               "aliases": ["/old/"], "show_counts": False},
    )  # fmt: skip
    read = {p.slug: p for p in store.scan().posts}[post.slug]  # parsed, then cached
    assert (read.kind, read.menu, read.aliases, read.show_counts) == ("page", 2, ["/old/"], False)
    cached = {p.slug: p for p in PostStore(store.site).scan().posts}[post.slug]
    assert cached == read
    assert (cached.title, cached.tags, cached.lang, cached.summary, cached.translation_key) == (
        "Every field", ["a", "b"], "zh-Hant", "Short.", "k"
    )  # fmt: skip


def test_a_cache_of_another_shape_is_read_again(store: PostStore) -> None:
    post = store.create("Shaped")
    store.scan()
    data = json.loads(store.cache_path.read_bytes())
    data["posts"][post.slug] = {"title": "stale", "key": data["posts"][post.slug][-2]}
    store.cache_path.write_text(json.dumps(data))
    assert [p.title for p in store.scan().posts] == ["Shaped"]
