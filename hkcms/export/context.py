"""BuildContext: what every page source of one export reads (posts, settings, helpers)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hkcms.core.comments import CommentStore
from hkcms.core.posts import PostStore
from hkcms.core.site import Site
from hkcms.export.html import comment_html, excerpt
from hkcms.export.paths import tag_slug, url_path
from hkcms.export.plan import SEP, PlannedPost, digest
from hkcms.export.render import (
    FRAGMENT_VERSION,
    body_from_page,
    fragment_of_file,
    read_existing,
    render_page,
)
from hkcms.export.settings import ExportSettings
from hkcms.export.theme import (
    clean_lang,
    human_date,
    labels_for,
    local_date,
    parse_when,
    theme_key,
)


@dataclass
class ExportReport:
    """What an export did: files written, skipped (unchanged), removed, time and warnings."""

    out: Path
    written: int = 0
    skipped: int = 0
    removed: int = 0
    seconds: float = 0.0
    posts: int = 0
    rendered: int = 0
    warnings: list[str] = field(default_factory=list)
    images: int = 0  # images processed (not found in the image cache)
    phases: dict[str, float] = field(default_factory=dict)  # seconds per stage (benchmarks)

    def summary(self) -> str:
        warn = f", {len(self.warnings)} warnings" if self.warnings else ""
        return (
            f"Exported {self.posts} posts to {self.out}: {self.written} files written, "
            f"{self.skipped} unchanged, {self.removed} removed in {self.seconds:.2f} s{warn}"
        )


class BuildContext:
    """The shared state of one export, read by every page source: the visible posts (newest
    first), the settings, the template context common to all pages and its key."""

    def __init__(self, site: Site, settings: ExportSettings, out: Path, report: ExportReport):
        self.site = site
        self.settings = settings
        self.out = out
        self.report = report
        self.store = PostStore(site)
        self.posts: list[PlannedPost] = []
        lang = settings.language
        self.base: dict[str, Any] = {
            "site": {"title": settings.title, "language": lang, "base_url": settings.base_url},
            "chrome_lang": lang,
            "st": labels_for(lang),
        }
        # Everything every page depends on: the theme, hkcms itself, the settings.
        self.base_key = digest(
            [
                theme_key(settings.templates_dir),
                FRAGMENT_VERSION,
                self.base,
                settings.timezone,
                settings.posts_per_page,
                settings.feed_entries,
                settings.drafts,
            ]
        )

    @property
    def base_url(self) -> str:
        return self.settings.base_url

    @property
    def chrome_lang(self) -> str:
        return self.settings.language

    def warn(self, message: str) -> None:
        self.report.warnings.append(message)

    # ---- reading ------------------------------------------------------------------------

    def read_posts(self) -> list[PlannedPost]:
        """The posts this export shows, newest first (drafts and future posts only with
        --drafts, marked); broken posts are left out with a warning."""
        scan = self.store.scan()
        for problem in scan.problems:
            self.warn(f"left out: {problem}")
        hashes = {slug: str(s.get("hash", "")) for slug, s in self.store.meta.summaries().items()}
        zone = self.settings.zone
        today = dt.datetime.now(zone).date()
        posts: list[PlannedPost] = []
        for info in scan.posts:
            day = local_date(info.date, zone)
            label = ""
            if info.status == "draft":
                label = "draft"
            elif day is not None and day > today:
                label = "scheduled"
            if label and not self.settings.drafts:
                continue
            tags: dict[str, str] = {}
            for name in info.tags:
                tags.setdefault(tag_slug(name), name)
            post = PlannedPost(
                info,
                hashes.get(info.slug, ""),
                day,
                label,
                clean_lang(info.lang, self.chrome_lang),
                list(tags.items()),
                updated=info.updated,
                views=info.views,
                comments=info.comments,
            )
            # The comments themselves live in the post's metadata file: its size and time
            # stand for them, so unchanged posts cost no file read.
            meta_stamp = self._meta_stamp(info.slug) if post.comments else ""
            post.sig = SEP.join(
                [
                    post.hash,
                    post.updated,
                    str(post.views),
                    str(post.comments),
                    meta_stamp,
                    label,
                    post.lang,
                ]
            )
            posts.append(post)
        # Newest first; the slug breaks ties so the order never depends on the file system.
        posts.sort(key=lambda p: (p.day.isoformat() if p.day else "", p.slug), reverse=True)
        self.posts = posts
        return posts

    def _meta_stamp(self, slug: str) -> str:
        try:
            info = os.stat(self.store.meta.post_file(slug))
        except OSError:
            return "missing"
        return f"{info.st_size}:{info.st_mtime_ns}"

    # ---- helpers for page sources -------------------------------------------------------

    def canonical(self, path: str) -> str:
        """The full address of a site path ('' without base_url)."""
        return self.base_url + url_path(path) if self.base_url else ""

    def when(self, value: str, lang: str) -> tuple[str, str]:
        """(datetime attribute, display text) of an ISO date; empty if it is not one."""
        parsed = parse_when(value, self.settings.zone)
        if parsed is None:
            return "", ""
        day = parsed.date() if isinstance(parsed, dt.datetime) else parsed
        return parsed.isoformat(), human_date(day, lang)

    def comments_of(self, slug: str) -> list[dict[str, str]]:
        """The approved comments of a post, ready for the template."""
        out = []
        for comment in CommentStore(self.store.meta).list(post=slug, status="approved"):
            created_iso, created_text = self.when(comment.created, self.chrome_lang)
            out.append(
                {
                    "author": comment.author,
                    "created_iso": created_iso,
                    "created_text": created_text,
                    "html": comment_html(comment.body),
                }
            )
        return out

    def fragment(self, post: PlannedPost) -> str:
        """A post's rendered body: from its page when that is current, else rendered."""
        page = read_existing(self.out / post.rel)
        kept = body_from_page(page) if page is not None else None
        if kept is not None:
            return kept
        return fragment_of_file(self.site.post_path(post.slug)).html

    def excerpt_of(self, post: PlannedPost) -> str:
        """A post's excerpt: from this run's render, else from its page on disk (the page keeps
        its body), else rendered from the source."""
        if post.excerpt or post.info.summary:
            return post.info.summary or post.excerpt
        post.excerpt = excerpt(self.fragment(post))
        return post.excerpt

    def entry(self, post: PlannedPost) -> dict[str, Any]:
        """A post's item in lists (front page, tags), built once per run."""
        if post.entry is None:
            info = post.info
            date_iso, date_text = self.when(info.date, post.lang)
            label = labels_for(post.lang)[post.status_label] if post.status_label else ""
            post.entry = {
                "slug": info.slug,
                "title": info.title,
                "author": info.author,
                "date_iso": date_iso,
                "date_text": date_text,
                "excerpt": self.excerpt_of(post),
                "lang": post.lang,
                "status_label": label,
            }
        return post.entry

    def render(self, template: str, context: dict[str, Any]) -> bytes:
        """A page from a template and its context (the shared context added)."""
        return render_page(template, self.base | context, self.settings.templates, self.jinja_cache)

    @property
    def jinja_cache(self) -> str:
        return str(self.site.state_dir / "cache" / "jinja")
