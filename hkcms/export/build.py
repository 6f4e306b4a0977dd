"""export_site: the incremental, deterministic static build (read → plan → render → write)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import os
import shutil
import stat
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from filelock import FileLock, Timeout

from hkcms.core.atomic import PRIVATE_FILE, SHARED_FILE, is_shared, make_dirs
from hkcms.core.comments import CommentStore
from hkcms.core.errors import HkcmsError
from hkcms.core.posts import PostStore
from hkcms.core.site import Site
from hkcms.export.feeds import FEED_ENTRIES, feed_page, sitemap_pages
from hkcms.export.html import comment_html, excerpt
from hkcms.export.manifest import Manifest, check_output_folder
from hkcms.export.paths import (
    ExportError,
    check_relpath,
    forget_checked_dirs,
    safe_join,
    tag_slug,
    url_path,
)
from hkcms.export.plan import SEP, Page, PlannedPost, digest, digest_text
from hkcms.export.render import (
    FRAGMENT_VERSION,
    POST_ROOT,
    STAGING,
    PageTask,
    PostResult,
    PostTask,
    WorkerConfig,
    body_from_page,
    forget_folders,
    fragment_of_file,
    init_worker,
    read_existing,
    render_chunk,
    render_page,
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
CHUNK = 32
LOCK_TIMEOUT_S = 300.0


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
    phases: dict[str, float] = field(default_factory=dict)  # seconds per stage (benchmarks)

    def summary(self) -> str:
        warn = f", {len(self.warnings)} warnings" if self.warnings else ""
        return (
            f"Exported {self.posts} posts to {self.out}: {self.written} files written, "
            f"{self.skipped} unchanged, {self.removed} removed in {self.seconds:.2f} s{warn}"
        )


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
        settings = site.settings
        self.zone = site_zone(settings.timezone)
        self.chrome_lang = clean_lang(settings.language)
        self.templates = str(site.templates_dir) if site.templates_dir.is_dir() else None
        try:
            self.feed_entries = max(1, int(settings.raw.get("feed_entries", FEED_ENTRIES)))
        except (TypeError, ValueError) as exc:
            raise HkcmsError(
                "feed_entries must be a whole number", site.root / "hkcms.toml"
            ) from exc
        self.base: dict[str, Any] = {
            "site": {"title": settings.title, "language": self.chrome_lang, "base_url": base_url},
            "chrome_lang": self.chrome_lang,
            "st": labels_for(self.chrome_lang),
        }
        self.base_key = digest(
            [
                theme_key(site.templates_dir),
                FRAGMENT_VERSION,
                self.base,
                settings.timezone,
                settings.posts_per_page,
                self.feed_entries,
                drafts,
            ]
        )
        self.planned: dict[str, str] = {}
        self.done = 0
        self.total = 1
        self.jinja_cache = str(site.state_dir / "cache" / "jinja")
        self.config = WorkerConfig(str(out), self.templates, self.base, self.jinja_cache)
        self.pool: Any = None

    # ---- reading ------------------------------------------------------------------------

    def read_posts(self) -> list[PlannedPost]:
        self.store = PostStore(self.site)
        scan = self.store.scan()
        for problem in scan.problems:
            self.report.warnings.append(f"left out: {problem}")
        self.summaries = self.store.meta.summaries()
        today = dt.datetime.now(self.zone).date()
        posts: list[PlannedPost] = []
        for info in scan.posts:
            day = local_date(info.date, self.zone)
            label = ""
            if info.status == "draft":
                label = "draft"
            elif day is not None and day > today:
                label = "scheduled"
            if label and not self.drafts:
                continue
            tags: dict[str, str] = {}
            for name in info.tags:
                tags.setdefault(tag_slug(name), name)
            summary = self.summaries.get(info.slug, {})
            post = PlannedPost(
                info,
                str(summary.get("hash", "")),
                day,
                label,
                clean_lang(info.lang, self.chrome_lang),
                list(tags.items()),
            )
            comments = int(summary.get("comments", 0) or 0)
            # The comments themselves live in the post's metadata file: its size and time
            # stand for them, so unchanged posts cost no file read.
            meta_stamp = self._meta_stamp(info.slug) if comments else ""
            post.sig = SEP.join(
                [
                    post.hash,
                    str(summary.get("updated", "")),
                    str(summary.get("views", 0)),
                    str(comments),
                    meta_stamp,
                    label,
                    post.lang,
                ]
            )
            posts.append(post)
        # Newest first; the slug breaks ties so the order never depends on the file system.
        posts.sort(key=lambda p: (p.day.isoformat() if p.day else "", p.slug), reverse=True)
        return posts

    def _meta_stamp(self, slug: str) -> str:
        try:
            info = os.stat(self.store.meta.post_file(slug))
        except OSError:
            return "missing"
        return f"{info.st_size}:{info.st_mtime_ns}"

    def excerpt_of(self, post: PlannedPost) -> str:
        """A post's excerpt: from this run's render, else from its page on disk (the page keeps
        its body), else rendered from the source."""
        if post.excerpt or post.info.summary:
            return post.info.summary or post.excerpt
        post.excerpt = excerpt(self.fragment(post.slug))
        return post.excerpt

    def fragment(self, slug: str) -> str:
        """A post's rendered body: from its page when that is current, else rendered."""
        page = read_existing(self.out / "posts" / slug / "index.html")
        kept = body_from_page(page) if page is not None else None
        if kept is not None:
            return kept
        return fragment_of_file(self.site.post_path(slug)).html

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

    def comments_of(self, slug: str) -> list[dict[str, str]]:
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

    def post_context(
        self, post: PlannedPost, prev: PlannedPost | None, nxt: PlannedPost | None
    ) -> dict[str, Any]:
        info, lang = post.info, post.lang
        t = labels_for(lang)
        summary = self.summaries.get(info.slug, {})
        comments = int(summary.get("comments", 0) or 0)
        date_iso, date_text = self.when(info.date, lang)
        updated_iso, updated_text = self.when(str(summary.get("updated", "")), lang)
        return {
            "root": POST_ROOT,
            "page_lang": lang,
            "t": t,
            "canonical": self.canonical(f"posts/{info.slug}/"),
            "og_title": info.title,
            "og_type": "article",
            "description": info.summary,  # else the worker uses the excerpt it computes
            "post": {
                "slug": info.slug,
                "title": info.title,
                "author": info.author,
                "date_iso": date_iso,
                "date_text": date_text,
                "updated_iso": updated_iso,
                "updated_text": updated_text,
                "tags": [{"slug": s, "name": n} for s, n in post.tags],
                "lang": lang,
                "views": int(summary.get("views", 0) or 0),
                "comments_count": comments,
                "comments": self.comments_of(info.slug) if comments else [],
                "status_label": t[post.status_label] if post.status_label else "",
                "prev": _neighbour(prev),
                "next": _neighbour(nxt),
            },
        }

    # ---- the run ------------------------------------------------------------------------

    def run(self) -> ExportReport:
        try:
            return self._run()
        finally:
            if self.pool is not None:
                self.pool.terminate()
                self.pool.join()

    def _run(self) -> ExportReport:
        started = time.monotonic()
        old = Manifest.load(self.out)
        trusted = old is not None and not self.full and old.version == FRAGMENT_VERSION
        old_pages = old.pages if old else {}
        trust = old_pages if trusted else {}
        sources = old.sources if old and trusted else {}
        media = old.media if old and trusted else {}
        self.journal = Manifest(
            dict(old_pages), dict(sources), False, FRAGMENT_VERSION, dict(media)
        )
        self.journal_dirty = old is None or not old.complete
        self.out.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.out / STAGING, ignore_errors=True)
        forget_folders()
        forget_checked_dirs()

        lap = time.monotonic()
        posts = self.read_posts()
        self.report.posts = len(posts)
        lap = self.phase("scan", lap)
        tasks: list[PostTask] = []
        for i, post in enumerate(posts):
            nxt = posts[i - 1] if i > 0 else None
            prev = posts[i + 1] if i + 1 < len(posts) else None
            current = sources.get(post.slug) == post.hash
            if current:
                post.media = list(media.get(post.slug, []))
            key = digest_text(self.base_key, post.sig, _nav_sig(prev), _nav_sig(nxt))
            self.planned[post.rel] = key
            if current and trust.get(post.rel) == key:
                if os.path.isfile(os.path.join(self.out, post.rel)):
                    self.report.skipped += 1
                    continue
            context = self.post_context(post, prev, nxt)
            reuse = current
            source = str(self.site.post_path(post.slug))
            tasks.append(PostTask(post.slug, source, post.rel, context, reuse))
        lap = self.phase("plan", lap)

        # Every other page's key is known before anything is written (lists of posts are keyed
        # by the posts' hashes, not by their excerpts), so one journal covers the whole run.
        media_found, media_pending = self.plan_media(trust)
        pages = [*self.static_pages(), *self.listing_pages(posts)]
        pages.append(feed_page(self, posts))
        pages.extend(sitemap_pages(self, posts))
        changed = []
        for page in pages:
            check_relpath(page.rel)
            self.planned[page.rel] = page.key
            if trust.get(page.rel) == page.key and os.path.isfile(os.path.join(self.out, page.rel)):
                self.report.skipped += 1
            else:
                changed.append(page)
        self.total = len(tasks) + len(changed) + 1
        lap = self.phase("plan_pages", lap)
        pending = [t.rel for t in tasks] + [p.rel for p in changed] + [m[0] for m in media_pending]
        if pending:
            # A page about to be rewritten no longer vouches for its source either: were this
            # run killed, its body must not be reused for a post whose text went back.
            for task in tasks:
                self.journal.sources.pop(task.slug, None)
            self.mark_unknown(pending)

        self.render(tasks, posts)
        lap = self.phase("posts", lap)
        for _, src, dest in media_pending:
            self.count(write_if_changed(self.out, dest, src.read_bytes()))
        self.check_media(posts, media_found)
        # Lists of posts go to the workers when there are many; the rest is written here.
        delegated = [p for p in changed if p.task is not None]
        if len(delegated) < POOL_THRESHOLD:
            delegated = []
        else:
            maker = _start_making_folders(
                sorted({os.path.join(self.out, os.path.dirname(p.rel)) for p in delegated})
            )
        for page in changed:
            if page.task is None or not delegated:
                self.count(write_if_changed(self.out, safe_join(self.out, page.rel), page.make()))
                self.tick()
        if delegated:
            # Contexts are built here while the workers render the pages already sent.
            jobs = (p.task() for p in delegated if p.task is not None)
            for written in self.results(jobs, len(delegated)):
                self.count(bool(written))
            maker.join()
        lap = self.phase("pages", lap)

        self.remove_stale(old_pages)
        final = Manifest(
            self.planned,
            {p.slug: p.hash for p in posts if p.rel in self.planned},
            True,
            FRAGMENT_VERSION,
            {p.slug: p.media for p in posts if p.media and p.rel in self.planned},
        )
        if self.journal_dirty or old is None or not final.same_as(old):
            final.save(self.out)
        shutil.rmtree(self.out / STAGING, ignore_errors=True)
        self.phase("finish", lap)
        self.report.seconds = time.monotonic() - started
        self.done = self.total
        self.tick(self.total)
        return self.report

    def phase(self, name: str, since: float) -> float:
        now = time.monotonic()
        self.report.phases[name] = now - since
        return now

    def mark_unknown(self, rels: list[str]) -> None:
        """Journal: before a page is written, its key is cleared on disk, so a run killed half
        way leaves pages the next run does not trust."""
        for rel in rels:
            self.journal.pages[rel] = ""
        self.journal.complete = False
        self.journal.save(self.out)
        self.journal_dirty = True

    def tick(self, done: int | None = None) -> None:
        self.done = self.done + 1 if done is None else done
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total)

    def count(self, written: bool) -> None:
        if written:
            self.report.written += 1
        else:
            self.report.skipped += 1

    def render(self, tasks: list[PostTask], posts: list[PlannedPost]) -> None:
        by_slug = {p.slug: p for p in posts}
        maker = None
        if len(tasks) >= POOL_THRESHOLD:
            # Creating folders is slow on some file systems and needs no CPU: this process
            # waits for the workers anyway, so it makes the posts' folders meanwhile.
            maker = _start_making_folders(
                [os.path.join(self.out, os.path.dirname(t.rel)) for t in tasks]
            )
        for result in self.results(tasks, len(tasks)):
            assert isinstance(result, PostResult)
            post = by_slug[result.slug]
            if result.error:
                self.report.warnings.append(f"left out: {result.error}")
                self.planned.pop(post.rel, None)
                continue
            self.report.rendered += 1
            self.count(result.written)
            post.excerpt = result.excerpt
            if not result.reused:
                post.media = result.media
            if result.hash != post.hash:
                # The file changed while we exported: make the next run look at it again.
                self.planned[post.rel] = ""
                post.hash = result.hash
        if maker is not None:
            maker.join()

    def results(
        self, tasks: Sequence[PostTask | PageTask] | Iterable[PostTask | PageTask], count: int
    ) -> Iterator[PostResult | bool]:
        """Render `count` tasks: in this process when few, else on two worker processes. The
        tasks may be a generator: the pool draws from it while the workers render."""
        if count < POOL_THRESHOLD:
            init_worker(self.config)
            for task in tasks:
                yield from render_chunk([task])
                self.tick()
            return
        if self.pool is None:
            import multiprocessing  # only a large export needs the worker processes

            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["hkcms.export.render"])
            # forkserver: workers never inherit the threads of a caller such as the TUI.
            self.pool = ctx.Pool(WORKERS, initializer=init_worker, initargs=(self.config,))
        iterator = iter(tasks)
        chunks = iter(lambda: list(itertools.islice(iterator, CHUNK)), [])
        for results in self.pool.imap_unordered(render_chunk, chunks):
            for result in results:
                yield result
                self.tick()

    def page(self, template: str, context: dict[str, Any]) -> bytes:
        return render_page(template, self.base | context, self.templates, self.jinja_cache)

    # ---- listings -----------------------------------------------------------------------

    def entry(self, post: PlannedPost) -> dict[str, Any]:
        if post.entry is None:
            post.entry = self._entry(post)
        return post.entry

    def _entry(self, post: PlannedPost) -> dict[str, Any]:
        info = post.info
        date_iso, date_text = self.when(info.date, post.lang)
        label = labels_for(post.lang)[post.status_label] if post.status_label else ""
        return {
            "slug": info.slug,
            "title": info.title,
            "author": info.author,
            "date_iso": date_iso,
            "date_text": date_text,
            "excerpt": self.excerpt_of(post),
            "lang": post.lang,
            "status_label": label,
        }

    def listing(self, folder: str, heading: str, posts: list[PlannedPost]) -> Iterator[Page]:
        """The pages of one list of posts (front page or a tag), with their keys."""
        per = self.site.settings.posts_per_page
        chunks = [posts[i : i + per] for i in range(0, len(posts), per)] or [[]]
        total = len(chunks)
        for n, chunk in enumerate(chunks, start=1):
            rel = f"{folder}index.html" if n == 1 else f"{folder}page/{n}/index.html"
            sigs = [
                SEP.join([p.slug, p.info.title, p.info.author, p.info.date, p.info.summary,
                          p.hash, p.lang, p.status_label])
                for p in chunk
            ]  # fmt: skip
            key = digest_text(self.base_key, rel, heading, str(total), *sigs)
            yield self._listing_page(rel, key, heading, chunk, n, total)

    def _listing_page(
        self, rel: str, key: str, heading: str, chunk: list[PlannedPost], n: int, total: int
    ) -> Page:
        """Its context is built only if the page has to be written."""

        def context() -> dict[str, Any]:
            return self.listing_context(rel, heading, chunk, n, total)

        return Page(
            rel,
            key,
            lambda: self.page("listing.html", context()),
            lambda: PageTask(rel, "listing.html", context()),
        )

    def listing_context(
        self, rel: str, heading: str, chunk: list[PlannedPost], n: int, total: int
    ) -> dict[str, Any]:
        here = "../../" if n > 1 else ""

        def href(k: int) -> str:
            return (here + ("" if k == 1 else f"page/{k}/")) or "./"

        return {
            "root": "../" * rel.count("/") or "./",
            "page_lang": self.chrome_lang,
            "t": self.base["st"],
            "canonical": self.canonical(rel.removesuffix("index.html")),
            "og_title": heading,
            "og_type": "website",
            "description": "",
            "heading": heading,
            "entries": [self.entry(p) for p in chunk],
            "pager": {
                "n": n,
                "total": total,
                "newer": href(n - 1) if n > 1 else "",
                "older": href(n + 1) if n < total else "",
            },
        }

    def listing_pages(self, posts: list[PlannedPost]) -> Iterator[Page]:
        st = self.base["st"]
        yield from self.listing("", self.site.settings.title, posts)
        by_tag: dict[str, list[PlannedPost]] = {}
        names: dict[str, set[str]] = {}
        for post in posts:
            for slug, name in post.tags:
                by_tag.setdefault(slug, []).append(post)
                names.setdefault(slug, set()).add(name)
        tags: list[dict[str, Any]] = []
        for slug in sorted(by_tag):
            name = sorted(names[slug])[0]
            tags.append({"slug": slug, "name": name, "count": len(by_tag[slug])})
            yield from self.listing(f"tags/{slug}/", st["tagged"].format(tag=name), by_tag[slug])
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
        key = digest([self.base_key, tags])
        yield Page("tags/index.html", key, lambda: self.page("tags.html", context))
        # A 404 page is shown at any address, so its links start from the site's root path.
        root404 = (urlparse(self.base_url).path or "/") if self.base_url else "/"
        context404 = {
            "root": root404,
            "page_lang": self.chrome_lang,
            "t": st,
            "canonical": "",
            "og_title": "",
            "og_type": "website",
            "description": "",
        }
        yield Page("404.html", self.base_key, lambda: self.page("404.html", context404))

    # ---- static files and media ---------------------------------------------------------

    def static_pages(self) -> Iterator[Page]:
        files = theme_files(self.site.templates_dir)
        for name, rel in STATIC_FILES.items():
            data = files[name].read_bytes()
            yield Page(rel, hashlib.sha256(data).hexdigest(), functools.partial(bytes, data))

    def plan_media(self, trust: dict[str, str]) -> tuple[set[str], list[tuple[str, Path, Path]]]:
        """Media files to copy into the export: (all found, those to copy now). Regular files
        only: links leading out of media/ are refused."""
        found: set[str] = set()
        pending: list[tuple[str, Path, Path]] = []
        media_dir = self.site.media_dir
        if not media_dir.is_dir():
            return found, pending
        if media_dir.is_symlink():
            real = Path(os.path.realpath(media_dir))
            root = Path(os.path.realpath(self.site.root))
            if not real.is_relative_to(root) or real.relative_to(root).parts[:1] in (
                (".hkcms",),
                (".git",),
            ):
                self.report.warnings.append(
                    f"{media_dir}: a symbolic link to {real}, outside the site's media; "
                    "nothing in it was copied"
                )
                return found, pending
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
                if trust.get(rel) == key and dest.is_file():
                    self.report.skipped += 1
                else:
                    pending.append((rel, src, dest))
        return found, pending

    def check_media(self, posts: list[PlannedPost], media: set[str]) -> None:
        for post in posts:
            for ref in post.media:
                if ref not in media:
                    self.report.warnings.append(
                        f"{post.info.path}: image or file {ref!r} not found in media/"
                    )

    # ---- cleaning up --------------------------------------------------------------------

    def remove_stale(self, old_pages: dict[str, str]) -> None:
        """Delete files an earlier export wrote that no longer belong (deleted or renamed posts
        and tags); only files listed in the manifest are ever removed."""
        stale = set(old_pages) - set(self.planned)
        if not stale:
            return
        folders: set[Path] = set()
        for rel in sorted(stale):
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
        self.journal_dirty = True


