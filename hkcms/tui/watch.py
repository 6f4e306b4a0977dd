"""A cheap signature of what the posts list shows: post files, leases and metadata summaries."""

from __future__ import annotations

import os
import zlib
from pathlib import Path

from hkcms.core.site import Site


def _folder_signature(folder: Path, suffix: str) -> int:
    parts: list[str] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if not entry.name.endswith(suffix):
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                parts.append(f"{entry.name}\0{st.st_mtime_ns}\0{st.st_size}")
    except OSError:
        return 0
    parts.sort()
    return zlib.crc32("\n".join(parts).encode("utf-8", "surrogateescape"))


def disk_signature(site: Site) -> int:
    """Changes when a post file, a lease or a metadata summary changes (stat calls only)."""
    state = site.state_dir
    return hash(
        (
            _folder_signature(site.posts_dir, ".md"),
            _folder_signature(state / "leases", ".json"),
            _folder_signature(state / "meta", ".json"),
        )
    )
