"""Untrusted text made safe for the screen: no control, escape or bidi characters, never markup."""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.text import Text

# C0/C1 controls (ESC starts ANSI/OSC sequences), DEL, bidi embeddings/overrides/isolates and
# other invisible format characters that could make text display as something it is not.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]"
)
_UNSAFE_MULTILINE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]"
)

# Lone surrogates (bytes of a non-UTF-8 file name, "\ud800" escapes in JSON) cannot be written
# to a UTF-8 terminal at all: the write would raise and close the app.
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean(text: object) -> str:
    """One line of display text: unsafe characters removed, whitespace runs collapsed."""
    return " ".join(_UNSAFE.sub(" ", _SURROGATE.sub("\ufffd", str(text))).split())


def clean_block(text: object) -> str:
    """Several lines of display text (comment bodies): line breaks kept, the rest cleaned."""
    text = _SURROGATE.sub("\ufffd", str(text))
    return _UNSAFE_MULTILINE.sub("", text.replace("\r\n", "\n").replace("\t", " "))


def safe(text: object, style: str = "") -> Text:
    """A rich Text of untrusted data: shown literally (`[bold]` stays `[bold]`)."""
    return Text(clean(text), style=style, no_wrap=True, end="")


def fit(text: str, width: int) -> str:
    """Cut `text` to `width` terminal cells with an ellipsis, preferring a word boundary.

    Wide (CJK) characters count as two cells; a word is never cut into a meaningless stub.
    """
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    if width == 1:
        return "…"
    out: list[str] = []
    used = 0
    for ch in text:
        w = cell_len(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    cut = "".join(out)
    # Back up to the last space if the cut fell inside a Latin word and a space is near enough.
    nxt = text[len(cut) : len(cut) + 1]
    if cut and nxt and _wordish(cut[-1]) and _wordish(nxt):
        space = cut.rfind(" ")
        if space >= max(1, len(cut) // 2):
            cut = cut[:space]
    return cut.rstrip() + "…"


def pad(text: str, width: int, *, right: bool = False) -> str:
    """`text` fitted to exactly `width` cells (left- or right-aligned)."""
    text = fit(text, width)
    gap = " " * (width - cell_len(text))
    return gap + text if right else text + gap


def _wordish(ch: str) -> bool:
    # Latin letters and digits form words; CJK characters may be cut between any two.
    return ch.isalnum() and cell_len(ch) == 1