def _start_making_folders(folders: list[str]) -> threading.Thread:
    """Create folders on a background thread; the caller joins it when done."""
    maker = threading.Thread(target=_make_folders, args=(folders,), daemon=True)
    maker.start()
    return maker


def _make_folders(folders: list[str]) -> None:
    for folder in folders:
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError:
            return  # the workers create what is missing and report real errors


def _neighbour(post: PlannedPost | None) -> dict[str, str] | None:
    if post is None:
        return None
    return {"slug": post.slug, "title": post.info.title, "lang": post.lang}


def _nav_sig(post: PlannedPost | None) -> str:
    return "" if post is None else f"{post.slug}{SEP}{post.info.title}{SEP}{post.lang}"


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
    # One export at a time per site (the terminal app, `hkcms serve` and a cron job may meet).
    lock_path = site.state_dir / "locks" / "export.lock"
    try:
        make_dirs(lock_path.parent)
        mode = SHARED_FILE if is_shared(lock_path.parent) else PRIVATE_FILE
        lock = FileLock(str(lock_path), timeout=LOCK_TIMEOUT_S, mode=mode)
        lock.acquire()
    except Timeout as exc:
        raise ExportError(
            f"another export of this site has been running for {LOCK_TIMEOUT_S:.0f} s; "
            "try again when it has finished",
            lock_path,
        ) from exc
    except OSError as exc:
        raise ExportError(f"cannot take the export lock: {exc.strerror}", lock_path) from exc
    # The export is the one thing a web server must read: world-readable, and group-writable
    # in a shared site (so that any member can export again), whatever the umask.
    shared = is_shared(target if target.exists() else target.parent)
    old_umask = os.umask(0o002 if shared else 0o022)
    try:
        return _Build(site, target, full=full, drafts=drafts, base_url=url, progress=progress).run()
    except OSError as exc:
        where = exc.filename or target
        raise ExportError(f"cannot write the export: {exc.strerror or exc}", where) from exc
    finally:
        os.umask(old_umask)
        lock.release()
