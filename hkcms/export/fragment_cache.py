"""Rendered post bodies kept by content under .hkcms/cache/fragments/, so `export --full`, a new
output folder or a theme change renders no Markdown for a body it has rendered before.

An entry is the sanitised HTML of one body, named by a hash of the body and of everything that
shapes that HTML (FRAGMENT_VERSION: parser, plugins, sanitiser); zlib keeps 10,000 entries near
30 MB. Writes are atomic (temp file, rename) but not synced: a lost or damaged entry is only a
miss, and reads check the entry's length and compression before trusting it.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from pathlib import Path

LEVEL = 1  # fast; the entries are small and read far more often than written


class FragmentCache:
    """Content-addressed sanitised HTML of post bodies."""

    def __init__(self, root: Path | str, version: str) -> None:
        self.root = Path(root)
        self.version = version

    def path(self, body: str) -> Path:
        digest = hashlib.sha256(f"{self.version}\0{body}".encode()).hexdigest()
        return self.root / digest[:2] / digest[2:]

    def get(self, body: str) -> str | None:
        try:
            with open(self.path(body), "rb") as handle:
                data = handle.read()
            return zlib.decompress(data).decode("utf-8")
        except (OSError, zlib.error, UnicodeDecodeError):
            return None

    def put(self, body: str, html: str) -> None:
        path = self.path(body)
        tmp = path.parent / f".hkcms-tmp-{os.getpid()}-{os.urandom(4).hex()}"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "xb") as handle:
                handle.write(zlib.compress(html.encode("utf-8"), LEVEL))
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)  # a full disk or read-only cache: only a miss later
