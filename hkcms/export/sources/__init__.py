"""Page sources: each makes one kind of page and declares the inputs those pages show."""

from __future__ import annotations

from hkcms.export.sources.archive import ArchiveSource
from hkcms.export.sources.base import PageSource
from hkcms.export.sources.feeds import FeedSource
from hkcms.export.sources.listings import HomeSource
from hkcms.export.sources.notfound import NotFoundSource
from hkcms.export.sources.posts import PagesSource, PostSource
from hkcms.export.sources.redirects import RedirectSource
from hkcms.export.sources.sitemap import SitemapSource
from hkcms.export.sources.static import StaticSource
from hkcms.export.sources.tags import TagSource


def default_sources() -> list[PageSource]:
    """Every page source of an export, in the order their pages are planned (redirects last:
    they take only addresses no other page claimed)."""
    return [
        PostSource(),
        StaticSource(),
        HomeSource(),
        TagSource(),
        ArchiveSource(),
        NotFoundSource(),
        FeedSource(),
        SitemapSource(),
        PagesSource(),
        RedirectSource(),
    ]


__all__ = ["PageSource", "default_sources"]
