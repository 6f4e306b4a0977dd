"""The compiled renderer (markdown-it.rs) against the reference (markdown-it-py, the site's
parser): identical HTML for the CommonMark spec examples, GFM tables, strikethrough and task
lists, footnotes, heading anchors, CJK line breaks and every fixture post.

Known differences are not accepted silently: each sends the document to the reference, and a
test below proves it does (the compiled path answers None there):
- raw HTML and autolinks (anything after `<`): not rendered by the compiled path at all;
- a body that starts with `---` (the reference's front-matter rule leaves a newline);
- Unicode symbols (£, €, emoji) beside `*`, `_`, `~`: CommonMark 0.31 (markdown-it-py) treats
  them as punctuation for emphasis, 0.30 (markdown-it.rs) does not;
- a footnote reference in a heading or beside a CJK line break, a task-list box beside one,
  a task-list box with no text after it on its line, a footnote referenced twice (numbered
  differently).
Fixed up on the compiled HTML (so identical): heading ids, task-list boxes, footnote items,
empty block quotes, `start` of an ordered task list, CJK soft line breaks.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.gen_corpus import body as corpus_body
from hkcms.core.markdown import render_html as reference
from hkcms.export import fast_markdown
from hkcms.export.fast_markdown import render_compiled, render_html
from hkcms.export.render import body_of

pytest.importorskip("markdown_it_pyrs", reason="the compiled renderer is an optional wheel")

FIXTURES = Path(__file__).parent / "fixtures" / "markdown"
ROOT = Path(__file__).resolve().parents[2]


def fixture_cases(name: str) -> list[tuple[str, str]]:
    """markdown-it's fixture format: title, '.', Markdown, '.', HTML, '.'."""
    parts = (FIXTURES / name).read_text(encoding="utf-8").split("\n.\n")
    return [
        (f"{name}: {parts[i].strip().splitlines()[-1]}", parts[i + 1] + "\n")
        for i in range(0, len(parts) - 2, 3)
    ]


SPEC = [
    (f"spec {e['example']} ({e['section']})", e["markdown"])
    for e in json.loads((FIXTURES / "commonmark-spec.json").read_text(encoding="utf-8"))
]
GFM = [c for name in ("tables.md", "strikethrough.md", "tasklists.md") for c in fixture_cases(name)]
OURS = [
    ("footnote", "Text[^1] and more[^note].\n\n[^1]: The note.\n[^note]: Two\n\n    paras.\n"),
    ("footnote reused", "A[^a] b[^a]\n\n[^a]: Once.\n"),
    ("footnote inline", "Inline^[a note] here.\n"),
    ("footnote missing", "No [^x] definition.\n"),
    ("footnote in list", "- item[^1]\n\n[^1]: In a list.\n"),
    ("headings", "# Title\n## Title\n### Title\n#### Title\n## Title\n"),
    ("heading markup", "## A *b* `c` [d](/e) ![f](g.png) ~~h~~ &amp; \\*\n"),
    ("heading chinese", "# 香港 社區\n## 第一節：集會！\n## 第一節：集會！\n"),
    ("heading empty", "#\n## !!!\n### section\n"),
    ("heading setext", "Title\n=====\n\nSub\n---\n"),
    ("heading in quote", "> ## Quoted\n\n- ## In a list\n"),
    ("cjk", "中文一行\n中文二行\n"),
    ("cjk mixed", "中文\nEnglish\n英文 \n中文\n"),
    ("cjk markup", "**粗體**\n中文 *斜*\n`代碼`\n[連結](/x)\n字\n"),
    ("cjk punctuation", "你好，\n世界。\n「引號」\n（括號）\n"),
    ("cjk hard break", "中文  \n中文\n中文\\\n中文\n"),
    ("cjk image", "中文![圖](x.png)\n中文\n"),
    ("cjk code block", "```\n中文\n中文\n```\n\n    中\n    文\n"),
    ("cjk list and quote", "- 中文\n  中文\n> 引用\n> 引用\n"),
    ("cjk table", "| 中 | 文 |\n|---|---|\n| 中 | 文 |\n"),
    ("cjk link title", '[a](/u "中\n文") 中\n文\n'),
    ("cjk footnote", "中文[^1]\n中文\n\n[^1]: 註\n註\n"),
    ("cjk task", "- [ ] 中文\n  中文\n"),
    ("cjk entity", "中&amp;\n文 &#20013;\n文\n"),
    ("emoji", "**重要**🎉 and *€*5 and 🎉*x*\n"),
    ("second front matter", "---\ntitle: x\n---\nBody\n"),
    ("raw html", "<div>raw</div>\n\nand <b>inline</b> <https://example.org>\n"),
]


