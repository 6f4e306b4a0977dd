"""Export from the TUI (needs hkcms.export.build): progress, summary, and publish confirmation."""

from __future__ import annotations

import pytest

from hkcms.tui import features
from hkcms.tui.screens.confirm import ConfirmDialog

from .conftest import settle, wait_loaded

pytest.importorskip("hkcms.export.build")


async def test_export_shows_progress_and_summary(make_app, tui_site):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("x")
        screen = app.screen
        await pilot.press("d")  # include drafts
        assert screen.options["drafts"]
        await pilot.press("enter")
        for _ in range(100):
            await settle(pilot)
            if not screen.running:
                break
        assert screen.report is not None, str(screen.query_one("#export-summary").render())
        assert screen.report.written > 0
        assert (tui_site.public_dir / "index.html").exists()
        assert (tui_site.public_dir / "posts" / "draft-agm" / "index.html").exists()
        bar = screen.query_one("#export-progress")
        assert bar.total and bar.progress == bar.total
        assert "Exported" in str(screen.query_one("#export-summary").render())
        await pilot.press("escape")
        assert not hasattr(app.screen, "options")


@pytest.mark.skipif(not features.has_publish(), reason="needs hkcms.export.publish")
async def test_publish_asks_first(make_app, tui_site):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("x")
        screen = app.screen
        toml = tui_site.root / "hkcms.toml"
        assert 'target = ""' in toml.read_text()
        await pilot.press("p")  # no target configured: refused with a message, nothing asked
        assert app.screen is screen
        object.__setattr__(
            tui_site.settings, "publish_target", str(tui_site.root.parent / "remote") + "/"
        )
        await pilot.press("p")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen and screen.published is None
