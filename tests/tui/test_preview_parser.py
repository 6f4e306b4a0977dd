"""The preview renders every construct the export's parser produces without crashing."""

from __future__ import annotations

from textual.app import App, ComposeResult

from hkcms.tui.preview_parser import preview_parser
from hkcms.tui.widgets.preview_pane import PreviewPane

TORTURE = """---
title: ignored front matter
---
# Title

Text with a footnote[^1] and another[^note], **bold**, *em*, ~~gone~~, `code`, <b>raw</b>.

- [ ] a task
- [x] done task
  1. nested ordered
     > quote in a list

| a | b |
|---|--:|
| 1 | 2 |

<div>raw html block</div>

![an image](media/x.png "title")

```python
print("fenced")
```

    indented code

> quote
> > nested quote

***

[^1]: First footnote.
[^note]: Second footnote with *emphasis*.
    And a second paragraph.
"""


class PreviewApp(App[None]):
    def compose(self) -> ComposeResult:
        yield PreviewPane(id="pane")


def test_footnotes_become_a_numbered_list():
    tokens = preview_parser().parse(TORTURE)
    types = {t.type for t in tokens}
    assert "footnote_block_open" not in types and "ordered_list_open" in types
    inline = [c for t in tokens if t.children for c in t.children]
    assert any(c.type == "text" and c.content == "[1]" for c in inline)


async def test_preview_renders_every_construct():
    app = PreviewApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(PreviewPane)
        pane.show(TORTURE, now=True)
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [h[1] for h in pane.markdown.table_of_contents] == ["Title"]
        assert len(pane.markdown.children) > 8


def test_preview_joins_hard_wrapped_chinese_like_the_export() -> None:
    tokens = preview_parser().parse("香港人\n在曼徹斯特。\n")
    inline = next(t for t in tokens if t.type == "inline")
    assert [c.type for c in inline.children or []] == ["text", "text"]
    assert "".join(c.content for c in inline.children or []) == "香港人在曼徹斯特。"
