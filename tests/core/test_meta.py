"""Metadata storage: atomic files, corrupt files never overwritten, stray temp files cleaned."""

from __future__ import annotations

import json

import pytest

from hkcms.core.errors import MetadataError
from hkcms.core.meta import MetaStore
from hkcms.core.posts import PostStore


def test_metadata_is_utf8_json_not_escaped(store: PostStore) -> None:
    post = store.create("中文標題")
    raw = store.meta.post_file(post.slug).read_bytes()
    assert "中文標題".encode() not in raw  # titles live in the post, not the metadata
    assert json.loads(raw)["revisions"]
    assert b"\\u" not in store.meta.post_file(post.slug).read_bytes()


def test_corrupt_metadata_is_reported_and_kept(store: PostStore) -> None:
    post = store.create("Post")
    post.body = "changed\n"
    store.save(post)  # the second write leaves a .bak of the first
    meta_file = store.meta.post_file(post.slug)
    meta_file.write_bytes(b'{"revisions": {"1": ')
    post.body = "changed again\n"
    with pytest.raises(MetadataError) as info:
        store.save(post)
    message = str(info.value)
    assert str(meta_file) in message and "left untouched" in message and ".bak" in message
    assert meta_file.read_bytes() == b'{"revisions": {"1": '
    assert post.path.read_text().endswith("---\nchanged\n")  # the post was not written either


def test_newer_schema_is_refused(store: PostStore) -> None:
    store.create("Post")
    site_file = store.meta.meta_dir / "site.json"
    site_file.write_text(json.dumps({"schema": {"1": {"version": 99}}}))
    with pytest.raises(MetadataError, match="newer hkcms"):
        MetaStore(store.site).ensure_ready()


def test_stray_temp_files_are_cleaned(store: PostStore) -> None:
    store.create("Post")
    stray = store.meta.posts_meta_dir / ".hkcms-tmp-post.json.123.abcd"
    stray.write_text("half")
    assert store.meta.clean_temp_files() == 1 and not stray.exists()
