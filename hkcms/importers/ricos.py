"""Ricos (Wix rich content) to Markdown: every node type, never raw JSON, never silent loss."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from hkcms.core.import_records import ImportWarning
from hkcms.importers import mdtext

WIXSTATIC = "https://static.wixstatic.com/media/"
_LIST_START = re.compile(r"^(?:[-*+]|\d+[.)])(?: |$)")
# Marks in nesting order, outermost first: a link wraps emphasis, code is innermost.
_RANK = {"link": 0, "bold": 1, "italic": 2, "strike": 3, "code": 4}
_MD = {"bold": "**", "italic": "*", "strike": "~~"}
_HTML = {"bold": "strong", "italic": "em", "strike": "del"}

Mark = tuple[str, str]  # (kind, data): data is the URL of a link, "" otherwise


@dataclass
class RicosResult:
    """The Markdown of one document and the media URLs it shows."""

    markdown: str
    media: list[str] = field(default_factory=list)


def to_markdown(doc: Any, warnings: list[ImportWarning], where: str) -> RicosResult:
    """Convert a Ricos document ({"nodes": [...]}) to Markdown, adding warnings for what is lost."""
    converter = _Converter(warnings, where)
    nodes = doc.get("nodes") if isinstance(doc, dict) else None
    if not isinstance(nodes, list):
        warnings.append(ImportWarning(where, "rich content has no nodes; the body is empty"))
        return RicosResult("")
    text = _join_blocks(converter.blocks(nodes))
    return RicosResult(text.strip("\n") + "\n" if text.strip() else "", converter.media)


def to_plain_text(doc: Any) -> str:
    """The text of a Ricos document (for comments, which are plain text): paragraphs, link URLs."""
    lines: list[str] = []

    def walk(node: Any) -> None:
        if not isinstance(node, dict):
            return
        kind = node.get("type")
        if kind == "TEXT":
            data = node.get("textData") or {}
            text = str(data.get("text") or "")
            for deco in data.get("decorations") or []:
                url = _link_url(deco)
                if url and url not in text:
                    text += f" ({url})"
            if lines:
                lines[-1] += text
            else:
                lines.append(text)
            return
        if kind == "IMAGE":
            url = media_url((node.get("imageData") or {}).get("image"))
            if url:
                lines.append(url)
        children = node.get("nodes") or []
        if kind not in (None, "TEXT") and children:
            lines.append("")
        for child in children:
            walk(child)

    for top in (doc or {}).get("nodes") or [] if isinstance(doc, dict) else []:
        lines.append("")
        walk(top)
    paragraphs = [p.strip() for p in "\n".join(lines).split("\n\n")]
    return "\n\n".join(p for p in (" ".join(x.split("\n")) for x in paragraphs) if p)


def media_url(media: Any) -> str | None:
    """The URL of a Ricos media object (src.url, or a Wix media id on static.wixstatic.com)."""
    if not isinstance(media, dict):
        return None
    src: dict[str, Any] = media["src"] if isinstance(media.get("src"), dict) else media
    url = src.get("url")
    if isinstance(url, str) and url.strip():
        if url.startswith("wix:image://v1/"):
            return WIXSTATIC + url[len("wix:image://v1/") :].split("/")[0]
        return url.strip()
    ident = src.get("id") or src.get("custom") or src.get("_id")
    if isinstance(ident, str) and ident.strip():
        ident = ident.strip()
        if ident.startswith(("http://", "https://")):
            return ident
        if ident.startswith("wix:image://v1/"):
            ident = ident[len("wix:image://v1/") :].split("/")[0]
        return WIXSTATIC + ident.lstrip("/")
    return None


_VIDEO_HOST = "https://video.wixstatic.com/"
_AUDIO_HOST = "https://static.wixstatic.com/mp3/"


def _hosted(media: Any, host: str) -> str | None:
    """A video or audio file: its URL, or a Wix file id on Wix's video or audio host."""
    src = obj(obj(media).get("src"))
    if isinstance(src.get("url"), str) and src["url"].strip():
        return str(src["url"]).strip()
    ident = src.get("id")
    if isinstance(ident, str) and ident.strip():
        return host + ident.strip().lstrip("/")
    return None


