"""The export's Markdown renderer: markdown-it.rs (the markdown-it-pyrs wheel) giving the exact
HTML of the site's markdown-it-py parser, about ten times faster; markdown-it-py otherwise.

markdown-it-py (hkcms.core.markdown) stays the reference and the terminal preview's parser. A
document goes to it whenever the wheel is missing or the document uses what the compiled path
does not reproduce byte for byte: raw HTML or autolinks (anything after a `<`), a footnote
reference in a heading, or a line break whose neighbours the CJK rule cannot see from the HTML.
Around markdown-it.rs: heading anchors (the site's slugs, unique per document), the task-list
check box markup, footnote items and the CJK soft line break rule (core/markdown.py) are
applied to its HTML. tests/export/test_fast_markdown.py renders the CommonMark spec examples,
GFM cases, anchors, CJK text and every fixture post both ways.
"""

from __future__ import annotations

import html
import importlib
import re
import unicodedata
from functools import lru_cache
from typing import Any

from hkcms.core.markdown import heading_anchor
from hkcms.core.markdown import render_html as reference_html

markdown_it_pyrs: Any
try:
    markdown_it_pyrs = importlib.import_module("markdown_it_pyrs")
except ImportError:  # the wheel is optional: the reference renders everything then
    markdown_it_pyrs = None

# No front_matter: the body comes without it, and markdown-it.rs's rule also takes an indented
# `---` for one (a body starting with `---` goes to the reference instead).
PLUGINS = ["table", "strikethrough", "tasklist", "footnote"]
ANCHOR_LEVELS = (1, 2, 3)  # as anchors_plugin(min_level=1, max_level=3) in core/markdown.py

# Raw HTML, autolinks and anything else that starts with `<` take the reference path.
_RAW = re.compile(r"<[A-Za-z/!?]")
_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.S)
_TAG = re.compile(r"<[^>]*>")
_CHECKBOX = {
    '<input class="task-list-item-checkbox" type="checkbox" checked="" />': (
        '<input class="task-list-item-checkbox" checked="checked" disabled="disabled"'
        ' type="checkbox">'
    ),
    '<input class="task-list-item-checkbox" type="checkbox" />': (
        '<input class="task-list-item-checkbox" disabled="disabled" type="checkbox">'
    ),
}
_LOOSE_TASK = re.compile(r'(<li class="task-list-item">)(<input [^>]*>)\n<p> ')
_TASK_OL = re.compile(r'<ol class="contains-task-list" start="(\d+)">')
_DELIMITER_RUN = re.compile(r"[*_~]+")  # the characters beside a run are what may differ
_FENCE = re.compile(r" {0,3}(?:`{3,}[^`]*|~{3,}.*)\Z")
_BACKTICKS = re.compile(r"`+")
_EMPTY_TASK = re.compile(r"\[[ xX]\][ \t]*$", re.M)
_DEFINITION = re.compile(r"[ \t]*\[\^[^\]]+\]:")
_DELIMITER_ROW = re.compile(r"[ \t]*[|:\-][|:\- \t]*\Z")
_FOOTNOTE_REF = re.compile(r"\[\^([^\]]+)\]")
_ITEM_RULE = re.compile(r"^[ \t]*(?:[-+*]|\d{1,9}[.)])[ \t].*(?:---|===)", re.M)
_REF_COLON = re.compile(r"\[\^[^\]]+\]:")
_EMPTY_ITEM = re.compile(r"^[ \t]*(?:[-+*]|\d{1,9}[.)])[ \t]*$", re.M)
# Three or more tildes on a line that is not a code fence.
_TILDES = re.compile(r"^(?! {0,3}~~~).*~~~", re.M)
_FOOTNOTE_ITEM = re.compile(r'(<li id="fn\d+" class="footnote-item">)\n')
_PRE = re.compile(r"<pre>.*?</pre>", re.S)
# Tags the CJK rule looks through (inline markup), as core/markdown.py's _edge skips tokens.
_INLINE_TAG = re.compile(r"</?(?:em|strong|s|a|code)(?:\s[^>]*)?>")
_CJK_CHAR = re.compile(
    "[\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f]"
)


class _Unsure(Exception):
    """The compiled HTML might differ from the reference here: use the reference."""


@lru_cache(maxsize=1)
def compiled_parser() -> Any:
    """markdown-it.rs with the site's plugins, or None without the wheel."""
    if markdown_it_pyrs is None:
        return None
    return markdown_it_pyrs.MarkdownIt("commonmark").enable_many(PLUGINS)


