"""The 404 page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hkcms.export.plan import Page
from hkcms.export.sources.base import PageSource

if TYPE_CHECKING:
    from hkcms.export.context import BuildContext


class NotFoundSource(PageSource):
    name = "404"

    def generate_output(self, ctx: BuildContext) -> Iterator[Page]:
        # A 404 page is shown at any address, so its links start from the site's root path.
        context = {
            "root": ctx.settings.root_path,
            "page_lang": ctx.chrome_lang,
            "t": ctx.base["st"],
            "canonical": "",
            "og_title": "",
            "og_type": "website",
            "description": "",
        }
        yield Page("404.html", (ctx.settings.root_path,), lambda: ctx.render("404.html", context))
