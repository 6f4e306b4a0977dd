"""Hugo: content/** pages and bundles, YAML/TOML/JSON front matter, dates and shortcodes."""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hkcms.core.errors import HkcmsError
from hkcms.core.import_records import ImportedPost, ImportWarning
from hkcms.importers import mdtext
from hkcms.importers.frontmatter import FrontMatter, FrontMatterError, split_front_matter
from hkcms.importers.htmlbody import html_body
from hkcms.importers.sourcefiles import (
    collect_media,
    image_refs,
    inside,
    iso_date,
    old_url_path,
    person,
    read_source,
    text_list,
    title_from_slug,
    unique,
    walk_files,
    wanted_slug,
    where,
    zone_of,
)

CONTENT_EXTS = {".md", ".markdown", ".mdown", ".html", ".htm"}
OTHER_CONTENT_EXTS = {".org", ".adoc", ".asciidoc", ".rst", ".pandoc", ".pdc", ".ad"}
CONFIG_FILES = (
    "hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json",
    "config.toml", "config.yaml", "config.yml", "config.json",
)  # fmt: skip
_LANG_SUFFIX = re.compile(r"^(?P<name>.+)\.(?P<lang>[a-z]{2}(?:-[a-z]{2,4})?)$", re.IGNORECASE)
# "{{" stays outside the alternation so the regex engine skips straight to the next "{{".
_SHORTCODE = re.compile(
    r"\{\{(?:(?P<d><)(?P<inner>.*?)>\}\}|(?P<d2>%)(?P<inner2>.*?)%\}\})", re.DOTALL
)
_HIGHLIGHT = re.compile(
    r"\{\{[<%]\s*highlight\s+(?P<args>[^>%]*?)\s*[>%]\}\}\n?(?P<code>.*?)\n?"
    r"\{\{[<%]\s*/highlight\s*[>%]\}\}",
    re.DOTALL,
)
_ARG = re.compile(r"""(?:(\w+)=)?("[^"]*"|'[^']*'|`[^`]*`|[^\s"'`]+)""")


@dataclass
class _Config:
    zone: dt.tzinfo | None = None
    prefix: str = ""  # the path of baseURL ("/blog"), which every old URL starts with
    permalinks: dict[str, str] = field(default_factory=dict)


@dataclass
class _Page:
    """One content file: a single page, or the index of a leaf or branch bundle."""

    path: Path
    rel_dir: tuple[str, ...]  # folders under content/ (for a bundle: its parent folders)
    name: str  # file stem, or the bundle's folder name
    bundle: Path | None = None
    branch: bool = False
    lang: str = ""
    front: FrontMatter = field(default_factory=FrontMatter)


def read(src: Path, warnings: list[ImportWarning]) -> Iterator[ImportedPost]:
    """Pages and posts of the Hugo site in `src` (its content/ folder)."""
    content = src / "content"
    if not src.is_dir() or not content.is_dir() or content.is_symlink():
        raise HkcmsError("has no content/ folder; is it a Hugo site?", src)
    config = _read_config(src, warnings)
    pages = []
    for page in _walk(content, warnings):
        text = read_source(page.path, src, warnings)
        if text is None:
            continue
        try:
            page.front = split_front_matter(text)
        except FrontMatterError as exc:
            warnings.append(
                ImportWarning(where(page.path, src, exc.line), f"skipped: {exc.message}")
            )
            continue
        pages.append(page)
    targets = _targets(content, pages)
    for page in pages:
        post = _convert(src, content, page, config, targets, warnings)
        if post is not None:
            yield post


def _walk(content: Path, warnings: list[ImportWarning]) -> Iterator[_Page]:
    """Pages in reading order; iterative, so a hostile tree thousands deep cannot crash it."""
    stack = [content]
    while stack:
        folder = stack.pop()
        pages, subfolders = _folder_pages(folder, content, warnings)
        yield from pages
        stack.extend(reversed(subfolders))


