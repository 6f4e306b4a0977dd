"""Stamps stand for files by their stat: every way hkcms or a person changes a post changes its
stamp, and the scan takes the very stamps the export's memo compares with the disk."""

from __future__ import annotations

import os
from pathlib import Path

from hkcms.core.atomic import write_atomic
from hkcms.core.posts import PostStore
from hkcms.core.stamps import meta_stamp, posts_stamps, shard_stamp, stamps_of


def test_every_change_of_a_post_changes_its_stamp(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    post = posts / "a.md"
    post.write_text("---\ntitle: A\n---\nText.\n")
    seen = [posts_stamps(str(posts))]
    write_atomic(post, post.read_bytes())  # the same bytes, saved by hkcms: a new file
    seen.append(posts_stamps(str(posts)))
    with post.open("a") as handle:  # appended in place by an editor
        handle.write("More.\n")
    seen.append(posts_stamps(str(posts)))
    os.chmod(post, 0o600)  # its mode (made unreadable, it would be left out)
    seen.append(posts_stamps(str(posts)))
    (posts / "b.md").write_text("---\ntitle: B\n---\n")  # another post
    seen.append(posts_stamps(str(posts)))
    post.unlink()
    seen.append(posts_stamps(str(posts)))
    assert all(s is not None for s in seen)
    assert len({tuple(s or []) for s in seen}) == len(seen)


def test_only_post_files_count_and_a_link_has_no_stamp(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "a.md").write_text("x")
    before = posts_stamps(str(posts))
    (posts / ".a.md.swp").write_text("editor swap file")
    (posts / "notes.txt").write_text("not a post")
    assert posts_stamps(str(posts)) == before
    os.symlink("a.md", posts / "b.md")
    assert posts_stamps(str(posts)) is None
    assert stamps_of([]) == []


def test_missing_files_have_stamps_of_their_own(tmp_path: Path) -> None:
    assert shard_stamp(str(tmp_path / "summary-00.json")) == "-"
    assert meta_stamp(str(tmp_path / "post.json")) == "missing"
    (tmp_path / "summary-00.json").write_text("{}")
    assert shard_stamp(str(tmp_path / "summary-00.json")) != "-"


def test_the_scan_takes_the_stamps_the_disk_gives(store: PostStore) -> None:
    store.create("One")
    store.create("Two")
    result = store.scan()
    assert stamps_of(result.stats) == posts_stamps(str(store.site.posts_dir))
    for name, key in result.shards.items():
        assert key == shard_stamp(str(store.meta.meta_dir / name))
    assert sum(key != "-" for key in result.shards.values()) >= 1
