"""Comments and their moderation states; stored per post, counted in the post summaries."""

from __future__ import annotations

import builtins
import os
import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from hkcms.core.errors import HkcmsError, NotFoundError
from hkcms.core.history import now_iso
from hkcms.core.meta import MetaStore, MetaTxn
from hkcms.core.slugs import validate_slug

STATES = ("pending", "approved", "hidden", "spam")
DELETED_TABLE = "comments_deleted"  # source keys of deleted imported comments: never re-added
MAX_AUTHOR = 80
MAX_BODY = 5000
# C0/C1 controls except newline and tab, plus bidi embeddings, overrides and isolates, which
# can make a comment display as something else than it says ("Trojan Source").
_UNSAFE_CHARS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)


class CommentError(HkcmsError):
    """A comment that cannot be accepted (empty, too long, unknown post or state)."""


@dataclass(frozen=True)
class Comment:
    """One reader comment. `email` is kept for moderators and never published."""

    id: str
    post: str
    author: str
    body: str
    created: str
    status: str
    email: str = ""
    source: str = ""  # e.g. an import key, so re-importing a file adds nothing twice
    parent: str = ""  # id of the comment this one replies to (imported threads)

    def to_dict(self) -> dict[str, Any]:
        """The public JSON shape (no email; reply links stay internal)."""
        data = asdict(self)
        del data["email"], data["source"], data["parent"]
        return data


def merge_comments(
    data: dict[str, Any], comments: builtins.list[Comment]
) -> builtins.list[Comment]:
    """Add checked comments to a post's metadata (its TinyDB JSON, changed in place), skipping
    any whose `source` key is known (there, or deleted by a moderator); returns those added.
    For bulk writers (imports) that write each post's file once."""
    table: dict[str, Any] = data.setdefault("comments", {})
    seen = {d.get("source") for d in table.values() if d.get("source")}
    seen |= {d.get("source") for d in data.get(DELETED_TABLE, {}).values()}
    next_id = max((int(k) for k in table), default=0) + 1
    added: builtins.list[Comment] = []
    for comment in comments:
        if comment.source and comment.source in seen:
            continue
        seen.add(comment.source)
        table[str(next_id)] = asdict(comment)
        next_id += 1
        added.append(comment)
    return added


def comment_counts(data: dict[str, Any]) -> dict[str, int]:
    """The summary fields of a post's comments, from its metadata (TinyDB JSON)."""
    states = Counter(d["status"] for d in data.get("comments", {}).values())
    return {
        "comments": states["approved"],
        "comments_pending": states["pending"],
        "comments_total": sum(states.values()),
    }


