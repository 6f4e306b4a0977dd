"""The import service: writes ImportedPost records as posts with history, comments and views.

Re-running an import creates nothing twice: a post is matched on (source, source id), kept in
its summary together with the hash of the file the import wrote. A post whose file still has
that hash is updated (a new revision) when the source changed; one edited since (in hkcms or
outside it) is left alone and reported. Posts are written in batches, with two system-wide syncs
a batch instead of an fsync per file, so that 10,000 posts take seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hkcms.core.atomic import MAX_FILE_BYTES, read_regular_file, write_atomic_many
from hkcms.core.comments import (
    Comment,
    CommentError,
    check_comment,
    clean_text,
    comment_counts,
    merge_comments,
)
from hkcms.core.errors import HkcmsError, SlugError
from hkcms.core.history import History, Revision, now_iso
from hkcms.core.import_records import ImportedComment, ImportedPost, ImportWarning
from hkcms.core.meta import MetaStore, MetaTxn, json_bytes, read_json, summary_shard
from hkcms.core.post import STATUSES, content_hash, dump_front, parse_post
from hkcms.core.site import Site
from hkcms.core.slugs import slugify, unique_slug, validate_slug
from hkcms.core.views import BASELINE_TABLE, VIEWS_TABLE

BATCH = 500  # posts written per lock and per pair of syncs
KINDS = ("post", "page")
# Front matter keys the import writes; `extra` keys may not override them.
OWN_KEYS = (
    "title", "author", "date", "tags", "status", "lang", "summary", "cover", "kind", "aliases",
    "import_source", "import_id",
)  # fmt: skip
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
Progress = Callable[[int], None]


def import_editor(source: str) -> str:
    """The editor name of the revisions an import records, e.g. 'import (wordpress)'."""
    return f"import ({source})"


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do): the `--json` report of the CLI."""

    source: str
    posts: dict[str, int] = field(
        default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0}
    )
    comments: dict[str, int] = field(
        default_factory=lambda: {"approved": 0, "pending": 0, "skipped": 0}
    )
    media: dict[str, int] = field(
        default_factory=lambda: {"copied": 0, "downloaded": 0, "missing": 0}
    )
    redirects: int = 0
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False
    slugs: dict[str, str] = field(default_factory=dict)  # source id -> slug of every post seen
    missing_media: list[str] = field(default_factory=list)

    def warn(self, warning: ImportWarning | str) -> None:
        self.warnings.append(str(warning))

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "dry_run": self.dry_run,
            "posts": dict(self.posts),
            "comments": dict(self.comments),
            "media": dict(self.media),
            "redirects": self.redirects,
            "warnings": list(self.warnings),
            "missing_media": list(self.missing_media),
        }


@dataclass
class _Planned:
    """One record, worked out: where it goes and what is written (nothing written yet)."""

    record: ImportedPost
    slug: str
    outcome: str  # created | updated | unchanged | skipped
    data: bytes | None  # the post file to write (created / updated)
    comments: list[Comment]


