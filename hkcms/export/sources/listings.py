"""Lists of posts, page by page: each language's front page (and tag pages, via `listing`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hkcms.export.plan import SEP, Page, PlannedPost
from hkcms.export.render import PageTask
from hkcms.export.sources.base import PageSource

if TYPE_CHECKING:
    from hkcms.export.context import BuildContext


class HomeSource(PageSource):
    """The default language's front page at /, every other language's at its prefix."""

    name = "home"

    def generate_output(self, ctx: BuildContext) -> Iterator[Page]:
        homes = [(lang, ctx.home(lang)) for lang in ctx.languages]
        for lang, folder in homes:
            meta = ListMeta(
                lang=lang,
                heading=ctx.settings.title,
                description=ctx.settings.description or ctx.settings.title,
                versions=homes,
            )
            yield from listing(ctx, folder, ctx.listed(lang), meta)


@dataclass(frozen=True)
class ListMeta:
    """What a list of posts shows besides its posts: its language, heading, description and
    the other languages' versions of the same list (lang, folder)."""

    lang: str
    heading: str
    description: str
    versions: list[tuple[str, str]] = field(default_factory=list)

    def sig(self) -> tuple[str, ...]:
        return (self.lang, self.heading, self.description, *(SEP.join(v) for v in self.versions))


def entry_sig(post: PlannedPost) -> str:
    """Everything a post's item in a list shows (its excerpt comes from its text: the hash).
    Computed once a run: a post is in several lists (front page, tags)."""
    if not post.list_sig:
        info = post.info
        post.list_sig = SEP.join(
            [post.slug, info.title, info.author, info.date, info.summary, post.hash, post.lang,
             post.status_label]
        )  # fmt: skip
    return post.list_sig


def listing(
    ctx: BuildContext, folder: str, posts: list[PlannedPost], meta: ListMeta
) -> Iterator[Page]:
    """The pages of one list of posts, `posts_per_page` a page."""
    per = ctx.settings.posts_per_page
    chunks = [posts[i : i + per] for i in range(0, len(posts), per)] or [[]]
    total = len(chunks)
    for n, chunk in enumerate(chunks, start=1):
        rel = f"{folder}index.html" if n == 1 else f"{folder}page/{n}/index.html"
        inputs = (*meta.sig(), str(total), *(entry_sig(p) for p in chunk))
        yield _listing_page(ctx, rel, inputs, meta, chunk, n, total)


def _listing_page(
    ctx: BuildContext,
    rel: str,
    inputs: tuple[str, ...],
    meta: ListMeta,
    chunk: list[PlannedPost],
    n: int,
    total: int,
) -> Page:
    """Its context is built only if the page has to be written."""

    def context() -> dict[str, Any]:
        return listing_context(ctx, rel, meta, chunk, n, total)

    return Page(
        rel,
        inputs,
        lambda: ctx.render("listing.html", context()),
        lambda: PageTask(rel, "listing.html", context()),
    )


def listing_context(
    ctx: BuildContext, rel: str, meta: ListMeta, chunk: list[PlannedPost], n: int, total: int
) -> dict[str, Any]:
    here = "../../" if n > 1 else ""
    root = "../" * rel.count("/") or "./"
    words = ctx.strings_for(meta.lang)
    page_label = words.format("page_n", n=n, total=total) if total > 1 else ""

    def href(k: int) -> str:
        return (here + ("" if k == 1 else f"page/{k}/")) or "./"

    versions = [(lang, folder) for lang, folder in meta.versions] if n == 1 else []
    return {
        "root": root,
        "page_lang": meta.lang,
        "chrome_lang": meta.lang,
        "canonical": ctx.canonical(rel.removesuffix("index.html")),
        "alternates": ctx.alternates(versions, root),
        "switch": ctx.switch(versions, meta.lang, root),
        "og_title": meta.heading,
        "og_type": "website",
        "description": meta.description + (f" · {page_label}" if n > 1 else ""),
        "heading": meta.heading,
        "entries": [ctx.entry(p) for p in chunk],
        "pager": {
            "n": n,
            "total": total,
            "label": page_label,
            "newer": href(n - 1) if n > 1 else "",
            "older": href(n + 1) if n < total else "",
        },
    }
