"""export_site: the incremental, deterministic static build (read → plan → render → write)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
import shutil
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from hkcms.core.comments import CommentStore
from hkcms.core.errors import HkcmsError
from hkcms.core.posts import PostInfo, PostStore
from hkcms.core.site import Site
from hkcms.export.html import comment_html, rebase_root_urls
from hkcms.export.manifest import Manifest, check_output_folder
from hkcms.export.paths import ExportError, check_relpath, safe_join, tag_slug, url_path
from hkcms.export.render import (
    FRAGMENT_VERSION,
    STAGING,
    PostResult,
    PostTask,
    WorkerConfig,
    forget_folders,
    fragment_for,
    init_worker,
    render_page,
    render_posts,
    write_if_changed,
)
from hkcms.export.theme import (
    STATIC_FILES,
    clean_lang,
    human_date,
    labels_for,
    local_date,
    parse_when,
    site_zone,
    theme_files,
    theme_key,
)

Progress = Callable[[int, int], None]
WORKERS = 2
POOL_THRESHOLD = 48  # below this many post pages, starting worker processes costs more
CHUNK = 24
FEED_ENTRIES = 20
POST_ROOT = "../../"


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

    def summary(self) -> str:
        warn = f", {len(self.warnings)} warnings" if self.warnings else ""
        return (
            f"Exported {self.posts} posts to {self.out}: {self.written} files written, "
            f"{self.skipped} unchanged, {self.removed} removed in {self.seconds:.2f} s{warn}"
        )


@dataclass
class _Post:
    info: PostInfo
    hash: str
    day: dt.date | None
    status_label: str
    page_lang: str


class _Build:
    """One export run; holds the plan and counts what it wrote."""

    def __init__(
        self,
        site: Site,
        out: Path,
        *,
        full: bool,
        drafts: bool,
        base_url: str,
        progress: Progress | None,
    ) -> None:
        self.site = site
        self.out = out
        self.full = full
        self.drafts = drafts
        self.base_url = base_url
        self.progress = progress
        self.report = ExportReport(out=out)
        self.zone = site_zone(site.settings.timezone)
        self.chrome_lang = clean_lang(site.settings.language)
        self.templates = str(site.templates_dir) if site.templates_dir.is_dir() else None
        self.cache = str(site.state_dir / "cache" / "export")
        self.theme = theme_key(site.templates_dir)
        self.base: dict[str, Any] = {
            "site": {
                "title": site.settings.title,
                "language": self.chrome_lang,
                "base_url": base_url,
            },
            "chrome_lang": self.chrome_lang,
            "st": labels_for(self.chrome_lang),
        }
        self.base_key = _digest([self.theme, self.base, drafts])
        self.planned: dict[str, str] = {}
        self.done = 0
        self.total = 0

    # ---- reading ------------------------------------------------------------------------

    def read_posts(self) -> list[_Post]:
        store = PostStore(self.site)
        scan = store.scan()
        for problem in scan.problems:
            self.report.warnings.append(f"left out: {problem}")
        self.store = store
        summaries = store.meta.summaries()
        self.summaries = summaries
        today = dt.datetime.now(self.zone).date()
        posts: list[_Post] = []
        for info in scan.posts:
            day = local_date(info.date, self.zone)
            future = day is not None and day > today
            label = ""
            if info.status == "draft":
                label = "draft"
            elif future:
                label = "scheduled"
            if label and not self.drafts:
                continue
            page_lang = clean_lang(info.lang, self.chrome_lang)
            digest = str(summaries.get(info.slug, {}).get("hash", ""))
            posts.append(_Post(info, digest, day, label, page_lang))
        # Newest first; the slug breaks ties so the order never depends on the file system.
        posts.sort(key=lambda p: (p.day.isoformat() if p.day else "", p.info.slug), reverse=True)
        return posts

    # ---- contexts -----------------------------------------------------------------------

    def canonical(self, path: str) -> str:
        return self.base_url + url_path(path) if self.base_url else ""

    def when(self, value: str, lang: str) -> tuple[str, str]:
        """(datetime attribute, display text) of an ISO date; empty if it is not one."""
        parsed = parse_when(value, self.zone)
        if parsed is None:
            return "", ""
        day = parsed.date() if isinstance(parsed, dt.datetime) else parsed
        return parsed.isoformat(), human_date(day, lang)

    def tags_of(self, info: PostInfo) -> list[dict[str, str]]:
        seen: dict[str, str] = {}
        for name in info.tags:
            seen.setdefault(tag_slug(name), name)
        return [{"slug": s, "name": n} for s, n in seen.items()]

    def comments_of(self, slug: str) -> list[dict[str, str]]:
        if not int(self.summaries.get(slug, {}).get("comments", 0) or 0):
            return []
        comments = CommentStore(self.store.meta).list(post=slug, status="approved")
        out = []
        for comment in comments:
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

    def post_context(self, post: _Post, prev: _Post | None, nxt: _Post | None) -> dict[str, Any]:
        info, lang = post.info, post.page_lang
        t = labels_for(lang)
        summary = self.summaries.get(info.slug, {})
        date_iso, date_text = self.when(info.date, lang)
        updated_iso, updated_text = self.when(str(summary.get("updated", "")), lang)
        comments = self.comments_of(info.slug)
        return {
            "root": POST_ROOT,
            "page_lang": lang,
            "t": t,
            "canonical": self.canonical(f"posts/{info.slug}/"),
            "og_title": info.title,
            "og_type": "article",
            "description": info.summary,
            "post": {
                "slug": info.slug,
                "title": info.title,
                "author": info.author,
                "date_iso": date_iso,
                "date_text": date_text,
                "updated_iso": updated_iso,
                "updated_text": updated_text,
                "tags": self.tags_of(info),
                "lang": lang,
                "views": int(summary.get("views", 0) or 0),
                "comments_count": int(summary.get("comments", 0) or 0),
                "comments": comments,
                "status_label": t[post.status_label] if post.status_label else "",
                "prev": _neighbour(prev),
                "next": _neighbour(nxt),
            },
        }

    # ---- the run ------------------------------------------------------------------------

    def run(self) -> ExportReport:
        started = time.monotonic()
        old = Manifest.load(self.out)
        if old is None or self.full:
            old_pages = old.pages if old else {}
            old = Manifest(pages=old_pages, posts={}, complete=False)
            trust = {}
        else:
            trust = old.pages
        self.out.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.out / STAGING, ignore_errors=True)
        forget_folders()
        posts = self.read_posts()
        self.report.posts = len(posts)
        tasks: list[PostTask] = []
        post_keys: dict[str, str] = {}
        state = old.posts
        for i, post in enumerate(posts):
            nxt = posts[i - 1] if i > 0 else None
            prev = posts[i + 1] if i + 1 < len(posts) else None
            context = self.post_context(post, prev, nxt)
            rel = f"posts/{post.info.slug}/index.html"
            key = _digest([self.base_key, context, post.hash])
            self.planned[rel] = post_keys[rel] = key
            known = state.get(post.info.slug, {})
            if (
                trust.get(rel) == key
                and known.get("hash") == post.hash
                and os.path.isfile(safe_join(self.out, rel))
            ):
                continue
            tasks.append(
                PostTask(post.info.slug, str(self.site.post_path(post.info.slug)), rel, context)
            )
        # Journal first: every page this run may write is marked unknown, and every page an
        # older run wrote stays listed, so an interrupted run is completed by the next one.
        pending = {t.rel for t in tasks}
        journal = dict(old.pages)
        for rel in pending:
            journal[rel] = ""
        old.complete = False
        Manifest(pages=journal, posts=state, complete=False).save(self.out)
        self.total = len(tasks) + 1
        self.render_posts(tasks, posts, state, journal)
        live = {p.info.slug for p in posts}
        state = {slug: value for slug, value in state.items() if slug in live}
        media = self.copy_media(trust, journal)
        self.check_media(posts, state, media)
        self.write_static(trust, journal)
        self.write_listings(posts, state, trust, journal)
        self.write_feed(posts, state, trust, journal)
        self.write_sitemap(posts, trust, journal)
        self.remove_stale(old.pages)
        Manifest(pages=self.planned, posts=state, complete=True).save(self.out)
        shutil.rmtree(self.out / STAGING, ignore_errors=True)
        if self.report.rendered:
            self.prune_cache({str(s.get("hash", "")) for s in self.summaries.values()})
        self.report.seconds = time.monotonic() - started
        self.tick(self.total)
        return self.report

    def tick(self, done: int | None = None) -> None:
        self.done = self.done + 1 if done is None else done
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total)

    def render_posts(
        self,
        tasks: list[PostTask],
        posts: list[_Post],
        state: dict[str, dict[str, Any]],
        journal: dict[str, str],
    ) -> None:
        config = WorkerConfig(str(self.out), self.templates, self.cache, self.base)
        hashes = {p.info.slug: p.hash for p in posts}
        for result in self._results(tasks, config):
            rel = f"posts/{result.slug}/index.html"
            if result.error:
                self.report.warnings.append(f"left out: {result.error}")
                self.planned.pop(rel, None)
                continue
            self.report.rendered += 1
            self.count(result.written)
            state[result.slug] = {
                "hash": result.hash,
                "excerpt": result.excerpt,
                "media": result.media,
            }
            if result.hash != hashes.get(result.slug):
                # The file changed while we exported: make the next run look again.
                self.planned[rel] = ""
        self.report.skipped += len(posts) - len(tasks)

    def _results(self, tasks: list[PostTask], config: WorkerConfig) -> Iterator[PostResult]:
        if len(tasks) < POOL_THRESHOLD:
            init_worker(config)
            for task in tasks:
                yield from render_posts([task])
                self.tick()
            return
        chunks = [tasks[i : i + CHUNK] for i in range(0, len(tasks), CHUNK)]
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["hkcms.export.render"])
        # forkserver: workers never inherit the threads of a caller such as the TUI.
        with ctx.Pool(WORKERS, initializer=init_worker, initargs=(config,)) as pool:
            for results in pool.imap_unordered(render_posts, chunks):
                for result in results:
                    yield result
                    self.tick()

    def count(self, written: bool) -> None:
        if written:
            self.report.written += 1
        else:
            self.report.skipped += 1

    def emit(
        self,
        rel: str,
        key: str,
        trust: dict[str, str],
        journal: dict[str, str],
        make: Callable[[], bytes],
    ) -> None:
        """Write one non-post file unless its inputs are unchanged since the last export."""
        check_relpath(rel)
        self.planned[rel] = key
        path = safe_join(self.out, rel)
        if trust.get(rel) == key and journal.get(rel) == key and path.is_file():
            self.report.skipped += 1
            return
        self.count(write_if_changed(self.out, path, make()))

    def page(self, template: str, context: dict[str, Any]) -> bytes:
        return render_page(template, self.base | context, self.templates)

    # ---- listings -----------------------------------------------------------------------

    def entry(self, post: _Post, state: dict[str, dict[str, Any]]) -> dict[str, Any]:
        info = post.info
        date_iso, date_text = self.when(info.date, post.page_lang)
        excerpt = info.summary or str(state.get(info.slug, {}).get("excerpt", ""))
        label = labels_for(post.page_lang)[post.status_label] if post.status_label else ""
        return {
            "slug": info.slug,
            "title": info.title,
            "author": info.author,
            "date_iso": date_iso,
            "date_text": date_text,
            "excerpt": excerpt,
            "lang": post.page_lang,
            "status_label": label,
        }

    def write_listing(
        self,
        folder: str,
        heading: str,
        entries: list[dict[str, Any]],
        trust: dict[str, str],
        journal: dict[str, str],
    ) -> None:
        per = self.site.settings.posts_per_page
        pages = [entries[i : i + per] for i in range(0, len(entries), per)] or [[]]
        total = len(pages)
        for n, chunk in enumerate(pages, start=1):
            rel = f"{folder}index.html" if n == 1 else f"{folder}page/{n}/index.html"
            root = "../" * rel.count("/") or "./"
            here = "../../" if n > 1 else ""

            def href(k: int, here: str = here) -> str:
                return here + ("" if k == 1 else f"page/{k}/") or "./"

            context = {
                "root": root,
                "page_lang": self.chrome_lang,
                "t": self.base["st"],
                "canonical": self.canonical(rel.removesuffix("index.html")),
                "og_title": heading,
                "og_type": "website",
                "description": "",
                "heading": heading,
                "entries": chunk,
                "pager": {
                    "n": n,
                    "total": total,
                    "newer": href(n - 1) if n > 1 else "",
                    "older": href(n + 1) if n < total else "",
                },
            }
            key = _digest([self.base_key, context])
            self.emit(rel, key, trust, journal, lambda c=context: self.page("listing.html", c))

    def write_listings(
        self,
        posts: list[_Post],
        state: dict[str, dict[str, Any]],
        trust: dict[str, str],
        journal: dict[str, str],
    ) -> None:
        entries = {p.info.slug: self.entry(p, state) for p in posts}
        st = self.base["st"]
        self.write_listing("", self.site.settings.title, list(entries.values()), trust, journal)
        by_tag: dict[str, list[str]] = {}
        names: dict[str, set[str]] = {}
        for post in posts:
            for tag in self.tags_of(post.info):
                by_tag.setdefault(tag["slug"], []).append(post.info.slug)
                names.setdefault(tag["slug"], set()).add(tag["name"])
        tags = []
        for slug in sorted(by_tag):
            name = sorted(names[slug])[0]
            tags.append({"slug": slug, "name": name, "count": len(by_tag[slug])})
            heading = st["tagged"].format(tag=name)
            self.write_listing(
                f"tags/{slug}/", heading, [entries[s] for s in by_tag[slug]], trust, journal
            )
        tags.sort(key=lambda t: (-t["count"], t["name"]))
        context = {
            "root": "../",
            "page_lang": self.chrome_lang,
            "t": st,
            "canonical": self.canonical("tags/"),
            "og_title": st["all_tags"],
            "og_type": "website",
            "description": "",
            "tags": tags,
        }
        key = _digest([self.base_key, context])
        self.emit("tags/index.html", key, trust, journal, lambda: self.page("tags.html", context))
        # A 404 page is shown at any address, so its links start from the site's root path.
        root404 = urlparse(self.base_url).path or "/" if self.base_url else "/"
        context = {
            "root": root404,
            "page_lang": self.chrome_lang,
            "t": st,
            "canonical": "",
            "og_title": "",
            "og_type": "website",
            "description": "",
        }
        key = _digest([self.base_key, context])
        self.emit("404.html", key, trust, journal, lambda: self.page("404.html", context))

    # ---- feed, sitemap, robots ----------------------------------------------------------

    def stamp(self, value: str, fallback: dt.date | None) -> str:
        """An RFC 3339 date-time for Atom (dates become local midnight)."""
        parsed = parse_when(value, self.zone)
        if isinstance(parsed, dt.datetime):
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=self.zone)
            return parsed.isoformat()
        day = parsed or fallback
        if day is None:
            return ""
        return dt.datetime(day.year, day.month, day.day, tzinfo=self.zone).isoformat()

    def write_feed(
        self,
        posts: list[_Post],
        state: dict[str, dict[str, Any]],
        trust: dict[str, str],
        journal: dict[str, str],
    ) -> None:
        limit = int(self.site.settings.raw.get("feed_entries", FEED_ENTRIES) or FEED_ENTRIES)
        chosen = [p for p in posts if not p.status_label][:limit]
        entries = []
        for post in chosen:
            info = post.info
            summary = self.summaries.get(info.slug, {})
            published = self.stamp(info.date, None)
            updated = self.stamp(str(summary.get("updated", "")), post.day) or published
            url = self.canonical(f"posts/{info.slug}/")
            entries.append(
                {
                    "slug": info.slug,
                    "hash": post.hash,
                    "title": info.title,
                    "id": url or f"urn:hkcms:post:{url_path(info.slug)}",
                    "url": url,
                    "base": url,
                    "lang": post.page_lang,
                    "published": published,
                    "updated": updated or "1970-01-01T00:00:00+00:00",
                    "author": info.author,
                    "tags": [t["name"] for t in self.tags_of(info)],
                    "summary": info.summary,
                }
            )
        feed = {
            "id": self.base_url or "urn:hkcms:feed",
            "self": self.canonical("feed.xml"),
            "home": self.base_url,
            "updated": max((e["updated"] for e in entries), default="1970-01-01T00:00:00+00:00"),
        }
        key = _digest([self.base_key, feed, entries])

        def make() -> bytes:
            for entry in entries:
                entry["content"] = rebase_root_urls(self.fragment(entry["slug"]), POST_ROOT)
            return self.page("feed.xml", {"feed": feed, "entries": entries})

        self.emit("feed.xml", key, trust, journal, make)

    def fragment(self, slug: str) -> str:
        path = self.site.post_path(slug)
        _, fragment = fragment_for(path.read_bytes(), slug, path, self.cache)
        return fragment.html

    def write_sitemap(
        self, posts: list[_Post], trust: dict[str, str], journal: dict[str, str]
    ) -> None:
        urls: list[dict[str, str]] = []
        if self.base_url:
            public = [p for p in posts if not p.status_label]
            newest = max(
                (str(self.summaries.get(p.info.slug, {}).get("updated", "")) for p in public),
                default="",
            )
            urls.append({"loc": self.base_url, "lastmod": newest})
            for post in public:
                updated = str(self.summaries.get(post.info.slug, {}).get("updated", ""))
                urls.append({"loc": self.canonical(f"posts/{post.info.slug}/"), "lastmod": updated})
            urls.append({"loc": self.canonical("tags/"), "lastmod": ""})
        else:
            self.report.warnings.append(
                "no base_url in hkcms.toml: sitemap, canonical links and Open Graph tags left out"
            )
        key = _digest([self.base_key, urls])
        self.emit(
            "sitemap.xml", key, trust, journal, lambda: self.page("sitemap.xml", {"urls": urls})
        )
        robots = {"sitemap": self.canonical("sitemap.xml")}
        key = _digest([self.base_key, robots])
        self.emit("robots.txt", key, trust, journal, lambda: self.page("robots.txt", robots))

    # ---- static files and media ---------------------------------------------------------

    def write_static(self, trust: dict[str, str], journal: dict[str, str]) -> None:
        files = theme_files(self.site.templates_dir)
        for name, rel in STATIC_FILES.items():
            data = files[name].read_bytes()
            self.emit(
                rel, _digest([hashlib.sha256(data).hexdigest()]), trust, journal, lambda d=data: d
            )

    def copy_media(self, trust: dict[str, str], journal: dict[str, str]) -> set[str]:
        """Copy media/ into the export (regular files only; links out of media/ are refused)."""
        found: set[str] = set()
        media_dir = self.site.media_dir
        if not media_dir.is_dir():
            return found
        for folder, dirs, files in os.walk(media_dir):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith("."):
                    continue
                src = Path(folder) / name
                rel = "media/" + src.relative_to(media_dir).as_posix()
                try:
                    info = src.lstat()
                    check_relpath(rel)
                except (OSError, ExportError) as exc:
                    self.report.warnings.append(f"media file skipped: {exc}")
                    continue
                if not stat.S_ISREG(info.st_mode):
                    self.report.warnings.append(f"{src}: not a regular file; not copied")
                    continue
                found.add(rel)
                key = f"{info.st_size}:{info.st_mtime_ns}"
                self.planned[rel] = key
                dest = safe_join(self.out, rel)
                if trust.get(rel) == key and journal.get(rel) == key and dest.is_file():
                    self.report.skipped += 1
                    continue
                self.count(write_if_changed(self.out, dest, src.read_bytes()))
        return found

    def check_media(
        self, posts: list[_Post], state: dict[str, dict[str, Any]], media: set[str]
    ) -> None:
        for post in posts:
            for ref in state.get(post.info.slug, {}).get("media", []):
                if ref not in media:
                    self.report.warnings.append(
                        f"{post.info.path}: image or file {ref!r} not found in media/"
                    )

    # ---- cleaning up --------------------------------------------------------------------

    def remove_stale(self, old_pages: dict[str, str]) -> None:
        """Delete files an earlier export wrote that no longer belong (deleted or renamed posts
        and tags); only files listed in the manifest are ever removed."""
        folders: set[Path] = set()
        for rel in sorted(set(old_pages) - set(self.planned)):
            try:
                path = safe_join(self.out, rel)
            except ExportError:
                continue
            if path.is_file() or path.is_symlink():
                path.unlink()
                self.report.removed += 1
                folders.update(path.parents)
        real_out = self.out.resolve()
        for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
            if folder.resolve() == real_out or not folder.resolve().is_relative_to(real_out):
                continue
            try:
                folder.rmdir()  # only succeeds when empty
            except OSError:
                pass

    def prune_cache(self, keep: set[str]) -> None:
        root = Path(self.cache)
        if not self.cache or not root.is_dir():
            return
        for version in root.iterdir():
            if version.name != FRAGMENT_VERSION:
                shutil.rmtree(version, ignore_errors=True)
                continue
            for sub in version.iterdir():
                for entry in os.scandir(sub):
                    if entry.name.removesuffix(".json") not in keep:
                        os.unlink(entry.path)


def _neighbour(post: _Post | None) -> dict[str, str] | None:
    if post is None:
        return None
    return {"slug": post.info.slug, "title": post.info.title, "lang": post.page_lang}


def _digest(value: Any) -> str:
    payload = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def normalise_base_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise HkcmsError(f"base_url {url!r} must be an http:// or https:// address")
    return url if url.endswith("/") else url + "/"


def export_site(
    site: Site,
    out: Path | str | None = None,
    *,
    full: bool = False,
    drafts: bool = False,
    base_url: str | None = None,
    progress: Progress | None = None,
) -> ExportReport:
    """Export the site as static HTML into `out` (default <site>/public).

    Only pages whose inputs changed are rewritten; `full` rebuilds every page. `progress` is
    called as progress(done, total), possibly from a worker thread."""
    target = Path(out).expanduser() if out is not None else site.public_dir
    target = Path(os.path.abspath(target))
    check_output_folder(target, site)
    url = normalise_base_url(site.settings.base_url if base_url is None else base_url)
    try:
        return _Build(site, target, full=full, drafts=drafts, base_url=url, progress=progress).run()
    except OSError as exc:
        where = exc.filename or target
        raise ExportError(f"cannot write the export: {exc.strerror or exc}", where) from exc
