"""Very long lines broken where the rendered page cannot change: at a space before a letter, or
between two Chinese or Japanese characters, only in paragraph text.

A terminal text editor re-lays out a whole line on every key: one 80 KB line took about a
second a keystroke. Inside a Markdown paragraph a line break renders as the space it
replaces (and between CJK characters as nothing, see markdown.cjk_softbreaks), so breaking
there keeps the page identical. Code, tables, headings, HTML and indented lines are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LONG_LINE = 4000
"""Characters from which a line is broken (typing stays quick below this)."""
WIDTH = 1000
"""The longest piece a broken line is cut into, where a break point allows."""

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
# Han and kana: the renderer joins a line break between two of these without a space.
_IDEOGRAPH = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Wrapped:
    """The text after breaking; `lines` are the 1-based numbers of the lines broken, `kept`
    those still too long because they have no safe break point (code, tables, one long URL)."""

    text: str
    lines: tuple[int, ...]
    kept: tuple[int, ...]


_CONTAINER = re.compile(r" {0,3}(?:>|[-+*](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))[ \t]?")


def _content(line: str) -> tuple[str, int]:
    """The line without the quote and list markers that open it ('> - # x' -> '# x'), and
    how many there were."""
    depth = 0
    while match := _CONTAINER.match(line):
        line = line[match.end() :]
        depth += 1
    return line, depth


def _is_paragraph_text(line: str) -> bool:
    content, depth = _content(line)
    if depth > 1:
        return False  # nested lists and quotes: markdown-it reads their lazy lines differently
    stripped = content.lstrip(" ")
    if (
        not stripped
        or len(content) - len(stripped) >= 4
        or "\t" in line[: len(line) - len(stripped)]
    ):
        return False  # blank, or an indented code block
    return stripped[0] not in "#<|=-_*~`" and "|" not in line  # headings, HTML, tables, fences


def _break_at(line: str, i: int, ideographs: bool) -> int | None:
    """Where the next piece starts if the line is broken before index i, else None."""
    before, here = line[i - 1], line[i]
    after = line[i + 1] if i + 1 < len(line) else ""
    # A letter cannot start a list, quote, heading or code; one side ASCII keeps the renderer
    # from joining the lines without the space (it does that between two CJK characters).
    if here == " " and before not in " \\" and after.isalpha():
        if before.isascii() or after.isascii():
            return i + 1  # the space becomes the line break
    if ideographs and _IDEOGRAPH.match(before) and _IDEOGRAPH.match(here):
        return i
    return None


def _pieces(line: str, width: int) -> list[str]:
    pieces: list[str] = []
    rest = line
    # In a code span a line break is a space even between Chinese characters: no break there.
    ideographs = "`" not in line
    while len(rest) > width:
        cut = next(
            (
                (i, nxt)
                for i in range(width, width // 2, -1)
                if (nxt := _break_at(rest, i, ideographs)) is not None
            ),
            None,
        ) or next(
            (
                (i, nxt)
                for i in range(width + 1, len(rest))
                if (nxt := _break_at(rest, i, ideographs))
            ),
            None,
        )
        if cut is None:
            break
        pieces.append(rest[: cut[0]])
        rest = rest[cut[1] :]
    pieces.append(rest)
    return pieces


def has_long_line(text: str, limit: int = LONG_LINE) -> bool:
    return any(len(line) > limit for line in text.split("\n"))


def wrap_long_lines(text: str, limit: int = LONG_LINE, width: int = WIDTH) -> Wrapped:
    """Break every paragraph line longer than `limit` into pieces of about `width`."""
    out: list[str] = []
    broken: list[int] = []
    kept: list[int] = []
    fence = ""
    for number, line in enumerate(text.split("\n"), 1):
        opening = _FENCE.match(_content(line)[0])
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
        elif opening:
            fence = opening.group(1)
        elif len(line) > limit and _is_paragraph_text(line):
            pieces = _pieces(line, width)
            out.extend(pieces)
            if len(pieces) > 1:
                broken.append(number)
            if max(len(p) for p in pieces) > limit:
                kept.append(number)
            continue
        if len(line) > limit:
            kept.append(number)
        out.append(line)
    return Wrapped("\n".join(out), tuple(broken), tuple(kept))


def moved_offset(old: str, new: str, offset: int) -> int:
    """Where character `offset` of `old` is in `new` = wrap_long_lines(old).text (breaking
    only turns spaces into line breaks or inserts line breaks)."""
    i = j = 0
    while i < offset and j < len(new):
        if old[i] == new[j] or (old[i] == " " and new[j] == "\n"):
            i += 1
        j += 1
    return j
