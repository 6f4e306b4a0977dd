"""The theme: packaged Jinja2 templates and static files, overridable from <site>/templates/."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hkcms import __version__
from hkcms.core.atomic import file_mode, make_dirs

if TYPE_CHECKING:
    from jinja2 import Environment
from hkcms.export.paths import url_path

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
# Static files and where they go in the export; a site's templates/ may override each by name.
STATIC_FILES = {"style.css": "assets/style.css", "favicon.ico": "favicon.ico"}


def og_locale(lang: str) -> str:
    """Open Graph wants language_TERRITORY; '' when the tag names no territory."""
    special = {"zh-hant": "zh_HK", "zh-hans": "zh_CN", "zh": "zh_HK"}
    if lang.lower() in special:
        return special[lang.lower()]
    parts = lang.split("-")
    if len(parts) in (2, 3) and len(parts[-1]) == 2:
        return f"{parts[0].lower()}_{parts[-1].upper()}"
    return ""


def parse_when(value: str, zone: dt.tzinfo) -> dt.datetime | dt.date | None:
    """An ISO date or date-time from front matter or history; None if it is not one."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        # A moment at the edge of the calendar (9999-12-31T23:59-14:00) cannot be converted.
        return when.astimezone(zone) if when.tzinfo else when
    except (ValueError, OverflowError):
        return None


def today_in(zone: dt.tzinfo) -> dt.date:
    """The day it is now where the site is: a post dated after it is scheduled, not shown."""
    return dt.datetime.now(zone).date()


def local_date(value: str, zone: dt.tzinfo) -> dt.date | None:
    when = parse_when(value, zone)
    if isinstance(when, dt.datetime):
        return when.date()
    return when


def theme_files(site_templates: Path | None) -> dict[str, Path]:
    """Every template and static file by name; the site's own files win."""
    files = {p.name: p for p in sorted(TEMPLATES_DIR.iterdir()) if p.is_file()}
    files.update({p.name: p for p in sorted(STATIC_DIR.iterdir()) if p.is_file()})
    if site_templates is not None and site_templates.is_dir() and not site_templates.is_symlink():
        for path in sorted(site_templates.iterdir()):
            # A link could copy any file of the machine into the public site: never follow one.
            if path.is_file() and not path.is_symlink() and not path.name.startswith("."):
                files[path.name] = path
    return files


def theme_key(site_templates: Path | None) -> str:
    """Changes whenever any template, static file or hkcms itself changes."""
    digest = hashlib.sha256(f"hkcms {__version__}\n".encode())
    for name, path in sorted(theme_files(site_templates).items()):
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@lru_cache(maxsize=4)
def environment(site_templates: str | None, cache: str | None = None) -> Environment:
    """The Jinja2 environment: autoescaping for HTML and XML, no undefined variables.
    `cache`: a folder for compiled templates (compiling them costs each process ~0.1 s)."""
    # Imported here: an export with nothing to write never loads Jinja2.
    from jinja2 import (
        ChoiceLoader,
        Environment,
        FileSystemBytecodeCache,
        FileSystemLoader,
        StrictUndefined,
    )

    loaders = [FileSystemLoader(str(TEMPLATES_DIR))]
    if site_templates:
        loaders.insert(0, FileSystemLoader(site_templates))
    bytecode = None
    if cache:
        try:
            make_dirs(Path(cache))  # private to the owner (or the site's group)
            bytecode = _shared_cache(FileSystemBytecodeCache)(cache)
        except OSError:
            bytecode = None  # a read-only site still exports, a little slower
    env = _dict_first(Environment)(
        loader=ChoiceLoader(loaders),
        bytecode_cache=bytecode,
        autoescape=True,  # every template is HTML or XML: escape everything by default
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["urlpath"] = url_path
    env.filters["og_locale"] = og_locale
    return env


def _dict_first(base: Any) -> Any:
    """Jinja's environment, looking `a.b` up as a key first when `a` is a dict. The pages'
    contexts are dicts: Jinja tries the attribute first and pays for an AttributeError at
    every `a.b` (a fifth of the time of a post page). Dict methods still work unless a key
    has their name, and no context has such a key."""

    class DictFirstEnvironment(base):  # type: ignore[misc, valid-type]
        def getattr(self, obj: Any, attribute: str) -> Any:
            if type(obj) is dict:
                try:
                    return obj[attribute]
                except KeyError:
                    pass
            return super().getattr(obj, attribute)

    return DictFirstEnvironment


def _shared_cache(base: Any) -> Any:
    """Jinja's bytecode cache, whose files (made 0600 by mkstemp) get hkcms's file mode: in a
    shared site the next member reads them instead of compiling the templates again."""

    class SharedBytecodeCache(base):  # type: ignore[misc, valid-type]
        def dump_bytecode(self, bucket: Any) -> None:
            super().dump_bytecode(bucket)
            try:
                os.chmod(self._get_cache_filename(bucket), file_mode(Path(self.directory)))
            except OSError:
                pass  # a cache file is only a time saver

    return SharedBytecodeCache