class Importer:
    """Stores imported records in a site: `add` each record, then `finish`."""

    def __init__(
        self,
        site: Site,
        source: str,
        *,
        dry_run: bool = False,
        meta: MetaStore | None = None,
        batch: int = BATCH,
    ) -> None:
        self.site = site
        self.source = source
        self.dry_run = dry_run
        self.meta = meta or MetaStore(site)
        self.history = History(self.meta)
        self.report = ImportReport(source, dry_run=dry_run)
        self.editor = import_editor(source)
        self.batch_size = max(1, batch)
        self._pending: list[ImportedPost] = []
        self._seen: set[str] = set()
        summaries = self.meta.summaries()
        self._index = {
            str(s["import_id"]): slug
            for slug, s in summaries.items()
            if s.get("import_source") == source and "import_id" in s
        }
        self._index |= self._front_matter_ids(set(self._index.values()))
        self._trashed = self._trashed_ids()
        self._taken = self._existing_slugs()

    # ---- public --------------------------------------------------------------------------

    def add(self, record: ImportedPost) -> None:
        """Queue one record; a full batch is written (or, in a dry run, only counted)."""
        self._pending.append(record)
        if len(self._pending) >= self.batch_size:
            self.flush()

    def add_warnings(self, warnings: Iterable[ImportWarning]) -> None:
        for warning in warnings:
            self.report.warn(warning)
            if warning.skipped == "post":
                self.report.posts["skipped"] += 1
            elif warning.skipped == "comment":
                self.report.comments["skipped"] += 1

    def flush(self) -> None:
        records, self._pending = self._pending, []
        if not records:
            return
        self.site.posts_dir.mkdir(parents=True, exist_ok=True)
        if self.dry_run:
            summaries = self.meta.summaries()
            for record in records:
                self._count(self._plan(record, summaries))
            return
        with self.meta.transaction() as txn:
            # Read under the lock, once a batch (a TinyDB read per post costs ~1 ms).
            summaries = self.meta.summaries()
            planned = [self._plan(record, summaries) for record in records]
            self._write(txn, planned)
        for plan in planned:
            self._count(plan)

    def finish(self) -> ImportReport:
        self.flush()
        return self.report

    # ---- planning ------------------------------------------------------------------------

    def _plan(self, record: ImportedPost, summaries: dict[str, dict[str, Any]]) -> _Planned:
        where = f"{record.source or self.source} {record.source_id or '?'}"
        try:
            record = _cleaned(record)
            data = _render(record, self.site)
            slug = self._index.get(record.source_id, "")
            path = self.site.post_path(slug) if slug else None
            disk = _read(path) if path is not None else None
            if data != disk:
                _check_loads(data)  # never write a file that would not load again
        except HkcmsError as exc:
            self.report.warn(ImportWarning(where, f"{exc.message}; skipped"))
            return _Planned(record, "", "skipped", None, [])
        if record.source_id in self._seen:
            self.report.warn(ImportWarning(where, "appears twice in the source; second skipped"))
            return _Planned(record, "", "skipped", None, [])
        self._seen.add(record.source_id)
        if record.source_id in self._trashed:
            slug = self._trashed[record.source_id]
            self.report.warn(
                ImportWarning(where, f"is in the trash as {slug!r}; not imported again")
            )
            return _Planned(record, slug, "skipped", None, [])
        if slug and path is not None and path.exists():
            summary = summaries.get(slug, {})
            # Edited here since the import (or not known to have been imported as it is now).
            if disk is None or (disk != data and content_hash(disk) != summary.get("import_hash")):
                self.report.warn(
                    ImportWarning(
                        where,
                        f"post {slug!r} was edited here since the last import; left as it is",
                    )
                )
                return _Planned(record, slug, "skipped", None, self._comments(record, slug))
            outcome = "unchanged" if data == disk else "updated"
            self.report.slugs[record.source_id] = slug
            return _Planned(
                record,
                slug,
                outcome,
                data if outcome == "updated" else None,
                self._comments(record, slug),
            )
        slug = self._new_slug(record)
        self._taken.add(slug)
        self._index[record.source_id] = slug
        self.report.slugs[record.source_id] = slug
        return _Planned(record, slug, "created", data, [])

    def _new_slug(self, record: ImportedPost) -> str:
        wanted = unicodedata.normalize("NFC", record.slug.strip().lower())
        try:
            base = validate_slug(wanted)
        except SlugError:
            base = slugify(wanted or record.title)
        return unique_slug(base, self._taken)

    def _comments(self, record: ImportedPost, slug: str) -> list[Comment]:
        """The record's comments as hkcms comments (parents resolved later, by source key)."""
        out: list[Comment] = []
        for item in record.comments:
            comment = self._comment(record, slug, item)
            if comment is not None:
                out.append(comment)
        return out

    def _comment(self, record: ImportedPost, slug: str, item: ImportedComment) -> Comment | None:
        where = f"{record.source or self.source} {record.source_id} comment {item.source_id}"
        if item.status not in ("approved", "pending"):
            self.report.warn(ImportWarning(where, f"state {item.status!r} is not imported"))
            self.report.comments["skipped"] += 1
            return None
        try:
            author, body = check_comment(item.author, item.body)
        except CommentError as exc:
            self.report.warn(ImportWarning(where, f"{exc.message}; skipped"))
            self.report.comments["skipped"] += 1
            return None
        return Comment(
            id=os.urandom(5).hex(),
            post=slug,
            author=author,
            body=body,
            created=_iso(item.created) or now_iso(),
            status=item.status,
            source=self._comment_key(record, item.source_id),
            parent=self._comment_key(record, item.parent_id) if item.parent_id else "",
        )

    def _comment_key(self, record: ImportedPost, comment_id: str) -> str:
        return f"{self.source}:{record.source_id}:{comment_id}"

    # ---- writing -------------------------------------------------------------------------

    def _write(self, txn: MetaTxn, planned: list[_Planned]) -> None:
        """Write a batch: post files, revision blobs, per-post metadata, summaries."""
        posts: list[tuple[Path, bytes]] = []
        blobs: list[tuple[Path, bytes]] = []
        metas: list[tuple[Path, bytes]] = []
        summaries: dict[str, dict[str, Any]] = {}
        now = now_iso()
        for plan in planned:
            if plan.outcome == "created":
                plan.comments = self._comments(plan.record, plan.slug)
            if plan.outcome == "skipped" and not plan.comments:
                continue
            meta_path = self.meta.post_file(plan.slug)
            data = txn.read_json(meta_path) or {}
            fields: dict[str, Any] = {}
            if plan.data is not None:
                if self.site.post_path(plan.slug).exists() and plan.outcome == "created":
                    raise HkcmsError(
                        "appeared while importing; run the import again",
                        self.site.post_path(plan.slug),
                    )
                posts.append((self.site.post_path(plan.slug), plan.data))
                digest = content_hash(plan.data)
                staged = self.history.blobs.staged(plan.data, digest)
                if staged is not None and staged[0] not in {p for p, _ in blobs}:
                    blobs.append(staged)
                revision = self._revision(data, digest, len(plan.data), now, plan.outcome)
                record = plan.record
                fields |= {
                    "updated": _iso(record.updated) or _iso(record.date) or now,
                    "revisions": revision.rev,
                    "hash": digest,
                    "size": len(plan.data),
                    "import_source": self.source,
                    "import_id": record.source_id,
                    "import_hash": digest,
                }
            if plan.outcome != "skipped":
                fields |= _baseline(data, plan.record.views, now)
            plan.comments = self._merge(data, plan.comments)
            if plan.comments:
                fields |= comment_counts(data)
            if not fields:
                continue
            metas.append((meta_path, json_bytes(data)))
            txn.forget(meta_path)
            summaries[plan.slug] = fields
        shards = self._summary_files(txn, summaries)
        write_atomic_many(blobs)  # content-addressed: written first, harmless if unused
        # Posts, their metadata and the summaries land together or not at all (journal.py);
        # metadata files keep their last good copy.
        for path, payload in posts:
            txn.put(path, payload)
        for path, payload in metas + shards:
            txn.put(path, payload, backup="keep")

    def _revision(
        self, data: dict[str, Any], digest: str, size: int, now: str, outcome: str
    ) -> Revision:
        table: dict[str, Any] = data.setdefault("revisions", {})
        rev = max((int(d["rev"]) for d in table.values()), default=0) + 1
        note = f"imported from {self.source}" if outcome == "created" else "re-imported"
        revision = Revision(
            rev=rev, time=now, editor=self.editor, hash=digest, size=size, note=note
        )
        next_id = max((int(k) for k in table), default=0) + 1
        table[str(next_id)] = revision.to_dict()
        return revision

    def _merge(self, data: dict[str, Any], comments: list[Comment]) -> list[Comment]:
        """Add new comments; a reply's parent (a source key) becomes the parent's hkcms id."""
        if not comments:
            return []
        ids = {d.get("source"): d.get("id") for d in data.get("comments", {}).values()}
        ids |= {c.source: c.id for c in comments}
        resolved = [
            Comment(**{**c.__dict__, "parent": str(ids.get(c.parent) or "")}) if c.parent else c
            for c in comments
        ]
        return merge_comments(data, resolved)

    def _summary_files(
        self, txn: MetaTxn, summaries: dict[str, dict[str, Any]]
    ) -> list[tuple[Path, bytes]]:
        """The summary shard files with the fields merged in (one file per shard)."""
        by_shard: dict[str, list[str]] = {}
        for slug in summaries:
            by_shard.setdefault(summary_shard(slug), []).append(slug)
        files: list[tuple[Path, bytes]] = []
        for shard, slugs in sorted(by_shard.items()):
            path = self.meta.meta_dir / shard
            data = txn.read_json(path) or {}
            table: dict[str, Any] = data.setdefault("posts", {})
            doc_of = {doc.get("slug"): key for key, doc in table.items()}
            next_id = max((int(k) for k in table), default=0) + 1
            for slug in slugs:
                key = doc_of.get(slug)
                if key is None:
                    table[str(next_id)] = {"slug": slug, **summaries[slug]}
                    next_id += 1
                else:
                    table[key].update(summaries[slug])
            files.append((path, json_bytes(data)))
            txn.forget(path)
        return files

    # ---- counting ------------------------------------------------------------------------

    def _count(self, plan: _Planned) -> None:
        self.report.posts[plan.outcome] += 1
        if plan.outcome != "skipped":
            self.report.redirects += len(plan.record.aliases)
        if plan.outcome == "created" and self.dry_run:
            plan.comments = self._comments(plan.record, plan.slug)
        elif self.dry_run and plan.comments:
            existing = read_json(self.meta.post_file(plan.slug)) or {}
            plan.comments = merge_comments(existing, plan.comments)
        for comment in plan.comments:
            self.report.comments[comment.status] += 1
        self.report.comments["skipped"] += plan.record.skipped_comments

    # ---- the site as it is ---------------------------------------------------------------

    def _existing_slugs(self) -> set[str]:
        names: set[str] = set()
        for folder in (self.site.posts_dir, self.meta.posts_meta_dir):
            try:
                names |= {
                    n.rsplit(".", 1)[0] for n in os.listdir(folder) if n.endswith((".md", ".json"))
                }
            except OSError:
                continue
        return names

    def _front_matter_ids(self, known: set[str]) -> dict[str, str]:
        """Imported posts the metadata does not know (a copy of posts/ without .hkcms/, a git
        clone): found by the `import_source`/`import_id` keys of their front matter."""
        out: dict[str, str] = {}
        marker = f"\nimport_source: {self.source}\n".encode()
        try:
            names = sorted(os.listdir(self.site.posts_dir))
        except OSError:
            return out
        for name in names:
            slug = name[:-3]
            if not name.endswith(".md") or slug in known:
                continue
            path = self.site.post_path(slug)
            try:
                data = read_regular_file(path)
                if marker not in data:
                    continue
                front = parse_post(data.decode("utf-8"), slug, path).front
            except (HkcmsError, OSError, UnicodeDecodeError):
                continue
            if front.get("import_source") == self.source and front.get("import_id"):
                out.setdefault(str(front["import_id"]), slug)
        return out

    def _trashed_ids(self) -> dict[str, str]:
        trash = self.site.state_dir / "trash"
        out: dict[str, str] = {}
        if not trash.is_dir():
            return out
        for path in trash.glob("*.trash.json"):
            try:
                record = read_json(path, tables=False) or {}
            except HkcmsError:
                continue
            summary = record.get("summary") or {}
            if summary.get("import_source") == self.source and "import_id" in summary:
                out[str(summary["import_id"])] = str(record.get("slug", ""))
        return out


