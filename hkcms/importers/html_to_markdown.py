"""Untrusted HTML → Markdown (markdownify): sanitised first, never hard-wrapped, CJK-aware."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import nh3
from bs4 import BeautifulSoup, Tag
from markdownify import ATX, BACKSLASH, MarkdownConverter

# What imported HTML may keep before conversion; everything else is unwrapped (its text kept),
# <script>/<style> are dropped with their content, event handlers and styles never survive.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
    "del", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small",
    "span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "u", "ul", "video", "audio", "source",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start"},
    "pre": {"class"},
    "code": {"class"},
    "video": {"src", "poster"},
    "audio": {"src"},
    "source": {"src", "type"},
}
URL_SCHEMES = {"http", "https", "mailto"}  # javascript:, data:, vbscript: … are dropped
_BLOCKS_IN_CELL: tuple[str, ...] = (
    "p",
    "ul",
    "ol",
    "pre",
    "blockquote",
    "div",
    "table",
    "dl",
    "figure",
    "hr",
)
_BLOCKS_IN_CELL += tuple(f"h{n}" for n in range(1, 7))
_CJK = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u3000-\u303f\uac00-\ud7af"
# A line break inside running text: between two CJK characters it is no space at all (a
# browser would show one); elsewhere it is one space.
_CJK_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t\r\f\v]*\n\s*(?=[{_CJK}])")
_WHITESPACE = re.compile(r"[ \t\r\n\f\v]+")
_IFRAME = re.compile(
    r"<iframe\b[^>]*?\bsrc\s*=\s*[\"']([^\"']+)[\"'][^>]*>(?:.*?</iframe>)?", re.I | re.S
)
_ESCAPED_PUNCT = re.compile(r"\\(?=[!-/:-@\[-`{-~])")
_ENTITY_LIKE = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_LINE_START = re.compile(r"^(\s*)([#>+=~-])")
_LIST_NUMBER = re.compile(r"^(\s*\d+)([.)])(?=\s|$)")
_PRE_BLOCK = re.compile(r"(<pre\b[\s\S]*?</pre>)", re.I)
_HEADING = re.compile(r"^h[1-6]$")
_MANY_BLANKS = re.compile(r"\n{3,}")
_BREAK_INDENT = re.compile(r"\\\n[ \t]+")
_BLANK_LINE = re.compile(r"(?m)^[ \t]+$")
_IMAGE = re.compile(r"!\[(?:\\.|[^\]\\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HTML_IMG = re.compile(r"<img\b[^>]*?\bsrc=\"([^\"]+)\"", re.I)


@dataclass
class Converted:
    """A converted body and the image URLs it refers to, in order of appearance."""

    markdown: str
    images: list[str] = field(default_factory=list)


def sanitise(html: str) -> str:
    """The allowlisted HTML (nh3): no scripts, styles, event handlers or javascript: links.
    Embedded frames (videos, maps) become plain links first, so that nothing is lost."""
    html = _IFRAME.sub(lambda m: f'<p><a href="{m.group(1)}">{m.group(1)}</a></p>', html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


def safe_url(url: str) -> str:
    """A URL that a Markdown link or image can hold: spaces and brackets percent-encoded."""
    url = url.strip()
    for char, code in ((" ", "%20"), ("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E")):
        url = url.replace(char, code)
    return url


def normalise_space(text: str) -> str:
    """Running text on one line: breaks between CJK characters vanish, others become spaces."""
    if "\n" in text:
        text = _CJK_BREAK.sub("", text)
    return _WHITESPACE.sub(" ", text)


def _one_line(html: str) -> str:
    """Whitespace of the HTML outside <pre> blocks normalised (see normalise_space) before
    parsing: one pass over the text instead of one per text node."""
    if "<pre" not in html:
        return normalise_space(html)
    parts = _PRE_BLOCK.split(html)
    return "".join(p if i % 2 else normalise_space(p) for i, p in enumerate(parts))


def html_block(el: Tag) -> str:
    """An element kept as HTML in the Markdown: one HTML block without blank lines."""
    return re.sub(r"\s*\n\s*", "\n", str(el)).strip()


class _Converter(MarkdownConverter):  # type: ignore[misc]
    """markdownify with hkcms's rules: ATX headings, '-' bullets, no wrapping, safe escaping."""

    def escape(self, text: str, parent_tags: Any) -> str:
        if not text:
            return ""
        text = _ESCAPED_PUNCT.sub(r"\\\\", text)
        text = MarkdownConverter.escape(self, text, parent_tags)  # type: ignore[attr-defined]
        text = text.replace("`", "\\`").replace("[", "\\[").replace("]", "\\]")
        text = text.replace("<", "\\<").replace("|", "\\|")
        text = _ENTITY_LIKE.sub(r"\\&", text)
        text = _LINE_START.sub(r"\1\\\2", text)
        return _LIST_NUMBER.sub(r"\1\\\2", text)

    def convert_img(self, el: Tag, text: str, parent_tags: Any) -> str:
        src = safe_url(str(el.attrs.get("src") or ""))
        if not src:
            return ""
        alt = self.escape(normalise_space(str(el.attrs.get("alt") or "")).strip(), set())
        title = normalise_space(str(el.attrs.get("title") or "")).strip().replace('"', "'")
        title_part = f' "{title}"' if title else ""
        return f"![{alt}]({src}{title_part})"

    def convert_a(self, el: Tag, text: str, parent_tags: Any) -> str:
        href = el.get("href")
        if href:
            el["href"] = safe_url(str(href))
        return str(MarkdownConverter.convert_a(self, el, text, parent_tags))  # type: ignore[attr-defined]

    def convert_figcaption(self, el: Tag, text: str, parent_tags: Any) -> str:
        text = text.strip()
        return f"\n\n*{text}*\n\n" if text else ""

    def convert_table(self, el: Tag, text: str, parent_tags: Any) -> str:
        if not markdown_can_hold(el):
            return f"\n\n{html_block(el)}\n\n"
        return str(MarkdownConverter.convert_table(self, el, text, parent_tags))  # type: ignore[attr-defined]


