"""Importers: one module per source turns an old blog's files into plain ImportedPost records.

The reader interface every source module exposes (the CLI and the TUI only call this):

    def read(src: Path, warnings: list[ImportWarning]) -> Iterator[ImportedPost]

`src` is the file or folder the user named. Records are yielded one at a time (a 500 MB export
never sits in memory); anything that cannot be brought across as it was is appended to
`warnings` (and the record skipped, if it is unusable), never raised, except a source that
cannot be read at all: that raises `HkcmsError` naming the file (and line). Bodies are Markdown
(see `html_to_markdown`), never hard-wrapped; image URLs the body refers to are listed in
`ImportedPost.media` exactly as written in the body, so that `importers.media` can copy or
download them and rewrite the links; local files (Hugo bundles, Jekyll assets) are also
named in `ImportedPost.media_files` (reference → absolute path) and copied. No importer
touches the network unless told to (the Wix live reader,
`read_api(site_id, api_key, warnings, *, base_url=...)`, and `feed` given a URL).

Writing is the core's job: `hkcms.core.importing.Importer` stores the records (front matter,
history, comments, views, aliases) and makes re-imports idempotent.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from hkcms.core.import_records import ImportedPost, ImportWarning


class Reader(Protocol):
    """The `read` function of an importer module."""

    def __call__(self, src: Path, warnings: list[ImportWarning], /) -> Iterator[ImportedPost]: ...


__all__ = ["ImportWarning", "ImportedPost", "Reader"]
