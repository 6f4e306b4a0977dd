"""Post model: YAML front matter + Markdown body; parses strictly and round-trips byte for byte."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from hkcms.core.errors import PostError
from hkcms.core.front_fast import quick_front

STATUSES = ("draft", "published", "scheduled")
KINDS = ("post", "page")
KNOWN_KEYS = (
    "title", "author", "date", "tags", "status", "lang", "summary", "cover",
    "translation_key", "kind", "menu", "aliases", "show_counts",
)  # fmt: skip
_SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SafeDumper: type = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
# Every UTC offset is under a day, so a moment at least a day inside datetime's range converts to
# any time zone; one closer to the edge would raise OverflowError in the exporter.
EARLIEST_DATE = dt.date(1, 1, 2)
LATEST_DATE = dt.date(9999, 12, 30)

if TYPE_CHECKING:
    _LoaderBase = yaml.SafeLoader
else:
    _LoaderBase = _SafeLoader


class _Loader(_LoaderBase):
    """The safe loader, reporting a value Python cannot hold (month 13, a time of 25:61, an offset
    of +25:00, a 5,000-digit number) as a YAML error at its line, not a bare ValueError."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError, TypeError, ArithmeticError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, _constructor_problem(node, exc), node.start_mark
            ) from exc


def _constructor_problem(node: yaml.Node, exc: Exception) -> str:
    shown = repr(node.value) if isinstance(node.value, str) else "a value"
    if len(shown) > 40:
        shown = shown[:36] + "…" + shown[0]
    reason = str(exc)
    if "offset must be" in reason:
        reason = "a UTC offset must be less than 24 hours"
    elif "digits" in reason:
        reason = f"a number may have at most {sys.get_int_max_str_digits():,} digits"
    elif node.tag.endswith(":int") or node.tag.endswith(":float"):
        reason = "it is not a number"
    if node.tag.endswith(":timestamp"):
        return f"{shown} is not a real date or time ({reason}); quote it to keep it as text"
    return f"{shown} cannot be read: {reason}"


def content_hash(data: bytes) -> str:
    """The content address used for revisions and conflict checks."""
    return hashlib.sha256(data).hexdigest()


@dataclass
class Post:
    """One post: its front matter (all keys, in order) and its Markdown body."""

    slug: str
    front: dict[str, Any]
    body: str
    path: Path | None = None
    # The exact front matter block as read (delimiters included), reused while `front` is unchanged
    # so that loading and saving an untouched post gives the same bytes.
    raw_front: str | None = field(default=None, repr=False)
    front_as_read: dict[str, Any] | None = field(default=None, repr=False)
    loaded_hash: str | None = None

    @property
    def title(self) -> str:
        return str(self.front.get("title") or self.slug)

    @property
    def author(self) -> str:
        return str(self.front.get("author") or "")

    @property
    def tags(self) -> list[str]:
        return normalise_tags(self.front.get("tags"))

    @property
    def status(self) -> str:
        status = str(self.front.get("status") or "published")
        return status if status in STATUSES else "published"

    @property
    def lang(self) -> str:
        return str(self.front.get("lang") or "")

    @property
    def summary(self) -> str:
        return str(self.front.get("summary") or "")

    @property
    def date(self) -> str:
        return iso_date(self.front.get("date"))

    @property
    def translation_key(self) -> str:
        """Links the language versions of one post (never inferred from slugs)."""
        value = self.front.get("translation_key")
        return "" if value is None else str(value).strip()

    @property
    def kind(self) -> str:
        kind = str(self.front.get("kind") or "post")
        return kind if kind in KINDS else "post"

    @property
    def menu(self) -> int | None:
        """A page's place in the site navigation (lower first); None keeps it out."""
        value = self.front.get("menu")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def aliases(self) -> list[str]:
        """Old URL paths that should redirect to this post."""
        value = self.front.get("aliases")
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            return []
        return [str(v).strip() for v in value if isinstance(v, str) and v.strip()]

    @property
    def show_counts(self) -> bool:
        """Whether the "N views · N comments" line is shown (default: posts yes, pages no)."""
        value = self.front.get("show_counts")
        return self.kind == "post" if value is None else bool(value)

    def to_text(self) -> str:
        """Serialise to the file's text."""
        if self.raw_front is not None and self.front == self.front_as_read:
            return self.raw_front + self.body
        return dump_front(self.front) + self.body

    def to_bytes(self) -> bytes:
        return self.to_text().encode("utf-8")