def fixture_posts() -> list[tuple[str, str]]:
    """Every post of the test fixtures and of the demo site."""
    files = sorted(ROOT.glob("tests/**/posts/*.md")) + sorted(ROOT.glob("posts/*.md"))
    out = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        try:
            out.append((str(path.relative_to(ROOT)), body_of(text, path)))
        except Exception:  # a fixture that is broken on purpose
            continue
    return out


def corpus() -> list[tuple[str, str]]:
    """Bodies like the benchmark's: ~1,000 words, every tenth in Chinese."""
    rng = random.Random(5)
    return [(f"corpus {i}", corpus_body(rng, i % 10 == 0)) for i in range(60)]


CASES = SPEC + GFM + OURS + fixture_posts() + corpus()


@pytest.mark.parametrize(("name", "markdown"), CASES, ids=[c[0] for c in CASES])
def test_the_export_renders_what_the_reference_renders(name: str, markdown: str) -> None:
    assert render_html(markdown) == reference(markdown)


def test_most_documents_take_the_compiled_path() -> None:
    compiled = [name for name, md in CASES if render_compiled(md) is not None]
    assert len(compiled) > 0.7 * len(CASES)  # the spec examples are full of raw HTML
    for name, _ in corpus():
        assert name in compiled


TOKENS = [
    "中文", "文字", "English", "word", " ", "  ", "\n", "\n\n", "*", "**", "_", "~~", "`", "[",
    "]", "(", ")", "[^1]", "[^1]: note\n", "[^a]", "# ", "## ", "### ", "- ", "1. ", "> ",
    "- [ ] ", "- [x] ", "|", "|---|", "\\", "&amp;", "&copy;", "!", "![a](b.png)", "[l](/u)",
    '[l](/u "t")', "    ", "```\n", "---\n", "***", "===", "。", "，", "「", "」", "🎉", "£",
    "x", "1", "\t", "\\\n", "'", '"', "-", "+", ":", "^[inline]", "https://example.org",
]  # fmt: skip


def test_random_documents_render_as_the_reference_renders_them(
    capfd: pytest.CaptureFixture[str],
) -> None:
    """Random mixes of Markdown syntax: the same HTML (compiled or sent to the reference),
    and never a panic of markdown-it.rs (it would print a Rust backtrace)."""
    rng = random.Random(11)
    compiled = 0
    for _ in range(3000):
        doc = "".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 30))) + "\n"
        compiled += render_compiled(doc) is not None
        assert render_html(doc) == reference(doc), doc
    assert compiled > 900
    assert "panicked" not in capfd.readouterr().err


@pytest.mark.parametrize(
    "markdown",
    [
        "<div>raw</div>\n",
        "See <https://example.org>.\n",
        "---\nx\n---\n",
        "*€*5\n",
        "🎉*x*\n",
        "## Title[^1]\n\n[^1]: n\n",
        "中文[^1]\n中文\n\n[^1]: n\n",
        "- [ ] \n中文\n",
        "> - [x]\n> text\n",
        "A[^a] b[^a]\n\n[^a]: Once.\n",
    ],
)
def test_known_differences_go_to_the_reference(markdown: str) -> None:
    assert render_compiled(markdown) is None
    assert render_html(markdown) == reference(markdown)


def test_without_the_wheel_everything_goes_to_the_reference(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fast_markdown, "markdown_it_pyrs", None)
    fast_markdown.compiled_parser.cache_clear()
    try:
        assert render_compiled("# Hi\n") is None
        assert render_html("# Hi\n") == '<h1 id="hi">Hi</h1>\n'
    finally:
        fast_markdown.compiled_parser.cache_clear()


def test_heading_ids_are_the_sites_slugs() -> None:
    out = render_compiled("# 香港 Rally!\n## Rally\n## Rally\n")
    assert out is not None
    assert re.findall(r'id="([^"]+)"', out) == ["香港-rally", "rally", "rally-1"]


@given(st.text(alphabet=st.sampled_from("ab *_~€£😀é中\n")))
def test_symbol_beside_a_delimiter_is_found_as_the_spec_says(text: str) -> None:
    """The scan over delimiter runs finds exactly what the plain definition (a Unicode symbol
    right before or after `*`, `_` or `~`) finds."""
    beside = re.findall(r"(?<=[*_~])[^\x00-\x7f]|[^\x00-\x7f](?=[*_~])", text)
    expected = any(unicodedata.category(ch).startswith("S") for ch in beside)
    assert fast_markdown.symbol_next_to_delimiter(text) == expected