def clean_text(text: str) -> str:
    """NFC-normalise and drop control and bidi-override characters; keep line breaks."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _UNSAFE_CHARS.sub("", text.replace("\t", " "))


def check_comment(author: str, body: str) -> tuple[str, str]:
    """Clean and validate author and body; raise CommentError saying what is wrong."""
    author = " ".join(clean_text(author).split()) or "Anonymous"
    body = clean_text(body).strip()
    if not body:
        raise CommentError("the comment body is empty")
    if len(author) > MAX_AUTHOR:
        raise CommentError(f"the author name is longer than {MAX_AUTHOR} characters")
    if len(body) > MAX_BODY:
        raise CommentError(f"the comment is longer than {MAX_BODY:,} characters ({len(body):,})")
    return author, body


def check_status(status: str) -> str:
    if status not in STATES:
        raise CommentError(f"unknown comment state {status!r}; use one of {', '.join(STATES)}")
    return status


class CommentStore:
    """Comments of every post of a site."""

    def __init__(self, meta: MetaStore) -> None:
        self.meta = meta

    def add(
        self,
        slug: str,
        author: str,
        body: str,
        *,
        status: str = "pending",
        created: str | None = None,
        email: str = "",
        source: str = "",
        txn: MetaTxn | None = None,
    ) -> Comment | None:
        """Add a comment; returns None if a comment with the same `source` key already exists."""
        comment = self.build(
            slug, author, body, status=status, created=created, email=email, source=source
        )
        if txn is not None:
            return self._insert(txn, comment)
        with self.meta.transaction() as own:
            return self._insert(own, comment)

    def build(
        self,
        slug: str,
        author: str,
        body: str,
        *,
        status: str = "pending",
        created: str | None = None,
        email: str = "",
        source: str = "",
    ) -> Comment:
        """A cleaned, checked comment of an existing post (not stored yet)."""
        validate_slug(slug)
        check_status(status)
        author, body = check_comment(author, body)
        if not self.meta.post_exists(slug):
            raise CommentError(f"no post with slug {slug!r}")
        return Comment(
            id=os.urandom(5).hex(),
            post=slug,
            author=author,
            body=body,
            created=created or now_iso(),
            status=status,
            email=clean_text(email).strip()[:254],
            source=source,
        )

    def _insert(self, txn: MetaTxn, comment: Comment) -> Comment | None:
        added = self.add_many([comment], txn=txn)
        return added[0] if added else None

    def add_many(self, comments: builtins.list[Comment], *, txn: MetaTxn) -> builtins.list[Comment]:
        """Store checked comments, one write per post; skips any whose `source` key is known
        (already there, or deleted by a moderator). Returns the comments added."""
        by_post: dict[str, builtins.list[Comment]] = {}
        for comment in comments:
            by_post.setdefault(comment.post, []).append(comment)
        added: builtins.list[Comment] = []
        for slug, group in by_post.items():
            if not txn.exists(self.meta.site.post_path(slug)):
                continue  # trashed since the comment was checked: no metadata for a ghost
            db = txn.post_db(slug)
            table = db.table("comments")
            seen = {d.get("source") for d in table.all() if d.get("source")}
            seen |= {d.get("source") for d in db.table(DELETED_TABLE).all()}
            fresh: builtins.list[Comment] = []
            for comment in group:
                if comment.source and comment.source in seen:
                    continue
                seen.add(comment.source)
                fresh.append(comment)
            if fresh:
                table.insert_multiple(asdict(c) for c in fresh)
                self._update_counts(txn, slug)
                added.extend(fresh)
        return added

    def list(self, *, status: str | None = None, post: str | None = None) -> list[Comment]:
        """Comments, oldest first, optionally of one state and/or one post."""
        if status is not None:
            check_status(status)
        if post is not None:
            validate_slug(post)
            slugs = [post]
        else:
            slugs = [
                s for s, summary in self.meta.summaries().items() if summary.get("comments_total")
            ]
        out: list[Comment] = []
        for slug in slugs:
            for doc in self.meta.post_table(slug, "comments"):
                comment = _comment(doc)
                if status is None or comment.status == status:
                    out.append(comment)
        # Stable: comments of one post made in the same second keep the order they were added.
        return sorted(out, key=lambda c: c.created)

    def counts(self) -> dict[str, int]:
        """How many comments are in each state, across all posts."""
        counter: Counter[str] = Counter({s: 0 for s in STATES})
        for comment in self.list():
            counter[comment.status] += 1
        return dict(counter)

    def set_status(self, ids: builtins.list[str], status: str) -> builtins.list[Comment]:
        """Move comments to a state; an unknown id is an error and then nothing changes."""
        check_status(status)
        return self._change(ids, status)

    def delete(self, ids: builtins.list[str]) -> builtins.list[Comment]:
        """Delete comments for good."""
        return self._change(ids, None)

    def _change(self, ids: builtins.list[str], status: str | None) -> builtins.list[Comment]:
        where = self._locate(ids)
        changed: list[Comment] = []
        with self.meta.transaction() as txn:
            for slug, wanted in where.items():
                table = txn.post_db(slug).table("comments")
                for doc in table.all():
                    if doc["id"] not in wanted:
                        continue
                    if status is None:
                        table.remove(doc_ids=[doc.doc_id])
                        changed.append(_comment(doc))
                        if doc.get("source"):  # so that re-importing its file does not revive it
                            txn.post_db(slug).table(DELETED_TABLE).insert({"source": doc["source"]})
                    else:
                        table.update({"status": status}, doc_ids=[doc.doc_id])
                        changed.append(_comment(doc | {"status": status}))
                if status is None:
                    # Deleted means gone: the backup copy must not keep it (or its e-mail).
                    txn.scrub_backup(self.meta.post_file(slug))
                self._update_counts(txn, slug)
        return changed

    def _locate(self, ids: builtins.list[str]) -> dict[str, set[str]]:
        wanted: set[str] = set(ids)
        where: dict[str, set[str]] = {}
        for comment in self.list():
            if comment.id in wanted:
                where.setdefault(comment.post, set()).add(comment.id)
        missing = wanted - {i for found in where.values() for i in found}
        if missing:
            raise NotFoundError(f"no comment with id {', '.join(sorted(missing))}")
        return where

    def _update_counts(self, txn: MetaTxn, slug: str) -> None:
        states = Counter(d["status"] for d in txn.post_db(slug).table("comments").all())
        txn.update_summary(
            slug,
            comments=states["approved"],
            comments_pending=states["pending"],
            comments_total=sum(states.values()),
        )


def _comment(doc: dict[str, Any]) -> Comment:
    fields = {k: doc.get(k, "") for k in Comment.__dataclass_fields__}
    return Comment(**fields)
