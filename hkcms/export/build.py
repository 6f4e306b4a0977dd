"""The incremental, deterministic static build (read → plan → render → write); export_site
(run.py) runs it.

The pages come from page sources (hkcms/export/sources/): each yields its pages with the inputs
they show; the key of a page is derived from those inputs, the theme and the settings, so a page
is rewritten exactly when something it shows changed."""

from __future__ import annotations

import itertools
import os
import shutil
import stat
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hkcms.core.site import Site
from hkcms.core.stamps import stamps_of
from hkcms.export import memo
from hkcms.export.context import BuildContext
from hkcms.export.fragment_cache import Entry, FragmentCache
from hkcms.export.images import MediaPlan
from hkcms.export.images import plan_media as plan_media_files
from hkcms.export.manifest import Manifest
from hkcms.export.paths import (
    ExportError,
    check_relpath,
    forget_checked_dirs,
    safe_join,
)
from hkcms.export.plan import Page, PlannedPost, PostPage, digest_text
from hkcms.export.render import (
    FRAGMENT_VERSION,
    STAGING,
    PageTask,
    PostResult,
    PostTask,
    WorkerConfig,
    forget_folders,
    fragments_path,
    init_worker,
    render_chunk,
    write_if_changed,
)
from hkcms.export.report import ExportReport
from hkcms.export.run import export_site
from hkcms.export.settings import ExportSettings, normalise_base_url
from hkcms.export.sources import PageSource, default_sources

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

__all__ = ["ExportReport", "export_site", "normalise_base_url"]

Progress = Callable[[int, int], None]
WORKERS = 2
POOL_THRESHOLD = 48  # below this many post pages, starting worker processes costs more
CHUNK = 32
STALL_S = 300.0  # a chunk takes well under a second; this long means the workers are stuck
IN_FLIGHT = 3 * WORKERS  # chunks sent ahead, so a worker never waits for the next
# Posts rendered in one run (or a quarter of the site) from which the whole fragment cache
# is pruned (50 ms at 10,000 posts); a smaller run prunes the old bodies of what it rendered.
PRUNE_ALL_AT = 500
STORE_BATCH = 512  # rendered bodies written to the fragment cache per transaction


