"""Jekyll: _posts/ and _drafts/ with their dates, categories, tags, permalinks and Liquid tags."""

from __future__ import annotations

import datetime as dt
import re
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
    iso_date,
    old_url_path,
    person,
    read_source,
    text_list,
    title_from_slug,
    unique,
    walk_files,
    walk_folders,
    wanted_slug,
    where,
    zone_of,
)

MARKDOWN_EXTS = {".md", ".markdown", ".mkd", ".mkdn", ".mdown"}
HTML_EXTS = {".html", ".htm"}
_DATED = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})-(.+)$")
_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
# Every branch starts with "{", kept outside the alternation so the regex engine can skip
# straight to the next "{" (three times faster on long posts).
_LIQUID = re.compile(
    r"\{(?:"
    r"(?P<raw>%-?\s*raw\s*-?%\}(?P<raw_body>.*?)\{%-?\s*endraw\s*-?%\})"
    r"|(?P<comment>%-?\s*comment\s*-?%\}(?P<comment_body>.*?)\{%-?\s*endcomment\s*-?%\})"
    r"|(?P<hl>%-?\s*highlight\s*(?P<lang>[\w+#.-]*)[^%]*?-?%\}\n?(?P<code>.*?)\n?"
    r"\{%-?\s*endhighlight\s*-?%\})"
    r"|(?P<tag>%-?\s*(?P<name>\w+)\s*(?P<args>.*?)\s*-?%\})"
    r"|(?P<out>\{-?\s*(?P<expr>.*?)\s*-?\}\})"
    r")",
    re.DOTALL,
)


@dataclass
class _Config:
    """What _config.yml says about dates and URLs."""

    zone: dt.tzinfo | None = None
    baseurl: str = ""
    permalink: str = _STYLES["date"]
    author: str = ""


@dataclass
class _Source:
    """One post file, read and split, before conversion."""

    path: Path
    draft: bool
    front: FrontMatter
    stem: str  # the file name without extension (and without its date for posts)
    name_date: str = ""
    dir_categories: list[str] = field(default_factory=list)


def read(src: Path, warnings: list[ImportWarning]) -> Iterator[ImportedPost]:
    """Posts and drafts of the Jekyll site in `src`."""
    if not src.is_dir():
        raise HkcmsError("is not a folder (give the Jekyll site's folder)", src)
    post_dirs = [p for p in _post_folders(src)]
    drafts = src / "_drafts"
    if not post_dirs and not drafts.is_dir():
        raise HkcmsError("has no _posts or _drafts folder; is it a Jekyll site?", src)
    config = _read_config(src, warnings)
    sources = [s for folder in post_dirs for s in _scan(src, folder, False, warnings)]
    if drafts.is_dir():
        sources += list(_scan(src, drafts, True, warnings))
    slugs = _slug_map(src, sources)
    for source in sources:
        post = _convert(src, source, config, slugs, warnings)
        if post is not None:
            yield post


def _post_folders(src: Path) -> list[Path]:
    """_posts at the top and inside category folders (news/_posts → category "news")."""
    found = []
    for folder in walk_folders(src):
        rel = folder.relative_to(src).parts
        if any(part.startswith("_") for part in rel):
            continue
        if (folder / "_posts").is_dir() and not (folder / "_posts").is_symlink():
            found.append(folder / "_posts")
    return found


def _scan(src: Path, folder: Path, draft: bool, warnings: list[ImportWarning]) -> Iterator[_Source]:
    dir_categories = [] if draft else list(folder.parent.relative_to(src).parts)
    for path in walk_files(folder):
        ext = path.suffix.lower()
        if ext not in MARKDOWN_EXTS | HTML_EXTS:
            continue
        stem = path.stem
        name_date = ""
        match = _DATED.match(stem)
        if match and not draft:
            year, month, day, stem = match.groups()
            try:
                name_date = dt.date(int(year), int(month), int(day)).isoformat()
            except ValueError:
                warnings.append(
                    ImportWarning(where(path, src), "its name has an impossible date; skipped")
                )
                continue
        elif not draft:
            warnings.append(
                ImportWarning(
                    where(path, src),
                    "not named YYYY-MM-DD-title, so Jekyll never published it; skipped",
                )
            )
            continue
        text = read_source(path, src, warnings)
        if text is None:
            continue
        try:
            front = split_front_matter(text)
        except FrontMatterError as exc:
            warnings.append(ImportWarning(where(path, src, exc.line), f"skipped: {exc.message}"))
            continue
        if front.kind == "json":
            front = FrontMatter(body=text)  # Jekyll has no JSON front matter: '{' starts the body
        yield _Source(path, draft, front, stem, name_date, dir_categories)


