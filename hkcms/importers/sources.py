"""The import sources the CLI and the TUI offer: one `register(Source(...))` per importer."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from hkcms.core.errors import UsageError
from hkcms.core.import_records import ImportedPost, ImportWarning

Records = Callable[[argparse.Namespace, list[ImportWarning]], Iterator[ImportedPost]]


@dataclass(frozen=True)
class Source:
    """One `hkcms import <name> …` sub-command."""

    name: str
    help: str
    target: str  # metavar of the file/folder/URL argument, e.g. "FILE.xml"
    module: str  # importer module exposing read(src, warnings) (and optionally estimate(src))
    media: bool = False  # takes --media DIR (a local copy of the old site's images)
    download: bool = True  # takes --download (fetch images from the old host)
    target_optional: bool = False  # e.g. wix: DIR, or --site-id with the API
    configure: Callable[[argparse.ArgumentParser], None] | None = None  # extra options
    records: Records | None = None  # how to read when not simply read(Path(target), warnings)

    def open(
        self, args: argparse.Namespace, warnings: list[ImportWarning]
    ) -> Iterator[ImportedPost]:
        """The records named by the parsed arguments."""
        if self.records is not None:
            return self.records(args, warnings)
        if not args.src:
            raise UsageError(f"hkcms import {self.name} needs {self.target}")
        reader = importlib.import_module(self.module)
        return reader.read(Path(args.src), warnings)  # type: ignore[no-any-return]

    def estimate(self, target: str) -> int | None:
        """How many posts the source holds, if the importer can tell quickly (progress bars)."""
        reader = importlib.import_module(self.module)
        counter = getattr(reader, "estimate", None)
        if counter is None or not target:
            return None
        try:
            return int(counter(Path(target)))
        except (OSError, ValueError, TypeError):
            return None


SOURCES: dict[str, Source] = {}


def register(source: Source) -> None:
    SOURCES[source.name] = source


def _feed_records(
    args: argparse.Namespace, warnings: list[ImportWarning]
) -> Iterator[ImportedPost]:
    import hkcms.importers.feed as feed

    if not args.src:
        raise UsageError("hkcms import feed needs FILE or URL")
    target = str(args.src)
    if target.lower().startswith(("http://", "https://")):
        return feed.read_url(target, warnings)
    return feed.read(Path(target), warnings)


register(
    Source(
        "wordpress",
        "a WordPress or WordPress.com export (WXR 1.0-1.2, Tools → Export)",
        "FILE.xml",
        "hkcms.importers.wordpress",
        media=True,
    )
)
register(
    Source(
        "feed",
        "an RSS 2.0 or Atom feed, from a file or an http(s) URL",
        "FILE|URL",
        "hkcms.importers.feed",
        records=_feed_records,
    )
)


def _wix_records(args: argparse.Namespace, warnings: list[ImportWarning]) -> Iterator[ImportedPost]:
    import hkcms.importers.wix as wix

    return wix.records(args, warnings)


def _wix_options(parser: argparse.ArgumentParser) -> None:
    import hkcms.importers.wix as wix

    wix.configure(parser)


register(
    Source(
        "wix",
        "a Wix blog: a folder of saved API answers, or live with --site-id and --api-key-env",
        "DIR",
        "hkcms.importers.wix",
        target_optional=True,
        configure=_wix_options,
        records=_wix_records,
    )
)
register(
    Source(
        "jekyll",
        "a Jekyll site folder (_posts/ and _drafts/)",
        "DIR",
        "hkcms.importers.jekyll",
        download=False,
    )
)
register(
    Source(
        "hugo",
        "a Hugo site folder (content/, with page bundles)",
        "DIR",
        "hkcms.importers.hugo",
        download=False,
    )
)