class _Build:
    """One export run: asks the page sources for their pages, writes those whose key changed."""

    def __init__(
        self,
        site: Site,
        out: Path,
        settings: ExportSettings,
        *,
        full: bool,
        progress: Progress | None,
        sources: list[PageSource] | None = None,
    ) -> None:
        self.site = site
        self.out = out
        self.full = full
        self.progress = progress
        self.report = ExportReport(out=out)
        self.ctx = BuildContext(site, settings, out, self.report)
        self.sources = default_sources() if sources is None else sources
        self.planned: dict[str, str] = {}
        self.done = 0
        self.total = 1
        self.config = WorkerConfig(
            str(out), settings.templates, self.ctx.base, self.ctx.jinja_cache
        )
        self.pool: ProcessPoolExecutor | None = None
        self.media = MediaPlan()
        self.unimaged: dict[str, str] = {}  # slug → post page key before its images are added

    def run(self) -> ExportReport:
        try:
            report = self._run()
        except BaseException:
            if self.pool is not None:
                # Stuck or broken workers must not hold the caller (the TUI) on its way out.
                # The executor has no public way to stop its processes before Python 3.14.
                for process in list(getattr(self.pool, "_processes", {}).values()):
                    process.kill()
                self.pool.shutdown(wait=False, cancel_futures=True)
            raise
        if self.pool is not None:
            self.pool.shutdown(wait=True)
        return report

    def key_of(self, source: PageSource, page: Page | PostPage) -> str:
        return digest_text(self.ctx.base_key, source.name, page.rel, *page.inputs)

    def _run(self) -> ExportReport:
        started = time.monotonic()
        old = Manifest.load(self.out)
        trusted = old is not None and not self.full and old.version == FRAGMENT_VERSION
        old_pages = old.pages if old else {}
        trust = old_pages if trusted else {}
        sources = old.sources if old and trusted else {}
        media = old.media if old and trusted else {}
        self.journal = Manifest(
            dict(old_pages), dict(sources), False, FRAGMENT_VERSION, dict(media),
            drafts=self.ctx.settings.drafts or bool(old and old.drafts),
        )  # fmt: skip
        self.journal_dirty = old is None or not old.complete
        memo.forget(self.site, self.out)
        self.out.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.out / STAGING, ignore_errors=True)
        forget_folders()
        forget_checked_dirs()

        if not trusted:
            self.warm_workers()
        lap = time.monotonic()
        self.ctx.previous_pages = old_pages
        posts = self.ctx.read_posts()
        for source in self.sources:
            source.generate_context(self.ctx)
        self.config.base = self.ctx.base  # known once the posts are read (languages, menu)
        self.report.posts = len(posts)
        lap = self.phase("scan", lap)
        # Images first: the post pages point at their variants (hkcms/export/images.py).
        media_stamps = memo.media_stamps(self.site.media_dir)  # before they are read
        self.media = plan_media_files(self.site.media_dir, self.site.state_dir, self.progress)
        self.report.warnings.extend(self.media.warnings)
        self.report.images = self.media.processed
        self.config.images = self.media.images
        lap = self.phase("images", lap)

        # Every page's key is known before anything is written (lists of posts are keyed by
        # the posts' hashes, not by their excerpts), so one journal covers the whole run.
        tasks: list[PostTask] = []
        post_pages: list[PlannedPost] = []
        changed: list[Page] = []
        for source in self.sources:
            for page in source.generate_output(self.ctx):
                page.key = self.key_of(source, page)
                if isinstance(page, PostPage):
                    page.key = self.with_images(page, sources, media)
                check_relpath(page.rel)
                self.planned[page.rel] = page.key
                self.ctx.claim(page.rel)
                if isinstance(page, PostPage):
                    post_pages.append(page.post)
                    task = self.post_task(page, sources, trust)
                    if task is not None:
                        tasks.append(task)
                elif trust.get(page.rel) == page.key and self.on_disk(page.rel):
                    self.report.skipped += 1
                else:
                    changed.append(page)
        lap = self.phase("plan", lap)
        media_found, media_pending = self.plan_media(trust)
        self.total = len(tasks) + len(changed) + 1
        lap = self.phase("plan_pages", lap)
        pending = [t.rel for t in tasks] + [p.rel for p in changed] + [m[0] for m in media_pending]
        if pending:
            # A page about to be rewritten no longer vouches for its source either: were this
            # run killed, its body must not be reused for a post whose text went back.
            for task in tasks:
                self.journal.sources.pop(task.slug, None)
            self.mark_unknown(pending)

        planned_warnings = len(self.report.warnings)
        self.render(tasks, post_pages)
        rendered_warnings = len(self.report.warnings)
        lap = self.phase("posts", lap)
        for _, src, dest in media_pending:
            self.count(write_if_changed(self.out, dest, src.read_bytes()))
        self.check_media(post_pages, media_found)
        # What an export with nothing to write would warn about: not a page's own rendering.
        warnings = (
            self.report.warnings[:planned_warnings] + self.report.warnings[rendered_warnings:]
        )
        clean = planned_warnings == rendered_warnings
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
            {p.slug: p.hash for p in post_pages if p.rel in self.planned},
            True,
            FRAGMENT_VERSION,
            {p.slug: p.media for p in post_pages if p.media and p.rel in self.planned},
            drafts=self.ctx.settings.drafts,
        )
        if self.journal_dirty or old is None or not final.same_as(old):
            final.save(self.out)
        shutil.rmtree(self.out / STAGING, ignore_errors=True)
        if clean:
            self.remember(media_stamps, warnings)
        self.phase("finish", lap)
        self.report.seconds = time.monotonic() - started
        self.done = self.total
        self.tick(self.total)
        return self.report

    def fragment_cache(self) -> FragmentCache | None:
        """The cache of rendered bodies, opened (and started again if damaged) before the
        workers use it; the folder of one file an entry that it replaced is deleted."""
        path = fragments_path(self.config)
        if path is None:
            return None
        shutil.rmtree(Path(path).parent / "fragments", ignore_errors=True)
        cache = FragmentCache(path, FRAGMENT_VERSION)
        cache.ready()  # opened here first: a damaged file is started again before any worker
        return cache

    def remember(self, media_stamps: list[str], warnings: list[str]) -> None:
        """Write the memo of this export (memo.py) when the next one, with nothing changed,
        would write nothing: every page current, no post read through a link, no page left
        out for a file the export did not write."""
        ctx, scan = self.ctx, self.ctx.scan
        if scan is None or not scan.shards or ctx.foreign:
            return
        stamps = stamps_of(scan.stats)
        if stamps is None:
            return  # a post is a link: its target may change without its stamp changing
        if not all(self.planned.values()):
            return  # a page to write again (its post changed while it was rendered)
        meta = ctx.store.meta
        memo.save(
            self.site,
            self.out,
            ctx.settings,
            today=ctx.today,
            theme=ctx.theme_key,
            strings=ctx.strings_key,
            stamps=stamps,
            shards={str(meta.meta_dir / name): key for name, key in scan.shards.items()},
            commented=ctx.commented,
            media=media_stamps,
            journal=str(meta.journal.folder),
            rels=list(self.planned),
            posts=self.report.posts,
            warnings=warnings,
        )

    def post_task(
        self,
        page: PostPage,
        sources: dict[str, str],
        trust: dict[str, str],
    ) -> PostTask | None:
        """The task that renders a post page, or None when the page on disk is current."""
        post = page.post
        current = sources.get(post.slug) == post.hash
        if current:  # (its media, as last rendered, were set by with_images)
            if trust.get(page.rel) == page.key and self.on_disk(page.rel):
                self.report.skipped += 1
                return None
        source = str(self.site.post_path(post.slug))
        return PostTask(post.slug, source, page.rel, page.context(), current, post.root)

    def on_disk(self, rel: str) -> bool:
        """Whether the page is in the output folder (os.path.isfile, without its joins)."""
        try:
            return stat.S_ISREG(os.stat(f"{self.out}/{rel}").st_mode)
        except (OSError, ValueError):
            return False

    def with_images(
        self, page: PostPage, sources: dict[str, str], media: dict[str, list[str]]
    ) -> str:
        """A post page shows its images too: its key is completed with theirs, as known from
        its last render (and again after this run renders it, see render())."""
        post = page.post
        if sources.get(post.slug) == post.hash:
            post.media = list(media.get(post.slug, []))
        self.unimaged[post.slug] = page.key
        return self.imaged_key(post)

    def imaged_key(self, post: PlannedPost) -> str:
        return digest_text(self.unimaged[post.slug], self.media.sig(post.media))

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
        if not tasks:
            return
        by_slug = {p.slug: p for p in posts}
        fragments = self.fragment_cache()
        fresh: list[Entry] = []  # bodies rendered from Markdown, stored many at a time
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
            if result.cached is not None and fragments is not None:
                fresh.append(result.cached)
                if len(fresh) >= STORE_BATCH:
                    fragments.store(fresh)
                    fresh.clear()
            post.excerpt = result.excerpt
            if not result.reused:
                post.media = result.media
                self.planned[post.rel] = self.imaged_key(post)
            if result.hash != post.hash:
                # The file changed while we exported: make the next run look at it again.
                self.planned[post.rel] = ""
                post.hash = result.hash
        if maker is not None:
            maker.join()
        if fragments is not None:
            fragments.store(fresh)
            large = len(tasks) >= min(PRUNE_ALL_AT, len(posts) // 4)
            fragments.prune((t.slug for t in tasks), [p.slug for p in posts] if large else None)
            fragments.close()

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
        # Only a large export needs the worker processes.
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
        from concurrent.futures.process import BrokenProcessPool

        if self.pool is None:
            # forkserver: workers never inherit the threads of a caller such as the TUI. An
            # executor, not multiprocessing.Pool: a worker that dies (killed, out of memory)
            # breaks it with an error, where a Pool would wait for its results for ever.
            self.pool = ProcessPoolExecutor(
                WORKERS,
                mp_context=_worker_context(),
                initializer=init_worker,
                initargs=(self.config,),
            )
        iterator = iter(tasks)
        running: set[Future[list[PostResult | bool]]] = set()
        try:
            while True:
                while len(running) < IN_FLIGHT and (
                    chunk := list(itertools.islice(iterator, CHUNK))
                ):
                    running.add(self.pool.submit(render_chunk, chunk))
                if not running:
                    return
                done, running = wait(running, timeout=STALL_S, return_when=FIRST_COMPLETED)
                if not done:
                    raise ExportError(
                        f"the export's worker processes gave no page for {STALL_S:.0f} s; the "
                        "pages written so far are kept: run the export again",
                        self.out,
                    )
                for future in done:
                    for result in future.result():
                        yield result
                        self.tick()
        except BrokenProcessPool as exc:  # from a result, or from the next chunk sent
            raise ExportError(
                "a worker process of the export stopped (killed, or out of memory?); "
                "the pages written so far are kept: run the export again",
                self.out,
            ) from exc

    def warm_workers(self) -> None:
        """Before a run that renders every page: the process the workers are forked from
        starts now and loads the renderer on the other core while this one reads the posts."""
        try:
            with os.scandir(self.site.posts_dir) as entries:
                if sum(1 for _ in itertools.islice(entries, POOL_THRESHOLD)) < POOL_THRESHOLD:
                    return  # a small site renders in this process
        except OSError:
            return  # the scan names the problem
        import multiprocessing.forkserver

        _worker_context()
        multiprocessing.forkserver.ensure_running()

    def plan_media(self, trust: dict[str, str]) -> tuple[set[str], list[tuple[str, Path, Path]]]:
        """Media files to write into the export: (sources found, those to write now). What is
        published, and how, is decided by images.plan_media."""
        pending: list[tuple[str, Path, Path]] = []
        for rel, key, src in self.media.outputs:
            try:
                check_relpath(rel)
            except ExportError as exc:
                self.report.warnings.append(f"media file skipped: {exc}")
                continue
            self.planned[rel] = key
            dest = safe_join(self.out, rel)
            if trust.get(rel) == key and dest.is_file():
                self.report.skipped += 1
            else:
                pending.append((rel, src, dest))
        return set(self.media.keys), pending

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


def _worker_context() -> Any:
    """The forkserver start method, its server preloading the renderer."""
    import multiprocessing

    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["hkcms.export.render"])
    return ctx


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


def build(
    site: Site, target: Path, settings: ExportSettings, *, full: bool, progress: Progress | None
) -> ExportReport:
    """Export the site into `target` (absolute, checked, locked by the caller: run.py)."""
    return _Build(site, target, settings, full=full, progress=progress).run()
