"""Private data at rest: deleted comments leave no copy, files are not world-readable, and a
comment import too big to read back is refused before anything is written."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from hkcms.cli import main
from hkcms.core import meta as meta_module
from hkcms.core.comment_import import import_comments
from hkcms.core.comments import CommentStore
from hkcms.core.errors import HkcmsError
from hkcms.core.posts import PostStore
from hkcms.core.site import Site
from hkcms.core.views import ViewStore


def test_deleted_comment_survives_in_no_backup(store: PostStore) -> None:
    store.create("Post", slug="post")
    comments = CommentStore(store.meta)
    secret = comments.add("post", "Whistle", "names and places", email="source@example.org")
    comments.add("post", "Ada", "a later comment")  # the .bak now holds the secret comment
    assert secret is not None
    comments.delete([secret.id])
    for path in store.site.state_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"source@example.org" not in data, path
            assert b"names and places" not in data, path
    live = store.meta.posts_meta_dir / "post.json"
    backup = live.with_name("post.json.bak")
    assert backup.read_bytes() == live.read_bytes()  # no more than the live file


def _modes(root: Path) -> dict[str, int]:
    return {
        str(p.relative_to(root)): stat.S_IMODE(p.lstat().st_mode)
        for p in root.rglob("*")
        if not p.is_symlink()
    }


def test_files_hkcms_writes_are_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        site = Site.init(tmp_path / "site", title="Private")
        store = PostStore(site)
        store.create("Post", slug="post", body="text\n")
        CommentStore(store.meta).add("post", "Ada", "hello", email="ada@example.org")
        ViewStore(store.meta).set_baseline("post", 3)
        store.trash(store.create("Other", slug="other").slug)
        modes = _modes(site.root)
    finally:
        os.umask(old)
    assert stat.S_IMODE(site.root.stat().st_mode) == 0o711  # a web server may reach public/
    for name, mode in modes.items():
        if (site.root / name).is_dir():
            assert mode == 0o700, name
        else:
            assert mode == 0o600, name


def test_export_is_world_readable_even_with_a_strict_umask(tmp_path: Path) -> None:
    from hkcms.export.build import export_site

    site = Site.init(tmp_path / "site", title="Public")
    PostStore(site).create("Post", slug="post", body="text\n")
    old = os.umask(0o077)
    try:
        export_site(site)
        after = os.umask(0o077)
    finally:
        os.umask(old)
    assert after == 0o077  # the export put the caller's umask back
    for name, mode in _modes(site.public_dir).items():
        assert mode & 0o004, name  # readable by the web server
        assert not mode & 0o002, name


def test_comment_import_too_big_to_read_back_is_refused_before_writing(
    store: PostStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.create("Post", slug="post")
    comments = CommentStore(store.meta)
    comments.add("post", "Ada", "already here")
    before = {p: p.read_bytes() for p in store.site.state_dir.rglob("*") if p.is_file()}
    monkeypatch.setattr(meta_module, "META_FILE_LIMIT", 40_000)
    csv = tmp_path / "big.csv"
    csv.write_text("post,author,body\n" + "".join(f"post,R{i},row {i}\n" for i in range(400)))
    with pytest.raises(HkcmsError, match=r"importing 400 comments .*post 'post'.*nothing was"):
        import_comments(comments, csv)
    after = {p: p.read_bytes() for p in store.site.state_dir.rglob("*") if p.is_file()}
    assert after == before
    assert main(["--site", str(store.site.root), "comments", "import", str(csv)]) == 1
    assert [c.body for c in comments.list()] == ["already here"]
    # What fits is still imported.
    csv.write_text("post,author,body\npost,Bo,small\n")
    assert len(import_comments(comments, csv).imported) == 1
