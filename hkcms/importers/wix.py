"""Wix Blog: posts, bylines, categories, tags, views and comments, live or from saved answers."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hkcms.core.atomic import read_regular_file
from hkcms.core.errors import HkcmsError, UsageError
from hkcms.core.import_records import ImportedComment, ImportedPost, ImportWarning
from hkcms.importers import mdtext, ricos
from hkcms.importers.ricos import obj
from hkcms.importers.sourcefiles import iso_date, old_url_path, unique, wanted_slug
from hkcms.importers.wix_api import WixClient

BLOG_APP_ID = "14bcded7-0066-7c35-14d7-466cb3f09103"  # Wix Blog's app ID, the comments' appId
FIELDSETS = ("RICH_CONTENT", "METRICS", "URL", "SEO")
API_URL_ENV = "HKCMS_WIX_API_URL"  # another API address (a local replay server in the tests)
MAX_JSON_BYTES = 256 * 1024 * 1024
_COMMENT_STATUS = {"PUBLISHED": "approved", "PENDING": "pending", "HIDDEN": "hidden"}


@dataclass
class _Names:
    """Display names by ID: members (bylines), categories and tags."""

    members: dict[str, str] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


def configure(parser: argparse.ArgumentParser) -> None:
    """The live-API options of `hkcms import wix`."""
    parser.add_argument("--site-id", metavar="ID", help="the Wix site ID (live API)")
    parser.add_argument(
        "--api-key-env",
        metavar="VAR",
        help="the environment variable that holds the Wix API key (never the key itself)",
    )


def records(args: argparse.Namespace, warnings: list[ImportWarning]) -> Iterator[ImportedPost]:
    """`hkcms import wix DIR` or `hkcms import wix --site-id ID --api-key-env VAR`."""
    src = getattr(args, "src", None)
    site_id = getattr(args, "site_id", None)
    variable = getattr(args, "api_key_env", None)
    if src and (site_id or variable):
        raise UsageError("give either DIR or --site-id with --api-key-env, not both")
    if src:
        return read(Path(src), warnings)
    if not site_id or not variable:
        raise UsageError("hkcms import wix needs DIR, or --site-id ID and --api-key-env VAR")
    key = os.environ.get(variable, "")
    if not key.strip():
        raise HkcmsError(
            f"the environment variable {variable} is empty or not set: put the Wix API key in it "
            f"(read it with 'read -rs {variable} && export {variable}', so it stays out of history)"
        )
    base_url = os.environ.get(API_URL_ENV) or "https://www.wixapis.com"
    return read_api(site_id, key, warnings, base_url=base_url)


def read(src: Path, warnings: list[ImportWarning]) -> Iterator[ImportedPost]:
    """Posts from a folder of saved Wix API answers (posts*.json, members*.json, …)."""
    if not src.is_dir():
        raise HkcmsError("is not a folder of saved Wix API answers (posts*.json, …)", src)
    post_files = sorted(src.glob("posts*.json"), key=lambda p: (len(p.stem), p.stem))
    if not post_files:
        raise HkcmsError("has no posts*.json file (saved answers of the Wix Posts API)", src)
    names = _Names(
        members=_members(_saved(src, "members*.json", "members")),
        categories=_labels(_saved(src, "categories*.json", "categories")),
        tags=_labels(_saved(src, "tags*.json", "tags")),
    )
    comments: dict[str, list[dict[str, Any]]] = {}
    for raw in _saved(src, "comments*.json", "comments"):
        if isinstance(raw, dict):
            post_id = raw.get("contextId") or raw.get("resourceId")
            if isinstance(post_id, str):
                comments.setdefault(post_id, []).append(raw)
    # Every file is parsed before the first post is handed on: a malformed posts-2.json stops
    # the import before anything is written, not halfway through.
    loaded = [(path, _load(path, "posts")) for path in post_files]
    seen: set[str] = set()
    for path, items in loaded:
        for index, raw in enumerate(items, start=1):
            where = f"{path.name}: post {index}"
            post = convert_post(raw, names, comments, warnings, where)
            if post is None:
                continue
            if post.source_id in seen:
                warnings.append(
                    ImportWarning(where, f"post {post.source_id} appears twice; kept the first")
                )
                continue
            seen.add(post.source_id)
            yield post


def read_api(
    site_id: str,
    api_key: str,
    warnings: list[ImportWarning],
    *,
    base_url: str = "https://www.wixapis.com",
) -> Iterator[ImportedPost]:
    """Posts read live from the Wix REST API (the key is only ever sent as a header)."""
    client = WixClient(site_id, api_key, base_url)
    names = _Names(
        members=_members(
            _flat(client.offset_pages("/members/v1/members", "members", [("fieldsets", "PUBLIC")]))
        ),
        categories=_labels(_flat(client.offset_pages("/blog/v3/categories", "categories", []))),
        tags=_labels(_tags_live(client)),
    )
    params = [("paging.limit", "100"), *(("fieldsets", f) for f in FIELDSETS)]
    seen: set[str] = set()
    number = 0
    for page in client.pages("/blog/v3/posts", "posts", params, cursor_param="paging.cursor"):
        for raw in page:
            number += 1
            post_id = raw.get("id") if isinstance(raw, dict) else None
            comments: dict[str, list[dict[str, Any]]] = {}
            if isinstance(post_id, str) and post_id not in seen:
                comments[post_id] = list(_comments_live(client, post_id))
            post = convert_post(raw, names, comments, warnings, f"Wix post {number}")
            if post is not None and post.source_id not in seen:
                seen.add(post.source_id)
                yield post


def _tags_live(client: WixClient) -> Iterator[Any]:
    offset = 0
    while True:
        body = {"query": {"paging": {"limit": 100, "offset": offset}}}
        answer = client.post("/blog/v3/tags/query", body)
        items = answer.get("tags")
        if not isinstance(items, list):
            return
        yield from items
        if len(items) < 100:
            return
        offset += len(items)


def _comments_live(client: WixClient, post_id: str) -> Iterator[dict[str, Any]]:
    params = [
        ("appId", BLOG_APP_ID),
        ("contextId", post_id),
        ("resourceId", post_id),
        ("cursorPaging.limit", "100"),
    ]
    path = "/comments/v1/comments/list-by-resource"
    for page in client.pages(path, "comments", params, cursor_param="cursorPaging.cursor"):
        for item in page:
            if isinstance(item, dict):
                yield item


def _flat(pages: Iterable[list[Any]]) -> Iterator[Any]:
    for page in pages:
        yield from page


def _load(path: Path, key: str) -> list[Any]:
    """One saved answer's list under `key`; a file that is not JSON stops with its line."""
    try:
        data = read_regular_file(path, MAX_JSON_BYTES)
    except OSError as exc:
        raise HkcmsError(f"cannot read: {exc.strerror or exc}", path) from exc
    try:
        parsed = json.loads(data)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise HkcmsError("is not valid UTF-8", path, line) from exc
    except json.JSONDecodeError as exc:
        raise HkcmsError(f"is not valid JSON: {exc.msg}", path, exc.lineno) from exc
    items = parsed.get(key) if isinstance(parsed, dict) else None
    if not isinstance(items, list):
        raise HkcmsError(f'is not a saved Wix answer: expected {{"{key}": [...]}}', path, 1)
    return items


