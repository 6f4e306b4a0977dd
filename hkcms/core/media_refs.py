"""Which images a post uses: Markdown images, raw <img> tags and the `cover` front matter key."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import unquote

from hkcms.core.markdown import shared_parser

_HTML_IMG = re.compile(r"<img\b[^>]*>", re.I)
_ATTR = re.compile(r"""\s([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:|^//", re.I)


@dataclass(frozen=True)
class ImageRef:
    """One image in a post: where it points, its alt text (None: no alt at all), its line."""

    src: str
    alt: str | None
    line: int

    @property
    def media(self) -> str | None:
        """The file under media/ it names ('photo.jpg', 'trip/a.png'), or None if elsewhere."""
        return media_name(self.src)


def media_name(url: str) -> str | None:
    """'/media/a%20b.jpg?x' → 'a b.jpg'; None for other sites and other folders."""
    url = html.unescape(url.strip()).split("#")[0].split("?")[0]
    if _SCHEME.match(url):
        return None
    path = unquote(url)
    while path.startswith(("./", "../")):
        path = path.split("/", 1)[1]
    path = path.lstrip("/")
    if not path.startswith("media/") or len(path) <= len("media/"):
        return None
    return path[len("media/") :]


def image_refs(body: str, line_offset: int = 0) -> list[ImageRef]:
    """The images of a Markdown body, in order. Cheap when there are none (no parse)."""
    if "![" not in body and "<img" not in body.lower():
        return []
    refs: list[ImageRef] = []
    for token in shared_parser().parse(body):
        line = (token.map[0] + 1 if token.map else 0) + line_offset
        if token.type == "inline":
            for child in token.children or []:
                if child.type == "image":
                    refs.append(ImageRef(str(child.attrGet("src") or ""), child.content, line))
                elif child.type == "html_inline":
                    refs.extend(_html_images(child.content, line))
        elif token.type == "html_block":
            refs.extend(_html_images(token.content, line))
    return refs


def _html_images(fragment: str, line: int) -> list[ImageRef]:
    out = []
    for tag in _HTML_IMG.findall(fragment):
        attrs = {m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or "" for m in
                 _ATTR.finditer(tag)}  # fmt: skip
        out.append(ImageRef(attrs.get("src", ""), attrs.get("alt"), line))
    return out
