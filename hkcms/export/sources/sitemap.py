"""The sitemap and robots.txt."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hkcms.export.plan import SEP, Page
from hkcms.export.sources.base import PageSource

if TYPE_CHECKING:
    from hkcms.export.context import BuildContext


class SitemapSource(PageSource):
    name = "sitemap"

    def generate_output(self, ctx: BuildContext) -> Iterator[Page]:
        public = [p for p in [*ctx.posts, *ctx.pages] if not p.status_label]
        stamps = [p.updated for p in public]
        homes = [ctx.home(lang) for lang in ctx.languages]
        if not ctx.base_url:
            ctx.warn(
                "no base_url in hkcms.toml: sitemap, canonical links and Open Graph tags left out"
            )

        def urls() -> list[dict[str, str]]:
            if not ctx.base_url:
                return []
            newest = max(stamps, default="")
            out = [{"loc": ctx.canonical(home), "lastmod": newest} for home in homes]
            for post, updated in zip(public, stamps, strict=True):
                out.append({"loc": ctx.canonical(post.url), "lastmod": updated})
            out.append({"loc": ctx.canonical("tags/"), "lastmod": ""})
            out.extend({"loc": ctx.canonical(home + "archive/"), "lastmod": ""} for home in homes)
            return out

        # Keyed by what the URLs are made of: building 10,000 URLs only when one changed.
        inputs = (*homes, *(f"{p.url}{SEP}{t}" for p, t in zip(public, stamps, strict=True)))
        yield Page("sitemap.xml", inputs, lambda: sitemap_xml(urls()))
        robots = {"sitemap": ctx.canonical("sitemap.xml")}
        yield Page("robots.txt", (robots["sitemap"],), lambda: ctx.render("robots.txt", robots))


def sitemap_xml(urls: list[dict[str, str]]) -> bytes:
    """The sitemap, written directly: a machine format, 10,000 lines, no theme to apply."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>']
    lines.append('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
    for url in urls:
        loc = xml_escape(url["loc"]).replace('"', "&quot;")
        lastmod = f"<lastmod>{xml_escape(url['lastmod'])}</lastmod>" if url["lastmod"] else ""
        lines.append(f"<url><loc>{loc}</loc>{lastmod}</url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


def xml_escape(text: str) -> str:
    """&, < and > as entities (xml.sax.saxutils.escape, whose import loads urllib.request)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
