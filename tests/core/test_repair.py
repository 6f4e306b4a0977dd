"""Rename detection, orphaned metadata, derived summaries and `hkcms check --repair`."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from hkcms.cli import main
from hkcms.core.check import check_site, repair_site
from hkcms.core.comments import CommentStore
from hkcms.core.meta import MetaStore
from hkcms.core.posts import PostStore
from hkcms.core.site import Site
from hkcms.core.views import ViewStore


def _post_with_past(store: PostStore) -> None:
    post = store.create("Spring rally", slug="rally", body="We met at noon.\n" * 20)
    post.body += "More words.\n"
    store.save(post)
    CommentStore(store.meta).add("rally", "Ada", "Thank you", status="approved")
    ViewStore(store.meta).set_baseline("rally", 40)


def test_mv_outside_hkcms_keeps_history_comments_and_views(store: PostStore) -> None:
    _post_with_past(store)
    os.rename(store.site.post_path("rally"), store.site.post_path("rally-2026"))
    [info] = store.list()
    assert (info.slug, info.revisions, info.comments, info.views) == ("rally-2026", 2, 1, 40)
    assert [r.editor for r in store.history.list("rally-2026")] == ["tester", "tester"]
    assert CommentStore(store.meta).list(post="rally-2026")[0].post == "rally-2026"
    problems, _ = check_site(store.site)
    assert problems == []


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_mv_keeps_history(store: PostStore) -> None:
    _post_with_past(store)
    root = store.site.root
    env = os.environ | {"GIT_AUTHOR_NAME": "t", "GIT_COMMITTER_NAME": "t"}
    env |= {"GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_EMAIL": "t@e"}
    for args in (["init", "-q"], ["add", "posts"], ["commit", "-qm", "x"]):
        subprocess.run(["git", *args], cwd=root, check=True, env=env)
    subprocess.run(["git", "mv", "posts/rally.md", "posts/moved.md"], cwd=root, check=True)
    [info] = PostStore(Site.open(root)).list()
    assert (info.slug, info.revisions, info.comments) == ("moved", 2, 1)


def test_moved_and_edited_file_is_named_by_check_and_reattached_by_repair(
    store: PostStore, capsys: pytest.CaptureFixture[str]
) -> None:
    _post_with_past(store)
    site = store.site
    text = site.post_path("rally").read_text()
    site.post_path("rally").unlink()
    site.post_path("rally-report").write_text(text + "An edit made while moving it.\n")
    problems, _ = check_site(site)
    assert any("posts/rally.md is gone" in str(p) and "--repair" in str(p) for p in problems)
    assert main(["--site", str(site.root), "check"]) == 1
    assert main(["--site", str(site.root), "check", "--repair"]) == 0
    assert "reattached the history of rally to rally-report" in capsys.readouterr().out
    history = PostStore(Site.open(site.root)).history.list("rally-report")
    assert [r.note for r in history][-2:] == ["", "created"]
    assert len(CommentStore(MetaStore(site)).list(post="rally-report")) == 1


def test_repair_trashes_metadata_that_matches_nothing_and_untrash_brings_it_back(
    store: PostStore,
) -> None:
    _post_with_past(store)
    site = store.site
    site.post_path("rally").unlink()
    done = repair_site(site)
    assert done[0].startswith("moved the metadata of rally to the trash")
    assert check_site(site)[0] == []
    [entry] = store.trashed()
    assert store.untrash(entry.id) == "rally"
    again = PostStore(Site.open(site.root))
    assert "More words." in again.load("rally").body  # the last revision came back as the post
    assert len(CommentStore(again.meta).list(post="rally")) == 1


def test_new_post_with_an_old_slug_does_not_inherit_old_comments(store: PostStore) -> None:
    _post_with_past(store)
    store.site.post_path("rally").unlink()  # deleted by hand: its metadata is an orphan
    assert store.create("Rally").slug == "rally-2"  # auto slugs avoid the orphan
    fresh = store.create("Another", slug="rally")
    assert CommentStore(store.meta).list(post=fresh.slug) == []
    assert [r.note for r in store.history.list("rally")] == ["created"]
    assert store.meta.summary("rally").get("views", 0) == 0
    assert [e.slug for e in store.trashed()] == ["rally"]  # the old one is kept, restorable


def test_check_reports_summary_drift_and_repair_rebuilds_it(store: PostStore) -> None:
    _post_with_past(store)
    site = store.site
    with store.meta.transaction() as txn:
        txn.update_summary("rally", comments=7, views=3)
    problems, _ = check_site(site)
    assert any("summary differs" in str(p) and "comments 7" in str(p) for p in problems)
    assert "rebuilt the summary of rally" in repair_site(site)
    assert check_site(site)[0] == []
    [info] = PostStore(Site.open(site.root)).list()
    assert (info.comments, info.views) == (1, 40)


def test_temp_files_in_blobs_are_cleaned_when_the_site_is_opened(store: PostStore) -> None:
    _post_with_past(store)
    blob_dir = next((store.site.state_dir / "blobs").iterdir())
    stray = blob_dir / ".hkcms-tmp-abc.1.ff"
    stray.write_bytes(b"half a blob")
    MetaStore(store.site).ensure_ready()
    assert not stray.exists()


def test_metadata_of_a_renamed_post_leaves_no_backup_behind(store: PostStore) -> None:
    _post_with_past(store)
    meta_dir = store.meta.posts_meta_dir
    assert (meta_dir / "rally.json.bak").exists()
    store.rename("rally", "renamed")
    assert sorted(p.name for p in meta_dir.iterdir()) == ["renamed.json"]
    store.rename("renamed", "rally")  # and back again
    assert store.list()[0].comments == 1
