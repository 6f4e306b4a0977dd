"""PostStore: create, save, conflicts, outside edits, rename, trash, restore, hostile files."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from hkcms.core.comments import CommentStore
from hkcms.core.errors import ConflictError, HkcmsError, NotFoundError, SlugError
from hkcms.core.posts import PostStore


def test_create_load_save_records_revisions(store: PostStore) -> None:
    post = store.create("香港人在英國：年度報告", tags=["報告"], lang="zh-Hant", body="第一段\n")
    assert post.slug == "香港人在英國-年度報告"
    assert post.path == store.site.posts_dir / "香港人在英國-年度報告.md"
    loaded = store.load(post.slug)
    assert loaded.body == "第一段\n" and loaded.tags == ["報告"]
    loaded.body += "第二段\n"
    revision = store.save(loaded, note="more text")
    assert revision is not None and revision.rev == 2 and revision.editor == "tester"
    assert store.save(loaded) is None  # unchanged: no write, no revision
    history = store.history.list(post.slug)
    assert [r.rev for r in history] == [2, 1]
    assert store.history.text(post.slug, 1).endswith("第一段\n")
    info = store.list()[0]
    assert info.updated == history[0].time and info.revisions == 2


def test_load_and_save_unchanged_keeps_bytes(store: PostStore) -> None:
    path = store.site.posts_dir / "hand-made.md"
    text = "---\ntitle:   Spaced  \nweird: [1,2]\n---\nBody\n\n\n"
    path.write_text(text)
    post = store.load("hand-made")
    store.save(post)
    assert path.read_text() == text


def test_slug_given_by_user_is_validated_and_unique(store: PostStore) -> None:
    with pytest.raises(SlugError):
        store.create("x", slug="../escape")
    store.create("One", slug="one")
    with pytest.raises(SlugError):
        store.create("Again", slug="one")
    assert store.create("One").slug == "one-2"


def test_conflicting_save_is_refused_and_disk_kept(store: PostStore) -> None:
    mine = store.create("Shared post", body="base\n")
    theirs = store.load(mine.slug)
    theirs.body = "their words\n"
    store.save(theirs)
    mine.body = "my words\n"
    with pytest.raises(ConflictError) as info:
        store.save(mine)
    assert "their words" in info.value.disk_text
    assert "their words" in mine.path.read_text()
    store.save(mine, force=True)  # the caller decided; theirs stays in history
    texts = [store.history.text(mine.slug, r.rev) for r in store.history.list(mine.slug)]
    assert any("their words" in t for t in texts) and "my words" in mine.path.read_text()


def test_outside_edit_is_recorded_as_external(store: PostStore) -> None:
    post = store.create("Edited in vim", body="one\n")
    with post.path.open("a") as handle:
        handle.write("two\n")
    store.list()
    newest = store.history.list(post.slug)[0]
    assert newest.editor == "external" and newest.rev == 2
    assert store.history.text(post.slug, 2).endswith("one\ntwo\n")


def test_post_dropped_into_folder_gets_a_first_revision(store: PostStore) -> None:
    (store.site.posts_dir / "pulled.md").write_text("---\ntitle: Pulled\n---\nx\n")
    info = {p.slug: p for p in store.list()}["pulled"]
    assert info.revisions == 1 and info.updated


def test_restore_is_a_new_revision(store: PostStore) -> None:
    post = store.create("Restore me", body="v1\n")
    post.body = "v2\n"
    store.save(post)
    revision = store.restore(post.slug, 1)
    assert revision is not None and revision.rev == 3 and revision.note == "restored revision 1"
    assert post.path.read_text().endswith("v1\n")
    assert store.restore(post.slug, 1) is None
    with pytest.raises(NotFoundError):
        store.restore(post.slug, 9)


def test_rename_keeps_history_and_comments(store: PostStore) -> None:
    post = store.create("Old name", body="text\n")
    comments = CommentStore(store.meta)
    comments.add(post.slug, "Reader", "Nice", status="approved")
    store.rename(post.slug, "new-name")
    assert not post.path.exists()
    assert [r.rev for r in store.history.list("new-name")] == [1]
    assert [c.post for c in comments.list(post="new-name")] == ["new-name"]
    info = {p.slug: p for p in store.list()}["new-name"]
    assert info.comments == 1 and info.revisions == 1
    with pytest.raises(SlugError):
        store.rename("new-name", "bad/slug")


def test_trash_and_untrash(store: PostStore) -> None:
    post = store.create("Delete me", body="precious\n")
    entry = store.trash(post.slug)
    assert not post.path.exists() and store.list() == []
    assert [e.slug for e in store.trashed()] == [post.slug]
    assert store.untrash(entry.id) == post.slug
    assert post.path.read_text().endswith("precious\n")
    assert store.list()[0].revisions == 1


def test_symlink_outside_posts_is_refused(store: PostStore, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("---\ntitle: secret\n---\n")
    (store.site.posts_dir / "link.md").symlink_to(secret)
    scan = store.scan()
    assert scan.posts == [] and "symbolic link" in str(scan.problems[0])
    with pytest.raises(HkcmsError):
        store.load("link")


def test_fifo_does_not_hang(store: PostStore) -> None:
    os.mkfifo(store.site.posts_dir / "pipe.md")
    done = threading.Event()

    def scan() -> None:
        store.scan()
        done.set()

    threading.Thread(target=scan, daemon=True).start()
    assert done.wait(10), "scanning a FIFO named *.md hung"
    assert "not a regular file" in str(store.scan().problems[0])


def test_huge_and_invalid_files_are_reported(store: PostStore) -> None:
    (store.site.posts_dir / "huge.md").write_bytes(b"---\ntitle: h\n---\n" + b"x" * 3_000_000)
    (store.site.posts_dir / "latin1.md").write_bytes(b"---\ntitle: caf\xe9\n---\n")
    problems = sorted(str(p) for p in store.scan().problems)
    assert "huge.md: is too large" in problems[0]
    assert "latin1.md:2: is not valid UTF-8" in problems[1]
    assert (store.site.posts_dir / "latin1.md").read_bytes().endswith(b"caf\xe9\n---\n")


def test_saving_a_new_post_object_never_overwrites_a_file(store: PostStore) -> None:
    from hkcms.core.post import Post

    existing = store.create("Taken", slug="taken", body="keep me\n")
    stranger = Post(slug="taken", front={"title": "Other"}, body="overwrite\n")
    with pytest.raises(ConflictError):
        store.save(stranger)
    assert existing.path.read_text().endswith("keep me\n")