def render_html(markdown: str) -> str:
    """Render Markdown to (unsanitised) HTML exactly as hkcms.core.markdown does."""
    compiled = render_compiled(markdown)
    return reference_html(markdown) if compiled is None else compiled


def render_compiled(markdown: str) -> str | None:
    """The compiled path's HTML, or None where only the reference is sure to be right."""
    parser = compiled_parser()
    if parser is None or _RAW.search(markdown) or not markdown.endswith("\n"):
        return None  # raw HTML; no final newline (an open code block ends differently)
    if markdown.startswith("---") or "^[" in markdown:
        return None  # a second front matter block (the reference leaves a newline); ^[inline]
    if "`" in markdown and _unpaired_backticks(markdown):
        return None  # a code span over lines, or one never closed (markdown-it.rs may panic)
    if symbol_next_to_delimiter(markdown) or _EMPTY_TASK.search(markdown):
        return None  # emphasis rules of another spec version; a box with no text after it
    if _EMPTY_ITEM.search(markdown) or ("~~~" in markdown and _TILDES.search(markdown)):
        return None  # an empty list item after text; three or more tildes in text
    if _ITEM_RULE.search(markdown):
        return None  # a list item whose line ends like a rule or heading underline
    if "[^" in markdown and (_footnote_used_twice(markdown) or _loose_definition(markdown)):
        return None  # numbered 1:1 by the reference, 2 by markdown-it.rs; see below
    if "-" in markdown and _unusual_table(markdown):
        return None
    try:
        out: str = parser.render(markdown)
    except Exception:
        return None
    except BaseException as exc:  # a Rust panic arrives as pyo3's PanicException
        if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
            raise
        return None
    try:
        if "<blockquote>\n</blockquote>" in out:
            out = out.replace("<blockquote>\n</blockquote>", "<blockquote></blockquote>")
        if '<ol class="contains-task-list" start=' in out:
            out = _TASK_OL.sub(r'<ol start="\1" class="contains-task-list">', out)
        if "task-list-item-checkbox" in out:
            for theirs, ours in _CHECKBOX.items():
                out = out.replace(theirs, ours)
            out = _LOOSE_TASK.sub(r"\1\n<p>\2 ", out)  # the box goes inside the paragraph
        if 'class="footnote-item"' in out:
            out = _FOOTNOTE_ITEM.sub(r"\1", out)
        if "<h" in out:
            out = _heading_ids(out)
        if "\n" in markdown and _CJK_CHAR.search(markdown):
            out = _join_cjk_lines(out)
    except _Unsure:
        return None
    return out


def symbol_next_to_delimiter(markdown: str) -> bool:
    """CommonMark 0.31 (markdown-it-py) counts Unicode symbols (£, €, emoji) as punctuation
    beside `*`, `_` and `~`; markdown-it.rs follows 0.30, so emphasis there may differ."""
    if markdown.isascii():
        return False
    for run in _DELIMITER_RUN.finditer(markdown):
        start, end = run.span()
        for ch in (markdown[start - 1 : start], markdown[end : end + 1]):
            if ch > "\x7f" and unicodedata.category(ch).startswith("S"):
                return True
    return False


def _unpaired_backticks(markdown: str) -> bool:
    """A backtick run that no run of its length closes on its line, or an odd number of runs
    of one length in the document. Code spans over two lines differ in their spaces, and
    markdown-it.rs 0.4 panics on some unclosed runs after a `[` (index out of bounds). Lines
    that only open or close a fenced code block are left out."""
    lengths: dict[int, int] = {}  # backtick runs of each length in the document
    for line in markdown.split("\n"):
        if "`" not in line or _FENCE.match(line):
            continue
        if "\\`" in line:
            return True  # an escaped backtick: not worth telling apart here
        runs = [len(run) for run in _BACKTICKS.findall(line)]
        for length in runs:
            lengths[length] = lengths.get(length, 0) + 1
        i = 0
        while i < len(runs):
            close = next((j for j in range(i + 1, len(runs)) if runs[j] == runs[i]), None)
            if close is None:
                return True
            i = close + 1
    return any(count % 2 for count in lengths.values())