def _read_config(src: Path, warnings: list[ImportWarning]) -> _Config:
    config = _Config()
    path = src / "_config.yml"
    if not path.is_file():
        return config
    text = read_source(path, src, warnings)
    if text is None:
        return config
    try:
        data = split_front_matter(f"---\n{text}\n---\n").data
    except FrontMatterError as exc:
        warnings.append(ImportWarning(where(path, src, exc.line - 1), f"ignored: {exc.message}"))
        return config
    config.zone = zone_of(data.get("timezone"))
    if data.get("timezone") and config.zone is None:
        warnings.append(ImportWarning(where(path, src), f"unknown timezone {data['timezone']!r}"))
    baseurl = old_url_path(data.get("baseurl")) if data.get("baseurl") else ""
    config.baseurl = (baseurl or "").rstrip("/")
    permalink = data.get("permalink")
    if isinstance(permalink, str) and permalink.strip():
        config.permalink = _STYLES.get(permalink.strip(), permalink.strip())
    config.author = person(data.get("author"))
    return config


def _slug_of(source: _Source) -> str:
    return wanted_slug(source.front.data.get("slug")) or wanted_slug(source.stem) or "post"


def _slug_map(src: Path, sources: list[_Source]) -> dict[str, str]:
    """Names that {% post_url %} and {% link %} use → the imported post's slug."""
    names: dict[str, str] = {}
    for source in sources:
        slug = _slug_of(source)
        rel = source.path.relative_to(src).as_posix()
        names[rel] = slug
        names[source.path.stem] = slug
        in_posts = rel.split("_posts/", 1)[-1] if "_posts/" in rel else rel
        names[in_posts.rsplit(".", 1)[0]] = slug
    return names


def _convert(
    src: Path,
    source: _Source,
    config: _Config,
    slugs: dict[str, str],
    warnings: list[ImportWarning],
) -> ImportedPost | None:
    data = source.front.data
    here = where(source.path, src)
    slug = _slug_of(source)
    if data.get("slug") and wanted_slug(data.get("slug")) is None:
        warnings.append(ImportWarning(here, "its slug is unsafe; the file name is used instead"))
    title = " ".join(str(data.get("title") or "").split()) or title_from_slug(slug)
    post = ImportedPost(
        source="jekyll",
        source_id=source.path.relative_to(src).as_posix(),
        title=title,
        body="",
        slug=slug,
    )
    moment: dt.datetime | None = None
    if data.get("date") not in (None, ""):
        try:
            post.date = iso_date(data["date"], config.zone)
        except ValueError:
            warnings.append(
                ImportWarning(
                    here, f"date {data['date']!r} is not a date; the file name's date is used"
                )
            )
    if not post.date and source.name_date:
        post.date = source.name_date
    if not post.date and source.draft:
        mtime = dt.datetime.fromtimestamp(source.path.stat().st_mtime, config.zone or dt.UTC)
        post.date = mtime.replace(microsecond=0).isoformat()
    if post.date:
        moment = dt.datetime.fromisoformat(post.date)
    for key in ("last_modified_at", "updated", "modified"):
        if data.get(key):
            try:
                post.updated = iso_date(data[key], config.zone)
                break
            except ValueError:
                warnings.append(ImportWarning(here, f"{key} {data[key]!r} is not a date; left out"))
    post.author = person(data.get("author")) or person(data.get("authors")) or config.author
    categories = text_list(data.get("categories"), split_spaces=True) + text_list(
        data.get("category")
    )
    all_categories = unique(source.dir_categories + categories)
    post.tags = unique(
        all_categories + text_list(data.get("tags"), split_spaces=True) + text_list(data.get("tag"))
    )
    published = data.get("published")
    post.status = "draft" if source.draft or published is False else "published"
    post.summary = " ".join(str(data.get("excerpt") or data.get("description") or "").split())
    lang = data.get("lang") or data.get("language")
    if isinstance(lang, str) and lang.strip():
        post.lang = lang.strip()
    if post.status == "published" and moment is not None:
        post.aliases = _old_urls(source, data, config, slug, moment, all_categories, here, warnings)
    body = _liquid(
        source.front.body, source.front.body_line, post.title, slugs, src, source, warnings
    )
    if source.path.suffix.lower() in HTML_EXTS:
        body = html_body(body, warnings, here)
    post.body = body.strip("\n") + "\n" if body.strip() else ""
    cover = data.get("image")
    if isinstance(cover, dict):
        cover = cover.get("path") or cover.get("feature")
    refs = image_refs(post.body)
    if isinstance(cover, str) and cover.strip():
        post.cover = cover.strip()
        refs.append(post.cover)
    collect_media(
        refs,
        lambda ref: _resolve(src, source.path.parent, config.baseurl, ref),
        src,
        post.media,
        post.media_files,
        warnings,
        here,
    )
    known = {
        "title", "date", "slug", "categories", "category", "tags", "tag", "author", "authors",
        "published", "excerpt", "description", "lang", "language", "image", "permalink",
        "redirect_from", "layout", "last_modified_at", "updated", "modified",
    }  # fmt: skip
    post.extra = {k: v for k, v in data.items() if k not in known and _plain(v)}
    return post


