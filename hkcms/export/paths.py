"""Safe output paths and URLs: nothing a slug or tag contains can leave the output folder."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from urllib.parse import quote

from hkcms.core.errors import HkcmsError
from hkcms.core.slugs import slugify

_BAD_PART = re.compile(r"[\x00-\x1f\x7f\\]")


class ExportError(HkcmsError):
    """The export cannot be written (unsafe output folder, bad path, unwritable file)."""


def check_relpath(rel: str) -> str:
    """A relative output path made of plain names: no '..', no absolute, no control characters."""
    parts = rel.split("/")
    if (
        not rel
        or rel.startswith("/")
        or any(p in ("", ".", "..") or _BAD_PART.search(p) for p in parts)
    ):
        raise ExportError(f"refusing unsafe output path {rel!r}")
    return rel


def safe_join(root: Path, rel: str) -> Path:
    """Join a relative output path to the output folder; the result is always inside it."""
    path = root.joinpath(*check_relpath(rel).split("/"))
    real_root = os.path.realpath(root)
    parent = os.path.realpath(path.parent)
    if parent != real_root and not parent.startswith(real_root + os.sep):
        raise ExportError(f"output path {rel!r} leads outside the output folder", root)
    return path


def tag_slug(tag: str) -> str:
    """URL name of a tag (Chinese kept, case folded, punctuation hyphenated)."""
    return slugify(unicodedata.normalize("NFC", tag))


def url_path(rel: str) -> str:
    """Percent-encode a site-relative path for use in a URL (Chinese slugs included)."""
    return quote(rel, safe="/-._~")


def relative_prefix(rel_file: str) -> str:
    """The '../' prefix that leads from an output file back to the site root."""
    depth = rel_file.count("/")
    return "../" * depth if depth else "./"
