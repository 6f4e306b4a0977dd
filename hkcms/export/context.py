"""BuildContext: what every page source of one export reads (posts, settings, helpers)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from hkcms.core.comments import CommentStore
from hkcms.core.lang import lang_prefix, normalise_lang
from hkcms.core.posts import PostStore, ScanResult
from hkcms.core.site import Site
from hkcms.core.stamps import meta_stamp
from hkcms.export.html import comment_html, excerpt
from hkcms.export.i18n import Strings, StringsLoader
from hkcms.export.paths import tag_slug, url_path
from hkcms.export.plan import SEP, PlannedPost, digest
from hkcms.export.render import (
    FRAGMENT_VERSION,
    body_from_page,
    fragment_of_file,
    read_existing,
    render_page,
)
from hkcms.export.report import ExportReport
from hkcms.export.settings import ExportSettings
from hkcms.export.theme import local_date, parse_when, theme_key, today_in

_NO_DAY = dt.date.min
RESERVED_FOLDERS = {"posts", "tags", "page", "assets", "media", "archive"}


class BuildContext:
    """The shared state of one export, read by every page source: the visible posts (newest
    first), the settings, the template context common to all pages and its key."""

    def __init__(self, site: Site, settings: ExportSettings, out: Path, report: ExportReport):
        self.site = site
        self.settings = settings
        self.out = out
        self.report = report
        self.store = PostStore(site)
        self.posts: list[PlannedPost] = []  # kind: post, newest first
        self.pages: list[PlannedPost] = []  # kind: page, in menu order
        self.versions: dict[str, list[PlannedPost]] = {}  # translation_key → its versions
        self.languages: list[str] = [settings.language]  # the default first
        self.strings = StringsLoader(settings.strings_dir)
        self.base: dict[str, Any] = {}
        self.base_key = ""
        self.previous_pages: dict[str, str] = {}  # what the last export wrote (its manifest)
        self._claimed: set[str] = set()
        # What this run read, for the no-op shortcut (memo.py): the scan's stamps, the day it
        # judged scheduled posts by, the stamps of the comments it showed, the theme's and
        # the strings' keys; `foreign`: it left out a page for a file it did not write.
        self.scan: ScanResult | None = None
        self.today = ""
        self.commented: dict[str, str] = {}  # metadata file → its stamp
        self.theme_key = ""
        self.strings_key = ""
        self.foreign = False

    def claim(self, rel: str) -> None:
        """Called by the build for every page planned so far."""
        self._claimed.add(rel)

    def is_claimed(self, rel: str) -> bool:
        """Whether a page source already plans a page at this output path."""
        return rel in self._claimed

    def finish_reading(self) -> None:
        """Group translations, list languages, and make the context every page shares (its
        key stands for everything each page shows besides its own inputs)."""
        settings = self.settings
        # Keyed before they are read: a file changed meanwhile is seen by the next export.
        self.theme_key = theme_key(settings.templates_dir)
        self.strings_key = self.strings.key()
        for post in sorted([*self.posts, *self.pages], key=lambda p: p.slug):
            key = post.info.translation_key
            if not key:
                continue
            versions = self.versions.setdefault(key, [])
            twin = next((v for v in versions if v.lang == post.lang), None)
            if twin is not None:
                # Two versions in one language: which one a reader wants is unknowable, so the
                # second is exported unlinked and the editor is told.
                self.warn(
                    f"{post.info.path}: {twin.slug!r} is already the {post.lang} version of "
                    f"translation_key {key!r}; this post is not linked to its translations"
                )
                continue
            versions.append(post)
        others = {p.lang for p in [*self.posts, *self.pages]} - {settings.language}
        self.languages = [settings.language, *sorted(others)]
        self.pages.sort(key=lambda p: (p.info.menu is None, p.info.menu or 0, p.slug))
        strings = {lang: self.strings_for(lang).words for lang in self.languages}
        self.base = {
            "site": {
                "title": settings.title,
                "language": settings.language,
                "base_url": settings.base_url,
                "description": settings.description,
            },
            "strings": strings,
            "chromes": {lang: self.chrome(lang) for lang in self.languages},
        }
        self.base_key = digest(
            [
                self.theme_key,
                self.strings_key,
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
    def default_lang(self) -> str:
        return self.settings.language

    def warn(self, message: str) -> None:
        self.report.warnings.append(message)

    # ---- reading ------------------------------------------------------------------------

    def read_posts(self) -> list[PlannedPost]:
        """The posts this export shows, newest first (drafts and future posts only with
        --drafts, marked); broken posts are left out with a warning."""
        scan = self.scan = self.store.scan()
        for problem in scan.problems:
            self.warn(f"left out: {problem}")
        hashes = scan.hashes
        zone = self.settings.zone
        today = today_in(zone)
        self.today = today.isoformat()
        posts: list[PlannedPost] = []
        # 10,000 posts share a few languages and a few thousand days: each is parsed once.
        days: dict[str, dt.date | None] = {}
        langs: dict[str, str] = {}
        for info in scan.posts:
            if info.date in days:
                day = days[info.date]
            else:
                day = days[info.date] = local_date(info.date, zone)
            lang = langs.get(info.lang)
            if lang is None:
                lang = langs[info.lang] = normalise_lang(info.lang, self.default_lang)
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
                lang,
                list(tags.items()),
                updated=info.updated,
                views=info.views,
                comments=info.comments,
            )
            # The comments themselves live in the post's metadata file: its size and time
            # stand for them, so unchanged posts cost no file read.
            comments_stamp = ""
            if post.comments:
                where = str(self.store.meta.post_file(info.slug))
                comments_stamp = self.commented[where] = meta_stamp(where)
            post.sig = SEP.join(
                [
                    post.hash,
                    post.updated,
                    str(post.views),
                    str(post.comments),
                    comments_stamp,
                    label,
                    post.lang,
                ]
            )
            if post.is_page:
                if self._page_slug_ok(post):
                    self.pages.append(post)
                continue
            posts.append(post)
        # Newest first; the slug breaks ties so the order never depends on the file system.
        # (Undated posts last: as if their day were "" in a sort by ISO date.)
        posts.sort(key=lambda p: (p.day is not None, p.day or _NO_DAY, p.slug), reverse=True)
        self.posts = posts
        self.finish_reading()
        return posts

    def _page_slug_ok(self, post: PlannedPost) -> bool:
        """A page lives at /<slug>/: a slug that names one of the site's own folders would
        replace it, so such a page is left out (with a warning saying what to do)."""
        slug = post.slug.lower()
        if (
            slug in RESERVED_FOLDERS
            or "." in slug
            or any(slug + "/" == lang_prefix(lang) for lang in {post.lang, self.default_lang})
        ):
            self.warn(
                f"{post.info.path}: a page cannot be called {post.slug!r} (the site uses that "
                "address); left out: rename it"
            )
            return False
        return True

    # ---- helpers for page sources -------------------------------------------------------

    def canonical(self, path: str) -> str:
        """The full address of a site path ('' without base_url)."""
        return self.base_url + url_path(path) if self.base_url else ""

    def strings_for(self, lang: str) -> Strings:
        return self.strings.for_lang(lang)

    def when(self, value: str, lang: str) -> tuple[str, str]:
        """(datetime attribute, display text) of an ISO date; empty if it is not one."""
        parsed = parse_when(value, self.settings.zone)
        if parsed is None:
            return "", ""
        day = parsed.date() if isinstance(parsed, dt.datetime) else parsed
        return parsed.isoformat(), self.strings_for(lang).date(day)

    def home(self, lang: str) -> str:
        """The folder of a language's pages: '' for the default language, else 'zh-hant/'."""
        return "" if lang == self.default_lang else lang_prefix(lang)

    def chrome(self, lang: str) -> dict[str, Any]:
        """The links around every page in a language (paths from the site root)."""
        home = self.home(lang)
        return {
            "lang": lang,
            "home": home,
            "feed": home + "feed.xml",
            "archive": home + "archive/",
            "nav": [
                {"href": page.url, "title": page.info.title, "lang": page.lang}
                for page in self.menu(lang)
            ],
        }

    def menu(self, lang: str) -> list[PlannedPost]:
        """The pages in the navigation of a language: of each page, the version in that
        language, else the default language's, else its first."""
        chosen: list[PlannedPost] = []
        seen: set[str] = set()
        for page in self.pages:
            if page.info.menu is None or page.status_label:
                continue
            group = page.info.translation_key or "\0" + page.slug
            if group in seen:
                continue
            seen.add(group)
            versions = self.versions_of(page)
            by_lang = {v.lang: v for v in versions if v.info.menu is not None}
            chosen.append(by_lang.get(lang) or by_lang.get(self.default_lang) or page)
        return chosen

    def versions_of(self, post: PlannedPost) -> list[PlannedPost]:
        """The visible language versions of a post, itself included, in language order."""
        key = post.info.translation_key
        versions = self.versions.get(key, []) if key else []
        if len(versions) < 2 or post not in versions:
            return [post]  # the common case, 10,000 times an export: no sorting
        order = {lang: i for i, lang in enumerate(self.languages)}
        return sorted(versions, key=lambda v: (order.get(v.lang, len(order)), v.slug))

    def has_version(self, post: PlannedPost, lang: str) -> bool:
        if post.lang == lang:
            return True
        key = post.info.translation_key
        versions = self.versions.get(key, []) if key else []
        linked = any(v is post for v in versions)
        return linked and any(v.lang == lang for v in versions)

    def listed(self, lang: str) -> list[PlannedPost]:
        """The posts a language's front page, feed and archive show: its own; the default
        language's also shows every post that has no version in it (each story once)."""
        if lang == self.default_lang:
            return [p for p in self.posts if not p.info.translation_key or p.lang == lang
                    or not self.has_version(p, lang)]  # fmt: skip
        return [p for p in self.posts if p.lang == lang]

    def href(self, path: str, root: str) -> str:
        """A link to a site path: the full address with base_url, else relative to `root`."""
        return self.canonical(path) if self.base_url else (root + url_path(path) or "./")

    def alternates(self, versions: list[tuple[str, str]], root: str) -> list[dict[str, str]]:
        """<link rel="alternate" hreflang> of each version (lang, path), and x-default: the
        default language's version, else the first. Empty for a page in one language."""
        if len(versions) < 2:
            return []
        links = [{"hreflang": lang, "href": self.href(path, root)} for lang, path in versions]
        default = next((path for lang, path in versions if lang == self.default_lang), None)
        links.append({"hreflang": "x-default", "href": self.href(default or versions[0][1], root)})
        return links

    def switch(self, versions: list[tuple[str, str]], current: str, root: str) -> list[dict]:
        """The visible language switch: every version by its language's own name."""
        if len(versions) < 2:
            return []
        return [
            {
                "lang": lang,
                "name": self.strings_for(lang).words["language_name"],
                "href": root + url_path(path) if path else root or "./",
                "current": lang == current,
            }
            for lang, path in versions
        ]

    def comments_of(self, slug: str, lang: str) -> list[dict[str, str]]:
        """The approved comments of a post, ready for the template."""
        out = []
        approved = CommentStore(self.store.meta).list(post=slug, status="approved")
        authors = {c.id: c.author for c in approved}
        parents = {c.parent for c in approved if c.parent in authors}
        for comment in approved:
            created_iso, created_text = self.when(comment.created, lang)
            out.append(
                {
                    "author": comment.author,
                    "created_iso": created_iso,
                    "created_text": created_text,
                    "html": comment_html(comment.body),
                    # Reply links (imported threads): an anchor only on comments replied to.
                    "anchor": f"comment-{comment.id}" if comment.id in parents else "",
                    "reply_to": f"comment-{comment.parent}" if comment.parent in authors else "",
                    "reply_to_author": authors.get(comment.parent, ""),
                }
            )
        return out

    def fragment(self, post: PlannedPost) -> str:
        """A post's rendered body: from its page when that is current, else rendered."""
        page = read_existing(self.out / post.rel)
        kept = body_from_page(page) if page is not None else None
        if kept is not None:
            return kept
        return fragment_of_file(self.site.post_path(post.slug), post.root).html

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
            label = self.status_label(post)
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

    def status_label(self, post: PlannedPost) -> str:
        """'Draft (not public)' / 'Scheduled' in the post's language; '' when public."""
        if not post.status_label:
            return ""
        return self.strings_for(post.lang).words[post.status_label]

    def render(self, template: str, context: dict[str, Any]) -> bytes:
        """A page from a template and its context (the shared context added)."""
        return render_page(template, self.base | context, self.settings.templates, self.jinja_cache)

    @property
    def jinja_cache(self) -> str:
        return str(self.site.state_dir / "cache" / "jinja")
