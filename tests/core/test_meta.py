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


WRONG_TYPES = [
    ("summary", "views", "lots"),
    ("summary", "comments", [1]),
    ("summary", "updated", 5),
    ("post", ("views", "date"), 20260101),
    ("post", ("views", "views"), "many"),
    ("post", ("revisions", "rev"), "one"),
    ("post", ("comments", "created"), None),
]


@pytest.mark.parametrize(("where", "field", "value"), WRONG_TYPES)
def test_metadata_of_the_wrong_type_is_one_clear_error(
    store: PostStore, where: str, field: str | tuple[str, str], value: object, capsys
) -> None:
    from hkcms.cli import main
    from hkcms.core.comments import CommentStore
    from hkcms.core.meta import summary_shard
    from hkcms.core.views import ViewStore

    post = store.create("Post")
    CommentStore(store.meta).add(post.slug, "Ada", "Hello", status="approved")
    ViewStore(store.meta).set_baseline(post.slug, 3)
    with store.meta.transaction() as txn:
        txn.post_db(post.slug).table("views").insert({"date": "2026-01-01", "views": 2})
    if where == "summary":
        path = store.meta.meta_dir / summary_shard(post.slug)
        data = json.loads(path.read_text())
        next(iter(data["posts"].values()))[field] = value
    else:
        table, name = field
        path = store.meta.post_file(post.slug)
        data = json.loads(path.read_text())
        next(iter(data[table].values()))[name] = value
    path.write_text(json.dumps(data))
    before = path.read_bytes()
    site = ["--site", str(store.site.root)]
    for args in (["list"], ["show", post.slug], ["export"], ["views", "top"],
                 ["views", "show", post.slug], ["comments", "list"], ["check"]):  # fmt: skip
        code = main([*site, *args])
        err = capsys.readouterr().err
        assert code in (0, 1) and "Traceback" not in err, err
        lines = [line for line in err.splitlines() if "problem" not in line]
        assert all(line.startswith(("hkcms: ", "warning: ")) for line in lines), err
        if code == 1:
            assert str(path) in err and repr(value)[:6] in err
    assert path.read_bytes() == before  # never rewritten
