"""Lists of posts, page by page: the front page (and, through `listing`, tag pages)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from hkcms.export.plan import SEP, Page, PlannedPost
from hkcms.export.render import PageTask
from hkcms.export.sources.base import PageSource

if TYPE_CHECKING:
    from hkcms.export.context import BuildContext


class HomeSource(PageSource):
    name = "home"

    def generate_output(self, ctx: BuildContext) -> Iterator[Page]:
        yield from listing(ctx, "", ctx.settings.title, ctx.posts)


def entry_sig(post: PlannedPost) -> str:
    """Everything a post's item in a list shows (its excerpt comes from its text: the hash)."""
    info = post.info
    return SEP.join(
        [post.slug, info.title, info.author, info.date, info.summary, post.hash, post.lang,
         post.status_label]
    )  # fmt: skip


def listing(
    ctx: BuildContext, folder: str, heading: str, posts: list[PlannedPost]
) -> Iterator[Page]:
    """The pages of one list of posts, `posts_per_page` a page."""
    per = ctx.settings.posts_per_page
    chunks = [posts[i : i + per] for i in range(0, len(posts), per)] or [[]]
    total = len(chunks)
    for n, chunk in enumerate(chunks, start=1):
        rel = f"{folder}index.html" if n == 1 else f"{folder}page/{n}/index.html"
        inputs = (heading, str(total), *(entry_sig(p) for p in chunk))
        yield _listing_page(ctx, rel, inputs, heading, chunk, n, total)


def _listing_page(
    ctx: BuildContext,
    rel: str,
    inputs: tuple[str, ...],
    heading: str,
    chunk: list[PlannedPost],
    n: int,
    total: int,
) -> Page:
    """Its context is built only if the page has to be written."""

    def context() -> dict[str, Any]:
        return listing_context(ctx, rel, heading, chunk, n, total)

    return Page(
        rel,
        inputs,
        lambda: ctx.render("listing.html", context()),
        lambda: PageTask(rel, "listing.html", context()),
    )


def listing_context(
    ctx: BuildContext, rel: str, heading: str, chunk: list[PlannedPost], n: int, total: int
) -> dict[str, Any]:
    here = "../../" if n > 1 else ""

    def href(k: int) -> str:
        return (here + ("" if k == 1 else f"page/{k}/")) or "./"

    return {
        "root": "../" * rel.count("/") or "./",
        "page_lang": ctx.chrome_lang,
        "t": ctx.base["st"],
        "canonical": ctx.canonical(rel.removesuffix("index.html")),
        "og_title": heading,
        "og_type": "website",
        "description": "",
        "heading": heading,
        "entries": [ctx.entry(p) for p in chunk],
        "pager": {
            "n": n,
            "total": total,
            "newer": href(n - 1) if n > 1 else "",
            "older": href(n + 1) if n < total else "",
        },
    }