def _loose_definition(markdown: str) -> bool:
    """Footnote definitions the two parsers read differently: indented, right under a line
    of text (the reference ends the paragraph there), or holding a footnote reference."""
    lines = markdown.split("\n")
    inside = False
    for i, line in enumerate(lines):
        if _DEFINITION.match(line):
            if line[0] in " \t" or (i and lines[i - 1].strip() and not inside):
                return True
            inside = True
            if _FOOTNOTE_REF.search(line, line.index("]:")):
                return True
        elif not line.strip():
            inside = False
        elif (inside and "[^" in line) or _REF_COLON.search(line):
            return True  # a reference in a definition, or one followed by ':' mid-line
    return False


def _unusual_table(markdown: str) -> bool:
    """Tables are compiled only in the plain shape `| a | b |` / `|---|---|` (the two parsers
    disagree on delimiter rows under a list item, without pipes, or under a `|` line)."""
    lines = markdown.split("\n")
    for i in range(1, len(lines)):
        line = lines[i]
        if not _DELIMITER_ROW.match(line):
            continue
        above = lines[i - 1]
        if "|" in line or ":" in line:
            if not (line.lstrip(" ").startswith("|") and above.lstrip(" ").startswith("|")):
                return True
        elif "|" in above:
            return True
    return False


def _footnote_used_twice(markdown: str) -> bool:
    """A label referenced twice (a definition's own label at the start of its line aside)."""
    labels: list[str] = []
    for line in markdown.split("\n"):
        found = _FOOTNOTE_REF.findall(line)
        labels.extend(found[1:] if _DEFINITION.match(line) else found)
    return len(labels) != len(set(labels))


def _heading_ids(out: str) -> str:
    """id="…" on h1–h3 from the text of the heading (text and code, not image alt text),
    made unique in the document the way mdit_py_plugins.anchors does."""
    used: set[str] = set()

    def add_id(match: re.Match[str]) -> str:
        level, inner = int(match.group(1)), match.group(2)
        if level not in ANCHOR_LEVELS:
            return match.group(0)
        if "footnote-ref" in inner:
            raise _Unsure  # its "[1]" is no text token for the anchors plugin
        slug = base = heading_anchor(html.unescape(_TAG.sub("", inner)))
        n = 1
        while slug in used:
            slug = f"{base}-{n}"
            n += 1
        used.add(slug)
        return f'<h{level} id="{slug}">{inner}</h{level}>'

    return _HEADING.sub(add_id, out)


def _join_cjk_lines(out: str) -> str:
    """The CJK soft-break rule of core/markdown.py on HTML: a line break inside a paragraph
    between two CJK characters (inline markup looked through) is removed."""
    parts: list[str] = []
    last = 0
    for pre in _PRE.finditer(out):
        parts.append(_join_outside_pre(out[last : pre.start()]))
        parts.append(pre.group(0))
        last = pre.end()
    parts.append(_join_outside_pre(out[last:]))
    return "".join(parts)


def _join_outside_pre(text: str) -> str:
    pieces = text.split("\n")
    out = [pieces[0]]
    for piece in pieces[1:]:
        before, after = _edge_before(out[-1]), _edge_after(piece)
        if before and after and _CJK_CHAR.match(before) and _CJK_CHAR.match(after):
            out[-1] += piece
        else:
            out.append(piece)
    return "\n".join(out)


def _edge_before(line: str) -> str:
    """The character before a line break, through closing inline tags; '' at any other tag
    or inside a tag (a line break in an attribute is no soft break). An entity ends in ';'
    and the reference sees & < > or " there: neither is CJK, so both keep the break."""
    if line.rfind("<") > line.rfind(">"):
        return ""
    while line.endswith(">"):
        start = line.rfind("<")
        tag = line[start:]
        if not _INLINE_TAG.fullmatch(tag):
            return _other_tag(tag)
        line = line[:start]
    return line[-1:]


def _edge_after(line: str) -> str:
    """The character after a line break, through opening inline tags; '' at any other tag."""
    while line.startswith("<"):
        end = line.find(">")
        tag = line[: end + 1]
        if end < 0:
            return ""
        if not _INLINE_TAG.fullmatch(tag):
            return _other_tag(tag)
        line = line[end + 1 :]
    return line[:1]


def _other_tag(tag: str) -> str:
    """The rule stops at an image, a line break and block tags; it looks through footnote
    references and task-list boxes, which the HTML cannot: those go to the reference."""
    if tag.startswith(("<sup", "</sup", "<input")):
        raise _Unsure
    return ""