def _folder_pages(
    folder: Path, content: Path, warnings: list[ImportWarning]
) -> tuple[list[_Page], list[Path]]:
    """The pages of one folder and the folders to look into next."""
    try:
        entries = [
            e for e in sorted(folder.iterdir()) if not e.name.startswith(".") and not e.is_symlink()
        ]
    except OSError:
        return [], []
    files = [e for e in entries if e.is_file()]
    folders = [e for e in entries if e.is_dir()]
    rel = folder.relative_to(content).parts
    index = next(
        (f for f in files if _stem(f)[0] == "index" and f.suffix.lower() in CONTENT_EXTS), None
    )
    if index is not None and rel:
        # A leaf bundle: everything else in it is a resource, not a page.
        return [_Page(index, rel[:-1], rel[-1], bundle=folder, lang=_stem(index)[1])], []
    pages: list[_Page] = []
    branch = next(
        (f for f in files if _stem(f)[0] == "_index" and f.suffix.lower() in CONTENT_EXTS), None
    )
    if branch is not None:
        pages.append(
            _Page(
                branch,
                rel[:-1] if rel else (),
                rel[-1] if rel else "",
                bundle=folder,
                branch=True,
                lang=_stem(branch)[1],
            )
        )
    for entry in files:
        ext = entry.suffix.lower()
        stem, lang = _stem(entry)
        if ext in CONTENT_EXTS and stem not in ("_index", "index"):
            pages.append(_Page(entry, rel, stem, lang=lang))
        elif ext in OTHER_CONTENT_EXTS:
            where_text = str(entry.relative_to(content.parent))
            warnings.append(ImportWarning(where_text, f"{ext} content is not supported; skipped"))
    return pages, folders


def _stem(path: Path) -> tuple[str, str]:
    """(name, language) of a content file: 'post.zh-hant.md' → ('post', 'zh-hant')."""
    match = _LANG_SUFFIX.match(path.stem)
    if match and match.group("lang").lower() not in ("min",):
        return match.group("name"), match.group("lang")
    return path.stem, ""


def _read_config(src: Path, warnings: list[ImportWarning]) -> _Config:
    config = _Config()
    for name in CONFIG_FILES:
        path = src / name
        if not path.is_file():
            continue
        text = read_source(path, src, warnings)
        if text is None:
            return config
        try:
            if name.endswith(".toml"):
                data = tomllib.loads(text)
            elif name.endswith(".json"):
                data = json.loads(text)
            else:
                data = split_front_matter(f"---\n{text}\n---\n").data
        except (tomllib.TOMLDecodeError, json.JSONDecodeError, FrontMatterError) as exc:
            warnings.append(ImportWarning(where(path, src), f"ignored: cannot be read ({exc})"))
            return config
        if not isinstance(data, dict):
            return config
        lowered = {str(k).lower(): v for k, v in data.items()}
        config.zone = zone_of(lowered.get("timezone"))
        base = lowered.get("baseurl")
        if isinstance(base, str):
            path_part = old_url_path(base) or ""
            config.prefix = path_part.rstrip("/") if path_part != "/" else ""
        links = lowered.get("permalinks")
        if isinstance(links, dict):
            for key, value in links.items():
                if isinstance(value, str):
                    config.permalinks[str(key)] = value
                elif isinstance(value, dict):  # newer form: [permalinks.page] posts = "…"
                    for sub, pattern in value.items():
                        if key == "page" and isinstance(pattern, str):
                            config.permalinks[str(sub)] = pattern
        return config
    return config


def _slug_of(page: _Page) -> str:
    return wanted_slug(page.front.data.get("slug")) or wanted_slug(page.name) or "page"


def _kind(page: _Page) -> str:
    return "page" if page.branch or not page.rel_dir else "post"


def _targets(content: Path, pages: list[_Page]) -> dict[str, str]:
    """Paths that ref/relref accept → the imported page's new URL."""
    targets: dict[str, str] = {}
    for page in pages:
        slug = _slug_of(page)
        url = f"/{slug}/" if _kind(page) == "page" else f"/posts/{slug}/"
        rel = page.path.relative_to(content).as_posix()
        keys = {rel, rel.rsplit(".", 1)[0], page.path.name, page.name}
        if page.bundle is not None:
            folder = page.bundle.relative_to(content).as_posix()
            keys |= {folder, folder.rsplit("/", 1)[-1]}
        for key in keys:
            targets.setdefault(key.strip("/"), url)
    return targets


