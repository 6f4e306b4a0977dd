"""Slug rules: turn any title (Chinese included) into a safe file name, and validate given slugs."""

from __future__ import annotations

import re
import unicodedata

from hkcms.core.errors import SlugError

MAX_SLUG_LENGTH = 80  # characters, for readable URLs
# File names are limited to 255 *bytes* (a Chinese character takes 3). 200 leaves room for the
# longest name made from a slug: a trashed post's `<stamp>-<slug>.meta.json` (slug + 32 bytes).
MAX_SLUG_BYTES = 200
_RESERVED = {
    "con", "prn", "aux", "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
    "index", "page", "tags", "posts", "assets", "media", "feed", "sitemap",
}  # fmt: skip
# A slug is lowercase letters/digits of any script, joined by single hyphens.
_SLUG_RE = re.compile(r"^[^\W_](?:[^\W_]|-(?=[^\W_]))*$")


def slugify(title: str) -> str:
    """Make a slug from a title: keeps CJK characters, folds Latin accents, hyphenates the rest."""
    text = unicodedata.normalize("NFKC", title).lower()
    out: list[str] = []
    for char in text:
        if char.isalnum() and not _is_mark_or_control(char):
            decomposed = unicodedata.normalize("NFKD", char)
            ascii_part = decomposed.encode("ascii", "ignore").decode()
            out.append(ascii_part if ascii_part.isalnum() else char)
        else:
            out.append("-")
    slug = re.sub(r"-+", "-", "".join(out)).strip("-")
    slug = _truncate(slug)
    if not slug:
        slug = "post"
    if slug in _RESERVED:
        slug = f"{slug}-post"
    return slug


def _is_mark_or_control(char: str) -> bool:
    return unicodedata.category(char)[0] in {"M", "C"}


def _truncate(slug: str, max_bytes: int = MAX_SLUG_BYTES) -> str:
    """Cut to MAX_SLUG_LENGTH characters and `max_bytes` UTF-8 bytes, at a hyphen if one is near."""
    cut = slug[:MAX_SLUG_LENGTH]
    while len(cut.encode("utf-8", "surrogatepass")) > max_bytes:
        cut = cut[:-1]
    if cut == slug:
        return slug
    if "-" in cut[len(cut) // 2 :]:
        cut = cut[: cut.rfind("-")]
    return cut.strip("-")


def validate_slug(slug: str) -> str:
    """Return the slug if it is safe as a file and URL name; raise SlugError saying why if not."""
    if not slug:
        raise SlugError("a slug cannot be empty")
    if "\x00" in slug:
        raise SlugError("a slug cannot contain a NUL character")
    if any("\ud800" <= ch <= "\udfff" for ch in slug):
        raise SlugError("the name is not valid UTF-8 text (it has bytes no text encoding explains)")
    if "/" in slug or "\\" in slug or slug.startswith(("..", ".")) or ".." in slug:
        raise SlugError(f"slug {slug!r} may not contain '/', '\\' or '..', or start with '.'")
    if len(slug) > MAX_SLUG_LENGTH or len(slug.encode()) > MAX_SLUG_BYTES:
        raise SlugError(
            f"slug {slug[:20]!r}… is too long (at most {MAX_SLUG_LENGTH} characters "
            f"and {MAX_SLUG_BYTES} bytes; a Chinese character takes 3)"
        )
    if unicodedata.normalize("NFC", slug) != slug:
        raise SlugError(f"slug {slug!r} is not in Unicode normal form (NFC)")
    if slug.lower() in _RESERVED or slug.split(".")[0].lower() in _RESERVED:
        raise SlugError(f"slug {slug!r} is a reserved name; choose another")
    if slug != slug.lower() or not _SLUG_RE.match(slug):
        raise SlugError(
            f"slug {slug!r} must be lowercase letters or digits (any script) "
            "joined by single hyphens, e.g. 'spring-rally' or '二零二六-集會'"
        )
    return slug


def unique_slug(base: str, taken: set[str]) -> str:
    """Append -2, -3, … until the slug is free (shortening `base` so the result fits the limits)."""
    if base not in taken:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        room = MAX_SLUG_BYTES - len(suffix)
        stem = _truncate(base[: MAX_SLUG_LENGTH - len(suffix)], room) or "post"
        if f"{stem}{suffix}" not in taken:
            return f"{stem}{suffix}"
        n += 1
