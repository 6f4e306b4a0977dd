"""Site: opens a site folder, resolves its paths and loads hkcms.toml settings."""

from __future__ import annotations

import datetime as dt
import grp
import os
import pwd
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hkcms.core.atomic import decode_utf8, make_dirs, read_regular_file, write_atomic
from hkcms.core.errors import SiteError
from hkcms.core.lang import is_lang_tag, normalise_lang

SETTINGS_FILE = "hkcms.toml"
STATE_DIR = ".hkcms"
SITE_ROOT_PRIVATE = 0o711
SITE_ROOT_SHARED = 0o2771
DEFAULT_TIMEZONE = "Europe/London"
FEED_ENTRIES = 20


def parse_zone(name: str, path: Path | None = None) -> dt.tzinfo:
    """The one reading of a timezone setting: an unknown name is an error naming the file."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SiteError(
            f"unknown timezone {name!r}; use a name like 'Europe/London' or 'Asia/Hong_Kong'", path
        ) from exc


@dataclass(frozen=True)
class Settings:
    """Site settings from hkcms.toml, with defaults for every key."""

    title: str = "hkcms site"
    base_url: str = ""
    language: str = "en"
    author: str = ""
    timezone: str = DEFAULT_TIMEZONE
    posts_per_page: int = 10
    publish_target: str = ""
    views: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    feed_entries: int = FEED_ENTRIES
    # Parsed once here: every reader of dates uses these, never the names.
    zone: dt.tzinfo = field(default_factory=lambda: parse_zone(DEFAULT_TIMEZONE))
    views_timezone: str = DEFAULT_TIMEZONE  # [views] timezone, else the site's
    views_zone: dt.tzinfo = field(default_factory=lambda: parse_zone(DEFAULT_TIMEZONE))
    # The languages the site is written in ([] = the default language and those of its posts).
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Site:
    """A site folder: posts/, media/, templates/, the .hkcms/ state folder and settings."""

    root: Path
    settings: Settings

    @property
    def posts_dir(self) -> Path:
        return self.root / "posts"

    @property
    def media_dir(self) -> Path:
        return self.root / "media"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    @property
    def public_dir(self) -> Path:
        return self.root / "public"

    def post_path(self, slug: str) -> Path:
        return self.posts_dir / f"{slug}.md"

    @classmethod
    def open(cls, root: Path | str) -> Site:
        """Open an existing site; a folder without posts/ is not a site."""
        path = Path(root).expanduser()
        if not path.is_dir():
            raise SiteError("site folder does not exist; create one with 'hkcms init DIR'", path)
        if not (path / "posts").is_dir():
            raise SiteError(
                "is not an hkcms site (no posts/ folder); create one with 'hkcms init DIR'", path
            )
        return cls(root=path.resolve(), settings=load_settings(path / SETTINGS_FILE))

    @classmethod
    def init(
        cls,
        root: Path | str,
        title: str | None = None,
        description: str | None = None,
        group: str | None = None,
    ) -> Site:
        """Create a new site folder (refuses a folder that already holds files).

        With `group`, a site shared by that Unix group (like `git init --shared=group`): its
        folders are setgid to the group, and everything hkcms writes in them is group-readable
        and -writable (and private to the group) whatever each member's umask."""
        path = Path(root).expanduser()
        if path.exists() and not path.is_dir():
            raise SiteError("exists and is not a folder", path)
        if path.is_dir() and any(p.name not in {".git"} for p in path.iterdir()):
            raise SiteError("is not empty; choose a new folder for the site", path)
        gid = _group_id(group, path) if group else None
        created = not path.exists()
        path.mkdir(parents=True, exist_ok=True)
        if gid is not None:
            os.chown(path, -1, gid)
            # Others may pass through (a web server reaching public/) but not list or read.
            os.chmod(path, SITE_ROOT_SHARED)
        elif created:
            os.chmod(path, SITE_ROOT_PRIVATE)
        for sub in ("posts", "media", STATE_DIR):
            make_dirs(path / sub)
        site_title = title or path.resolve().name
        author = current_login()
        text = (
            f"# hkcms site settings\n"
            f"title = {_toml_string(site_title)}\n"
            f"# One or two sentences: the home page's description and the feeds' subtitle.\n"
            f"description = {_toml_string(description or '')}\n"
            f'base_url = "https://example.org/"\n'
            f'language = "en"\n'
            f'# languages = ["en", "zh-Hant"]   # the languages posts are translated into\n'
            f"author = {_toml_string(author)}\n"
            f'timezone = "Europe/London"\n'
            f"posts_per_page = 10\n\n"
            f"[publish]\n"
            f'# target = "user@host:/var/www/blog/"\n'
            f'target = ""\n\n'
            f"[views]\n"
            f'# log_format = "combined"\n'
            f'# old_patterns = ["/post/{{slug}}"]\n'
        )
        write_atomic(path / SETTINGS_FILE, text.encode())
        return cls.open(path)


