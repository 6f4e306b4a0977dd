"""Post pages and pages (`kind: page`): one each, rendered from Markdown in worker processes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from hkcms.export.plan import SEP, PlannedPost, PostPage
from hkcms.export.sources.base import PageSource

if TYPE_CHECKING:
    from hkcms.export.context import BuildContext


class PostSource(PageSource):
    """posts/<slug>/ for every visible post; previous/next within the post's language."""

    name = "posts"

    def generate_output(self, ctx: BuildContext) -> Iterator[PostPage]:
        by_lang: dict[str, list[PlannedPost]] = {}
        for post in ctx.posts:
            by_lang.setdefault(post.lang, []).append(post)
        for posts in by_lang.values():
            for i, post in enumerate(posts):
                nxt = posts[i - 1] if i > 0 else None
                prev = posts[i + 1] if i + 1 < len(posts) else None
                yield post_page(ctx, post, prev, nxt)


class PagesSource(PageSource):
    """<slug>/ for every `kind: page` post: no list, tag page or feed shows them."""

    name = "pages"

    def generate_output(self, ctx: BuildContext) -> Iterator[PostPage]:
        for page in ctx.pages:
            yield post_page(ctx, page, None, None)


def post_page(
    ctx: BuildContext, post: PlannedPost, prev: PlannedPost | None, nxt: PlannedPost | None
) -> PostPage:
    versions = [(v.lang, v.url) for v in ctx.versions_of(post)]
    inputs = (
        post.sig,
        post.info.kind,
        str(post.info.show_counts),
        _nav_sig(prev),
        _nav_sig(nxt),
        *(f"{lang}{SEP}{url}" for lang, url in versions),
    )
    return PostPage(post, post.rel, inputs, lambda: post_context(ctx, post, prev, nxt, versions))


def post_context(
    ctx: BuildContext,
    post: PlannedPost,
    prev: PlannedPost | None,
    nxt: PlannedPost | None,
    versions: list[tuple[str, str]],
) -> dict[str, Any]:
    """The template context of a post page, without its body (the worker adds it)."""
    info, lang, root = post.info, post.lang, post.root
    words = ctx.strings_for(lang)
    date_iso, date_text = ctx.when(info.date, lang)
    updated_iso, updated_text = ctx.when(post.updated, lang)
    counts = ""
    if info.show_counts:
        counts = words.format(
            "counts",
            views=words.plural("views", post.views),
            comments=words.plural("comments", post.comments),
        )
    return {
        "root": root,
        "page_lang": lang,
        "chrome_lang": lang,
        "canonical": ctx.canonical(post.url),
        "alternates": ctx.alternates(versions, root),
        "switch": ctx.switch(versions, lang, root),
        "og_title": info.title,
        "og_type": "website" if post.is_page else "article",
        "description": info.summary,  # else the worker uses the excerpt it computes
        "post": {
            "slug": info.slug,
            "kind": info.kind,
            "title": info.title,
            "author": "" if post.is_page else info.author,
            "date_iso": "" if post.is_page else date_iso,
            "date_text": date_text,
            "updated_iso": updated_iso,
            "updated_text": updated_text,
            "tags": [{"slug": s, "name": n} for s, n in post.tags],
            "lang": lang,
            "counts": counts,
            "show_comments": info.show_counts,
            "comments": ctx.comments_of(info.slug, lang) if post.comments else [],
            "status_label": ctx.status_label(post),
            "prev": _neighbour(prev),
            "next": _neighbour(nxt),
        },
    }


def _neighbour(post: PlannedPost | None) -> dict[str, str] | None:
    if post is None:
        return None
    return {"slug": post.slug, "title": post.info.title, "lang": post.lang}


def _nav_sig(post: PlannedPost | None) -> str:
    return "" if post is None else f"{post.slug}{SEP}{post.info.title}{SEP}{post.lang}"
