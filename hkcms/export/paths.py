"""Safe output paths and URLs: nothing a slug or tag contains can leave the output folder."""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from hkcms.core.errors import HkcmsError
from hkcms.core.slugs import slugify

_BAD_PART = re.compile(r"[\x00-\x1f\x7f\\]")


class ExportError(HkcmsError):
    """The export cannot be written (unsafe output folder, bad path, unwritable file)."""


# Names of ASCII letters, digits and -._~ not starting with a dot: the common case, accepted
# without looking at each part (13,000 paths an export).
_PLAIN_REL = re.compile(r"(?:[A-Za-z0-9_~-][A-Za-z0-9._~-]*/)*[A-Za-z0-9_~-][A-Za-z0-9._~-]*")


def check_relpath(rel: str) -> str:
    """A relative output path made of plain names: no '..', no absolute, no control characters."""
    if _PLAIN_REL.fullmatch(rel):
        return rel
    parts = rel.split("/")
    if (
        not rel
        or rel.startswith("/")
        or any(p in ("", ".", "..") or _BAD_PART.search(p) for p in parts)
    ):
        raise ExportError(f"refusing unsafe output path {rel!r}")
    return rel


_plain_dirs: set[str] = set()


def safe_join(root: Path, rel: str) -> Path:
    """Join a relative output path to the output folder; the result is always inside it.

    The path holds no '..' (check_relpath), so only a symbolic link planted inside the output
    folder could lead out of it: every folder on the way is checked once with lstat."""
    parts = check_relpath(rel).split("/")
    current = str(root)
    for part in parts[:-1]:
        current = f"{current}/{part}"
        if current in _plain_dirs:
            continue
        try:
            info = os.lstat(current)
        except FileNotFoundError:
            break  # from here on the folders do not exist yet; the export creates them
        if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
            raise ExportError(f"output path {rel!r} leads outside the output folder", root)
        _plain_dirs.add(current)
    return root.joinpath(*parts)


def forget_checked_dirs() -> None:
    """Forget the folders checked by safe_join (called when an export starts)."""
    _plain_dirs.clear()


@lru_cache(maxsize=4096)
def tag_slug(tag: str) -> str:
    """URL name of a tag (Chinese kept, case folded, punctuation hyphenated)."""
    return slugify(unicodedata.normalize("NFC", tag))


_URL_SAFE = re.compile(r"[A-Za-z0-9/._~-]*")


def url_path(rel: str) -> str:
    """Percent-encode a site-relative path for use in a URL (Chinese slugs included)."""
    if _URL_SAFE.fullmatch(rel):
        return rel  # the common case, and quote() is slow enough to matter 10,000 times
    return quote(rel, safe="/-._~")
