"""A very long line never makes typing slow: it is broken where the page stays the same."""

from __future__ import annotations

from textual.widgets import TextArea

from hkcms.core.long_lines import LONG_LINE
from hkcms.core.markdown import render_html
from hkcms.core.posts import PostStore
from hkcms.tui.screens.editor import EditorScreen

from .conftest import notices, settle, wait_loaded

LINE = ("Hongkongers marched through Piccadilly Gardens 香港人在曼城遊行 " * 1400).strip()


def longest(text: str) -> int:
    return max(len(line) for line in text.split("\n"))


async def test_opening_a_post_with_an_80_kb_line_breaks_it_and_says_so(make_app, tui_site):
    path = tui_site.post_path("spring-rally")
    path.write_text(f"---\ntitle: Long\n---\nFirst.\n\n{LINE}\n", encoding="utf-8")
    before = path.read_bytes()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        app.open_editor("spring-rally")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, EditorScreen)
        text = editor.query_one(TextArea).text
        assert longest(text) <= LONG_LINE
        assert render_html(text).replace("\n", " ") == render_html(f"First.\n\n{LINE}\n").replace(
            "\n", " "
        )
        assert editor.dirty  # shown as a change, not saved behind the user's back
        assert path.read_bytes() == before
        assert any("too long to type in quickly" in n for n in notices(app))
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = PostStore(tui_site).load("spring-rally")
        assert longest(saved.body) <= LONG_LINE


async def test_pasting_a_huge_line_breaks_it_and_undo_brings_it_back(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        app.open_editor("spring-rally")
        await settle(pilot)
        editor = app.screen
        area = editor.query_one(TextArea)
        area.move_cursor((0, 0))
        area.insert(LINE + "\n\n")  # as a paste does
        await settle(pilot)
        assert longest(area.text) <= LONG_LINE
        assert any("too long to type in quickly" in n for n in notices(app))
        assert area.cursor_location[0] > 10  # the cursor stays after the pasted text
        await pilot.press(*"typed")
        assert "typed" in area.text