def _plain(value: Any) -> bool:
    """Only plain values are kept as extra front matter (dates are written as text)."""
    if isinstance(value, str | int | float | bool):
        return True
    if isinstance(value, list):
        return all(isinstance(v, str | int | float | bool) for v in value)
    return False


def _resolve(src: Path, post_dir: Path, baseurl: str, ref: str) -> Path | None:
    if ref.startswith("/"):
        if baseurl and ref.startswith(baseurl + "/"):
            ref = ref[len(baseurl) :]
        return src / ref.lstrip("/")
    return post_dir / ref


def _old_urls(
    source: _Source,
    data: dict[str, Any],
    config: _Config,
    slug: str,
    moment: dt.datetime,
    categories: list[str],
    here: str,
    warnings: list[ImportWarning],
) -> list[str]:
    template = data.get("permalink") if isinstance(data.get("permalink"), str) else None
    template = _STYLES.get(template or "", template) or config.permalink
    ext = ".html"
    values = {
        "year": f"{moment.year:04d}",
        "short_year": f"{moment.year % 100:02d}",
        "month": f"{moment.month:02d}",
        "i_month": str(moment.month),
        "short_month": moment.strftime("%b"),
        "long_month": moment.strftime("%B"),
        "day": f"{moment.day:02d}",
        "i_day": str(moment.day),
        "y_day": f"{moment.timetuple().tm_yday:03d}",
        "week": f"{moment.isocalendar()[1]:02d}",
        "short_day": moment.strftime("%a"),
        "long_day": moment.strftime("%A"),
        "hour": f"{moment.hour:02d}",
        "minute": f"{moment.minute:02d}",
        "second": f"{moment.second:02d}",
        "title": wanted_slug(data.get("slug")) or source.stem,
        "slug": slug,
        "categories": "/".join(c.lower() for c in categories),
        "output_ext": ext,
    }
    url = re.sub(
        r":(\w+)",
        lambda m: values.get(m.group(1), m.group(0)),
        template,
    )
    url = re.sub(r"/{2,}", "/", url)  # an empty :categories leaves '//', which Jekyll folds
    out = []
    for candidate in [url, *text_list(data.get("redirect_from"))]:
        path = old_url_path(candidate if candidate.startswith("/") else f"/{candidate}")
        if path is None:
            warnings.append(ImportWarning(here, f"old URL {candidate!r} is unsafe; not kept"))
            continue
        out.append(f"{config.baseurl}{path}" if config.baseurl else path)
    return unique(out)


def _liquid(
    body: str,
    first_line: int,
    title: str,
    slugs: dict[str, str],
    src: Path,
    source: _Source,
    warnings: list[ImportWarning],
) -> str:
    """Convert the Liquid Jekyll would have run; leave the rest visible, with a warning."""

    def line_of(pos: int) -> int:
        return first_line + body.count("\n", 0, pos)

    def left(match: re.Match[str], why: str) -> str:
        warnings.append(
            ImportWarning(
                where(source.path, src, line_of(match.start())), f"{why}: {match.group(0)[:80]}"
            )
        )
        return match.group(0)

    def new_url(name: str) -> str | None:
        name = name.strip().strip("'\"")
        slug = slugs.get(name) or slugs.get(name.rsplit(".", 1)[0]) or slugs.get(Path(name).stem)
        return f"/posts/{slug}/" if slug else None

    def replace(match: re.Match[str]) -> str:
        if match.group("raw"):
            return match.group("raw_body")
        if match.group("comment"):
            return "<!-- " + match.group("comment_body").replace("--", "- -") + " -->"
        if match.group("hl"):
            return mdtext.fence(match.group("code"), match.group("lang") or "")
        if match.group("tag"):
            name, args = match.group("name"), match.group("args")
            if name in ("post_url", "link"):
                url = new_url(args)
                return url if url else left(match, f"{name} names no imported post; left as it was")
            return left(match, "Liquid tag left as it was")
        expr = re.sub(r"\s+", " ", match.group("expr"))
        if expr in ("site.baseurl", "site.url", "site.url }}{{ site.baseurl"):
            return ""
        if expr == "page.title":
            return mdtext.escape(title)
        filtered = re.fullmatch(
            r"(['\"])(.*?)\1 ?\| ?(relative_url|absolute_url|prepend: ?site\.baseurl)", expr
        )
        if filtered:
            return filtered.group(2)
        return left(match, "Liquid output left as it was")

    return _LIQUID.sub(replace, body)


def estimate(src: Path) -> int:
    """How many post files the site holds (for the progress bar)."""
    folders = [*_post_folders(src), src / "_drafts"]
    exts = MARKDOWN_EXTS | HTML_EXTS
    return sum(1 for f in folders for p in walk_files(f) if p.suffix.lower() in exts)
