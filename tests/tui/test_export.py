"""Export from the TUI: progress, summary, and publish confirmation."""

from __future__ import annotations

import shutil

import pytest

from hkcms.tui.screens.confirm import ConfirmDialog

from .conftest import settle, wait_loaded


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


@pytest.mark.skipif(shutil.which("rsync") is None, reason="needs rsync")
async def test_publish_shows_a_dry_run_and_asks_first(make_app, tui_site):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("x")
        screen = app.screen
        await pilot.press("p")  # no target configured: refused with a message, nothing asked
        await settle(pilot)
        assert app.screen is screen and not screen.running
        remote = tui_site.root.parent / "remote"
        remote.mkdir()
        object.__setattr__(tui_site.settings, "publish_target", f"{remote}/")
        await pilot.press("enter")
        await wait_done(pilot, screen)
        await pilot.press("p")
        await wait_done(pilot, screen)
        assert isinstance(app.screen, ConfirmDialog)
        question = str(app.screen.question)
        assert "changes, for example:\n  new file: " in question
        assert "+++" not in question  # rsync item codes are told in words
        await pilot.press("n")
        await settle(pilot)
        assert not (remote / "index.html").exists()
        await pilot.press("p")
        await wait_done(pilot, screen)
        await pilot.press("y")
        await wait_done(pilot, screen)
        assert screen.published is not None
        assert (remote / "index.html").exists()
        assert "Published to" in str(screen.query_one("#export-summary").render())


async def wait_done(pilot, screen) -> None:
    for _ in range(200):
        await settle(pilot)
        if not screen.running:
            return
    raise AssertionError("still running")


@pytest.mark.skipif(shutil.which("rsync") is None, reason="needs rsync")
async def test_a_preview_with_drafts_is_never_published(make_app, tui_site):
    remote = tui_site.root.parent / "remote"
    remote.mkdir()
    object.__setattr__(tui_site.settings, "publish_target", f"{remote}/")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("x")
        screen = app.screen
        await pilot.press("d", "enter")  # a preview with drafts
        await wait_done(pilot, screen)
        summary = str(screen.query_one("#export-summary").render())
        assert "cannot be published" in summary
        await pilot.press("p")
        await wait_done(pilot, screen)
        assert app.screen is screen  # refused: nothing asked
        summary = str(screen.query_one("#export-summary").render())
        assert "Cannot publish" in summary and "export again without drafts" in summary
        assert list(remote.iterdir()) == []
        await pilot.press("d", "enter")  # drafts off: the same folder without them
        await wait_done(pilot, screen)
        await pilot.press("p")
        await wait_done(pilot, screen)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await wait_done(pilot, screen)
        assert (remote / "index.html").exists()
        assert not (remote / "posts" / "draft-agm").exists()


async def test_the_hint_says_what_enter_will_do(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("x")
        options = app.screen.query_one("#export-options")
        assert "only what changed" in str(options.render())
        await pilot.press("f")  # full rebuild
        await settle(pilot)
        assert "rebuilds every page" in str(options.render())
        assert "only what changed" not in str(options.render())
