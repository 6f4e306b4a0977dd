"""PostStore: list, load, create, save, rename, trash and restore posts; atomic and locked."""

from __future__ import annotations

import builtins
import copy
import datetime as dt
import os
import stat
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from hkcms.core import scan_cache
from hkcms.core.atomic import (
    MAX_FILE_BYTES,
    decode_utf8,
    make_dirs,
    read_regular_file,
)
from hkcms.core.drafts import move_drafts
from hkcms.core.errors import ConflictError, HkcmsError, NotFoundError, PostError, SlugError
from hkcms.core.history import EXTERNAL_EDITOR, History, Revision, current_editor, now_iso
from hkcms.core.history_batch import record_external
from hkcms.core.meta import MetaStore, MetaTxn, backup_of, json_bytes, read_json
from hkcms.core.post import Post, content_hash, dump_front, iso_date, parse_post
from hkcms.core.repair import merge_into
from hkcms.core.site import Site
from hkcms.core.slugs import slugify, unique_slug, validate_slug
from hkcms.core.stamps import is_post_name

CACHE_VERSION = 4  # 3: summary shards cached too (core/scan_cache.py); 4: posts as rows
# A post in the scan cache: a row of these, not a dict (a third faster to load and to save).
ROW = ("title", "status", "author", "tags", "lang", "date", "summary", "translation_key", "kind",
       "menu", "aliases", "show_counts", "key", "hash")  # fmt: skip
_KEY, _HASH = ROW.index("key"), ROW.index("hash")
HISTORY_BATCH = 1000  # posts recorded under one hold of the metadata lock
BACKGROUND_MIN = 50  # fewer outside edits than this are recorded before the list is shown


@dataclass(frozen=True, slots=True)
class PostInfo:
    """What the posts list shows of one post: front matter fields and metadata totals."""

    slug: str
    title: str
    status: str
    author: str
    tags: list[str]
    lang: str
    date: str
    summary: str
    path: str
    updated: str = ""
    views: int = 0
    comments: int = 0
    comments_pending: int = 0
    revisions: int = 0
    size: int = 0
    translation_key: str = ""
    kind: str = "post"
    menu: int | None = None
    aliases: list[str] = field(default_factory=list)
    show_counts: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TrashEntry:
    """A post moved to the trash; `id` restores it."""

    id: str
    slug: str
    title: str
    trashed: str


@dataclass
class ScanResult:
    posts: list[PostInfo] = field(default_factory=list)
    problems: list[HkcmsError] = field(default_factory=list)
    # What the scan read, by stat, taken before reading (core/stamps.py): post files as
    # (name, lstat), summary shards as name → key ('-' when missing).
    stats: list[tuple[str, os.stat_result]] = field(default_factory=list)
    shards: dict[str, str] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)  # slug → content hash of its file


