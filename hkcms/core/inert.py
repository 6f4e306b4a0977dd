"""Text from file names and file contents made inert for a terminal: controls shown as escapes."""

from __future__ import annotations

import re
import unicodedata

# JSON already escapes C0 controls; these are the rest a terminal or a reader could be fooled by:
# DEL and C1 controls (U+009B is a one-character CSI), lone surrogates (undecodable file-name
# bytes), bidi embeddings, overrides and isolates, line and paragraph separators.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\ud800-\udfff\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"  # a byte that was not UTF-8 (surrogateescape): show it
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def inert(text: object, *, keep_newlines: bool = False) -> str:
    """`text` safe to print: every control, format (bidi) or undecodable character is shown as a
    visible escape such as `\\x1b`, so ESC sequences cannot retitle or redraw the terminal.

    One line unless keep_newlines, which keeps line breaks and tabs (diffs, comment bodies).
    """
    text = str(text)
    if text.isprintable():  # the common case, checked at C speed
        return text
    keep = "\n\t" if keep_newlines else ""
    return "".join(ch if _shown(ch) or ch in keep else _escape(ch) for ch in text)


def _shown(ch: str) -> bool:
    # Spaces other than U+0020 (U+3000 in Chinese text, no-break space) are not "printable" to
    # Python but harmless on screen.
    return ch.isprintable() or unicodedata.category(ch) == "Zs"


def inert_json(text: str) -> str:
    """JSON text with the characters `json.dumps(ensure_ascii=False)` leaves raw escaped as
    `\\uXXXX` (still the same JSON value), so printing it cannot drive the terminal."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
