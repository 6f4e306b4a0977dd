"""Four real processes importing logs and adding comments at once lose nothing."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from hkcms.core.comments import CommentStore
from hkcms.core.meta import MetaStore
from hkcms.core.posts import PostStore
from hkcms.core.site import Site
from hkcms.core.views import ViewStore
from tests.views.logs import line, make_posts, write

SLUGS = ["alpha", "beta", "gamma"]
COMMENTS_EACH = 15
LOG_LINES = 60


def worker(root: str, logs: list[str], name: str) -> None:
    site = Site.open(root)
    meta = MetaStore(site)
    views, comments = ViewStore(meta), CommentStore(meta)
    for i in range(COMMENTS_EACH):
        comments.add(SLUGS[i % 3], name, f"comment {i} from {name}")
        if i % 5 == 0:
            # Every process imports every log: each line must still be counted once.
            views.import_logs(logs)
    views.import_logs(logs)


def test_four_processes_import_and_comment_at_once(store: PostStore, tmp_path: Path) -> None:
    make_posts(store, *SLUGS)
    logs = []
    for n in range(4):
        lines = [
            line(f"/posts/{SLUGS[i % 3]}/", minutes=i, ip=f"198.51.{n}.{i}")
            for i in range(LOG_LINES)
        ]
        logs.append(str(write(tmp_path / f"access-{n}.log", *lines)))
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=worker, args=(str(store.site.root), logs, f"proc{n}")) for n in range(4)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]

    meta = MetaStore(Site.open(store.site.root))
    views, comments = ViewStore(meta), CommentStore(meta)
    per_post = 4 * LOG_LINES // 3
    assert {s: views.show(s).counted for s in SLUGS} == dict.fromkeys(SLUGS, per_post)
    assert {s: meta.summary(s)["views"] for s in SLUGS} == dict.fromkeys(SLUGS, per_post)
    assert len(comments.list()) == 4 * COMMENTS_EACH
    bodies = {(c.author, c.body) for c in comments.list()}
    assert len(bodies) == 4 * COMMENTS_EACH
    assert sum(meta.summary(s)["comments_total"] for s in SLUGS) == 4 * COMMENTS_EACH
    # One more import by this process finds nothing new.
    assert views.import_logs(logs).counted == 0
