"""Every screen, opened and closed by keyboard at small and large sizes, without a crash."""

from __future__ import annotations

import pytest

from hkcms.tui.screens.posts import PostsScreen
from hkcms.tui.widgets.post_table import PostTable

from .conftest import settle, wait_loaded

VISITS = [
    ("e", ["ctrl+t", "ctrl+r", "ctrl+r", "ctrl+t"], "EditorScreen"),
    ("p", ["t", "t"], "PreviewScreen"),
    ("h", ["m", "tab", "tab"], "HistoryScreen"),
    ("c", ["f", "o", "f"], "CommentsScreen"),
    ("t", [], "TrashScreen"),
    ("question_mark", ["pagedown"], "HelpScreen"),
    ("v", ["p"], "StatsScreen"),
    ("x", ["f", "d"], "ExportScreen"),
]


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 40), (200, 50)])
async def test_every_screen_opens_and_closes(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await wait_loaded(pilot)
        app.screen.query_one(PostTable).move_to("hostile")
        for key, keys, name in VISITS:
            await pilot.press(key)
            await settle(pilot)
            assert type(app.screen).__name__ == name
            await pilot.press(*keys)
            await settle(pilot)
            for _ in range(2):  # in the editor the first Escape may only leave a field
                if not isinstance(app.screen, PostsScreen):
                    await pilot.press("escape")
                    await settle(pilot)
            assert isinstance(app.screen, PostsScreen), name
        await pilot.press("ctrl+p")
        await pilot.press("escape")
        await pilot.press("q")
        await settle(pilot)
    assert app.return_code == 0