class PostStore:
    """The posts of one site, with their revision history."""

    def __init__(self, site: Site, meta: MetaStore | None = None) -> None:
        self.site = site
        self.meta = meta or MetaStore(site)
        self.history = History(self.meta)
        self.cache_path = site.state_dir / "cache" / "posts.json"
        self.trash_dir = site.state_dir / "trash"

    # ---- reading -------------------------------------------------------------------------

    def scan(self, *, background: bool = False, when: str | None = None) -> ScanResult:
        """List every post, noticing files edited outside hkcms (recorded as 'external', at
        `when` or now). With `background`, many such posts (a site never seen before) are
        listed at once as updated now and recorded by a detached process (core/background)."""
        result = ScanResult()
        cache, shards = scan_cache.load(self.cache_path, CACHE_VERSION)
        summaries, new_shards = scan_cache.summaries(self.meta, shards)
        new_cache: dict[str, Any] = {}
        changed: list[str] = []
        posts_dir = self.site.posts_dir
        try:
            entries = sorted(os.scandir(posts_dir), key=lambda e: e.name)
        except OSError as exc:
            raise HkcmsError(f"cannot read the posts folder: {exc.strerror}", posts_dir) from exc
        for entry in entries:
            if not is_post_name(entry.name):
                continue
            slug = entry.name[:-3]
            try:
                info = entry.stat(follow_symlinks=False)
                result.stats.append((entry.name, info))
                key = [info.st_mtime_ns, info.st_size, info.st_ino]
                cached = cache.get(slug)
                if (
                    isinstance(cached, list)
                    and len(cached) == len(ROW)
                    and cached[_KEY] == key
                    and stat.S_ISREG(info.st_mode)
                ):
                    row = cached  # fast path: unchanged regular file, already validated
                else:
                    path = Path(entry.path)
                    validate_slug(slug)
                    info = self._stat_post(path)
                    key = [info.st_mtime_ns, info.st_size, info.st_ino]
                    data = read_regular_file(path, MAX_FILE_BYTES)  # checked just above
                    post = parse_post(decode_utf8(data, path), slug, path)
                    row = _row_of(post, key, content_hash(data))
            except SlugError as exc:
                result.problems.append(
                    PostError(
                        f"{exc.message}; rename the file, e.g. to {slugify(slug)}.md", entry.path
                    )
                )
                continue
            except HkcmsError as exc:
                result.problems.append(exc)
                continue
            new_cache[slug] = row
            result.hashes[slug] = row[_HASH]
            summary = summaries.get(slug, {})
            if summary.get("hash") != row[_HASH]:
                changed.append(slug)
            result.posts.append(_info(slug, entry.path, row, summary))
        reattached = self._reattach(changed, new_cache, summaries) if changed else set()
        changed = [slug for slug in changed if slug not in reattached]
        if changed and background and len(changed) >= BACKGROUND_MIN:
            from hkcms.core import background as detached

            when = when or now_iso()
            pending = set(changed)
            result.posts = [
                replace(p, updated=when) if p.slug in pending else p for p in result.posts
            ]
            if new_cache != cache or new_shards != shards:
                # The detached process starts from this cache.
                scan_cache.save(self.cache_path, CACHE_VERSION, new_cache, new_shards)
            detached.start(self.site, when)
            return result
        if changed:
            self._record_external(changed, time=when)
        if changed or reattached:
            summaries, new_shards = scan_cache.summaries(self.meta, new_shards)
            result.posts = [
                _info(p.slug, p.path, new_cache[p.slug], summaries.get(p.slug, {}))
                for p in result.posts
            ]
        if new_cache != cache or new_shards != shards:
            scan_cache.save(self.cache_path, CACHE_VERSION, new_cache, new_shards)
        result.shards = scan_cache.shard_stamps(new_shards)
        return result

    def list(self) -> list[PostInfo]:
        """All readable posts (problems are left out; see scan())."""
        return self.scan().posts

    def exists(self, slug: str) -> bool:
        return self.site.post_path(slug).exists()

    def load(self, slug: str) -> Post:
        """Load one post; an outside edit since hkcms last saw it is recorded first."""
        validate_slug(slug)
        path = self.site.post_path(slug)
        if not path.exists() and not path.is_symlink():
            raise NotFoundError(f"no post with slug {slug!r}", path)
        data = self._read_bytes(path)
        post = parse_post(decode_utf8(data, path), slug, path)
        post.loaded_hash = content_hash(data)
        if self.meta.summary(slug).get("hash") != post.loaded_hash:
            self._record_external([slug])
        return post

    def read_bytes(self, slug: str) -> bytes:
        validate_slug(slug)
        return self._read_bytes(self.site.post_path(slug))

    def _read_bytes(self, path: Path) -> bytes:
        self._stat_post(path)
        return read_regular_file(path, MAX_FILE_BYTES)

    def _stat_post(self, path: Path) -> os.stat_result:
        """Stat a post file; refuse links leading out of posts/ and anything but regular files."""
        try:
            info = path.lstat()
        except FileNotFoundError as exc:
            raise NotFoundError("post file does not exist", path) from exc
        if stat.S_ISLNK(info.st_mode):
            target = path.resolve()
            if not target.is_relative_to(self.site.posts_dir.resolve()):
                raise PostError("is a symbolic link to a file outside posts/; refusing it", path)
            info = target.stat()
        if not stat.S_ISREG(info.st_mode):
            raise PostError("is not a regular file (a FIFO, device or folder?); skipping it", path)
        if info.st_size > MAX_FILE_BYTES:
            raise PostError(
                f"is too large ({info.st_size:,} bytes; posts are limited to {MAX_FILE_BYTES:,})",
                path,
            )
        return info

    # ---- writing -------------------------------------------------------------------------

    def create(
        self,
        title: str,
        *,
        slug: str | None = None,
        author: str | None = None,
        tags: builtins.list[str] | None = None,
        lang: str | None = None,
        draft: bool = False,
        body: str = "",
        editor: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Post:
        """Create a new post file and record its first revision. `extra`: more front matter
        keys, after the usual ones (a translation's copied fields)."""
        title = title.strip()
        if not title:
            raise PostError("a post needs a title")
        make_dirs(self.site.posts_dir)
        front: dict[str, Any] = {"title": title}
        front["author"] = author or self.site.settings.author or current_editor()
        front["date"] = dt.date.today()
        front["tags"] = list(tags or [])
        front["status"] = "draft" if draft else "published"
        front["lang"] = lang or self.site.settings.language
        front.update(extra or {})
        with self.meta.transaction() as txn:
            if slug is not None:
                validate_slug(slug)
                if self.site.post_path(slug).exists():
                    raise SlugError(f"a post with slug {slug!r} already exists")
            else:
                taken = {p.name[:-3] for p in self.site.posts_dir.glob("*.md")}
                # The metadata of a post whose file went away waits to be reattached.
                taken |= {p.name[:-5] for p in self.meta.posts_meta_dir.glob("*.json")}
                slug = unique_slug(slugify(title), taken)
            if txn.exists(self.meta.post_file(slug)):
                # A new post never inherits the history and comments of an old one.
                self.trash_orphan(txn, slug)
            post = Post(slug=slug, front=front, body=body or "\n", path=self.site.post_path(slug))
            data = post.to_bytes()
            self._write_and_record(txn, slug, data, editor=editor, note="created")
        return self._mark_saved(post, data)

    def save(
        self, post: Post, *, editor: str | None = None, note: str = "", force: bool = False
    ) -> Revision | None:
        """Save a loaded post. Refuses (ConflictError) if the file changed since it was loaded,
        unless force; the other editor's version is then kept as a revision first."""
        validate_slug(post.slug)
        path = self.site.post_path(post.slug)
        data = post.to_bytes()
        with self.meta.transaction() as txn:
            try:
                disk = self._read_bytes(path)
            except NotFoundError:
                disk = None
            disk_hash = content_hash(disk) if disk is not None else None
            if disk_hash != post.loaded_hash and not force:
                message = (
                    "was deleted since you opened it"
                    if disk is None
                    else "was changed by someone else since you opened it"
                )
                raise ConflictError(
                    message, path, disk_text=(disk or b"").decode("utf-8", errors="replace")
                )
            if disk is not None and disk_hash != txn.get_summary(post.slug).get("hash"):
                # Keep the other version in history before it is overwritten.
                self.history.record(
                    txn, post.slug, disk, editor=EXTERNAL_EDITOR, note="changed outside hkcms"
                )
            if disk == data:
                self._mark_saved(post, data)
                return None
            revision = self._write_and_record(txn, post.slug, data, editor=editor, note=note)
        self._mark_saved(post, data)
        return revision

    def restore(self, slug: str, rev: int, *, editor: str | None = None) -> Revision | None:
        """Make an old revision the current text; recorded as a new revision (nothing is lost)."""
        validate_slug(slug)
        data = self.history.blobs.get(self.history.get(slug, rev).hash)
        path = self.site.post_path(slug)
        parse_post(decode_utf8(data, path), slug, path)  # never restore a text that would not load
        with self.meta.transaction() as txn:
            try:
                disk = self._read_bytes(path)
                if content_hash(disk) != txn.get_summary(slug).get("hash"):
                    self.history.record(
                        txn, slug, disk, editor=EXTERNAL_EDITOR, note="changed outside hkcms"
                    )
            except NotFoundError:
                disk = None
            if disk == data:
                return None
            return self._write_and_record(
                txn, slug, data, editor=editor, note=f"restored revision {rev}"
            )

    def rename(self, old: str, new: str) -> None:
        """Change a post's slug; its history, views and comments follow it."""
        validate_slug(old)
        validate_slug(new)
        old_path, new_path = self.site.post_path(old), self.site.post_path(new)
        with self.meta.transaction() as txn:
            if not old_path.exists():
                raise NotFoundError(f"no post with slug {old!r}", old_path)
            if new_path.exists() or new_path.is_symlink():
                raise SlugError(f"a post with slug {new!r} already exists")
            if txn.exists(self.meta.post_file(new)):
                self.trash_orphan(txn, new)  # left by a post whose file went away
            txn.move(old_path, new_path)
            self.meta.rename_post(txn, old, new)
        # Once the rename has landed: unsaved text follows the post, never left behind.
        move_drafts(self.site, old, new)

    def trash(self, slug: str) -> TrashEntry:
        """Move a post and its metadata to the trash (restorable with untrash)."""
        validate_slug(slug)
        path = self.site.post_path(slug)
        with self.meta.transaction() as txn:
            if not path.exists():
                raise NotFoundError(f"no post with slug {slug!r}", path)
            title = _title_or_slug(path, slug)
            return self._to_trash(txn, slug, title, post_file=path)

    def trash_orphan(self, txn: MetaTxn, slug: str) -> TrashEntry:
        """Move the metadata of a post whose file is gone to the trash, with the text of its
        last revision as the post: untrash brings both back."""
        data = txn.read_json(self.meta.post_file(slug)) or {}
        revisions = sorted(data.get("revisions", {}).values(), key=lambda r: int(r["rev"]))
        text = b""
        for revision in reversed(revisions):
            try:
                text = self.history.blobs.get(str(revision["hash"]))
                break
            except HkcmsError:
                continue
        if not text:
            text = Post(slug=slug, front={"title": slug}, body="\n").to_bytes()
        try:
            title = parse_post(decode_utf8(text, self.site.post_path(slug)), slug).title
        except HkcmsError:
            title = slug
        return self._to_trash(txn, slug, title, post_text=text)

    def _to_trash(
        self,
        txn: MetaTxn,
        slug: str,
        title: str,
        *,
        post_file: Path | None = None,
        post_text: bytes = b"",
    ) -> TrashEntry:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        entry_id = f"{stamp}-{slug}"
        make_dirs(self.trash_dir)
        summary = txn.get_summary(slug)
        record = {"slug": slug, "title": title, "trashed": stamp, "summary": summary}
        txn.put(self.trash_dir / f"{entry_id}.trash.json", json_bytes(record))
        meta_file = self.meta.post_file(slug)
        meta = txn.read_bytes(meta_file)
        if meta is not None:
            txn.put(self.trash_dir / f"{entry_id}.meta.json", meta)
            txn.delete(meta_file)
            txn.delete(backup_of(meta_file))  # the trash holds the live copy only
        if post_file is not None:
            txn.move(post_file, self.trash_dir / f"{entry_id}.md")
        else:
            txn.put(self.trash_dir / f"{entry_id}.md", post_text)
        txn.delete_summary(slug)
        return TrashEntry(entry_id, slug, title, stamp)

    def trashed(self) -> builtins.list[TrashEntry]:
        """Posts in the trash, newest first."""
        entries: builtins.list[TrashEntry] = []
        if not self.trash_dir.is_dir():
            return entries
        for record_path in self.trash_dir.glob("*.trash.json"):
            record = read_json(record_path, tables=False) or {}
            entry_id = record_path.name.removesuffix(".trash.json")
            entries.append(
                TrashEntry(
                    entry_id,
                    str(record.get("slug", "")),
                    str(record.get("title", "")),
                    str(record.get("trashed", "")),
                )
            )
        return sorted(entries, key=lambda e: e.trashed, reverse=True)

    def untrash(self, entry_id: str) -> str:
        """Put a trashed post back; returns its slug."""
        record_path = self.trash_dir / f"{entry_id}.trash.json"
        if "/" in entry_id or not record_path.exists():
            raise NotFoundError(f"nothing in the trash is called {entry_id!r}")
        record = read_json(record_path, tables=False) or {}
        slug = validate_slug(str(record.get("slug", "")))
        path = self.site.post_path(slug)
        with self.meta.transaction() as txn:
            if not record_path.exists():
                raise NotFoundError(f"nothing in the trash is called {entry_id!r}")
            if path.exists() or path.is_symlink():
                raise SlugError(f"a post with slug {slug!r} exists again; rename it first")
            meta_file = self.meta.post_file(slug)
            if txn.exists(meta_file):
                self.trash_orphan(txn, slug)  # never merge two posts' metadata
            txn.move(self.trash_dir / f"{entry_id}.md", path)
            meta_src = self.trash_dir / f"{entry_id}.meta.json"
            meta = txn.read_bytes(meta_src)
            if meta is not None:
                txn.put(meta_file, meta)
                txn.delete(meta_src)
            kept = record.get("summary")
            kept = kept if isinstance(kept, dict) else {}
            summary = {k: v for k, v in kept.items() if k != "slug"}
            if summary:
                txn.update_summary(slug, **summary)
            txn.delete(record_path)
        return slug

    # ---- internals -----------------------------------------------------------------------

    def _write_and_record(
        self, txn: MetaTxn, slug: str, data: bytes, *, editor: str | None, note: str
    ) -> Revision | None:
        path = self.site.post_path(slug)
        # Parse the metadata first: a corrupt file must stop the save before the post is written.
        txn.post_db(slug).table("revisions").all()
        txn.get_summary(slug)
        if path.is_symlink():
            path = self.site.posts_dir / os.readlink(path)  # write through a link inside posts/
        txn.put(path, data)  # lands together with its revision and summary
        return self.history.record(txn, slug, data, editor=editor, note=note)

    def _mark_saved(self, post: Post, data: bytes) -> Post:
        post.loaded_hash = content_hash(data)
        if post.raw_front is None or post.front != post.front_as_read:
            post.raw_front = dump_front(post.front)
        post.front_as_read = copy.deepcopy(post.front)
        post.path = self.site.post_path(post.slug)
        return post

    def _reattach(
        self, changed: builtins.list[str], rows: dict[str, Any], summaries: dict[str, Any]
    ) -> set[str]:
        """Posts that appeared with the exact text of a post whose file is gone (a `mv` or
        `git mv` outside hkcms) get its history, comments and views back, like git's rename
        detection. Returns the slugs reattached."""
        fresh = [s for s in changed if not summaries.get(s)]
        if not fresh:
            return set()
        gone: dict[str, str] = {}
        for slug, summary in summaries.items():
            digest = summary.get("hash")
            if digest and slug not in rows and not self.site.post_path(slug).exists():
                gone.setdefault(str(digest), slug)
        matches = {s: gone[rows[s][_HASH]] for s in fresh if rows[s][_HASH] in gone}
        if not matches:
            return set()
        done: set[str] = set()
        with self.meta.transaction() as txn:
            for slug, orphan in matches.items():
                if orphan in done or self.site.post_path(orphan).exists():
                    continue
                if not txn.exists(self.meta.post_file(orphan)):
                    continue
                merge_into(txn, orphan, slug)
                done.add(slug)
        return done

    def _record_external(self, slugs: builtins.list[str], time: str | None = None) -> None:
        """Record files changed outside hkcms (vim, git pull) as revisions by 'external', in
        batches: the lock is released between them, so a save never waits long."""

        def read(slug: str) -> bytes | None:
            try:
                return self._read_bytes(self.site.post_path(slug))
            except HkcmsError:
                return None

        for start in range(0, len(slugs), HISTORY_BATCH):
            with self.meta.transaction() as txn:
                chunk = slugs[start : start + HISTORY_BATCH]
                record_external(txn, self.history, chunk, read, time=time)


def _row_of(post: Post, key: list[int], digest: str) -> list[Any]:
    """A post's row in the scan cache (ROW), from its file's stat key and content hash."""
    return [post.title, post.status, post.author, post.tags, post.lang, post.date, post.summary,
            post.translation_key, post.kind, post.menu, post.aliases, post.show_counts, key,
            digest]  # fmt: skip


def _info(slug: str, path: str, row: list[Any], summary: dict[str, Any]) -> PostInfo:
    (title, status, author, tags, lang, date, text_summary, translation_key, kind, menu, aliases,
     show_counts) = row[:12]  # fmt: skip
    return PostInfo(
        slug=slug,
        title=title,
        status=status,
        author=author,
        tags=list(tags),
        lang=lang,
        date=date,
        summary=text_summary,
        path=path,
        updated=summary.get("updated", ""),
        views=int(summary.get("views", 0)),
        comments=int(summary.get("comments", 0)),
        comments_pending=int(summary.get("comments_pending", 0)),
        revisions=int(summary.get("revisions", 0)),
        size=int(summary.get("size", 0)),
        translation_key=translation_key,
        kind=kind,
        menu=menu,
        aliases=list(aliases),
        show_counts=show_counts,
    )


def _title_or_slug(path: Path, slug: str) -> str:
    try:
        return parse_post(decode_utf8(read_regular_file(path), path), slug, path).title
    except HkcmsError:
        return slug


__all__ = ["PostInfo", "PostStore", "ScanResult", "TrashEntry", "iso_date"]
