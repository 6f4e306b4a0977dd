"""Import from the TUI: the command palette opens the dialog; progress, report, keyboard only."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from hkcms.tui.screens.import_dialog import ImportDialog

from .conftest import settle, wait_loaded

FIXTURES = Path(__file__).parent.parent / "importers" / "fixtures"


async def finish(pilot, dialog: ImportDialog) -> None:
    for _ in range(300):
        await settle(pilot)
        if not dialog.running:
            return
    raise AssertionError("the import did not finish")


async def test_import_from_the_palette_shows_the_report(make_app, tui_site):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"import a blog", "enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ImportDialog)
        # Everything fits at 80x24.
        for widget in dialog.query("#import-dialog *"):
            if widget.display and widget.region.area:
                assert widget.region.right <= 80 and widget.region.bottom <= 24, widget
        assert app.focused is dialog.query_one("#import-src", Input)
        await pilot.press(*str(FIXTURES / "wordpress.xml"), "enter")
        await finish(pilot, dialog)
        assert dialog.report is not None and dialog.report.posts["created"] == 6
        shown = str(dialog.query_one("#import-report").render())
        assert "posts: 6 created" in shown and "comments: 2 approved, 1 pending" in shown
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ImportDialog)
        assert tui_site.post_path("spring-rally-2").exists() or any(
            "import_source: wordpress" in p.read_text() for p in tui_site.posts_dir.glob("*.md")
        )


async def test_a_bad_file_is_reported_and_the_dialog_stays_usable(make_app, tui_site, tmp_path):
    bad = tmp_path / "broken.xml"
    bad.write_text("<rss><channel><item></channel>")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        app.open_import()
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ImportDialog)
        await pilot.press("enter")  # nothing typed yet: a hint, no import
        assert not dialog.running and dialog.report is None
        await pilot.press(*str(bad), "enter")
        await finish(pilot, dialog)
        shown = str(dialog.query_one("#import-report").render())
        assert "Import failed" in shown and "broken.xml:1" in shown
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ImportDialog)