def normalise_tags(value: Any) -> list[str]:
    """Tags may be written as a YAML list or a comma-separated string."""
    if value is None:
        return []
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list | tuple):
        items = [str(v) for v in value if v is not None]
    else:
        items = [str(value)]
    return [t.strip() for t in items if t.strip()]


def iso_date(value: Any) -> str:
    """A front matter date (YAML date, datetime or string) as ISO 8601 text."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def date_problem(value: Any) -> str | None:
    """Why a front matter date would break sorting or export (None if it is fine).

    Text that is not an ISO date is kept as written and ignored by the exporter; an ISO date too
    close to year 1 or 9999 to convert to every time zone is refused.
    """
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
        try:
            value = (
                dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text)
            )
        except ValueError:
            return None
    if isinstance(value, dt.datetime):
        try:
            day = value.astimezone(dt.UTC).date() if value.tzinfo else value.date()
        except (OverflowError, ValueError):
            day = dt.date.max
    elif isinstance(value, dt.date):
        day = value
    else:
        return None
    if EARLIEST_DATE <= day <= LATEST_DATE:
        return None
    return (
        f"date {iso_date(value)} is out of range: use a date between "
        f"{EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}"
    )


def dump_front(front: dict[str, Any]) -> str:
    """Front matter block with delimiters; keys keep their order, Chinese stays readable."""
    text = yaml.dump(
        front,
        Dumper=_SafeDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1000,
    )
    return f"---\n{text}---\n"


def parse_post(text: str, slug: str, path: Path | None = None) -> Post:
    """Parse a post's text; raises PostError naming the file and line of any problem."""
    raw_front, yaml_text, body, first_line = _split(text, path)
    front = _load_yaml(yaml_text, path, first_line)
    if not isinstance(front, dict):
        kind = type(front).__name__ if front is not None else "empty"
        raise PostError(
            f"front matter must be a mapping of keys to values (found {kind})", path, first_line
        )
    for key in front:
        if not isinstance(key, str):
            raise PostError(f"front matter key {key!r} must be text", path, first_line)
    title = front.get("title")
    if title is None or not str(title).strip():
        raise PostError("front matter has no 'title'; add a line like 'title: My post'", path, 2)
    status = front.get("status")
    if status is not None and status not in STATUSES:
        raise PostError(
            f"status {status!r} is not one of {', '.join(STATUSES)}",
            path,
            _key_line(yaml_text, "status", first_line),
        )
    problem = date_problem(front.get("date"))
    if problem:
        raise PostError(problem, path, _key_line(yaml_text, "date", first_line))
    tags = front.get("tags")
    if tags is not None and not isinstance(tags, list | str):
        raise PostError(
            "tags must be a list or comma-separated text",
            path,
            _key_line(yaml_text, "tags", first_line),
        )
    _check_new_keys(front, yaml_text, path, first_line)
    return Post(
        slug=slug,
        front=front,
        body=body,
        path=path,
        raw_front=raw_front,
        front_as_read=copy_front(front),
    )


