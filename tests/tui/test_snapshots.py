"""SVG snapshots of the key screens at 80x24 and 120x40 (update: pytest --snapshot-update)."""

from __future__ import annotations

import pytest
from textual.widgets import TextArea

from hkcms.tui.widgets.post_table import PostTable

from .conftest import settle, wait_loaded

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


async def _posts(pilot) -> None:
    await wait_loaded(pilot)
    pilot.app.screen.query_one(PostTable).move_to("spring-rally")
    await pilot.pause()


async def _editor(pilot) -> None:
    await _posts(pilot)
    await pilot.press("e")
    await settle(pilot)
    pilot.app.screen.query_one(TextArea).cursor_blink = False
    await pilot.press("down", "end", *" Edited")
    await pilot.pause(0.6)  # the debounced preview (wide terminals)
    await settle(pilot)


async def _history(pilot) -> None:
    store = pilot.app.store
    post = store.load("spring-rally")
    post.body = post.body.replace("Three of them.", "Three of them: Ada, Brian and 陳小玲.")
    store.save(post, editor="ada", note="named the speakers")
    await _posts(pilot)
    await pilot.press("h")
    await settle(pilot)


async def _comments(pilot) -> None:
    await _posts(pilot)
    await pilot.press("c")
    await settle(pilot)
    await pilot.press("f")  # all states
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_posts_screen(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=_posts)


@pytest.mark.parametrize("size", SIZES)
def test_editor_screen(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=_editor)


@pytest.mark.parametrize("size", SIZES)
def test_history_screen(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=_history)


@pytest.mark.parametrize("size", SIZES)
def test_comments_screen(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=_comments)
