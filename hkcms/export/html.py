"""HTML safety: post bodies through nh3 with an allowlist, comments as escaped plain text."""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

import nh3

# Bump when sanitising or rewriting changes, so cached fragments are rendered again.
SANITIZE_VERSION = "5"

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
    "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "input", "ins", "kbd", "li", "mark", "ol", "p", "pre",
    "q", "s", "section", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "lang", "dir", "title"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "reversed"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# markdown-it writes table alignment as style="text-align:…"; only those styles survive, and
# every <input> (task lists) becomes a disabled checkbox. Values are checked in Rust, not in a
# Python callback per attribute, which halves the time nh3 takes.
_ALIGN = {"text-align:left", "text-align:right", "text-align:center"}
_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel=None,  # no target="_blank" survives, so no rel is needed (and rel needs href)
    strip_comments=True,
    tag_attribute_values={
        "td": {"style": _ALIGN},
        "th": {"style": _ALIGN},
        "input": {"type": {"checkbox"}, "checked": {"checked", ""}},
    },
    set_tag_attribute_values={"input": {"type": "checkbox", "disabled": "disabled"}},
)

_IMG_NO_SRC = re.compile(r"<img\b(?![^>]*\ssrc=)[^>]*>")
# A task-list check box with the text after it, which becomes its label (screen readers).
_CHECKBOX = re.compile(r"(<input\b[^>]*>)([^<\n]+)")
# An empty header cell (a table's corner) is no header: screen readers would announce nothing.
_EMPTY_TH = re.compile(r"<th((?: [^>]*)?)>\s*</th>")
_ROOT_URL = re.compile(r'(\s(?:href|src)=")/(?!/)')
_IMG_SRC = re.compile(r'<img\b[^>]*?\ssrc="([^"]*)"')
_MEDIA_HREF = re.compile(r'<a\b[^>]*?\shref="(/?media/[^"#?]*)"')
_PARA = re.compile(r"<p>(.*?)</p>", re.S)
_TAG = re.compile(r"<[^>]+>")
_FOOTNOTE_REF = re.compile(r'<sup class="footnote-ref">.*?</sup>', re.S)
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'\u3000-\u303f\uff01-\uff5e]+")
EXCERPT_CHARS = 200


def sanitize(fragment: str) -> str:
    """Keep an allowlist of tags and attributes; only http(s), mailto and relative URLs."""
    # An image whose only URL was unsafe (data:, javascript:) loses it: drop the empty <img>.
    cleaned = _IMG_NO_SRC.sub("", _CLEANER.clean(fragment))
    if "<th" in cleaned:
        cleaned = _EMPTY_TH.sub(r"<td\1></td>", cleaned)
    if "<input" in cleaned:
        cleaned = _CHECKBOX.sub(r"<label>\1\2</label>", cleaned)
    return cleaned


def rebase_root_urls(fragment: str, root: str) -> str:
    """Turn site-absolute URLs ('/media/x.png') into relative ones, so a site works in a
    sub-folder, from file:// and over `hkcms serve` alike."""
    if '="/' not in fragment:
        return fragment  # most posts link nowhere on the site: no regex over the whole text
    return _ROOT_URL.sub(lambda m: m.group(1) + root, fragment)


def media_references(fragment: str) -> list[str]:
    """Media files a sanitised fragment points at ('media/…' paths, decoded), sorted."""
    refs: set[str] = set()
    for url in [*_IMG_SRC.findall(fragment), *_MEDIA_HREF.findall(fragment)]:
        url = html.unescape(url).split("#")[0].split("?")[0]
        path = unquote(url.lstrip("/"))
        if path.startswith("media/"):
            refs.add(path)
        elif not re.match(r"^[a-z][a-z0-9+.-]*:|^//", url, re.I) and url.startswith("/"):
            refs.add(path)
    return sorted(refs)


def excerpt(fragment: str, limit: int = EXCERPT_CHARS) -> str:
    """Plain text of the first paragraphs, cut near `limit` characters."""
    words: list[str] = []
    size = 0
    for match in _PARA.finditer(fragment):
        text = " ".join(html.unescape(_TAG.sub("", _FOOTNOTE_REF.sub("", match.group(1)))).split())
        if not text:
            continue
        words.append(text)
        size += len(text)
        if size >= limit:
            break
    text = " ".join(words)
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,.;:，。、") + "…"


def comment_html(body: str) -> str:
    """A plain-text comment as HTML: escaped, blank-line paragraphs, line breaks, bare http(s)
    URLs linked with rel="nofollow ugc noopener". Nothing in the text can become markup."""
    paragraphs = [p.strip("\n") for p in re.split(r"\n\s*\n", body.strip()) if p.strip()]
    return "\n".join(f"<p>{_linkify_lines(p)}</p>" for p in paragraphs)


def _linkify_lines(text: str) -> str:
    return "<br>\n".join(_linkify(line) for line in text.split("\n"))


def _linkify(line: str) -> str:
    out: list[str] = []
    pos = 0
    for match in _URL_IN_TEXT.finditer(line):
        url = match.group(0).rstrip(".,;:!?)]}'")
        end = match.start() + len(url)
        out.append(html.escape(line[pos : match.start()]))
        safe = html.escape(url)
        out.append(f'<a href="{safe}" rel="nofollow ugc noopener">{safe}</a>')
        pos = end
    out.append(html.escape(line[pos:]))
    return "".join(out)
