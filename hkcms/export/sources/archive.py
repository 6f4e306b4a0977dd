"""The archive: every post of a language's front page on one page, by year and month."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from hkcms.export.plan import SEP, Page, PlannedPost
from hkcms.export.sources.base import PageSource

if TYPE_CHECKING:
    from hkcms.export.context import BuildContext


class ArchiveSource(PageSource):
    name = "archive"

    def generate_output(self, ctx: BuildContext) -> Iterator[Page]:
        versions = [(lang, ctx.home(lang) + "archive/") for lang in ctx.languages]
        for lang, folder in versions:
            posts = ctx.listed(lang)
            inputs = (
                *(SEP.join(v) for v in versions),
                *(SEP.join([p.slug, p.info.title, p.info.date, p.lang, p.status_label])
                  for p in posts),
            )  # fmt: skip
            yield Page(
                folder + "index.html",
                inputs,
                _maker(ctx, lang, folder, posts, versions),
            )


def _maker(
    ctx: BuildContext,
    lang: str,
    folder: str,
    posts: list[PlannedPost],
    versions: list[tuple[str, str]],
) -> Any:
    return lambda: ctx.render("archive.html", archive_context(ctx, lang, folder, posts, versions))


def archive_context(
    ctx: BuildContext,
    lang: str,
    folder: str,
    posts: list[PlannedPost],
    versions: list[tuple[str, str]],
) -> dict[str, Any]:
    words = ctx.strings_for(lang)
    years: list[dict[str, Any]] = []
    undated: list[dict[str, Any]] = []
    for post in posts:  # newest first already
        date_iso, date_text = ctx.when(post.info.date, post.lang)
        item = {
            "href": post.url,
            "title": post.info.title,
            "lang": post.lang,
            "date_iso": date_iso,
            "date_text": date_text,
            "status_label": ctx.status_label(post),
        }
        if post.day is None:
            undated.append(item)
            continue
        if not years or years[-1]["year"] != post.day.year:
            years.append({"year": post.day.year, "months": []})
        months = years[-1]["months"]
        if not months or months[-1]["month"] != post.day.month:
            label = words.month(post.day.year, post.day.month)
            anchor = f"m{post.day.year}-{post.day.month:02d}"
            months.append({"month": post.day.month, "label": label, "id": anchor, "posts": []})
        months[-1]["posts"].append(item)
    root = "../" * (folder.count("/"))
    return {
        "root": root,
        "page_lang": lang,
        "chrome_lang": lang,
        "canonical": ctx.canonical(folder),
        "alternates": ctx.alternates(versions, root),
        "switch": ctx.switch(versions, lang, root),
        "og_title": words.words["archive"],
        "og_type": "website",
        "description": words.format("archive_description", site=ctx.settings.title),
        "years": years,
        "undated": undated,
    }
