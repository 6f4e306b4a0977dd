"""ExportSettings: everything an export reads from hkcms.toml and its options, typed, read once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from hkcms.core.errors import HkcmsError
from hkcms.core.lang import normalise_lang
from hkcms.core.site import Site


@dataclass(frozen=True)
class ExportSettings:
    """The site's settings as the export uses them; nothing else reads hkcms.toml."""

    title: str
    description: str
    base_url: str  # "" or an http(s) address ending in "/"
    language: str  # the site's default language (BCP 47), its pages at the root
    timezone: str  # the zone's name (part of every page's key)
    zone: dt.tzinfo
    posts_per_page: int
    feed_entries: int
    drafts: bool
    templates_dir: Path
    strings_dir: Path

    @classmethod
    def of(cls, site: Site, *, base_url: str | None = None, drafts: bool = False) -> ExportSettings:
        settings = site.settings
        return cls(
            title=settings.title,
            description=settings.description,
            base_url=normalise_base_url(settings.base_url if base_url is None else base_url),
            language=normalise_lang(settings.language),
            timezone=settings.timezone,
            zone=settings.zone,
            posts_per_page=settings.posts_per_page,
            feed_entries=settings.feed_entries,
            drafts=drafts,
            templates_dir=site.templates_dir,
            strings_dir=site.root / "strings",
        )

    @property
    def templates(self) -> str | None:
        """The site's templates folder, when it has one (for the Jinja2 loader)."""
        return str(self.templates_dir) if self.templates_dir.is_dir() else None

    @property
    def root_path(self) -> str:
        """The site's path on its host ('/' or '/blog/'): where a 404 page's links start."""
        return (urlparse(self.base_url).path or "/") if self.base_url else "/"


def normalise_base_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise HkcmsError(f"base_url {url!r} must be an http:// or https:// address")
    return url if url.endswith("/") else url + "/"
