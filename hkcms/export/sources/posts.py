"""Post pages: one per visible post, rendered from Markdown in worker processes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from hkcms.export.plan import SEP, PlannedPost, PostPage
from hkcms.export.render import POST_ROOT
from hkcms.export.sources.base import PageSource
from hkcms.export.theme import labels_for

if TYPE_CHECKING:
    from hkcms.export.context import BuildContext


class PostSource(PageSource):
    name = "posts"

    def generate_output(self, ctx: BuildContext) -> Iterator[PostPage]:
        posts = ctx.posts
        for i, post in enumerate(posts):
            nxt = posts[i - 1] if i > 0 else None
            prev = posts[i + 1] if i + 1 < len(posts) else None
            inputs = (post.sig, _nav_sig(prev), _nav_sig(nxt))
            yield PostPage(post, post.rel, inputs, _context_maker(ctx, post, prev, nxt))


def _context_maker(
    ctx: BuildContext, post: PlannedPost, prev: PlannedPost | None, nxt: PlannedPost | None
) -> Any:
    return lambda: post_context(ctx, post, prev, nxt)


def post_context(
    ctx: BuildContext, post: PlannedPost, prev: PlannedPost | None, nxt: PlannedPost | None
) -> dict[str, Any]:
    """The template context of a post page, without its body (the worker adds it)."""
    info, lang = post.info, post.lang
    t = labels_for(lang)
    date_iso, date_text = ctx.when(info.date, lang)
    updated_iso, updated_text = ctx.when(post.updated, lang)
    return {
        "root": POST_ROOT,
        "page_lang": lang,
        "t": t,
        "canonical": ctx.canonical(f"posts/{info.slug}/"),
        "og_title": info.title,
        "og_type": "article",
        "description": info.summary,  # else the worker uses the excerpt it computes
        "post": {
            "slug": info.slug,
            "title": info.title,
            "author": info.author,
            "date_iso": date_iso,
            "date_text": date_text,
            "updated_iso": updated_iso,
            "updated_text": updated_text,
            "tags": [{"slug": s, "name": n} for s, n in post.tags],
            "lang": lang,
            "views": post.views,
            "comments_count": post.comments,
            "comments": ctx.comments_of(info.slug) if post.comments else [],
            "status_label": t[post.status_label] if post.status_label else "",
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