def _convert(
    src: Path,
    content: Path,
    page: _Page,
    config: _Config,
    targets: dict[str, str],
    warnings: list[ImportWarning],
) -> ImportedPost | None:
    data = {str(k).lower(): v for k, v in page.front.data.items()}
    here = where(page.path, src)
    body_text = page.front.body
    if page.branch and not body_text.strip():
        return None  # a list page with no text of its own: nothing to bring over
    slug = _slug_of(page)
    if data.get("slug") and wanted_slug(data.get("slug")) is None:
        warnings.append(ImportWarning(here, "its slug is unsafe; the file name is used instead"))
    if page.branch:
        warnings.append(ImportWarning(here, "a section's own page (_index) was imported as a page"))
    post = ImportedPost(
        source="hugo",
        source_id=page.path.relative_to(content).as_posix(),
        title=" ".join(str(data.get("title") or "").split()) or title_from_slug(slug),
        body="",
        slug=slug,
        kind=_kind(page),
    )
    dates: dict[str, str] = {}
    for key, names in {
        "date": ("date",),
        "lastmod": ("lastmod", "modified"),
        "publishdate": ("publishdate", "pubdate", "published"),
        "expirydate": ("expirydate", "unpublishdate"),
    }.items():
        for name in names:
            if data.get(name) in (None, ""):
                continue
            try:
                dates[key] = iso_date(data[name], config.zone)
            except ValueError:
                warnings.append(
                    ImportWarning(here, f"{name} {data[name]!r} is not a date; left out")
                )
            break
    post.date = dates.get("date") or dates.get("publishdate", "")
    if not post.date:
        # Hugo would show no date at all; the file's time is the best stable stand-in (the
        # time of the import would change on every re-import).
        post.date = _file_time(page.path, config.zone)
    post.updated = dates.get("lastmod", "")
    now = dt.datetime.now(dt.UTC)
    post.status = "draft" if data.get("draft") is True else "published"
    publish = dates.get("publishdate")
    if post.status == "published" and publish and _after(publish, now):
        post.status, post.date = "scheduled", publish
    expiry = dates.get("expirydate")
    if expiry:
        if not _after(expiry, now):
            post.status = "draft"
            warnings.append(ImportWarning(here, f"expired on {expiry}; imported as a draft"))
        else:
            post.extra["expiry_date"] = expiry
            warnings.append(
                ImportWarning(here, f"expires on {expiry}; hkcms will not unpublish it then")
            )
    post.author = person(data.get("author")) or person(data.get("authors"))
    post.tags = unique(text_list(data.get("tags")) + text_list(data.get("categories")))
    post.summary = " ".join(str(data.get("summary") or data.get("description") or "").split())
    lang = data.get("lang") or data.get("language") or page.lang
    if isinstance(lang, str) and lang.strip():
        post.lang = (
            "zh-Hant" if lang.strip().lower() in ("zh-hant", "zh-tw", "zh-hk") else lang.strip()
        )
    if page.lang:
        post.extra["translation_key"] = f"{'/'.join(page.rel_dir)}/{page.name}".strip("/")
    if post.status == "published":  # drafts and scheduled posts never had a public URL
        written = dates.get("date") or dates.get("publishdate", "")
        post.aliases = _old_urls(page, data, config, slug, written, here, warnings)
    body = _shortcodes(body_text, page, src, targets, warnings)
    if page.path.suffix.lower() in (".html", ".htm"):
        body = html_body(body, warnings, here)
    post.body = body.strip("\n") + "\n" if body.strip() else ""
    base = page.bundle if page.bundle is not None else page.path.parent
    refs = image_refs(post.body)
    cover = _cover(data)
    if cover:
        post.cover = cover
        refs.append(cover)
    collect_media(
        refs,
        lambda ref: src / "static" / ref.lstrip("/") if ref.startswith("/") else base / ref,
        src,
        post.media,
        post.media_files,
        warnings,
        here,
    )
    if page.bundle is not None and not page.branch:
        _bundle_resources(page, src, post, warnings)
    return post


def _file_time(path: Path, zone: dt.tzinfo | None) -> str:
    moment = dt.datetime.fromtimestamp(path.stat().st_mtime, zone or dt.UTC)
    return moment.replace(microsecond=0).isoformat()


def _after(iso: str, now: dt.datetime) -> bool:
    moment = dt.datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment > now


