"""Tag pages: a list of posts per tag and the index of all tags."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from hkcms.export.plan import Page, PlannedPost
from hkcms.export.sources.base import PageSource
from hkcms.export.sources.listings import listing

if TYPE_CHECKING:
    from hkcms.export.context import BuildContext


class TagSource(PageSource):
    name = "tags"

    def generate_output(self, ctx: BuildContext) -> Iterator[Page]:
        st = ctx.base["st"]
        by_tag: dict[str, list[PlannedPost]] = {}
        names: dict[str, set[str]] = {}
        for post in ctx.posts:
            for slug, name in post.tags:
                by_tag.setdefault(slug, []).append(post)
                names.setdefault(slug, set()).add(name)
        tags: list[dict[str, Any]] = []
        for slug in sorted(by_tag):
            name = sorted(names[slug])[0]
            tags.append({"slug": slug, "name": name, "count": len(by_tag[slug])})
            yield from listing(ctx, f"tags/{slug}/", st["tagged"].format(tag=name), by_tag[slug])
        tags.sort(key=lambda t: (-t["count"], t["name"]))
        context = {
            "root": "../",
            "page_lang": ctx.chrome_lang,
            "t": st,
            "canonical": ctx.canonical("tags/"),
            "og_title": st["all_tags"],
            "og_type": "website",
            "description": "",
            "tags": tags,
        }
        inputs = (json.dumps(tags, ensure_ascii=False, sort_keys=True),)
        yield Page("tags/index.html", inputs, lambda: ctx.render("tags.html", context))
