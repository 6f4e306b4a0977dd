"""Every list answers the same keys, and acts only on the row that is visibly highlighted."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.widgets import DataTable

from hkcms.core.comments import CommentStore
from hkcms.core.posts import PostStore
from hkcms.core.views import ViewStore
from hkcms.tui.app import HkcmsApp
from hkcms.tui.screens.comment_dialog import CommentDialog
from hkcms.tui.screens.comments import CommentsScreen
from hkcms.tui.widgets.post_table import PostTable

from .conftest import notices, settle, wait_loaded

SLUGS = ["spring-rally", "粵語班開課", "draft-agm", "hostile"]


async def open_comments(app: HkcmsApp, pilot) -> None:
    await pilot.press("c", "f")  # the queue, then every state: three comments
    await settle(pilot)


async def open_history(app: HkcmsApp, pilot) -> None:
    store = PostStore(app.site)
    for n in range(3):
        post = store.load("spring-rally")
        post.body += f"\nEdit {n}\n"
        store.save(post)
    app.screen.query_one(PostTable).move_to("spring-rally")
    await pilot.press("h")
    await settle(pilot)


async def open_trash(app: HkcmsApp, pilot) -> None:
    store = PostStore(app.site)
    for slug in SLUGS[:3]:
        store.trash(slug)
    await pilot.press("t")
    await settle(pilot)


async def open_stats(app: HkcmsApp, pilot) -> None:
    views = ViewStore(PostStore(app.site).meta)
    for n, slug in enumerate(SLUGS):
        views.set_baseline(slug, 10 * (n + 1))
    await pilot.press("v", "p", "p")  # all time: the baselines count
    await settle(pilot)


OPENERS: dict[str, Callable[[HkcmsApp, object], Awaitable[None]]] = {
    "comments": open_comments,
    "history": open_history,
    "trash": open_trash,
    "stats": open_stats,
}


def cursor(app: HkcmsApp) -> tuple[int, int]:
    """(highlighted row, number of rows) of the list on screen."""
    posts = app.screen.query(PostTable)
    if posts:
        return posts.first().cursor, len(posts.first().rows)
    table = app.screen.query_one(DataTable)
    return table.cursor_row, table.row_count


@pytest.mark.parametrize("screen", ["posts", *OPENERS])
async def test_the_same_keys_move_the_cursor_on_every_list(make_app, screen):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        if screen in OPENERS:
            await OPENERS[screen](app, pilot)
        row, count = cursor(app)
        assert count >= 3, f"{screen} needs three rows for this test"
        last = count - 1
        for key, expected in [
            ("end", last),
            ("home", 0),
            ("j", 1),
            ("j", 2),
            ("k", 1),
            ("G", last),
            ("g", 0),
            ("down", 1),
            ("up", 0),
        ]:
            await pilot.press(key)
            await pilot.pause()
            assert cursor(app)[0] == expected, f"{key} on {screen}"


async def test_approve_after_end_approves_the_last_visible_comment(make_app, tui_site):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("c")  # the queue: two pending comments, oldest first
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CommentsScreen)
        first, last = screen.comments[0], screen.comments[-1]
        await pilot.press("end", "a")
        await settle(pilot)
        store = CommentStore(PostStore(tui_site).meta)
        status = {c.id: c.status for c in store.list()}
        assert status[last.id] == "approved"
        assert status[first.id] == "pending"


async def test_moderation_does_nothing_when_no_row_is_visibly_highlighted(make_app, tui_site):
    store = CommentStore(PostStore(tui_site).meta)
    for n in range(40):
        store.add(
            "draft-agm", f"Reader {n}", f"Comment number {n}", created=f"2026-10-{n % 28 + 1:02d}"
        )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("c")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        table.scroll_end(animate=False, immediate=True)  # the mouse wheel: cursor out of view
        await pilot.pause()
        before = {c.id: c.status for c in store.list()}
        for key in ("a", "h", "s", "d"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, CommentsScreen)  # `d` asked nothing
        assert {c.id: c.status for c in store.list()} == before
        assert any("No comment is highlighted" in n for n in notices(app))
        await pilot.press("f", "f", "f", "f")  # spam: an empty list
        await settle(pilot)
        assert app.screen.query_one(DataTable).row_count == 0
        await pilot.press("a")
        await settle(pilot)
        assert {c.id: c.status for c in store.list()} == before


async def test_add_comment_uses_only_the_post_on_screen(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        app.screen.query_one(PostTable).move_to("spring-rally")
        await pilot.press("c")  # all posts' queue: no one post is on screen
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, CommentDialog)
        assert app.screen.query_one("#comment-post").value == ""
        assert app.focused is app.screen.query_one("#comment-post")
        await pilot.press("escape", "o")  # only spring-rally's comments: the bar names it
        await settle(pilot)
        assert "spring-rally" in str(app.screen.query_one("#comments-bar").render())
        await pilot.press("n")
        await settle(pilot)
        assert app.screen.query_one("#comment-post").value == "spring-rally"


async def test_post_keys_do_nothing_when_the_highlighted_row_is_scrolled_away(make_app, tui_site):
    store = PostStore(tui_site)
    for n in range(40):
        store.create(f"Filler post {n:02d}")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        table = app.screen.query_one(PostTable)
        assert table.cursor == 0
        table.scroll_end(animate=False, immediate=True)  # the mouse wheel: cursor out of view
        await pilot.pause()
        screen = app.screen
        for key in ("e", "p", "h", "d"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is screen, key
        assert any("No post is highlighted" in n for n in notices(app))
        await pilot.press("down")  # moving the cursor brings it back into view
        await pilot.press("e")
        await settle(pilot)
        assert app.screen is not screen
