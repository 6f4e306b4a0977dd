"""Multi-file operations killed at every step: the next open finishes or undoes them.

A "kill" here stops the operation at its n-th rename (os.replace) by raising a BaseException
that nothing in hkcms catches; the site is then opened again, as the next command would."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from hkcms.core.comment_import import import_comments
from hkcms.core.comments import CommentStore
from hkcms.core.errors import MetadataError
from hkcms.core.journal import Journal
from hkcms.core.meta import MetaStore, read_json
from hkcms.core.posts import PostStore
from hkcms.core.site import Site
from hkcms.core.views import ViewStore
from tests.core.kill_harness import COUNTS, audit_site, log_line, make_site


class Killed(BaseException):
    """Stands for SIGKILL: no except clause of hkcms catches it."""


@contextmanager
def killed_at_rename(n: int) -> Iterator[list[int]]:
    """Let `n` renames happen, then kill the operation at the next one."""
    real = os.replace
    done = [0]

    def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if done[0] >= n:
            raise Killed
        done[0] += 1
        real(src, dst, *args, **kwargs)

    os.replace = replace  # type: ignore[assignment]
    try:
        yield done
    finally:
        os.replace = real


def run_killed(root: Path, operation: Callable[[PostStore], object], n: int) -> bool:
    """Run `operation` killed at rename n; True if it ran to its end."""
    store = PostStore(Site.open(root))
    with killed_at_rename(n):
        try:
            operation(store)
        except Killed:
            return False
    return True


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo site (posts p0-p3, v0-v2, a read access log, a comment on p0), built once."""
    root = tmp_path_factory.mktemp("template") / "site"
    make_site(root)
    _add_comment(PostStore(Site.open(root)))
    return root


def fresh(template: Path, where: Path) -> tuple[Path, Path]:
    """A copy of the template site (and its log) at `where`."""
    shutil.copytree(template, where, symlinks=True)
    log = where.parent / f"{where.name}-access.log"
    shutil.copyfile(template.parent / f"{template.name}-access.log", log)
    return where, log


def assert_whole(root: Path, log: Path) -> None:
    audit = audit_site(root, log, root.parent / "no-acks")
    assert {k: audit.counts[k] for k in COUNTS} == dict.fromkeys(COUNTS, 0), audit.notes


def _add_comment(store: PostStore) -> None:
    CommentStore(store.meta).add("p0", "Ada", "first!", email="ada@example.org")


OPERATIONS: dict[str, Callable[[PostStore], object]] = {
    "rename": lambda s: s.rename("p0", "renamed"),
    "trash": lambda s: s.trash("p0"),
    "create": lambda s: s.create("Brand new", slug="brand-new", body="hello\n"),
    "restore": lambda s: s.restore("p0", 1),
    "save": lambda s: s.save(_edited(s.load("p0"))),
}


def _edited(post: Any) -> Any:
    post.body = "changed text\n"
    return post


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_operation_killed_at_every_step_is_finished_or_undone(
    template: Path, tmp_path: Path, name: str
) -> None:
    operation = OPERATIONS[name]
    n = 0
    while True:
        root, log = fresh(template, tmp_path / f"{name}-{n}")
        finished = run_killed(root, operation, n)
        assert_whole(root, log)
        store = PostStore(Site.open(root))
        if name == "rename":
            # Exactly one of the two names, with all of its past.
            slugs = [s for s in ("p0", "renamed") if store.exists(s)]
            assert len(slugs) == 1
            assert len(store.history.list(slugs[0])) >= 2
            assert [c.body for c in CommentStore(store.meta).list(post=slugs[0])] == ["first!"]
        if name == "trash":
            assert store.exists("p0") != bool(store.trashed())
        if finished:
            break
        n += 1
    assert n >= 2  # the operation really was killed between files


def test_untrash_killed_at_every_step(template: Path, tmp_path: Path) -> None:
    n = 0
    while True:
        root, log = fresh(template, tmp_path / f"untrash-{n}")
        store = PostStore(Site.open(root))
        entry = store.trash("p0")
        finished = run_killed(root, lambda s, e=entry.id: s.untrash(e), n)
        assert_whole(root, log)
        store = PostStore(Site.open(root))
        if store.exists("p0"):
            assert [c.body for c in CommentStore(store.meta).list(post="p0")] == ["first!"]
            assert not store.trashed()
        else:
            assert [e.id for e in store.trashed()] == [entry.id]
        if finished:
            break
        n += 1
    assert n >= 2


