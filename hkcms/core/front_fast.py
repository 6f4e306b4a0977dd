"""Front matter in the plain shapes posts use, read without YAML (a first scan of 10,000 posts).

PyYAML costs about 0.16 ms a post even with its C loader, most of a first scan. Nearly every post's
front matter is a few `key: value` lines: text, a date, a whole number, a list of tags. Those
shapes are read here with the same result as PyYAML's safe loader (a Hypothesis test compares
the two); anything else (quotes with escapes, block scalars, nested mappings, anchors, tabs,
unusual characters, words YAML reads as booleans or numbers) returns None, and the caller uses
PyYAML.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?\Z")
_DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)\Z")
_INT = re.compile(r"(?:0|[1-9][0-9]{0,17})\Z")
# Plain text starts with a letter or / (never a number, date, indicator or quote) and holds no `#`
# or `:` (a comment or a mapping); in a flow list, no bracket, comma or quote either.
_PLAIN = re.compile(r"(?:[^\W\d_]|/)[^#:]*\Z")
_FLOW_PLAIN = re.compile(r"(?:[^\W\d_]|/)[^#:\[\]{},'\"]*\Z")
_DOUBLE = re.compile(r'"([^"\\]*)"\Z')
_SINGLE = re.compile(r"'([^']*)'\Z")
# Words PyYAML reads as booleans or null (YAML 1.1), in any spelling it accepts.
_SPECIAL = {
    w
    for base in ("yes", "no", "true", "false", "on", "off", "null")
    for w in (base, base.capitalize(), base.upper())
} | {"~"}
# YAML treats these as line breaks or refuses them; their texts go to PyYAML.
_ODD = re.compile(
    r"[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)


def quick_front(text: str) -> dict[str, Any] | None:
    """The front matter mapping of `text` (the lines between the --- markers), or None when
    the text needs the real YAML parser."""
    if _ODD.search(text):
        return None
    out: dict[str, Any] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line or line[0] == "#":
            if line and not line.startswith("# "):
                return None
            continue
        match = _KEY.match(line)
        if match is None:
            return None
        key, raw = match.group(1), match.group(2)
        if key in _SPECIAL or key in out:
            return None  # a key YAML reads as a boolean, or one given twice
        if raw is None or not raw.strip(" "):
            items: list[Any] = []
            while i < len(lines) and lines[i].startswith("- "):
                item = _scalar(lines[i][2:])
                if item is _NO:
                    return None
                items.append(item)
                i += 1
            out[key] = items if items else None
            continue
        value = _flow_list(raw) if raw.startswith("[") else _scalar(raw)
        if value is _NO:
            return None
        out[key] = value
    return out or None  # an empty document is PyYAML's None, and its error message


_NO = object()


def _scalar(raw: str, plain: re.Pattern[str] = _PLAIN) -> Any:
    """One value on one line; _NO when YAML might read it differently."""
    value = raw.rstrip(" ")
    if value != raw and " #" in raw:
        return _NO
    if value.startswith('"'):
        match = _DOUBLE.match(value)
        return match.group(1) if match else _NO
    if value.startswith("'"):
        match = _SINGLE.match(value)
        return match.group(1) if match else _NO
    if plain.match(value):
        if value in _SPECIAL or "  " in value:
            return _NO
        return value
    if _INT.match(value):
        return int(value)
    match = _DATE.match(value)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return _NO
    return _NO


def _flow_list(raw: str) -> Any:
    """`[a, b]` or `["a", "b"]`: items that are text, numbers or dates, no nesting."""
    value = raw.rstrip(" ")
    if not value.endswith("]"):
        return _NO
    inner = value[1:-1].strip(" ")
    if not inner:
        return []
    items = []
    for part in inner.split(","):
        item = part.strip(" ")
        if not item or item.startswith("'") and "," in item:
            return _NO
        parsed = _scalar(item, _FLOW_PLAIN)
        if parsed is _NO:
            return _NO
        items.append(parsed)
    return items
