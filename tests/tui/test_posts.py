"""Pilot tests of the posts list: rows, sort, filter (also body text), trash, refresh, leases."""

from __future__ import annotations

from hkcms.core.leases import LeaseStore
from hkcms.core.posts import PostStore
from hkcms.tui.screens.editor import EditorScreen
from hkcms.tui.screens.posts import PostsScreen
from hkcms.tui.screens.prompt import PromptDialog
from hkcms.tui.screens.trash import TrashScreen
from hkcms.tui.widgets.post_table import PostTable

from .conftest import notices, settle, wait_loaded


def rows(app) -> list[str]:
    return [p.slug for p in app.screen.query_one(PostTable).rows]


async def test_lists_every_post_and_sort_cycles(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        assert isinstance(app.screen, PostsScreen)
        assert sorted(rows(app)) == sorted(["spring-rally", "粵語班開課", "draft-agm", "hostile"])
        await pilot.press("s")  # title order, case-insensitive
        titles = [p.title.casefold() for p in app.screen.query_one(PostTable).rows]
        assert titles == sorted(titles)
        assert app.screen.sort_key == "title"
        for _ in range(5):
            await pilot.press("s")
        assert app.screen.sort_key == "updated"


async def test_filter_matches_title_tags_author_and_body(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("slash")
        await pilot.press(*"marmalade")  # only in the body of draft-agm
        assert rows(app) == ["draft-agm"]
        await pilot.press("escape")  # leaves the box, keeps the filter
        assert isinstance(app.focused, PostTable)
        assert rows(app) == ["draft-agm"]
        await pilot.press("escape")  # clears it
        assert len(rows(app)) == 4
        await pilot.press("slash", *"advocacy")  # a tag
        assert rows(app) == ["spring-rally"]
        app.screen.query_one("#posts-filter").value = "陳小玲"  # an author, in Chinese
        await pilot.pause()
        assert rows(app) == ["粵語班開課"]
        app.screen.query_one("#posts-filter").value = "nothing-matches-this"
        await pilot.pause()
        assert rows(app) == []


async def test_enter_opens_the_highlighted_post(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        table = app.screen.query_one(PostTable)
        await pilot.press("down")
        expected = table.highlighted
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EditorScreen)
        assert app.screen.post.slug == expected


async def test_new_post_asks_for_a_title_creates_and_opens_it(make_app, tui_site):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("n")
        assert isinstance(app.screen, PromptDialog)
        await pilot.press("enter")  # empty title is refused
        assert isinstance(app.screen, PromptDialog)
        app.screen.query_one("#answer").value = "周年大會 2026"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EditorScreen)
        post = PostStore(tui_site).load(app.screen.post.slug)
        assert post.title == "周年大會 2026"
        assert post.status == "draft"


async def test_trash_asks_then_trash_view_restores(make_app, tui_site):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        table = app.screen.query_one(PostTable)
        table.move_to("spring-rally")
        await pilot.press("d")
        await pilot.press("n")  # cancelled: still there
        assert tui_site.post_path("spring-rally").exists()
        await pilot.press("d", "y")
        await settle(pilot)
        assert not tui_site.post_path("spring-rally").exists()
        assert "spring-rally" not in rows(app)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TrashScreen)
        assert [e.slug for e in app.screen.entries] == ["spring-rally"]
        await pilot.press("u")
        await settle(pilot)
        assert tui_site.post_path("spring-rally").exists()
        assert app.screen.entries == []
        await pilot.press("escape")
        await wait_loaded(pilot)
        assert "spring-rally" in rows(app)


async def test_list_refreshes_when_files_change_on_disk(make_app, tui_site):
    app = make_app(poll_interval=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        PostStore(tui_site).create("Written in another terminal")
        for _ in range(300):
            await pilot.pause(0.05)
            if "written-in-another-terminal" in rows(app):
                break
        assert "written-in-another-terminal" in rows(app)


async def test_shows_who_else_has_a_post_open(make_app, tui_site):
    other = LeaseStore(tui_site, user="ada", host="laptop")  # another machine, fresh lease
    other.acquire("spring-rally")
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot)
        table = app.screen.query_one(PostTable)
        assert table.leased == {"spring-rally"}
        table.move_to("spring-rally")
        await pilot.pause()
        details = str(app.screen.query_one("#posts-details").render())
        assert "open by ada@laptop" in details
        row = table.render_line(1 + table.cursor).text
        assert row.startswith("@")


async def test_keys_typed_fast_after_slash_go_to_the_filter(make_app):
    """Over SSH keys arrive together: those queued before the focus moved are not lost
    and never run list commands ("e" would open the editor)."""
    from textual import events

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        for key, char in [("slash", "/"), ("e", "e"), ("v", "v"), ("e", "e")]:
            app.post_message(events.Key(key, char))
        await settle(pilot)
        assert isinstance(app.screen, PostsScreen)
        assert app.screen.query_one("#posts-filter").value == "eve"
        assert rows(app) == ["spring-rally"]  # "events" tag


async def test_new_post_that_cannot_be_written_says_why(make_app, monkeypatch):
    def fails(*args: object, **kwargs: object) -> None:
        raise OSError(36, "File name too long", "posts/.hkcms-tmp-long.md")

    app = make_app()
    monkeypatch.setattr(app.store, "create", fails)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("n")
        app.screen.query_one("#answer").value = "周年大會"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PostsScreen)
        assert any("Could not create the post: File name too long" in n for n in notices(app))


async def test_new_post_with_a_long_chinese_title_never_crashes(make_app, tui_site):
    title = "香港人在曼徹斯特舉行周年大會" * 6  # 84 characters, 252 bytes in UTF-8
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("n")
        app.screen.query_one("#answer").value = title
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EditorScreen)
        post = PostStore(tui_site).load(app.screen.post.slug)
        assert post.title == title
        assert len(post.path.name.encode()) <= 255