def markdown_can_hold(table: Tag) -> bool:
    """A Markdown table has one line per row and no merged cells: anything else stays HTML."""
    rows = table.find_all("tr")
    if not rows or table.find("table") is not None:
        return False
    widths = set()
    for row in rows:
        cells = row.find_all(["td", "th"], recursive=False)
        widths.add(len(cells))
        for cell in cells:
            if cell.get("colspan") not in (None, "1") or cell.get("rowspan") not in (None, "1"):
                return False
            if cell.find(_BLOCKS_IN_CELL) is not None or cell.find("br") is not None:
                return False
    return len(widths) == 1


_CONVERTER = _Converter(
    heading_style=ATX,
    bullets="-",
    newline_style=BACKSLASH,
    wrap=False,
    keep_inline_images_in=["td", "th", "a"],
    code_language_callback=lambda el: _code_language(el),
)


def _code_language(el: Tag) -> str:
    for node in (el, el.find("code")):
        if isinstance(node, Tag):
            for cls in node.get("class") or []:
                for prefix in ("language-", "lang-", "brush:"):
                    if cls.startswith(prefix):
                        return re.sub(r"[^\w+#.-]", "", cls[len(prefix) :])
    return ""


def fix_heading_levels(soup: BeautifulSoup) -> None:
    """Headings under the page's title (h1): the body's highest becomes h2 and no level is
    skipped (an <h3> straight after the title fails accessibility checks); order is kept."""
    headings = soup.find_all(_HEADING)
    if not headings:
        return
    shift = min(int(h.name[1]) for h in headings) - 2
    previous = 1
    for heading in headings:
        level = max(2, min(6, int(heading.name[1]) - shift, previous + 1))
        heading.name = f"h{level}"
        previous = level


def convert(html: str) -> Converted:
    """Untrusted HTML → Markdown, with the images it shows."""
    soup = BeautifulSoup(_one_line(sanitise(html)), "html.parser")
    fix_heading_levels(soup)
    markdown = _CONVERTER.convert_soup(soup)
    markdown = _BREAK_INDENT.sub("\\\n", markdown)
    markdown = _BLANK_LINE.sub("", markdown)
    markdown = _MANY_BLANKS.sub("\n\n", markdown).strip()
    images = [*_IMAGE.findall(markdown), *_HTML_IMG.findall(markdown)]
    return Converted(markdown + "\n" if markdown else "", list(dict.fromkeys(images)))


def html_to_markdown(html: str) -> str:
    """Untrusted HTML → Markdown (just the text)."""
    return convert(html).markdown