def test_views_import_killed_mid_write_counts_nothing_twice(template: Path, tmp_path: Path) -> None:
    n = 0
    while True:
        root, log = fresh(template, tmp_path / f"views-{n}")
        with log.open("a") as handle:
            handle.writelines(log_line(i, f"v{i % 3}") for i in range(1, 301))
        site = Site.open(root)
        finished = run_killed(root, lambda s, f=log: ViewStore(s.meta).import_logs([f]), n)
        assert_whole(root, log)
        ViewStore(MetaStore(site)).import_logs([log])  # the next day's import
        meta = MetaStore(site)
        total = sum(ViewStore(meta).show(f"v{i}").counted for i in range(3))
        assert total == 301  # every line once: none lost, none counted twice
        if finished:
            break
        n += 1
    assert n >= 3


def test_comment_import_killed_mid_write(template: Path, tmp_path: Path) -> None:
    n = 0
    while True:
        root, log = fresh(template, tmp_path / f"import-{n}")
        csv = tmp_path / "form.csv"
        rows = "".join(f"p{i % 3},Reader {i},comment {i}\n" for i in range(30))
        csv.write_text("post,author,body\n" + rows)
        finished = run_killed(root, lambda s, f=csv: import_comments(CommentStore(s.meta), f), n)
        assert_whole(root, log)
        comments = CommentStore(MetaStore(Site.open(root)))
        assert len(comments.list()) in (1, 31)  # all of the file or none of it
        import_comments(comments, csv)
        assert len(comments.list()) == 31
        if finished:
            break
        n += 1
    assert n >= 2


def test_transaction_that_fails_changes_nothing(site: Site) -> None:
    store = PostStore(site)
    store.create("Kept", slug="kept")
    before = {p: p.read_bytes() for p in site.state_dir.rglob("*.json")}
    with pytest.raises(RuntimeError):
        with store.meta.transaction() as txn:
            CommentStore(store.meta).add("kept", "Ada", "lost", txn=txn)
            store.rename("kept", "other")  # joins the open transaction
            raise RuntimeError("stop")
    assert store.exists("kept") and not store.exists("other")
    assert {p: p.read_bytes() for p in site.state_dir.rglob("*.json")} == before


def test_nested_transaction_commits_post_and_comments_together(site: Site) -> None:
    store = PostStore(site)
    comments = CommentStore(store.meta)
    with store.meta.transaction() as txn:
        store.create("Imported", slug="imported", body="old text\n")
        comment = comments.build("imported", "Bo", "from the old site")
        comments.add_many([comment], txn=txn)
        assert not site.post_path("imported").exists()  # nothing lands before the end
    assert [c.body for c in comments.list(post="imported")] == ["from the old site"]
    assert store.meta.summary("imported")["comments_total"] == 1


def test_a_planted_journal_entry_cannot_write_outside_the_site(site: Site) -> None:
    meta = MetaStore(site)
    meta.ensure_ready()
    journal = site.state_dir / "journal"
    journal.mkdir(exist_ok=True)
    entry = {"id": "x", "steps": [{"op": "delete", "path": "../outside.txt"}]}
    (journal / "x.json").write_text(json.dumps(entry))
    outside = site.root.parent / "outside.txt"
    outside.write_text("keep me")
    with pytest.raises(MetadataError, match="unsafe path"):
        with meta.transaction():
            pass
    assert outside.read_text() == "keep me"


def test_uncommitted_staging_is_dropped_and_committed_entry_finished(site: Site) -> None:
    target = site.state_dir / "meta" / "a.json"
    journal = Journal(site.root, site.state_dir / "journal")
    journal.folder.mkdir(parents=True)
    (journal.folder / "dead-1.000000").write_text("{}")  # staged, never committed
    (journal.folder / "live-1.000000").write_text('{"x": 1}')
    step = {"op": "put", "path": ".hkcms/meta/a.json", "src": "live-1.000000", "backup": ""}
    (journal.folder / "live-1.json").write_text(json.dumps({"id": "live-1", "steps": [step]}))
    assert journal.needs_recovery()
    assert journal.recover() == 1
    assert read_json(target, tables=False) == {"x": 1}
    assert not journal.needs_recovery()
    assert not any(journal.folder.iterdir())
