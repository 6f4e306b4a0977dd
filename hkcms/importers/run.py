"""One import run, shared by the CLI and the TUI: read, bring images in, store, report."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from hkcms.core.errors import HkcmsError
from hkcms.core.import_records import ImportWarning
from hkcms.core.importing import Importer, ImportReport
from hkcms.core.site import Site
from hkcms.importers.media import MediaCollector, MediaOptions
from hkcms.importers.sources import Source

Progress = Callable[[int, "int | None"], None]  # (posts read, posts expected or None)


def run_import(
    site: Site, source: Source, args: argparse.Namespace, *, progress: Progress | None = None
) -> ImportReport:
    """Import what `args` names (src, dry_run, and media/download where the source has them)."""
    warnings: list[ImportWarning] = []
    local = getattr(args, "media", None)
    options = MediaOptions(
        local_dir=Path(local).expanduser() if local else None,
        download=bool(getattr(args, "download", False)),
        dry_run=bool(args.dry_run),
        allow_private=bool(getattr(args, "allow_private_media", False)),
    )
    if options.local_dir is not None and not options.local_dir.is_dir():
        raise HkcmsError("is not a folder (--media wants the old site's uploads folder)", local)
    importer = Importer(site, source.name, dry_run=options.dry_run)
    media = MediaCollector(site, source.name, options, importer.report)
    total = source.estimate(str(getattr(args, "src", "") or ""))
    done = 0
    for record in source.open(args, warnings):
        importer.add(media.process(record, warnings))
        done += 1
        if progress is not None:
            progress(done, total)
    report = importer.finish()
    importer.add_warnings(warnings)
    remote = media.remote_warning()
    if remote is not None:
        report.warn(remote)
    return report


def _n(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def report_lines(report: ImportReport) -> list[str]:
    """The report in words (the CLI and the TUI show the same lines)."""
    p, c, m = report.posts, report.comments, report.media
    head = "Dry run (nothing written): " if report.dry_run else ""
    lines = [
        f"{head}imported from {report.source}",
        f"posts: {p['created']:,} created, {p['updated']:,} updated, "
        f"{p['unchanged']:,} unchanged, {p['skipped']:,} skipped",
        f"comments: {c['approved']:,} approved, {c['pending']:,} pending "
        f"(waiting for moderation), {c['skipped']:,} skipped",
        f"images: {m['copied']:,} copied, {m['downloaded']:,} downloaded, {m['missing']:,} missing",
        f"old addresses kept as aliases: {report.redirects:,}",
    ]
    if report.warnings:
        lines.append(f"{_n(len(report.warnings), 'warning')}:")
        lines += [f"  {w}" for w in report.warnings]
    return lines