def obj(value: Any) -> dict[str, Any]:
    """The value if it is a JSON object, else an empty one (API answers may omit or null it)."""
    return value if isinstance(value, dict) else {}


def _link_url(deco: Any) -> str | None:
    if not isinstance(deco, dict) or deco.get("type") != "LINK":
        return None
    link = (deco.get("linkData") or {}).get("link") or {}
    return link.get("url") if isinstance(link.get("url"), str) else None


def _join_blocks(blocks: list[tuple[str, str]]) -> str:
    out = ""
    for index, (kind, text) in enumerate(blocks):
        if index:
            tight = kind == "list" and blocks[index - 1][0] == "para-in-item"
            out += "\n" if tight else "\n\n"
        out += text
    return out


def _is_punct(char: str) -> bool:
    return bool(char) and unicodedata.category(char)[0] in "PS"


def _is_space(char: str) -> bool:
    return not char or char.isspace()


class _Converter:
    """Walks a Ricos tree; collects media URLs and warnings on the way."""

    def __init__(self, warnings: list[ImportWarning], where: str):
        self.warnings = warnings
        self.where = where
        self.media: list[str] = []

    # ---- blocks -------------------------------------------------------------------------

    def blocks(self, nodes: list[Any], in_item: bool = False) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for node in nodes:
            if not isinstance(node, dict):
                continue
            for kind, text in self.block(node):
                if text.strip():
                    if in_item and kind == "para" and not out:
                        kind = "para-in-item"
                    out.append((kind, text))
        return out

    def block(self, node: dict[str, Any]) -> list[tuple[str, str]]:
        kind = str(node.get("type") or "")
        children = [n for n in node.get("nodes") or [] if isinstance(n, dict)]
        handler = getattr(self, f"_b_{kind.lower()}", None)
        if handler is not None:
            result: list[tuple[str, str]] = handler(node, children)
            return result
        # Unknown or container-only types: keep whatever text they hold, and say so.
        inner = self.blocks(children)
        self._warn(f"{kind or 'untyped'} content has no Markdown form; kept its text with a note")
        return [("para", mdtext.note(f"From Wix: {kind.lower() or 'unknown'} content")), *inner]

    def _b_paragraph(self, node: dict[str, Any], children: list[dict[str, Any]]) -> list[Any]:
        return [("para", line) for line in self.inline_lines(children) if line.strip()]

    def _b_text(self, node: dict[str, Any], children: list[dict[str, Any]]) -> list[Any]:
        return self._b_paragraph(node, [node])

    def _b_heading(self, node: dict[str, Any], children: list[dict[str, Any]]) -> list[Any]:
        level = (node.get("headingData") or {}).get("level") or 2
        level = min(max(int(level) if isinstance(level, int | float) else 2, 1), 6)
        text = " ".join(line for line in self.inline_lines(children) if line.strip())
        return [("heading", f"{'#' * level} {text}")] if text.strip() else []

    def _b_bulleted_list(self, node: dict[str, Any], children: list[dict[str, Any]]) -> list[Any]:
        return [("list", self._list(children, None))]

    _b_bullet_list = _b_bulleted_list

    def _b_ordered_list(self, node: dict[str, Any], children: list[dict[str, Any]]) -> list[Any]:
        start = (node.get("orderedListData") or {}).get("start")
        first = int(start) if isinstance(start, int | float) and 0 <= start < 10**9 else 1
        return [("list", self._list(children, first))]

    def _list(self, items: list[dict[str, Any]], start: int | None) -> str:
        out: list[str] = []
        number = start or 1
        for item in items:
            inner = item.get("nodes") if item.get("type") == "LIST_ITEM" else [item]
            blocks = self.blocks([n for n in inner or [] if isinstance(n, dict)], in_item=True)
            marker = "-" if start is None else f"{number}."
            number += 1
            content = _join_blocks(blocks)
            lines = content.split("\n") if content else [""]
            pad = " " * (len(marker) + 1)
            rest = "".join("\n" + (pad + line if line else "") for line in lines[1:])
            out.append(f"{marker} {lines[0]}{rest}".rstrip())
        return "\n".join(out)

    def _b_list_item(self, node: dict[str, Any], children: list[dict[str, Any]]) -> list[Any]:
        return [("list", self._list([node], None))]

    def _b_blockquote(self, node: dict[str, Any], children: list[dict[str, Any]]) -> list[Any]:
        inner = _join_blocks(self.blocks(children))
        quoted = "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
        return [("quote", quoted)] if inner.strip() else []

    def _b_code_block(self, node: dict[str, Any], children: list[dict[str, Any]]) -> list[Any]:
        code = "".join(str((c.get("textData") or {}).get("text") or "") for c in children)
        lang = str((node.get("codeBlockData") or {}).get("language") or "")
        return [("code", mdtext.fence(code, lang))] if code.strip() else []

    def _b_divider(self, node: dict[str, Any], children: list[dict[str, Any]]) -> list[Any]:
        return [("rule", "---")]

    def _b_caption(self, node: dict[str, Any], children: list[dict[str, Any]]) -> list[Any]:
        text = " ".join(self.inline_lines(self._text_nodes(children)))
        return [("para", f"*{text.strip()}*")] if text.strip() else []

    def _b_image(self, node: dict[str, Any], children: list[dict[str, Any]]) -> list[Any]:
        data = node.get("imageData") or {}
        url = self._media(data.get("image"))
        caption = str(data.get("caption") or "").strip()
        caption_nodes = [c for c in children if c.get("type") == "CAPTION"]
        if not caption and caption_nodes:
            caption = " ".join(self._plain(caption_nodes).split())
        if url is None:
            self._warn("an image has no source; left a note")
            return [("para", mdtext.note(f"From Wix: an image that had no file {caption}".strip()))]
        alt = str(data.get("altText") or "").strip() or caption
        text = mdtext.image(alt, url)
        target = mdtext.safe_url((data.get("link") or {}).get("url"))
        if target:
            text = mdtext.link(text, target)
        out = [("para", text)]
        if caption:
            out.append(("para", f"*{mdtext.escape(caption)}*"))
        return out

    def _b_gallery(self, node: dict[str, Any], children: list[dict[str, Any]]) -> list[Any]:
        out: list[tuple[str, str]] = []
        for item in (node.get("galleryData") or {}).get("items") or []:
            if not isinstance(item, dict):
                continue
            title = str(item.get("title") or "").strip()
            alt = str(item.get("altText") or "").strip() or title
            if isinstance(item.get("image"), dict):
                url = self._media(item["image"].get("media"))
                if url:
                    out.append(("para", mdtext.image(alt, url)))
                    if title and title != alt:
                        out.append(("para", f"*{mdtext.escape(title)}*"))
            elif isinstance(item.get("video"), dict):
                url = media_url(item["video"].get("media"))
                if url and mdtext.safe_url(url):
                    out.append(("para", mdtext.link(mdtext.escape(title or "Video"), url)))
        if not out:
            self._warn("a gallery has no images; left a note")
            return [("para", mdtext.note("From Wix: an empty gallery"))]
        return out

    def _b_gif(self, node: dict[str, Any], children: list[dict[str, Any]]) -> list[Any]:
        data = node.get("gifData") or {}
        for version in ("original", "downsized"):
            gif = data.get(version) or {}
            url = gif.get("gif") if isinstance(gif, dict) else None
            if isinstance(url, str) and mdtext.safe_url(url):
                self._add_media(url)
                return [("para", mdtext.image("Animated GIF", url))]
        self._warn("a GIF has no file; left a note")
        return [("para", mdtext.note("From Wix: an animated GIF without a file"))]

    def _b_video(self, node: dict[str, Any], children: list[dict[str, Any]]) -> list[Any]:
        data = node.get("videoData") or {}
        title = str(data.get("title") or "").strip() or "Video"
        return self._link_block(_hosted(data.get("video"), _VIDEO_HOST), title, "video")

    def _b_audio(self, node: dict[str, Any], children: list[dict[str, Any]]) -> list[Any]:
        data = node.get("audioData") or {}
        name = str(data.get("name") or "").strip() or "Audio"
        if data.get("authorName"):
            name += f" – {data['authorName']}"
        return self._link_block(_hosted(data.get("audio"), _AUDIO_HOST), name, "audio")

    def _b_file(self, node: dict[str, Any], children: list[dict[str, Any]]) -> list[Any]:
        data = node.get("fileData") or {}
        name = str(data.get("name") or "").strip() or "File"
        src = data.get("src") or {}
        url = src.get("url") if isinstance(src, dict) else None
        return self._link_block(url if isinstance(url, str) else None, name, "file")

    def _b_link_preview(self, node: dict[str, Any], children: list[dict[str, Any]]) -> list[Any]:
        data = node.get("linkPreviewData") or {}
        url = (data.get("link") or {}).get("url")
        title = str(data.get("title") or "").strip() or str(url or "Link")
        blocks = self._link_block(url, title, "link preview")
        description = " ".join(str(data.get("description") or "").split())
        if description and blocks and blocks[0][1].startswith("["):
            blocks = [("para", f"{blocks[0][1]} — {mdtext.escape(description)}")]
        return blocks

    def _b_embed(self, node: dict[str, Any], children: list[dict[str, Any]]) -> list[Any]:
        data = node.get("embedData") or {}
        oembed = data.get("oembed") or {}
        url = oembed.get("url") or data.get("src")
        title = str(oembed.get("title") or oembed.get("providerName") or "").strip()
        return self._link_block(url, title or str(url or "Embedded content"), "embed")

    def _b_button(self, node: dict[str, Any], children: list[dict[str, Any]]) -> list[Any]:
        data = node.get("buttonData") or {}
        text = str(data.get("text") or "").strip() or "Link"
        return self._link_block((data.get("link") or {}).get("url"), text, "button")

    def _b_html(self, node: dict[str, Any], children: list[dict[str, Any]]) -> list[Any]:
        data = node.get("htmlData") or {}
        if isinstance(data.get("url"), str) and mdtext.safe_url(data["url"]):
            return self._link_block(data["url"], "Embedded page", "HTML embed")
        self._warn("embedded HTML code is not run here; kept as a code block with a note")
        out = [("para", mdtext.note("From Wix: embedded HTML code, not run here"))]
        if str(data.get("html") or "").strip():
            out.append(("code", mdtext.fence(str(data["html"]), "html")))
        return out

    def _b_map(self, node: dict[str, Any], children: list[dict[str, Any]]) -> list[Any]:
        settings = (node.get("mapData") or {}).get("mapSettings") or {}
        place = ", ".join(
            str(settings[k]).strip() for k in ("locationName", "address") if settings.get(k)
        )
        self._warn("a map has no Markdown form; left a note with its address")
        return [("para", mdtext.note(f"From Wix: a map{': ' + place if place else ''}"))]

    def _b_poll(self, node: dict[str, Any], children: list[dict[str, Any]]) -> list[Any]:
        poll = (node.get("pollData") or {}).get("poll") or {}
        title = str(poll.get("title") or "").strip()
        self._warn("a poll has no Markdown form; left a note with its question and options")
        out = [
            (
                "para",
                mdtext.note(
                    f"From Wix: a poll, not interactive here{': ' + title if title else ''}"
                ),
            )
        ]
        options = [str(o.get("title") or "").strip() for o in poll.get("options") or []]
        options = [o for o in options if o]
        if options:
            out.append(("list", "\n".join(f"- {mdtext.escape(o)}" for o in options)))
        return out

    def _b_app_embed(self, node: dict[str, Any], children: list[dict[str, Any]]) -> list[Any]:
        data = node.get("appEmbedData") or {}
        name = str(data.get("name") or "").strip() or "Wix app item"
        kind = str(data.get("type") or "app").lower()
        self._warn(f"an embedded Wix {kind} has no Markdown form; left a note with its link")
        url = mdtext.safe_url(data.get("url") if isinstance(data.get("url"), str) else None)
        label = mdtext.note(f"From Wix: embedded {kind} “{name}”")
        return [("para", f"{label} {mdtext.link(mdtext.escape(name), url)}" if url else label)]

    def _b_collapsible_list(
        self, node: dict[str, Any], children: list[dict[str, Any]]
    ) -> list[Any]:
        self._warn("a collapsible list cannot fold here; its items are shown open")
        out: list[tuple[str, str]] = [
            ("para", mdtext.note("From Wix: a collapsible list, shown open"))
        ]
        for item in children:
            for part in item.get("nodes") or []:
                if not isinstance(part, dict):
                    continue
                inner = self.blocks([n for n in part.get("nodes") or [] if isinstance(n, dict)])
                if part.get("type") == "COLLAPSIBLE_ITEM_TITLE":
                    title = " ".join(t for _, t in inner).strip()
                    if title:
                        out.append(("para", f"**{title}**"))
                else:
                    out.extend(inner)
        return out

    def _b_table(self, node: dict[str, Any], children: list[dict[str, Any]]) -> list[Any]:
        table: list[list[str]] = []
        for row in children:
            cells = []
            for cell in row.get("nodes") or []:
                if isinstance(cell, dict):
                    blocks = self.blocks(
                        [n for n in cell.get("nodes") or [] if isinstance(n, dict)]
                    )
                    text = " ".join(" ".join(t.split("\n")) for _, t in blocks)
                    cells.append(text)
            table.append(cells)
        rows = [r for r in table if r]
        if not rows:
            return []
        width = max(len(r) for r in rows)
        lines = []
        for index, cells_of_row in enumerate(rows):
            padded = cells_of_row + [""] * (width - len(cells_of_row))
            lines.append("| " + " | ".join(c.strip() for c in padded) + " |")
            if index == 0:
                lines.append("|" + "|".join(" --- " for _ in range(width)) + "|")
        return [("table", "\n".join(lines))]

    def _b_layout(self, node: dict[str, Any], children: list[dict[str, Any]]) -> list[Any]:
        return self.blocks(children)

    _b_layout_cell = _b_layout

    # ---- inline -------------------------------------------------------------------------

    def inline_lines(self, nodes: list[dict[str, Any]]) -> list[str]:
        """Text nodes as Markdown, one string per line of the source (never a hard break)."""
        lines: list[list[tuple[tuple[Mark, ...], str]]] = [[]]
        for node in self._text_nodes(nodes):
            data = node.get("textData") or {}
            marks = self._marks(data.get("decorations") or [])
            parts = str(data.get("text") or "").replace("\r", "").split("\n")
            for index, part in enumerate(parts):
                if index:
                    lines.append([])
                if part:
                    lines[-1].append((marks, part))
        rendered = [_render_runs(runs) for runs in lines]
        return [mdtext_line_start(line) for line in rendered]

    def _text_nodes(self, nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for node in nodes:
            if node.get("type") == "TEXT":
                out.append(node)
            else:
                out.extend(
                    self._text_nodes([n for n in node.get("nodes") or [] if isinstance(n, dict)])
                )
        return out

    def _plain(self, nodes: list[dict[str, Any]]) -> str:
        return "".join(
            str((n.get("textData") or {}).get("text") or "") for n in self._text_nodes(nodes)
        )

    def _marks(self, decorations: list[Any]) -> tuple[Mark, ...]:
        marks: set[Mark] = set()
        for deco in decorations:
            if not isinstance(deco, dict):
                continue
            kind = deco.get("type")
            if kind == "BOLD":
                weight = deco.get("fontWeightValue")
                if not isinstance(weight, int | float) or weight >= 600:
                    marks.add(("bold", ""))
            elif kind == "ITALIC" and deco.get("italicData") is not False:
                marks.add(("italic", ""))
            elif kind == "STRIKETHROUGH":
                marks.add(("strike", ""))
            elif kind in ("CODE", "INLINE_CODE"):
                marks.add(("code", ""))
            elif kind == "LINK":
                url = _link_url(deco)
                safe = mdtext.safe_url(url)
                if safe:
                    marks.add(("link", safe))
                elif url:
                    self._warn(f"dropped an unsafe link ({url.split(':', 1)[0]}:…); kept its text")
            # UNDERLINE, SPOILER, COLOR, FONT_SIZE, SUPERSCRIPT, SUBSCRIPT, MENTION, ANCHOR:
            # styling only (or an id that means nothing here): the text stays, plain.
        return tuple(sorted(marks, key=lambda m: (_RANK[m[0]], m[1])))

    # ---- helpers ------------------------------------------------------------------------

    def _link_block(self, url: Any, label: str, what: str) -> list[tuple[str, str]]:
        safe = mdtext.safe_url(url) if isinstance(url, str) else None
        if safe is None:
            self._warn(f"a {what} has no usable link; left a note")
            return [("para", mdtext.note(f"From Wix: {what} “{label}” without a link"))]
        return [("para", mdtext.link(mdtext.escape(" ".join(label.split())), safe))]

    def _media(self, media: Any) -> str | None:
        url = media_url(media)
        if url is None or mdtext.safe_url(url) is None:
            return None
        self._add_media(url)
        return url

    def _add_media(self, url: str) -> None:
        if url not in self.media:
            self.media.append(url)

    def _warn(self, message: str) -> None:
        self.warnings.append(ImportWarning(self.where, message))


def mdtext_line_start(line: str) -> str:
    """Escape a line start that Markdown would read as a heading, list item or rule."""
    match = re.match(r"^(\s*)([#+=-]|\d+[.)](?=\s|$))", line)
    if match:
        return f"{match.group(1)}\\{line[len(match.group(1)) :]}"
    return line


def _render_runs(runs: list[tuple[tuple[Mark, ...], str]]) -> str:
    """Render (marks, text) runs with properly nested delimiters (see _tokens)."""
    tokens = _tokens(runs)
    # Pair each open with its close to decide between Markdown and HTML delimiters: CommonMark
    # emphasis next to punctuation (common in Chinese: “**重要。**然後”) needs HTML to work.
    texts = [t[2] if t[0] in ("text", "code") else "" for t in tokens]
    syntax: dict[int, str] = {}
    stack: list[int] = []
    for index, token in enumerate(tokens):
        if token[0] == "open":
            stack.append(index)
        elif token[0] == "close":
            start = stack.pop()
            kind = token[1][0]
            if kind in _MD:
                before = "".join(texts[:start])[-1:]
                inside = "".join(texts[start:index])
                after = "".join(texts[index:])[:1]
                ok = _opens(before, inside[:1]) and _closes(inside[-1:], after)
                syntax[start] = syntax[index] = "md" if ok else "html"
    out: list[str] = []
    for index, token in enumerate(tokens):
        kind = token[0]
        if kind == "text":
            out.append(mdtext.escape_inline(token[2]))
        elif kind == "code":
            code = token[2]
            ticks = "`" * (max((len(m) for m in re.findall(r"`+", code)), default=0) + 1)
            pad = " " if code.startswith("`") or code.endswith("`") else ""
            out.append(f"{ticks}{pad}{code}{pad}{ticks}")
        else:
            mark = token[1]
            if mark[0] == "link":
                out.append("[" if kind == "open" else f"]({mdtext.destination(mark[1])})")
            elif mark[0] in _MD:
                if syntax.get(index) == "html":
                    tag = _HTML[mark[0]]
                    out.append(f"<{tag}>" if kind == "open" else f"</{tag}>")
                else:
                    out.append(_MD[mark[0]])
    return "".join(out).strip()


def _tokens(runs: list[tuple[tuple[Mark, ...], str]]) -> list[tuple[str, Mark, str]]:
    """Open/close/text tokens; whitespace is kept outside delimiters so they stay valid."""
    none: Mark = ("", "")
    tokens: list[tuple[str, Mark, str]] = []
    stack: list[Mark] = []
    pending = ""
    for marks, text in runs:
        core = text.strip()
        if not core:
            pending += text
            continue
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()) :]
        code = ("code", "") in marks
        wanted = [m for m in marks if m[0] != "code"]
        keep = 0
        while keep < len(stack) and keep < len(wanted) and stack[keep] == wanted[keep]:
            keep += 1
        for mark in reversed(stack[keep:]):
            tokens.append(("close", mark, ""))
        stack = stack[:keep]
        if pending or lead:
            tokens.append(("text", none, pending + lead))
        for mark in wanted[keep:]:
            tokens.append(("open", mark, ""))
            stack.append(mark)
        tokens.append(("code" if code else "text", none, core))
        pending = trail
    for mark in reversed(stack):
        tokens.append(("close", mark, ""))
    if pending:
        tokens.append(("text", none, pending))
    return tokens


def _opens(before: str, first: str) -> bool:
    if _is_space(first):
        return False
    return not _is_punct(first) or _is_space(before) or _is_punct(before)


def _closes(last: str, after: str) -> bool:
    if _is_space(last):
        return False
    return not _is_punct(last) or _is_space(after) or _is_punct(after)
