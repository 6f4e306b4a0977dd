"""A site hkcms has never seen: history recorded in batches, in the background for `list`,
and whole after a kill at any moment (the next scan completes it)."""

from __future__ import annotations

import json
import random
import shutil
import signal
import subprocess
import sys
import time

from hkcms.core import background
from hkcms.core.history_batch import SMALL_BATCH
from hkcms.core.meta import MetaStore, read_json
from hkcms.core.post import content_hash
from hkcms.core.posts import BACKGROUND_MIN, PostStore
from hkcms.core.site import Site


def never_seen(site: Site, n: int) -> list[str]:
    """n posts written straight into posts/ (as by git clone), no metadata at all."""
    slugs = []
    for i in range(n):
        slug = f"post-{i:04d}" if i % 3 else f"社區-{i}"
        text = f"---\ntitle: Post {i}\ntags: [a, b]\n---\n" + f"Words of post {i}.\n" * 40
        (site.posts_dir / f"{slug}.md").write_text(text, encoding="utf-8")
        slugs.append(slug)
    shutil.rmtree(site.state_dir, ignore_errors=True)
    return slugs


def assert_recorded_once(site: Site, slugs: list[str]) -> None:
    """Every post has exactly one revision, its blob, and a summary holding its hash."""
    store = PostStore(site)
    summaries = store.meta.summaries()
    for slug in slugs:
        data = site.post_path(slug).read_bytes()
        revisions = store.history.list(slug)
        assert [(r.rev, r.editor, r.note) for r in revisions] == [
            (1, "external", "first seen by hkcms")
        ], slug
        assert store.history.blobs.get(revisions[0].hash) == data
        summary = summaries[slug]
        assert summary["hash"] == content_hash(data) and summary["revisions"] == 1
        assert summary["updated"] == revisions[0].time and summary["size"] == len(data)


def assert_metadata_parses(site: Site) -> None:
    meta = MetaStore(site)
    for path in [*meta.meta_dir.glob("*.json"), *meta.posts_meta_dir.glob("*.json")]:
        assert read_json(path) is not None or path.stat().st_size == 0, path


def test_a_batch_records_every_post_once(site: Site) -> None:
    slugs = never_seen(site, SMALL_BATCH * 3)
    store = PostStore(site)
    listed = store.scan(when="2026-01-02T03:04:05+00:00").posts
    assert {p.slug for p in listed} == set(slugs)
    assert {(p.revisions, p.updated) for p in listed} == {(1, "2026-01-02T03:04:05+00:00")}
    assert_recorded_once(site, slugs)
    store.scan()  # nothing new: no second revision
    assert_recorded_once(site, slugs)


def test_outside_edits_and_new_posts_in_one_batch(store: PostStore) -> None:
    post = store.create("Known", body="one\n")
    for i in range(SMALL_BATCH):
        (store.site.posts_dir / f"new-{i}.md").write_text(f"---\ntitle: New {i}\n---\nx\n")
    with post.path.open("a") as handle:
        handle.write("two\n")
    store.scan()
    revisions = store.history.list(post.slug)
    assert [(r.rev, r.editor, r.note) for r in revisions][0] == (
        2,
        "external",
        "changed outside hkcms",
    )
    assert store.history.text(post.slug, 2).endswith("one\ntwo\n")
    assert_recorded_once(store.site, [f"new-{i}" for i in range(SMALL_BATCH)])


def test_a_revision_without_its_summary_is_completed_not_repeated(site: Site) -> None:
    """The state a kill between the revisions and the summaries leaves behind."""
    slugs = never_seen(site, SMALL_BATCH * 2)
    PostStore(site).scan()
    for shard in MetaStore(site).meta_dir.glob("summary-*.json*"):
        shard.unlink()
    PostStore(site).scan()  # the batch path
    assert_recorded_once(site, slugs)
    for shard in MetaStore(site).meta_dir.glob("summary-*.json*"):
        shard.unlink()
    store = PostStore(site)
    store.load(slugs[0])  # the one-post path
    assert store.meta.summary(slugs[0])["revisions"] == 1
    assert len(store.history.list(slugs[0])) == 1


KILLED_SCAN = """
import sys
from hkcms.core.site import Site
from hkcms.core.posts import PostStore
import hkcms.core.posts as posts
posts.HISTORY_BATCH = 40  # many batches: kills land between them too
PostStore(Site.open(sys.argv[1])).scan()
"""


def test_killed_at_random_moments_the_next_scan_completes_the_history(site: Site) -> None:
    slugs = never_seen(site, 240)
    rng = random.Random(3)
    for _ in range(6):
        proc = subprocess.Popen([sys.executable, "-c", KILLED_SCAN, str(site.root)])
        time.sleep(rng.uniform(0.3, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert_metadata_parses(site)
        store = PostStore(site)
        for slug in slugs:
            for revision in store.history.list(slug):
                store.history.blobs.get(revision.hash)  # a recorded revision has its text
    PostStore(site).scan()
    assert_recorded_once(site, slugs)


def hkcms(site: Site, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "hkcms", "--site", str(site.root), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def wait_for_history(site: Site, slugs: list[str], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        summaries = MetaStore(site).summaries()
        if all(summaries.get(s, {}).get("hash") for s in slugs) and not background.running(site):
            return
        time.sleep(0.2)
    raise AssertionError("the background recorder did not finish")


def test_list_shows_a_never_seen_site_first_and_records_it_in_the_background(
    site: Site,
) -> None:
    slugs = never_seen(site, BACKGROUND_MIN + 10)
    first = json.loads(hkcms(site, "list", "--json"))
    assert {p["slug"] for p in first} == set(slugs)
    shown = {p["updated"] for p in first}
    assert len(shown) == 1 and shown != {""}  # "now", the time the history will say
    wait_for_history(site, slugs)
    assert_recorded_once(site, slugs)
    assert json.loads(hkcms(site, "list", "--json")) == first
    history = json.loads(hkcms(site, "history", slugs[1], "--json"))
    assert [h["time"] for h in history] == list(shown)


def test_one_recorder_at_a_time(site: Site) -> None:
    never_seen(site, 3)
    assert not background.running(site)
    background.lock_path(site).parent.mkdir(parents=True, exist_ok=True)
    from filelock import FileLock

    with FileLock(str(background.lock_path(site))):
        assert background.running(site)
        assert background.main([str(site.root), "2026-01-01T00:00:00+00:00"]) == 0
        assert not MetaStore(site).summaries()  # it saw the lock and left
    assert background.main([str(site.root), "2026-01-01T00:00:00+00:00"]) == 0
    assert len(MetaStore(site).summaries()) == 3
