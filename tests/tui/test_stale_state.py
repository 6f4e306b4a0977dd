"""Nothing on screen goes stale: settings, crash drafts, leases of others and of oneself."""

from __future__ import annotations

import subprocess

from textual.widgets import TextArea

from hkcms.core.leases import LeaseStore
from hkcms.core.posts import PostStore
from hkcms.tui.screens.conflict import ConflictDialog
from hkcms.tui.screens.editor import EditorScreen
from hkcms.tui.screens.export import ExportScreen
from hkcms.tui.screens.posts import PostsScreen
from hkcms.tui.widgets.post_table import PostTable

from .conftest import notices, settle, wait_loaded


async def open_editor(pilot, slug: str = "spring-rally") -> EditorScreen:
    await wait_loaded(pilot)
    pilot.app.open_editor(slug)
    await settle(pilot)
    assert isinstance(pilot.app.screen, EditorScreen)
    return pilot.app.screen


async def until(pilot, condition, tries: int = 200) -> None:
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.05)
    assert condition()


def bar(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def test_undo_back_to_the_saved_text_leaves_no_crash_draft(make_app, monkeypatch):
    from hkcms.tui.screens import editor as editor_module

    monkeypatch.setattr(editor_module, "DRAFT_DELAY_S", 0.05)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot)
        saved = editor.query_one(TextArea).text
        await pilot.press(*"Typed then undone")
        await until(pilot, lambda: app.drafts.load("spring-rally") is not None)
        while editor.query_one(TextArea).text != saved:
            await pilot.press("ctrl+z")
        assert not editor.dirty
        await settle(pilot)
        await pilot.pause(0.2)
        assert app.drafts.load("spring-rally") is None
    # The app ends (as when SSH drops): the next session offers nothing.
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_editor(pilot)
        await settle(pilot)
        assert isinstance(app.screen, EditorScreen)


async def test_save_as_new_does_not_show_the_old_posts_readers(make_app, tui_site):
    LeaseStore(tui_site, user="ada", host="laptop").acquire("spring-rally")
    app = make_app()
    async with app.run_test(size=(120, 24)) as pilot:
        editor = await open_editor(pilot)
        assert "also open by ada@laptop" in bar(app, "#editor-bar")
        store = PostStore(tui_site)
        theirs = store.load("spring-rally")
        theirs.body += "\nTheir change.\n"
        store.save(theirs)
        await pilot.press(*"Mine. ")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog)
        await pilot.press("a")  # save mine as a new post
        await settle(pilot)
        assert editor.post.slug != "spring-rally"
        assert "also open by" not in bar(app, "#editor-bar")


async def test_a_killed_hkcms_leaves_no_lease_marker(make_app, tui_site):
    other = subprocess.Popen(["sleep", "60"])
    try:
        # Another hkcms on this machine (same host name as the app's) has the post open.
        LeaseStore(tui_site, user="bo", host="testhost", pid=other.pid).acquire("spring-rally")
        app = make_app(poll_interval=0.05)
        async with app.run_test(size=(120, 24)) as pilot:
            await wait_loaded(pilot)
            table = app.screen.query_one(PostTable)
            assert table.leased == {"spring-rally"}
            other.kill()
            other.wait()
            await until(pilot, lambda: not table.leased)
            table.move_to("spring-rally")
            await pilot.pause()
            assert "open by" not in bar(app, "#posts-details")
            # The editor's "also open by" follows too.
            LeaseStore(tui_site, user="cy", host="laptop").acquire("spring-rally")
            editor = await open_editor(pilot)
            assert "also open by cy@laptop" in bar(app, "#editor-bar")
            LeaseStore(tui_site, user="cy", host="laptop").release("spring-rally")
            await until(pilot, lambda: "also open by" not in bar(app, "#editor-bar"))
            assert app.screen is editor
    finally:
        other.kill()
        other.wait()


async def test_settings_are_read_again_when_hkcms_toml_changes(make_app, tui_site):
    config = tui_site.root / "hkcms.toml"
    app = make_app(poll_interval=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        assert "Test site" in bar(app, "#posts-bar")
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace("Test site", "香港人在曼城"), encoding="utf-8")
        await until(pilot, lambda: "香港人在曼城" in bar(app, "#posts-bar"))
        assert app.site.settings.title == "香港人在曼城"
        assert any("hkcms.toml" in n for n in notices(app))
        # A broken file keeps the last good settings and says why, in one line.
        config.write_text('title = "unclosed\n', encoding="utf-8")
        await until(pilot, lambda: any("keeping the settings" in n for n in notices(app)))
        assert app.site.settings.title == "香港人在曼城"
        assert isinstance(app.screen, PostsScreen)
        # Fixed again: the export screen shows the new publish target.
        config.write_text(
            'title = "Fixed"\n[publish]\ntarget = "ada@example.org:/var/www/blog/"\n',
            encoding="utf-8",
        )
        await until(pilot, lambda: app.site.settings.title == "Fixed")
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        assert "ada@example.org:/var/www/blog/" in bar(app, "#export-options")
        assert PostStore(app.site).site.settings.title == "Fixed"
        assert app.store.site.settings.title == "Fixed"
