"""The words of the site's pages, per language: packaged strings files, overridable by a site."""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hkcms.core.atomic import decode_utf8, read_regular_file
from hkcms.core.errors import HkcmsError
from hkcms.core.lang import fallbacks, is_lang_tag, normalise_lang

PACKAGED_DIR = Path(__file__).resolve().parent / "strings"
BASE_LANG = "en"  # every language falls back to English for the keys it does not define
MAX_STRINGS_BYTES = 256 * 1024


class StringsError(HkcmsError):
    """A strings file cannot be used (not TOML, a value of the wrong kind, a bad placeholder)."""


@dataclass(frozen=True)
class Strings:
    """The words of one language: plain words for templates, plural forms and date formats."""

    lang: str
    words: dict[str, str]
    plurals: dict[str, dict[str, str]]
    plural_rule: str
    month_names: list[str]
    origin: dict[str, str] = field(default_factory=dict)  # key → file it came from

    def format(self, key: str, **values: Any) -> str:
        """A word with its {placeholders} filled; a bad placeholder names the strings file."""
        text = self.words[key]
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError) as exc:
            raise StringsError(
                f"{key} = {text!r} uses a placeholder it cannot fill ({exc}); "
                f"it may use {', '.join('{' + k + '}' for k in values)}",
                self.origin.get(key),
            ) from exc

    def plural(self, key: str, n: int) -> str:
        """'1 view' / '2 views' / '2 次瀏覽': the form the language's plural rule picks."""
        forms = self.plurals.get(key, {})
        category = "one" if self.plural_rule == "one_other" and n == 1 else "other"
        text = forms.get(category) or forms.get("other") or f"{{n}} {key}"
        try:
            return text.format(n=n)
        except (KeyError, IndexError, ValueError) as exc:
            raise StringsError(
                f"plural.{key}.{category} = {text!r} may only use {{n}}",
                self.origin.get(f"plural.{key}"),
            ) from exc

    def date(self, day: dt.date) -> str:
        return self.format(
            "date_format",
            day=day.day,
            month=day.month,
            year=day.year,
            month_name=self.month_names[day.month - 1],
        )

    def month(self, year: int, month: int) -> str:
        return self.format(
            "month_format", month=month, year=year, month_name=self.month_names[month - 1]
        )


class StringsLoader:
    """Finds and merges strings files: packaged ones, then the site's <site>/strings/<lang>.toml
    (the site's win). A language without its own file uses the nearest one (zh-Hant-HK →
    zh-Hant), and English fills any key a file leaves out."""

    def __init__(self, site_dir: Path | None) -> None:
        self.packaged = _files_in(PACKAGED_DIR)
        self.site = _files_in(site_dir) if site_dir is not None and site_dir.is_dir() else {}
        self._raw: dict[Path, dict[str, Any]] = {}
        self._cache: dict[str, Strings] = {}

    def key(self) -> str:
        """Changes whenever any strings file (packaged or the site's) changes."""
        digest = hashlib.sha256()
        for files in (self.packaged, self.site):
            for name, path in sorted(files.items()):
                digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
        return digest.hexdigest()[:16]

    def languages(self) -> list[str]:
        """Languages with a strings file (packaged or the site's)."""
        return sorted(set(self.packaged) | set(self.site))

    def for_lang(self, lang: str) -> Strings:
        lang = normalise_lang(lang, BASE_LANG)
        if lang not in self._cache:
            self._cache[lang] = self._load(lang)
        return self._cache[lang]

    def _chain(self, lang: str) -> list[Path]:
        chain: list[Path] = []
        tags = fallbacks(lang)[::-1]  # zh, zh-Hant, zh-Hant-HK: the most specific last
        if tags[0] == "zh" and "zh" not in self.packaged and "zh" not in self.site:
            tags.insert(1, "zh-Hant")  # a Hong Kong site: plain Chinese reads Traditional
        for tag in [BASE_LANG, *tags]:
            for files in (self.packaged, self.site):
                path = files.get(tag)
                if path is not None and path not in chain:
                    chain.append(path)
        return chain

    def _load(self, lang: str) -> Strings:
        words: dict[str, str] = {}
        plurals: dict[str, dict[str, str]] = {}
        origin: dict[str, str] = {}
        rule, months = "one_other", []
        for path in self._chain(lang):
            data = self._read(path)
            for key, value in data.items():
                where = str(path)
                if key == "plural":
                    if not isinstance(value, dict):
                        raise StringsError("[plural] must be a table of forms", path)
                    for name, forms in value.items():
                        if not isinstance(forms, dict) or not all(
                            isinstance(v, str) for v in forms.values()
                        ):
                            raise StringsError(f"[plural.{name}] must map one/other to text", path)
                        plurals[name] = plurals.get(name, {}) | forms
                        origin[f"plural.{name}"] = where
                elif key == "month_names":
                    if not (
                        isinstance(value, list)
                        and len(value) == 12
                        and all(isinstance(v, str) for v in value)
                    ):
                        raise StringsError("month_names must list the twelve months", path)
                    months = list(value)
                elif key == "plural_rule":
                    if value not in ("one_other", "other"):
                        raise StringsError('plural_rule must be "one_other" or "other"', path)
                    rule = value
                elif isinstance(value, str):
                    words[key] = value
                    origin[key] = where
                else:
                    raise StringsError(f"{key} must be text", path)
        return Strings(lang, words, plurals, rule, months, origin)

    def _read(self, path: Path) -> dict[str, Any]:
        if path not in self._raw:
            text = decode_utf8(read_regular_file(path, MAX_STRINGS_BYTES), path)
            try:
                self._raw[path] = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                line = getattr(exc, "lineno", None)
                raise StringsError(f"strings file is not valid TOML: {exc}", path, line) from exc
        return self._raw[path]


def _files_in(folder: Path) -> dict[str, Path]:
    """Strings files by their (canonical) language tag."""
    files: dict[str, Path] = {}
    for path in sorted(folder.glob("*.toml")):
        if is_lang_tag(path.stem):
            files[normalise_lang(path.stem)] = path
    return files
