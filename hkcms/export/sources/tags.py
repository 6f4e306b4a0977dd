"""Tag pages: a list of posts per tag (every language) and the index of all tags."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from hkcms.export.plan import Page, PlannedPost
from hkcms.export.sources.base import PageSource
from hkcms.export.sources.listings import ListMeta, listing

if TYPE_CHECKING:
    from hkcms.export.context import BuildContext


class TagSource(PageSource):
    name = "tags"

    def generate_output(self, ctx: BuildContext) -> Iterator[Page]:
        lang = ctx.default_lang
        words = ctx.strings_for(lang)
        site = ctx.settings.title
        by_tag: dict[str, list[PlannedPost]] = {}
        names: dict[str, set[str]] = {}
        for post in ctx.posts:
            for slug, name in post.tags:
                by_tag.setdefault(slug, []).append(post)
                names.setdefault(slug, set()).add(name)
        tags: list[dict[str, Any]] = []
        for slug in sorted(by_tag):
            name = sorted(names[slug])[0]
            count = len(by_tag[slug])
            tags.append({"slug": slug, "name": name, "count": count})
            heading = words.format("tagged", tag=name)
            meta = ListMeta(lang, heading, f"{heading} · {words.plural('posts', count)} · {site}")
            yield from listing(ctx, f"tags/{slug}/", by_tag[slug], meta)
        tags.sort(key=lambda t: (-t["count"], t["name"]))
        for tag in tags:
            tag["count_text"] = words.plural("posts", tag["count"])
        context = {
            "root": "../",
            "page_lang": lang,
            "chrome_lang": lang,
            "canonical": ctx.canonical("tags/"),
            "alternates": [],
            "switch": [],
            "og_title": words.words["all_tags"],
            "og_type": "website",
            "description": words.format("all_tags_description", site=site),
            "tags": tags,
        }
        inputs = (json.dumps(tags, ensure_ascii=False, sort_keys=True),)
        yield Page("tags/index.html", inputs, lambda: ctx.render("tags.html", context))