def current_login() -> str:
    """The login name of this process's user (not $USER, which `su` may leave behind)."""
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return os.environ.get("USER", "")


def _group_id(name: str, path: Path) -> int:
    """The id of a group the current user belongs to (root may use any)."""
    try:
        gid = grp.getgrnam(name).gr_gid
    except KeyError:
        raise SiteError(
            f"there is no group {name!r}; create it first (e.g. sudo groupadd {name})", path
        ) from None
    if os.geteuid() != 0 and gid not in os.getgroups():
        raise SiteError(
            f"you are not a member of the group {name!r}; ask an administrator to add you "
            f"(sudo usermod -aG {name} {current_login()}) and log in again",
            path,
        )
    return gid


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def load_settings(path: Path) -> Settings:
    """Read hkcms.toml; a missing file gives defaults, a broken one a clear error."""
    if not path.exists():
        return Settings()
    text = decode_utf8(read_regular_file(path, 256 * 1024), path)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(str(exc))
        raise SiteError(f"settings are not valid TOML: {exc}", path, line) from exc
    defaults = Settings()
    publish = raw.get("publish", {})
    views = raw.get("views", {})
    if not isinstance(publish, dict) or not isinstance(views, dict):
        raise SiteError("[publish] and [views] must be tables", path)
    try:
        per_page = int(raw.get("posts_per_page", defaults.posts_per_page))
    except (TypeError, ValueError) as exc:
        raise SiteError("posts_per_page must be a whole number", path) from exc
    if per_page < 1:
        raise SiteError("posts_per_page must be at least 1", path)
    try:
        feed_entries = int(raw.get("feed_entries", FEED_ENTRIES))
    except (TypeError, ValueError) as exc:
        raise SiteError("feed_entries must be a whole number", path) from exc
    if feed_entries < 1:
        raise SiteError("feed_entries must be at least 1", path)
    timezone = str(raw.get("timezone", defaults.timezone))
    languages = raw.get("languages", [])
    if not isinstance(languages, list) or not all(
        isinstance(v, str) and is_lang_tag(v) for v in languages
    ):
        raise SiteError('languages must be a list of language tags, like ["en", "zh-Hant"]', path)
    views_timezone = str(views.get("timezone", timezone))
    return Settings(
        title=str(raw.get("title", defaults.title)),
        base_url=str(raw.get("base_url", defaults.base_url)),
        language=str(raw.get("language", defaults.language)),
        author=str(raw.get("author", defaults.author)),
        timezone=timezone,
        posts_per_page=per_page,
        publish_target=str(publish.get("target", "")),
        views=dict(views),
        raw=raw,
        description=str(raw.get("description", "")).strip(),
        feed_entries=feed_entries,
        zone=parse_zone(timezone, path),
        views_timezone=views_timezone,
        views_zone=parse_zone(views_timezone, path),
        languages=tuple(dict.fromkeys(normalise_lang(v) for v in languages)),
    )


def _toml_error_line(message: str) -> int | None:
    marker = "line "
    if marker in message:
        digits = message.split(marker, 1)[1].split(",")[0].split(")")[0]
        if digits.isdigit():
            return int(digits)
    return None
