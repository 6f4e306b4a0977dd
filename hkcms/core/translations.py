"""Translations: the language versions of a post, linked by front matter `translation_key`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hkcms.core.errors import PostError
from hkcms.core.lang import is_lang_tag, normalise_lang
from hkcms.core.post import Post
from hkcms.core.posts import PostInfo, PostStore
from hkcms.core.slugs import slugify, unique_slug

# Fields that belong to one version only: a translation gets its own (or none).
NOT_COPIED = {"title", "author", "date", "tags", "status", "lang", "translation_key", "aliases"}


@dataclass(frozen=True)
class Languages:
    """Which languages each post exists in (its versions') and which are missing."""

    site: tuple[str, ...]  # the site's languages, the default first
    have: dict[str, tuple[str, ...]]  # slug → languages of its versions (itself included)

    def missing(self, slug: str) -> tuple[str, ...]:
        present = set(self.have.get(slug, ()))
        return tuple(lang for lang in self.site if lang not in present)


def post_lang(info: PostInfo, default: str) -> str:
    return normalise_lang(info.lang, default)


def languages_of(posts: Iterable[PostInfo], default: str, configured: Iterable[str]) -> Languages:
    """The languages of every post's versions, and the site's languages: those configured in
    hkcms.toml (`languages`), else the default language and every language a post uses."""
    posts = list(posts)
    groups: dict[str, set[str]] = {}
    for info in posts:
        if info.translation_key:
            groups.setdefault(info.translation_key, set()).add(post_lang(info, default))
    have: dict[str, tuple[str, ...]] = {}
    for info in posts:
        own = {post_lang(info, default)}
        langs = groups.get(info.translation_key, own) if info.translation_key else own
        have[info.slug] = tuple(sorted(langs))
    site = list(configured) or sorted({post_lang(p, default) for p in posts})
    ordered = tuple(dict.fromkeys([default, *site]))
    return Languages(ordered, have)


def create_translation(
    store: PostStore, slug: str, lang: str, *, editor: str | None = None
) -> Post:
    """A new draft in `lang` with the source's fields copied and the same translation_key (the
    source gets one, its slug, if it had none). The body is the source's text, to translate."""
    if not is_lang_tag(lang.strip()):
        raise PostError(f"{lang!r} is not a language tag; use one like en or zh-Hant")
    lang = normalise_lang(lang)
    source = store.load(slug)
    default = store.site.settings.language
    if normalise_lang(source.lang, default) == lang:
        raise PostError(f"is already in {lang}", source.path)
    key = source.translation_key
    if key:
        for info in store.list():
            if info.translation_key == key and normalise_lang(info.lang, default) == lang:
                raise PostError(f"already has a {lang} version: {info.slug}", source.path)
    else:
        key = slug
        source.front["translation_key"] = key
        store.save(source, editor=editor, note=f"translation_key for its {lang} version")
    extra: dict[str, Any] = {k: v for k, v in source.front.items() if k not in NOT_COPIED}
    extra["translation_key"] = key
    if source.front.get("date"):
        extra["date"] = source.front["date"]  # the versions of one story share its date
    taken = {p.name[:-3] for p in store.site.posts_dir.glob("*.md")}
    new_slug = unique_slug(slugify(f"{slug}-{lang.lower()}"), taken)
    return store.create(
        source.title,
        slug=new_slug,
        author=source.author or None,
        tags=source.tags,
        lang=lang,
        draft=True,
        body=source.body,
        editor=editor,
        extra=extra,
    )