def _check_new_keys(
    front: dict[str, Any], yaml_text: str, path: Path | None, first_line: int
) -> None:
    """Typed keys for translations, pages and old links: a wrong type is named, not guessed."""

    def fail(key: str, message: str) -> None:
        raise PostError(message, path, _key_line(yaml_text, key, first_line))

    kind = front.get("kind")
    if kind is not None and kind not in KINDS:
        fail("kind", f"kind {kind!r} is not one of {', '.join(KINDS)}")
    menu = front.get("menu")
    if menu is not None and (not isinstance(menu, int) or isinstance(menu, bool)):
        fail("menu", "menu must be a whole number (the page's place in the navigation)")
    aliases = front.get("aliases")
    if aliases is not None and not (
        isinstance(aliases, str)
        or (isinstance(aliases, list) and all(isinstance(a, str) for a in aliases))
    ):
        fail("aliases", "aliases must be a list of old paths, like [/old/path/]")
    key = front.get("translation_key")
    if key is not None and not isinstance(key, str | int):
        fail("translation_key", "translation_key must be a short text, like 'agm-2026'")
    lang = front.get("lang")
    if lang is not None and not isinstance(lang, str):
        fail("lang", "lang must be a language tag, like en or zh-Hant")


def copy_front(front: dict[str, Any]) -> dict[str, Any]:
    """A copy that later edits of `front` cannot change; plain values and flat lists (nearly
    every post) are copied without deepcopy, which cost a first scan 0.1 ms a post."""
    out: dict[str, Any] = {}
    for key, value in front.items():
        if type(value) is list and all(type(v) in _IMMUTABLE for v in value):
            out[key] = list(value)
        elif type(value) in _IMMUTABLE:
            out[key] = value
        else:
            return copy.deepcopy(front)
    return out


_IMMUTABLE = frozenset({str, int, float, bool, type(None), dt.date, dt.datetime})


def _split(text: str, path: Path | None) -> tuple[str, str, str, int]:
    """Split into (front block with delimiters, YAML text, body, line of the first YAML line)."""
    start = 1 if text.startswith("\ufeff") else 0
    first_nl = text.find("\n", start)
    if first_nl < 0 or text[start:first_nl].rstrip("\r") != "---":
        raise PostError(
            "has no front matter: start the file with a '---' line, 'title: …' and '---'",
            path,
            1,
        )
    pos = first_nl + 1
    line_no = 2
    while pos <= len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl
        if text[pos:end].rstrip("\r") in ("---", "..."):
            after = end if nl < 0 else nl + 1
            return text[:after], text[first_nl + 1 : pos], text[after:], 2
        if nl < 0:
            break
        pos = nl + 1
        line_no += 1
    raise PostError("front matter is not closed: add a '---' line after it", path, 1)


def _load_yaml(yaml_text: str, path: Path | None, first_line: int) -> Any:
    quick = quick_front(yaml_text)  # the usual plain shapes, 10× faster than PyYAML
    if quick is not None:
        return quick
    try:
        if "&" in yaml_text or "*" in yaml_text:
            _refuse_aliases(yaml_text, path, first_line)
        return yaml.load(yaml_text, Loader=_Loader)  # noqa: S506 - a safe loader
    except PostError:
        raise
    except RecursionError as exc:
        raise PostError("front matter is nested too deeply to read", path, first_line) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = first_line + mark.line if mark is not None else first_line
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "could not determine a constructor" in str(exc):
            problem = "uses a YAML tag that is not allowed (only plain values, lists and mappings)"
        raise PostError(f"front matter is not valid YAML: {problem}", path, line) from exc


def _refuse_aliases(yaml_text: str, path: Path | None, first_line: int) -> None:
    """Anchors and aliases let a few bytes expand to megabytes ("billion laughs"): refuse them."""
    for event in yaml.parse(yaml_text, Loader=_SafeLoader):
        anchor = getattr(event, "anchor", None)
        if isinstance(event, yaml.AliasEvent) or anchor:
            line = first_line + (event.start_mark.line if event.start_mark else 0)
            raise PostError(
                "front matter uses YAML anchors or aliases (&, *); remove them", path, line
            )


def _key_line(yaml_text: str, key: str, first_line: int) -> int:
    for i, line in enumerate(yaml_text.splitlines()):
        if line.startswith(f"{key}:"):
            return first_line + i
    return first_line