def _cover(data: dict[str, Any]) -> str:
    for key in ("cover", "featured_image", "image", "images"):
        value = data.get(key)
        if isinstance(value, dict):
            value = value.get("image") or value.get("src")
        if isinstance(value, list):
            value = next((v for v in value if isinstance(v, str)), None)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _bundle_resources(
    page: _Page, src: Path, post: ImportedPost, warnings: list[ImportWarning]
) -> None:
    """Every file of a leaf bundle goes to media/, referenced or not (a bundle owns them)."""
    assert page.bundle is not None
    taken = set(post.media_files.values())
    for path in walk_files(page.bundle):
        if path == page.path or path.suffix.lower() in CONTENT_EXTS:
            continue
        if not inside(path, page.bundle):
            warnings.append(
                ImportWarning(where(path, src), "bundle file is outside the bundle; not copied")
            )
            continue
        absolute = str(path.resolve())
        if absolute in taken:
            continue
        ref = path.relative_to(page.bundle).as_posix()
        post.media_files[ref] = absolute
        if ref not in post.media:
            post.media.append(ref)


def _old_urls(
    page: _Page,
    data: dict[str, Any],
    config: _Config,
    slug: str,
    date: str,
    here: str,
    warnings: list[ImportWarning],
) -> list[str]:
    section = page.rel_dir[0] if page.rel_dir else ""
    candidates: list[str] = []
    if isinstance(data.get("url"), str) and data["url"].strip():
        candidates.append(data["url"].strip())
    elif page.branch:
        candidates.append("/" + "/".join((*page.rel_dir, page.name)) + "/")
    elif section and section in config.permalinks:
        url = _permalink(config.permalinks[section], page, data, slug, date)
        if re.search(r":[a-z]", url):
            warnings.append(ImportWarning(here, f"cannot work out its old URL {url!r}; not kept"))
        else:
            candidates.append(url)
    else:
        name = str(data.get("slug") or page.name)
        candidates.append("/" + "/".join((*page.rel_dir, name)).lower() + "/")
    folder = "/" + "/".join(page.rel_dir)
    for alias in text_list(data.get("aliases")):
        candidates.append(alias if alias.startswith("/") else f"{folder.rstrip('/')}/{alias}")
    out = []
    for candidate in candidates:
        path = old_url_path(candidate)
        if path is None:
            warnings.append(ImportWarning(here, f"old URL {candidate!r} is unsafe; not kept"))
            continue
        out.append(
            config.prefix + path
            if config.prefix and not path.startswith(config.prefix + "/")
            else path
        )
    return unique(out)


def _permalink(pattern: str, page: _Page, data: dict[str, Any], slug: str, date: str) -> str:
    moment = dt.datetime.fromisoformat(date) if date else None
    title = str(data.get("title") or page.name)
    values = {
        "section": page.rel_dir[0] if page.rel_dir else "",
        "sections": "/".join(page.rel_dir),
        "title": _urlize(title),
        "slug": _urlize(str(data.get("slug") or title)),
        "filename": page.name,
        "contentbasename": page.name,
        "slugorfilename": str(data.get("slug") or page.name),
        "slugorcontentbasename": str(data.get("slug") or page.name),
    }
    if moment is not None:
        values |= {
            "year": f"{moment.year:04d}",
            "month": f"{moment.month:02d}",
            "monthname": moment.strftime("%B").lower(),
            "day": f"{moment.day:02d}",
            "weekday": str(moment.isoweekday() % 7),
            "weekdayname": moment.strftime("%A").lower(),
            "yearday": str(moment.timetuple().tm_yday),
        }
    return re.sub(r":(\w+)", lambda m: values.get(m.group(1), m.group(0)), pattern)


def _urlize(text: str) -> str:
    """Hugo's urlize, near enough: lower case, spaces to hyphens, punctuation dropped."""
    return re.sub(r"[\s_]+", "-", re.sub(r"[^\w\s-]", "", text)).strip("-").lower()


def _args(text: str) -> tuple[list[str], dict[str, str]]:
    positional: list[str] = []
    named: dict[str, str] = {}
    for match in _ARG.finditer(text):
        value = match.group(2)
        if value[:1] in "\"'`" and value[-1:] == value[:1] and len(value) >= 2:
            value = value[1:-1]
        if match.group(1):
            named[match.group(1).lower()] = value
        else:
            positional.append(value)
    return positional, named


