"""Plain records that every importer produces and the core import service writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ImportedComment:
    """One comment from the old site. No e-mail or IP address is ever carried."""

    source_id: str  # stable id in the source (WordPress comment_ID, Wix comment id, …)
    author: str
    body: str  # plain text
    created: str  # ISO 8601 with offset (UTC preferred)
    status: str  # "approved" | "pending"
    parent_id: str = ""  # source_id of the comment this one replies to, if any


@dataclass
class ImportedPost:
    """One post or page from the old site, already converted to Markdown."""

    source: str  # "wordpress" | "wix" | "jekyll" | "hugo" | "feed"
    source_id: str  # stable id within the source: re-importing matches on (source, source_id)
    title: str
    body: str  # Markdown; never hard-wrapped
    slug: str = ""  # wanted slug (readable, decoded); the service makes it valid and unique
    date: str = ""  # first published, ISO 8601
    updated: str = ""  # the old site's last edit, ISO 8601: shown as "Updated:" until edited here
    author: str = ""
    tags: list[str] = field(default_factory=list)
    status: str = "published"  # "published" | "draft" | "scheduled"
    kind: str = "post"  # "post" | "page"
    lang: str = ""
    summary: str = ""
    cover: str = ""
    aliases: list[str] = field(default_factory=list)  # every old URL path of the post
    views: int | None = None  # views carried over from the old host (baseline)
    comments: list[ImportedComment] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # other front matter keys to keep
    media: list[str] = field(default_factory=list)  # image URLs/paths the body refers to
    # Local files to copy into media/: the reference exactly as written in the body (a relative
    # path such as "photo.jpg" or a site path such as "/assets/a.png") -> the absolute path of the
    # file on disk. Every key is also listed in `media`. Empty for sources without local files.
    media_files: dict[str, str] = field(default_factory=dict)
    skipped_comments: int = 0  # comments left out by the reader (spam, trash, pingbacks)


@dataclass
class ImportWarning:
    """Something the importer could not bring across as it was; shown in the report."""

    where: str  # file and line, or the post's source id
    message: str
    skipped: str = ""  # "post" or "comment" when the warning is about an item left out

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message