def import_posts(
    site: Site,
    source: str,
    records: Iterable[ImportedPost],
    warnings: list[ImportWarning],
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Store every record; `warnings` (filled by the reader as it goes) end up in the report."""
    importer = Importer(site, source, dry_run=dry_run)
    done = 0
    for record in records:
        importer.add(record)
        done += 1
        if progress is not None:
            progress(done)
    report = importer.finish()
    importer.add_warnings(warnings)
    return report


# ---- records → files ---------------------------------------------------------------------


def _cleaned(record: ImportedPost) -> ImportedPost:
    """Check and tidy a record; HkcmsError saying what is wrong with it."""
    title = " ".join(_CONTROL.sub("", record.title).split())
    if not title:
        raise HkcmsError("has no title")
    if not str(record.source_id).strip():
        raise HkcmsError("has no source id")
    if record.status not in STATUSES:
        raise HkcmsError(f"has an unknown status {record.status!r}")
    if record.kind not in KINDS:
        raise HkcmsError(f"has an unknown kind {record.kind!r}")
    body = _CONTROL.sub("", record.body.replace("\r\n", "\n").replace("\r", "\n"))
    tags = list(dict.fromkeys(" ".join(clean_text(t).split()) for t in record.tags))
    aliases = list(dict.fromkeys(a.strip() for a in record.aliases if _safe_alias(a.strip())))
    return ImportedPost(
        **{
            **record.__dict__,
            "source_id": str(record.source_id).strip(),
            "title": title,
            "body": body if body.endswith("\n") or not body else body + "\n",
            "author": " ".join(clean_text(record.author).split()),
            "tags": [t for t in tags if t],
            "aliases": aliases,
            "summary": " ".join(clean_text(record.summary).split()),
        }
    )


def _safe_alias(path: str) -> bool:
    """An old address as a site path: starts with '/', no '..' segment, no control character."""
    if not path.startswith("/") or path.startswith("//") or _CONTROL.search(path):
        return False
    return ".." not in path.split("?", 1)[0].split("/")


def _render(record: ImportedPost, site: Site) -> bytes:
    """The post file of a record: front matter + body; checked to load again."""
    front: dict[str, Any] = {"title": record.title}
    front["author"] = record.author or site.settings.author
    front["date"] = _iso(record.date) or now_iso()
    front["tags"] = list(record.tags)
    front["status"] = record.status
    front["lang"] = record.lang or site.settings.language
    if record.summary:
        front["summary"] = record.summary
    if record.cover:
        front["cover"] = record.cover
    if record.kind != "post":
        front["kind"] = record.kind
    if record.aliases:
        front["aliases"] = list(record.aliases)
    front["import_source"] = record.source
    front["import_id"] = record.source_id
    for key, value in record.extra.items():
        if key not in OWN_KEYS and isinstance(key, str):
            front[key] = value
    try:
        data = (dump_front(front) + (record.body or "\n")).encode("utf-8")
    except (yaml.YAMLError, ValueError, TypeError, UnicodeError) as exc:
        raise HkcmsError(f"has front matter that cannot be written ({exc})") from None
    if len(data) > MAX_FILE_BYTES:
        raise HkcmsError(f"is too large ({len(data):,} bytes; posts are limited)")
    return data


def _check_loads(data: bytes) -> None:
    """PostError (an HkcmsError) if the file would not load as a post."""
    parse_post(data.decode("utf-8"), "import")


def _iso(value: str) -> str:
    """An ISO 8601 date or date-time as given, normalised to UTC when it has a zone."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if len(value) == 10:
        return when.date().isoformat()
    if when.tzinfo is None:
        return when.replace(microsecond=0).isoformat()
    return when.astimezone(dt.UTC).replace(microsecond=0).isoformat()


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _baseline(data: dict[str, Any], views: int | None, now: str) -> dict[str, Any]:
    """Raise the views carried over from the old host (never lowered: `views set` may have
    been used since); returns the summary field to update, if any."""
    if views is None or views < 0:
        return {}
    current = int(data.get(BASELINE_TABLE, {}).get("1", {}).get("views", 0))
    if views <= current and BASELINE_TABLE in data:
        return {}
    data[BASELINE_TABLE] = {"1": {"views": views, "set": now}}
    counted = sum(int(d["views"]) for d in data.get(VIEWS_TABLE, {}).values())
    return {"views": views + counted}