def _shortcodes(
    body: str, page: _Page, src: Path, targets: dict[str, str], warnings: list[ImportWarning]
) -> str:
    """Convert Hugo's built-in shortcodes; leave others visible with a warning (file and line)."""
    first_line = page.front.body_line
    blocks: list[str] = []

    def keep(text: str) -> str:
        blocks.append(text)
        return f"\x00{len(blocks) - 1}\x00"

    def highlight(match: re.Match[str]) -> str:
        positional, named = _args(match.group("args"))
        lang = positional[0] if positional else named.get("lang", "")
        return keep(mdtext.fence(match.group("code"), lang))

    def line_of(pos: int, text: str) -> int:
        return first_line + text.count("\n", 0, pos)

    text = _HIGHLIGHT.sub(highlight, body)

    def replace(match: re.Match[str]) -> str:
        inner = (match.group("inner") or match.group("inner2") or "").strip()
        delim = match.group("d") or match.group("d2")
        if inner.startswith("/*") and inner.endswith("*/"):
            closing = ">" if delim == "<" else "%"
            return keep("{{" + delim + " " + inner[2:-2].strip() + " " + closing + "}}")
        parts = inner.split(None, 1)
        name = parts[0] if parts else ""
        positional, named = _args(parts[1] if len(parts) > 1 else "")
        converted = _builtin(name, positional, named, targets)
        if converted is not None:
            return converted
        where_text = where(page.path, src, line_of(match.start(), text))
        if name.startswith("/"):
            return match.group(0)  # the closing half of a shortcode warned about at its start
        warnings.append(
            ImportWarning(
                where_text, f"shortcode {name or '?'} left as it was: {match.group(0)[:80]}"
            )
        )
        return match.group(0)

    text = _SHORTCODE.sub(replace, text)
    return re.sub(r"\x00(\d+)\x00", lambda m: blocks[int(m.group(1))], text)


def _builtin(
    name: str, positional: list[str], named: dict[str, str], targets: dict[str, str]
) -> str | None:
    def arg(key: str, index: int) -> str:
        return named.get(key) or (positional[index] if len(positional) > index else "")

    if name == "youtube":
        video = arg("id", 0)
        if re.fullmatch(r"[\w-]{4,20}", video):
            label = mdtext.escape(named.get("title") or "YouTube video")
            return mdtext.link(label, f"https://www.youtube.com/watch?v={video}")
    elif name == "vimeo":
        video = arg("id", 0)
        if re.fullmatch(r"\d{3,15}", video):
            label = mdtext.escape(named.get("title") or "Vimeo video")
            return mdtext.link(label, f"https://vimeo.com/{video}")
    elif name == "gist":
        user, gist = arg("user", 0), arg("id", 1)
        if re.fullmatch(r"[\w-]+", user) and re.fullmatch(r"[0-9a-f]+", gist):
            return mdtext.link(f"Gist {user}/{gist}", f"https://gist.github.com/{user}/{gist}")
    elif name in ("tweet", "x", "twitter"):
        user = named.get("user") or (positional[0] if len(positional) > 1 else "")
        tweet = named.get("id") or (positional[-1] if positional else "")
        if re.fullmatch(r"\d{5,25}", tweet) and re.fullmatch(r"\w{0,30}", user):
            who = user or "i"
            label = f"Post by @{mdtext.escape(user)}" if user else "Post on X (Twitter)"
            return mdtext.link(label, f"https://twitter.com/{who}/status/{tweet}")
    elif name == "figure":
        src = named.get("src") or ""
        url = mdtext.safe_url(src)
        if url:
            caption = named.get("caption") or ""
            alt = named.get("alt") or caption or named.get("title") or ""
            text = mdtext.image(alt, url, named.get("title") or "")
            target = mdtext.safe_url(named.get("link"))
            if target:
                text = mdtext.link(text, target)
            if caption:
                text += f"\n\n*{mdtext.escape(' '.join(caption.split()))}*"
            return text
    elif name in ("ref", "relref"):
        target = arg("path", 0)
        path, _, anchor = target.partition("#")
        url = targets.get(path.strip("/")) or targets.get(path.strip("/").rsplit(".", 1)[0])
        if url or (not path and anchor):
            return (url or "") + (f"#{anchor}" if anchor else "")
    return None


def estimate(src: Path) -> int:
    """How many content files the site holds (for the progress bar)."""
    return sum(1 for p in walk_files(src / "content") if p.suffix.lower() in CONTENT_EXTS)
