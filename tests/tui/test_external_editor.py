"""$EDITOR through the real launcher: whatever the editor does, the screen comes back and says why.

Textual cannot suspend under run_test(), so the headless driver is made suspendable and counts
suspend/resume: a failure inside App.suspend() used to skip the resume (a blank, frozen terminal).
"""

from __future__ import annotations

import pytest
from textual.widgets import TextArea

from hkcms.tui.launcher import run_external_editor
from hkcms.tui.screens.editor import EditorScreen

from .conftest import notices, settle, wait_loaded


class Suspends:
    """Counts the driver's suspend and resume calls."""

    def __init__(self) -> None:
        self.suspended = 0
        self.resumed = 0


@pytest.fixture
def suspendable(monkeypatch: pytest.MonkeyPatch) -> Suspends:
    from textual.drivers.headless_driver import HeadlessDriver

    calls = Suspends()

    def suspend(self: object) -> None:
        calls.suspended += 1

    def resume(self: object) -> None:
        calls.resumed += 1

    monkeypatch.setattr(HeadlessDriver, "can_suspend", property(lambda self: True), raising=False)
    monkeypatch.setattr(HeadlessDriver, "suspend_application_mode", suspend, raising=False)
    monkeypatch.setattr(HeadlessDriver, "resume_application_mode", resume, raising=False)
    return calls


async def run_editor(make_app, monkeypatch, editor: str, suspendable: Suspends):
    monkeypatch.setenv("EDITOR", editor)
    monkeypatch.delenv("VISUAL", raising=False)
    app = make_app(launcher=run_external_editor)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        app.open_editor("spring-rally")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EditorScreen)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert suspendable.suspended == 1
        assert suspendable.resumed == 1, "the screen was never given back"
        assert app.screen is screen
        said = notices(app)
        # Keys still work afterwards.
        await pilot.press("ctrl+end")
        await pilot.press(*"still here")
        text = screen.query_one(TextArea).text
        return said, text, screen.dirty


async def test_missing_editor_restores_the_screen_and_says_so(
    make_app, monkeypatch, suspendable, tui_site
):
    before = tui_site.post_path("spring-rally").read_bytes()
    said, text, _ = await run_editor(
        make_app, monkeypatch, "/nonexistent/hkcms-no-editor", suspendable
    )
    assert any("'/nonexistent/hkcms-no-editor' was not found" in s for s in said), said
    assert "still here" in text
    assert tui_site.post_path("spring-rally").read_bytes() == before


async def test_editor_exiting_non_zero_changes_nothing_and_says_so(
    make_app, monkeypatch, suspendable, tui_site
):
    before = tui_site.post_path("spring-rally").read_bytes()
    said, _, _ = await run_editor(make_app, monkeypatch, "sh -c 'exit 3'", suspendable)
    assert any("exited with status 3. Nothing was changed" in s for s in said), said
    assert tui_site.post_path("spring-rally").read_bytes() == before


async def test_killed_editor_is_reported(make_app, monkeypatch, suspendable):
    said, _, _ = await run_editor(make_app, monkeypatch, "sh -c 'kill -9 $$'", suspendable)
    assert any("was killed by SIGKILL" in s for s in said), said


async def test_text_left_by_a_failing_editor_stays_on_screen_unsaved(
    make_app, monkeypatch, suspendable, tui_site
):
    before = tui_site.post_path("spring-rally").read_bytes()
    editor = 'sh -c \'printf "Typed before the crash\\n" >> "$1"; exit 1\' sh'
    said, text, dirty = await run_editor(make_app, monkeypatch, editor, suspendable)
    assert "Typed before the crash" in text
    assert dirty
    assert any("not saved" in s for s in said), said
    assert tui_site.post_path("spring-rally").read_bytes() == before
