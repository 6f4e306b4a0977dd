"""Markdown building blocks for importers: escaped text, safe links, images and code fences."""

from __future__ import annotations

import re

_ESCAPE = re.compile(r"([\\`*_\[\]<>|~])")
# A line start Markdown would read as a heading, list item, rule or setext underline.
_LINE_START = re.compile(r"^(\s*)([#+=-]|\d+[.)](?=\s|$))", re.MULTILINE)
_ENTITY = re.compile(r"&(?=#?\w+;)")
_SAFE_SCHEMES = ("http://", "https://", "mailto:", "tel:")


def escape_inline(text: str) -> str:
    """Text that Markdown shows as written inside a line (no emphasis, links or HTML)."""
    return _ENTITY.sub(r"\\&", _ESCAPE.sub(r"\\\1", text))


def escape(text: str) -> str:
    """Text that Markdown shows exactly as written (no emphasis, links, HTML or headings)."""
    return _LINE_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", escape_inline(text))


def safe_url(url: str | None) -> str | None:
    """The URL if it is web, mail, phone, a site path or an anchor; None for javascript: etc."""
    if not url:
        return None
    url = url.strip()
    if re.search(r"[\x00-\x1f\x7f]", url):
        return None
    lower = url.lower()
    if lower.startswith(_SAFE_SCHEMES) or url.startswith(("/", "#", "./", "../")):
        return url
    if re.match(r"^[a-z][a-z0-9+.-]*:", lower):
        return None  # javascript:, data:, vbscript:, file: …
    return url  # a relative path


def destination(url: str) -> str:
    """A link destination that survives spaces and parentheses."""
    if re.search(r"[\s()<>]", url):
        return "<" + url.replace("<", "%3C").replace(">", "%3E") + ">"
    return url


def link(label: str, url: str) -> str:
    """[label](url); `label` is already Markdown."""
    return f"[{label}]({destination(url)})"


def image(alt: str, url: str, title: str = "") -> str:
    """![alt](url "title") with the alt text and title escaped."""
    alt_text = escape(" ".join(alt.split()))
    title_part = ""
    if title:
        clean = " ".join(title.split()).replace("\\", "\\\\").replace('"', '\\"')
        title_part = f' "{clean}"'
    return f"![{alt_text}]({destination(url)}{title_part})"


def fence(code: str, lang: str = "") -> str:
    """A fenced code block whose fence is longer than any backtick run inside the code."""
    longest = max((len(m) for m in re.findall(r"`+", code)), default=0)
    marks = "`" * max(3, longest + 1)
    lang = re.sub(r"[^\w+#.-]", "", lang)
    return f"{marks}{lang}\n{code.rstrip(chr(10))}\n{marks}"


def note(text: str) -> str:
    """A visible note in the body about something the old site had that cannot be shown here."""
    return f"*\\[{escape(text)}\\]*"
