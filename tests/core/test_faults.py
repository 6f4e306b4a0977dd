"""The two hard properties, with real processes: SIGKILL never leaves a half-written file, and
concurrent read-modify-writes of metadata lose no update."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from hkcms.core.atomic import TMP_PREFIX
from hkcms.core.comments import CommentStore
from hkcms.core.meta import MetaStore, read_json
from hkcms.core.post import parse_post
from hkcms.core.posts import PostStore
from hkcms.core.site import Site

WRITER = """
import random, sys
from hkcms.core.site import Site
from hkcms.core.posts import PostStore
from hkcms.core.comments import CommentStore
store = PostStore(Site.open(sys.argv[1]))
comments = CommentStore(store.meta)
n = 0
while True:
    n += 1
    post = store.load("target")
    # Whole marker lines of varying size: a torn write would show as a broken line.
    post.body = "".join(f"line {n} {i} {'x' * 50}\\n" for i in range(random.randint(1, 3000)))
    post.front["title"] = f"Title {n}"
    store.save(post)
    comments.add("target", "Writer", f"comment {n}")
    if n == 1:
        print("saved", flush=True)  # the test kills only after a first save, however slow the start
"""

COUNTER = """
import sys
from hkcms.core.site import Site
from hkcms.core.meta import MetaStore
from hkcms.core.comments import CommentStore
site = Site.open(sys.argv[1])
meta = MetaStore(site)
comments = CommentStore(meta)
for i in range(int(sys.argv[3])):
    with meta.transaction() as txn:
        table = txn.site_db().table("counter")
        doc = table.get(doc_id=1)
        value = doc["value"] if doc else 0
        if doc:
            table.update({"value": value + 1}, doc_ids=[1])
        else:
            table.insert({"value": 1})
    comments.add("target", f"proc {sys.argv[2]}", f"comment {i}")
"""


def _check_site_is_whole(site: Site) -> None:
    text = (site.posts_dir / "target.md").read_text(encoding="utf-8")
    post = parse_post(text, "target")
    for line in post.body.splitlines():
        assert line.startswith("line ") and line.endswith("x" * 50), f"torn line {line!r}"
    meta = MetaStore(site)
    for path in [*meta.meta_dir.glob("*.json"), *meta.posts_meta_dir.glob("*.json")]:
        assert read_json(path) is not None or path.stat().st_size == 0, path
    store = PostStore(site)
    for revision in store.history.list("target"):
        store.history.blobs.get(revision.hash)  # every recorded revision has its content


def test_sigkill_at_random_moments_never_corrupts(site: Site) -> None:
    store = PostStore(site)
    store.create("Target", slug="target", body="line 0 0 " + "x" * 50 + "\n")
    rng = random.Random(7)
    for _ in range(25):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(site.root)], stdout=subprocess.PIPE
        )
        assert proc.stdout is not None and proc.stdout.readline() == b"saved\n"
        time.sleep(rng.uniform(0.0, 0.6))
        proc.send_signal(signal.SIGKILL)
        # The writer loops for ever: anything but death by SIGKILL means it failed on its own.
        assert proc.wait() == -signal.SIGKILL
        _check_site_is_whole(site)
    store.scan()  # an interrupted save is noticed and recorded, never lost
    history = store.history.list("target")
    # Most kills land after at least one save (not all: a loaded machine starts Python slowly).
    assert len(history) > 5
    assert (
        store.history.text("target", history[0].rev) == (site.posts_dir / "target.md").read_text()
    )
    MetaStore(site).clean_temp_files()
    folders = (site.posts_dir, site.state_dir / "meta", site.state_dir / "meta" / "posts")
    assert not [p for folder in folders for p in folder.iterdir() if p.name.startswith(TMP_PREFIX)]


def test_four_processes_lose_no_update(site: Site) -> None:
    PostStore(site).create("Target", slug="target")
    per_process = 30
    procs = [
        subprocess.Popen([sys.executable, "-c", COUNTER, str(site.root), str(i), str(per_process)])
        for i in range(4)
    ]
    assert all(p.wait(timeout=300) == 0 for p in procs)
    meta = MetaStore(site)
    assert meta.site_table("counter")["1"]["value"] == 4 * per_process
    comments = CommentStore(meta).list(post="target")
    assert len(comments) == 4 * per_process
    assert meta.summary("target")["comments_total"] == 4 * per_process


def test_temp_files_of_killed_writers_are_removed(site: Site, tmp_path: Path) -> None:
    PostStore(site).create("Target", slug="target")
    stray = site.posts_dir / ".hkcms-tmp-target.md.1.ab"
    stray.write_text("partial")
    MetaStore(site).ensure_ready()  # every process cleans up when it first opens the metadata
    assert not stray.exists()