def _saved(src: Path, pattern: str, key: str) -> Iterator[Any]:
    for path in sorted(src.glob(pattern)):
        yield from _load(path, key)


def _members(items: Iterable[Any]) -> dict[str, str]:
    names: dict[str, str] = {}
    for member in items:
        if not isinstance(member, dict) or not isinstance(member.get("id"), str):
            continue
        profile = obj(member.get("profile"))
        contact = obj(member.get("contact"))
        name = str(profile.get("nickname") or "").strip()
        if not name:
            name = " ".join(
                str(contact.get(k) or "").strip() for k in ("firstName", "lastName")
            ).strip()
        if name:
            names[member["id"]] = name  # only the public display name: never the login e-mail
    return names


def _labels(items: Iterable[Any]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            label = str(item.get("label") or item.get("title") or "").strip()
            if label:
                labels[item["id"]] = label
    return labels


def convert_post(
    raw: Any,
    names: _Names,
    comments: dict[str, list[dict[str, Any]]],
    warnings: list[ImportWarning],
    where: str,
) -> ImportedPost | None:
    """One Wix post as an ImportedPost, or None (with a warning) when it cannot be used."""
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw["id"]:
        warnings.append(ImportWarning(where, "skipped: not a post (no id)"))
        return None
    post_id = raw["id"]
    where = f"{where} ({post_id})"
    slug = wanted_slug(raw.get("slug"))
    if raw.get("slug") and slug is None:
        warnings.append(ImportWarning(where, "its slug is unsafe; a slug is made from the title"))
    title = " ".join(str(raw.get("title") or "").split()) or (slug or "")
    if not title:
        warnings.append(ImportWarning(where, "skipped: the post has neither a title nor a slug"))
        return None
    post = ImportedPost(source="wix", source_id=post_id, title=title, body="", slug=slug or "")
    media: list[str] = []
    if isinstance(raw.get("richContent"), dict):
        result = ricos.to_markdown(raw["richContent"], warnings, where)
        post.body, media = result.markdown, result.media
    elif str(raw.get("contentText") or "").strip():
        warnings.append(
            ImportWarning(
                where,
                "no rich content (saved without the RICH_CONTENT fieldset); "
                "imported its plain text",
            )
        )
        paragraphs = [p.strip() for p in str(raw["contentText"]).split("\n") if p.strip()]
        post.body = "\n\n".join(mdtext.escape(p) for p in paragraphs) + "\n"
    else:
        warnings.append(ImportWarning(where, "the post has no content"))
    for key, attr in (("firstPublishedDate", "date"), ("lastPublishedDate", "updated")):
        if raw.get(key):
            try:
                setattr(post, attr, iso_date(raw[key]))
            except ValueError:
                warnings.append(ImportWarning(where, f"{key} {raw[key]!r} is not a date; left out"))
    member = raw.get("memberId")
    if isinstance(member, str) and member:
        post.author = names.members.get(member, "")
        if not post.author:
            warnings.append(
                ImportWarning(where, f"author {member} is not among the members; no byline")
            )
    tags = [names.categories.get(c, "") for c in raw.get("categoryIds") or [] if isinstance(c, str)]
    tags += [names.tags.get(t, "") for t in raw.get("tagIds") or [] if isinstance(t, str)]
    tags += [str(h) for h in raw.get("hashtags") or [] if isinstance(h, str)]
    post.tags = unique([t.strip().lstrip("#") for t in tags if t.strip().lstrip("#")])
    post.summary = " ".join(str(raw.get("excerpt") or "").split()) or _seo_description(raw)
    cover = _cover(raw)
    if cover:
        post.cover = cover
        media.append(cover)
    post.media = unique(media) if media else []
    metrics = obj(raw.get("metrics"))
    views = metrics.get("views")
    if isinstance(views, int | float) and not isinstance(views, bool) and views >= 0:
        post.views = int(views)
    if isinstance(raw.get("language"), str) and raw["language"].strip():
        post.lang = _lang(raw["language"].strip())
    post.aliases = _aliases(raw, slug)
    for comment in comments.get(post_id, []):
        converted = _comment(comment, names, warnings, where)
        if converted is not None:
            post.comments.append(converted)
    return post


def _lang(code: str) -> str:
    lowered = code.lower().replace("_", "-")
    if lowered in ("zh", "zh-hant", "zh-tw", "zh-hk", "zh-mo"):
        return "zh-Hant"
    if lowered in ("zh-hans", "zh-cn", "zh-sg"):
        return "zh-Hans"
    return code


def _seo_description(raw: dict[str, Any]) -> str:
    seo = obj(raw.get("seoData"))
    for tag in seo.get("tags") or []:
        if not isinstance(tag, dict):
            continue
        props = obj(tag.get("props"))
        if tag.get("type") == "meta" and props.get("name") == "description":
            return " ".join(str(props.get("content") or "").split())
    return ""


def _cover(raw: dict[str, Any]) -> str:
    media = obj(raw.get("media"))
    if media.get("displayed") is False:
        return ""
    wix_media = obj(media.get("wixMedia"))
    image = wix_media.get("image")
    if image is None and isinstance(raw.get("coverMedia"), dict):
        image = raw["coverMedia"].get("image")
    if isinstance(image, str):
        image = {"url": image}
    url = ricos.media_url(image) if isinstance(image, dict) else None
    return url if url and mdtext.safe_url(url) else ""


def _aliases(raw: dict[str, Any], slug: str | None) -> list[str]:
    paths: list[str] = []
    url = raw.get("url")
    if isinstance(url, dict):
        path = old_url_path(url.get("path"))
        if path:
            paths.append(path)
    elif isinstance(url, str):
        path = old_url_path(url)
        if path:
            paths.append(path)
    if slug:
        path = old_url_path(f"/post/{slug}")
        if path:
            paths.append(path)
    return unique(paths)


def _comment(
    raw: dict[str, Any], names: _Names, warnings: list[ImportWarning], where: str
) -> ImportedComment | None:
    comment_id = raw.get("id")
    if not isinstance(comment_id, str) or not comment_id:
        warnings.append(ImportWarning(where, "skipped a comment without an id"))
        return None
    status = _COMMENT_STATUS.get(str(raw.get("status") or "PUBLISHED"))
    if status is None:
        return None  # DELETED: the old site no longer showed it either
    content = obj(raw.get("content"))
    body = ricos.to_plain_text(content.get("richContent")) if content else ""
    if not body.strip():
        warnings.append(ImportWarning(where, f"skipped comment {comment_id}: it has no text"))
        return None
    created = raw.get("commentDate") or raw.get("createdDate")
    try:
        created_iso = iso_date(created) if created else ""
    except ValueError:
        created_iso = ""
    if not created_iso:
        warnings.append(ImportWarning(where, f"skipped comment {comment_id}: it has no date"))
        return None
    author_info = obj(raw.get("author"))
    member = author_info.get("memberId")
    author = names.members.get(member, "") if isinstance(member, str) else ""
    parent = obj(raw.get("parentComment"))
    return ImportedComment(
        source_id=comment_id,
        author=author or "Guest",
        body=body,
        created=created_iso,
        status=status,
        parent_id=str(parent.get("id") or ""),
    )
