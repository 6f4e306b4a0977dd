"""`hkcms import <source> …`: bring a whole blog in from WordPress, a feed (and other sources)."""

from __future__ import annotations

import argparse
import sys
import time

from hkcms.commands.common import open_site, print_json
from hkcms.core.inert import inert
from hkcms.core.wording import count
from hkcms.importers.run import report_lines, run_import
from hkcms.importers.sources import SOURCES, Source

ORDER = 70
BAR_WIDTH = 30


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("import", help="import a blog: wordpress, feed, …")
    isub = parser.add_subparsers(dest="import_source", metavar="SOURCE", required=True)
    for source in SOURCES.values():
        p = isub.add_parser(source.name, help=source.help, description=source.help)
        p.add_argument("src", metavar=source.target, nargs="?" if source.target_optional else None)
        if source.media:
            p.add_argument("--media", metavar="DIR", help="a local copy of the old site's images")
        if source.download:
            p.add_argument("--download", action="store_true", help="fetch images from the old site")
        p.add_argument("--dry-run", action="store_true", help="report what would change only")
        p.add_argument("--json", action="store_true", help="print the report as JSON")
        if source.configure is not None:
            source.configure(p)
        p.set_defaults(handler=cmd_import, import_spec=source)


class ProgressBar:
    """A progress bar on stderr, drawn only on a terminal, at most ten times a second."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.enabled = sys.stderr.isatty()
        self.last = 0.0
        self.drawn = False

    def __call__(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.last < 0.1:
            return
        self.last = now
        if total:
            filled = min(BAR_WIDTH, BAR_WIDTH * done // max(total, 1))
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            text = f"\r{self.label} [{bar}] {done:,}/{count(total, 'post')}"
        else:
            text = f"\r{self.label}: {count(done, 'post')} read"
        sys.stderr.write(text)
        sys.stderr.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def cmd_import(args: argparse.Namespace) -> int:
    source: Source = args.import_spec
    site = open_site(args)
    bar = ProgressBar(f"importing from {source.name}")
    try:
        report = run_import(site, source, args, progress=bar)
    finally:
        bar.close()
    if args.json:
        print_json(report.to_dict())
    else:
        for line in report_lines(report):
            print(inert(line))
    return 0
