"""SIGKILL a writer at random moments during every multi-file operation, then audit the site.

Used by tests/core/test_kill.py (200 kills) and benchmarks/bench_kill.py (1,000 kills). The
writer is a forked child (no interpreter start-up per kill) that loops over random operations:
create, save, restore, rename, trash, untrash, comments add/delete/import, views import. It
appends an "ok" line to an acknowledgement file after each operation returns; the audit then
checks that nothing acknowledged is lost, and that the site is whole and consistent.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hkcms.core.atomic import TMP_PREFIX
from hkcms.core.comment_import import import_comments
from hkcms.core.comments import CommentStore
from hkcms.core.errors import HkcmsError
from hkcms.core.history import BlobStore
from hkcms.core.meta import MetaStore, read_json
from hkcms.core.post import content_hash, parse_post
from hkcms.core.posts import PostStore
from hkcms.core.repair import drift, orphans
from hkcms.core.site import Site
from hkcms.core.views import IMPORTS_TABLE, ViewStore

VIEW_POSTS = ("v0", "v1", "v2")
UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36"
)
COUNTS = (
    "corrupt",
    "lost_acknowledged",
    "double_counted_views",
    "detached",
    "summary_drift",
    "unrecorded_saves",
    "leftovers",
)


@dataclass
class Audit:
    counts: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def add(self, kind: str, note: str, n: int = 1) -> None:
        self.counts[kind] += n
        if len(self.notes) < 20:
            self.notes.append(f"{kind}: {note}")


def log_line(n: int, slug: str) -> str:
    when = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(1_780_000_000 + n))
    ip = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
    return f'{ip} - - [{when}] "GET /posts/{slug}/ HTTP/1.1" 200 512 "-" "{UA}"\n'


def make_site(root: Path) -> Path:
    """A site with four ordinary posts and three that only receive views; returns the log."""
    site = Site.init(root, title="Kill test")
    store = PostStore(site)
    for i in range(4):
        _create(store, f"Post {i}", f"p{i}", f"kid-p{i}")
    for slug in VIEW_POSTS:
        _create(store, f"Views {slug}", slug, f"kid-{slug}")
    log = root.parent / f"{root.name}-access.log"
    log.write_text(log_line(0, "v0"))
    ViewStore(store.meta).import_logs([log])
    return log


def _create(store: PostStore, title: str, slug: str, kid: str) -> str:
    post = store.create(title, slug=slug, body=f"{kid} body\n")
    post.front["kid"] = kid
    store.save(post)
    return content_hash(post.to_bytes())


# ---- the writer -------------------------------------------------------------------------


def writer(root: Path, log: Path, ack_path: Path, seed: int) -> None:
    """Run random operations forever (until killed), acknowledging each one."""
    rng = random.Random(seed)
    site = Site.open(root)
    store = PostStore(site)
    comments = CommentStore(store.meta)
    views = ViewStore(store.meta)
    fd = os.open(ack_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def ack(*record: Any) -> None:
        os.write(fd, (json.dumps(record) + "\n").encode())

    def kid_of(slug: str) -> str:
        return str(store.load(slug).front.get("kid", ""))

    n = 0
    while True:
        n += 1
        stamp = f"{seed}-{n}"
        live = sorted(p.name[:-3] for p in site.posts_dir.glob("*.md"))
        general = [s for s in live if s not in VIEW_POSTS]
        op = rng.choice(
            ["save", "save", "create", "rename", "trash", "untrash", "restore", "comment",
             "comment", "delete", "import", "views", "views"]
        )  # fmt: skip
        try:
            if op == "create" or not general:
                kid = f"kid-{stamp}"
                ack("intent", "create", kid)
                digest = _create(store, f"New {stamp}", f"n{stamp}", kid)
                ack("ok", "save", kid, digest)
            elif op == "save":
                slug = rng.choice(general)
                post = store.load(slug)
                post.body = "".join(f"{stamp} line {i}\n" for i in range(rng.randint(1, 400)))
                ack("intent", "save", post.front.get("kid"))
                store.save(post)
                ack("ok", "save", post.front.get("kid"), content_hash(post.to_bytes()))
            elif op == "restore":
                slug = rng.choice(general)
                kid = kid_of(slug)
                ack("intent", "restore", kid)
                store.restore(slug, 2)  # rev 2: the first text with its kid
                ack("ok", "save", kid, content_hash(store.read_bytes(slug)))
            elif op == "rename":
                slug = rng.choice(general)
                ack("intent", "rename", slug)
                store.rename(slug, f"r{stamp}")
                ack("ok", "rename", slug)
            elif op == "trash":
                if len(general) > 2:
                    slug = rng.choice(general)
                    ack("intent", "trash", slug)
                    store.trash(slug)
                    ack("ok", "trash", slug)
            elif op == "untrash":
                entries = store.trashed()
                if entries:
                    entry = rng.choice(entries)
                    ack("intent", "untrash", entry.id)
                    store.untrash(entry.id)
                    ack("ok", "untrash", entry.id)
            elif op == "comment":
                slug = rng.choice(general)
                kid = kid_of(slug)
                ack("intent", "comment", kid)
                added = comments.add(slug, "Reader", f"comment {stamp}", email="r@example.org")
                assert added is not None
                ack("ok", "comment", kid, [added.id])
            elif op == "delete":
                slug = rng.choice(general)
                present = comments.list(post=slug)
                if present:
                    victim = rng.choice(present).id
                    ack("intent", "delete", victim)
                    comments.delete([victim])
                    ack("ok", "delete", victim)
            elif op == "import":
                slug = rng.choice(general)
                kid = kid_of(slug)
                csv = root.parent / f"{root.name}-comments-{os.getpid()}.csv"
                rows = "".join(f"{slug},Reader {i},import {stamp} {i}\n" for i in range(20))
                csv.write_text("post,author,body\n" + rows)
                ack("intent", "import", kid)
                report = import_comments(comments, csv)
                ack("ok", "comment", kid, [c.id for c in report.imported])
            elif op == "views":
                first = sum(1 for _ in log.open())
                batch = "".join(
                    log_line(first + i, rng.choice(VIEW_POSTS)) for i in range(rng.randint(1, 60))
                )
                with log.open("a") as handle:
                    handle.write(batch)
                ack("intent", "views")
                views.import_logs([log])
                ack("ok", "views")
        except HkcmsError:
            continue  # a refusal (a slug taken meanwhile): not a failure of the store


# ---- the audit --------------------------------------------------------------------------


def _posts_by_kid(site: Site, meta: MetaStore, audit: Audit) -> dict[str, list[dict[str, Any]]]:
    """kid → metadata of every post (live or trashed) carrying it."""
    found: dict[str, list[dict[str, Any]]] = {}
    places: list[tuple[Path, Path]] = [
        (p, meta.post_file(p.name[:-3])) for p in site.posts_dir.glob("*.md")
    ]
    trash = site.state_dir / "trash"
    if trash.is_dir():
        places += [(p, trash / p.name.replace(".md", ".meta.json")) for p in trash.glob("*.md")]
    for post_path, meta_path in places:
        try:
            post = parse_post(post_path.read_text("utf-8"), post_path.stem)
            data = read_json(meta_path) or {}
        except (HkcmsError, OSError, UnicodeDecodeError) as exc:
            audit.add("corrupt", f"{post_path}: {exc}")
            continue
        found.setdefault(str(post.front.get("kid", "")), []).append(data)
    return found


def audit_site(root: Path, log: Path, ack_path: Path) -> Audit:
    """Open the site as the next hkcms process would, then count every kind of damage."""
    audit = Audit()
    site = Site.open(root)
    meta = MetaStore(site)
    with meta.transaction():
        pass  # the next open: finishes or drops whatever a killed writer left
    leftovers = [p for p in site.state_dir.rglob("*") if p.name.startswith(TMP_PREFIX)]
    leftovers += [p for p in (site.state_dir / "journal").glob("*")]
    leftovers += [p for p in site.posts_dir.glob(f"{TMP_PREFIX}*")]
    for path in leftovers:
        audit.add("leftovers", str(path))
    # Every metadata file parses; every post parses and its text is its newest revision.
    json_files = [*meta.meta_dir.rglob("*.json"), *(site.state_dir / "trash").glob("*.json")]
    for path in json_files:
        try:
            read_json(path, tables=not path.name.endswith(".trash.json"))
        except HkcmsError as exc:
            audit.add("corrupt", str(exc))
    summaries = meta.summaries()
    blobs = BlobStore(site.state_dir / "blobs")
    for path in site.posts_dir.glob("*.md"):
        slug = path.name[:-3]
        try:
            data = path.read_bytes()
            parse_post(data.decode("utf-8"), slug)
            post_meta = read_json(meta.post_file(slug))
        except (HkcmsError, UnicodeDecodeError) as exc:
            audit.add("corrupt", f"{path}: {exc}")
            continue
        if not post_meta or not post_meta.get("revisions"):
            audit.add("detached", f"{slug} has no history")
            continue
        revisions = sorted(post_meta["revisions"].values(), key=lambda r: int(r["rev"]))
        if revisions[-1]["hash"] != content_hash(data):
            audit.add("unrecorded_saves", f"{slug}: its text is not its newest revision")
        for revision in revisions:
            try:
                blobs.get(revision["hash"])
            except HkcmsError as exc:
                audit.add("corrupt", str(exc))
        for comment in post_meta.get("comments", {}).values():
            if comment.get("post") != slug:
                audit.add(
                    "detached", f"comment {comment.get('id')} of {slug} names {comment.get('post')}"
                )
        summary = summaries.get(slug)
        if not summary:
            audit.add("summary_drift", f"{slug} has no summary")
        else:
            for d in drift(summary, post_meta):
                audit.add("summary_drift", f"{slug}: {d.field} {d.summary!r} != {d.derived!r}")
    for slug in orphans(meta):
        audit.add("detached", f"metadata of {slug} without its post")
    for slug in summaries:
        if not site.post_path(slug).exists():
            audit.add("summary_drift", f"summary of {slug}, which does not exist")
    # Views: every line read counted exactly once (each line is a new visitor).
    counted = 0
    for slug in VIEW_POSTS:
        data = read_json(meta.post_file(slug)) or {}
        counted += sum(int(d["views"]) for d in data.get("views", {}).values())
    streams = list(meta.site_table(IMPORTS_TABLE).values())
    read = sum(int(s["lines"]) for s in streams)
    if counted > read:
        audit.add("double_counted_views", f"{counted} views for {read} lines", counted - read)
    elif counted < read:
        audit.add("lost_acknowledged", f"{read - counted} lines read but not counted")
    _check_acks(site, meta, ack_path, audit)
    # Finally the scan a user's next command runs: nothing may need recording as "external".
    PostStore(site, meta).scan()
    for path in site.posts_dir.glob("*.md"):
        data = read_json(meta.post_file(path.name[:-3])) or {}
        for revision in data.get("revisions", {}).values():
            if revision.get("editor") == "external":
                audit.add("unrecorded_saves", f"{path.name}: a save recorded as external")
    return audit


def _check_acks(site: Site, meta: MetaStore, ack_path: Path, audit: Audit) -> None:
    try:
        lines = ack_path.read_text().splitlines()
    except FileNotFoundError:
        return
    records = [json.loads(line) for line in lines if line.endswith(("]", "}"))]
    by_kid = _posts_by_kid(site, meta, audit)
    # Deleted, or killed while being deleted (gone or not, both are right).
    deleted = {r[2] for r in records if r[1] == "delete"}
    for record in records:
        if record[0] != "ok":
            continue
        if not record[2] if len(record) > 2 else True:
            continue  # a post whose creation was killed before it got its kid: untracked
        if record[1] == "save":
            kid, digest = record[2], record[3]
            metas = by_kid.get(kid)
            if not metas:
                audit.add("lost_acknowledged", f"post {kid} is gone")
                continue
            hashes = {r["hash"] for m in metas for r in m.get("revisions", {}).values()}
            if digest not in hashes:
                audit.add("lost_acknowledged", f"a save of {kid} is not in its history")
        elif record[1] == "comment":
            kid, ids = record[2], record[3]
            present = {c["id"] for m in by_kid.get(kid, []) for c in m.get("comments", {}).values()}
            for cid in ids:
                if cid not in present and cid not in deleted:
                    audit.add("lost_acknowledged", f"comment {cid} of {kid} is gone")


# ---- the loop ---------------------------------------------------------------------------


def run_kills(
    workdir: Path, kills: int, *, seed: int = 1, max_delay: float = 0.15, audit_every: int = 1
) -> Audit:
    """Kill a writer `kills` times at random moments, auditing the site after each kill."""
    root = workdir / "site"
    log = make_site(root)
    ack_path = workdir / "acks.jsonl"
    rng = random.Random(seed)
    total = Audit()
    for k in range(kills):
        pid = os.fork()
        if pid == 0:  # the writer
            code = 0
            try:
                writer(root, log, ack_path, seed * 100_000 + k)
            except BaseException:
                code = 3
            finally:
                os._exit(code)
        time.sleep(rng.uniform(0.005, max_delay))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 3:
            total.add("corrupt", f"the writer failed on its own before kill {k}")
        if (k + 1) % audit_every == 0 or k == kills - 1:
            found = audit_site(root, log, ack_path)
            total.counts.update(found.counts)
            for note in found.notes:
                if len(total.notes) < 20:
                    total.notes.append(f"after kill {k + 1}: {note}")
    # A last, uninterrupted import must count every line of the log exactly once.
    ViewStore(MetaStore(Site.open(root))).import_logs([log])
    complete = log.read_text().count("\n")
    meta = MetaStore(Site.open(root))
    counted = sum(
        int(d["views"])
        for slug in VIEW_POSTS
        for d in (read_json(meta.post_file(slug)) or {}).get("views", {}).values()
    )
    if counted != complete:
        kind = "double_counted_views" if counted > complete else "lost_acknowledged"
        total.add(
            kind, f"{counted} views counted for {complete} log lines", abs(counted - complete)
        )
    return total
