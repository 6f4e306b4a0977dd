"""The 404 page, in every language of the site (the default first)."""

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
        root = ctx.settings.root_path
        lang = ctx.default_lang
        sections = [
            {
                "lang": other,
                "heading": ctx.strings_for(other).words["not_found"],
                "text": ctx.strings_for(other).words["not_found_text"],
                "home": root + ctx.home(other),
                "go_home": ctx.strings_for(other).words["go_home"],
            }
            for other in ctx.languages
        ]
        context = {
            "root": root,
            "page_lang": lang,
            "chrome_lang": lang,
            "canonical": "",
            "alternates": [],
            "switch": [],
            "og_title": "",
            "og_type": "website",
            "description": sections[0]["text"],
            "sections": sections,
        }
        yield Page("404.html", (root,), lambda: ctx.render("404.html", context))
