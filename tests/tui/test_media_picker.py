"""Pilot tests at 80x24: insert an image by keyboard (pick or add a file), alt text asked,
Markdown inserted at the cursor; the preview marks where images are."""

from __future__ import annotations

from textual.widgets import TextArea

from hkcms.tui.screens.media_picker import MediaPickerDialog
from hkcms.tui.screens.prompt import PromptDialog
from hkcms.tui.widgets.preview_pane import PreviewPane
from tests.media import images

from .conftest import settle
from .test_editor import open_editor


async def wait_for(pilot, condition, tries=500):
    for _ in range(tries):
        await pilot.pause(0.02)
        if condition():
            return
    raise AssertionError("condition never met")


async def test_pick_an_image_and_insert_it_with_alt_text_at_the_cursor(make_app, tui_site):
    images.photo(tui_site.media_dir / "march.jpg", size=(300, 200))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot)
        area = editor.query_one(TextArea)
        area.move_cursor((2, 0))  # the start of "We marched…"
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert isinstance(app.screen, MediaPickerDialog)
        await wait_for(pilot, lambda: app.screen.query_one("#media-list").option_count == 2)
        await pilot.press("enter")  # the first image is highlighted
        await settle(pilot)
        assert isinstance(app.screen, PromptDialog)
        await pilot.press("enter")  # an empty alt text is refused: the prompt stays
        assert isinstance(app.screen, PromptDialog)
        await pilot.press(*"Marchers 遊行", "enter")
        await settle(pilot)
        assert app.screen is editor
        assert area.text.splitlines()[2].startswith("![Marchers 遊行](/media/march.jpg)We marched")
        assert editor.dirty


async def test_add_a_new_photo_through_the_cleaning(make_app, tui_site, tmp_path):
    source = images.photo(tmp_path / "IMG_0042.JPG", size=(300, 200))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        app.screen.query_one("Input").value = str(tmp_path / "missing.jpg")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MediaPickerDialog)  # the error is shown, the picker stays
        assert list(tui_site.media_dir.iterdir()) == []
        await pilot.press("a")
        await settle(pilot)
        app.screen.query_one("Input").value = str(source)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        await pilot.press(*"A speaker", "enter")
        await settle(pilot)
        assert "![A speaker](/media/img-0042.jpg)" in editor.query_one(TextArea).text
        meta = images.metadata_of(tui_site.media_dir / "img-0042.jpg")
        assert meta["exif"] == meta["gps"] == 0 and not meta["xmp"]


async def test_escape_leaves_the_text_unchanged(make_app, tui_site):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot)
        before = editor.query_one(TextArea).text
        await pilot.press("ctrl+g")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is editor and editor.query_one(TextArea).text == before


async def test_preview_shows_an_image_placeholder(make_app, tui_site):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot)
        editor.query_one(TextArea).insert(
            "![Yellow umbrellas](/media/x.jpg)\n\n![](/media/y.jpg)\n"
        )
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.pause(0.3)
        pane = editor.query_one(PreviewPane)
        shown = "\n".join(str(block.render()) for block in pane.markdown.query("*"))
        assert "[image: Yellow umbrellas]" in shown
        assert "[image: no alt text!]" in shown
