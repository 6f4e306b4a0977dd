"""Pilot tests of preview, history, comments, help and the command palette."""

from __future__ import annotations

from textual.widgets import OptionList

from hkcms.core.comments import CommentStore
from hkcms.core.meta import MetaStore
from hkcms.core.posts import PostStore
from hkcms.tui.commands import HkcmsCommands
from hkcms.tui.screens.comment_dialog import CommentDialog
from hkcms.tui.screens.comments import CommentsScreen
from hkcms.tui.screens.confirm import ConfirmDialog
from hkcms.tui.screens.help import HelpScreen, binding_groups
from hkcms.tui.screens.history import HistoryScreen
from hkcms.tui.screens.posts import PostsScreen
from hkcms.tui.screens.preview import PreviewScreen
from hkcms.tui.widgets.diff_view import DiffView
from hkcms.tui.widgets.post_table import PostTable

from .conftest import settle, wait_loaded


async def test_preview_shows_rendered_post_and_contents(make_app):
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot)
        app.screen.query_one(PostTable).move_to("spring-rally")
        await pilot.press("p")
        await settle(pilot)
        await pilot.pause(0.2)
        assert isinstance(app.screen, PreviewScreen)
        toc = app.screen.query_one("#preview-toc", OptionList)
        labels = [str(toc.get_option_at_index(i).prompt).strip() for i in range(toc.option_count)]
        assert labels == ["Spring rally", "Speakers"]
        toc.focus()
        toc.highlighted = 1
        await pilot.press("enter")  # jumps to the heading
        await pilot.press("escape")
        assert isinstance(app.screen, PostsScreen)


async def test_history_diff_modes_and_restore(make_app, tui_site):
    store = PostStore(tui_site)
    post = store.load("spring-rally")
    post.body = "Second version.\n"
    store.save(post, editor="ada")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_loaded(pilot)
        app.screen.query_one(PostTable).move_to("spring-rally")
        await pilot.press("h")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        assert [r.rev for r in screen.revisions] == [2, 1]
        await pilot.press("down", "m")  # revision 1 against the current text
        await settle(pilot)
        assert screen.against_current
        diff = "\n".join(line.text for line in screen.query_one(DiffView).lines)
        assert "-We marched through Piccadilly Gardens." in diff
        assert "+Second version." in diff
        await pilot.press("m")  # revision 1 against its predecessor (none): all added
        await settle(pilot)
        diff = "\n".join(line.text for line in screen.query_one(DiffView).lines)
        assert "+We marched through Piccadilly Gardens." in diff
        await pilot.press("r")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert "Piccadilly" in tui_site.post_path("spring-rally").read_text()
        assert [r.rev for r in screen.revisions] == [3, 2, 1]
        assert screen.revisions[0].note == "restored revision 1"


async def test_comments_queue_moderation_and_counts(make_app, tui_site):
    app = make_app()
    store = CommentStore(MetaStore(tui_site))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CommentsScreen)
        assert {c.post for c in screen.comments} == {"spring-rally", "粵語班開課"}  # pending
        assert screen.counts["pending"] == 2 and screen.counts["approved"] == 1
        first = screen.comments[0]
        await pilot.press("a")
        await settle(pilot)
        assert first.id in {c.id for c in store.list(status="approved")}
        assert len(screen.comments) == 1
        second = screen.comments[0]
        await pilot.press("s")
        await settle(pilot)
        assert [c.id for c in store.list(status="spam")] == [second.id]
        assert screen.counts == {"pending": 0, "approved": 2, "hidden": 0, "spam": 1}
        await pilot.press("f", "f")  # all states, then approved
        await settle(pilot)
        assert screen.state == "approved" and len(screen.comments) == 2
        await pilot.press("h")
        await settle(pilot)
        assert screen.counts["hidden"] == 1
        await pilot.press("f", "f")  # hidden, then spam
        await settle(pilot)
        assert screen.state == "spam"
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert store.list(status="spam") == []


async def test_comment_added_by_hand(make_app, tui_site):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_loaded(pilot)
        app.screen.query_one(PostTable).move_to("spring-rally")
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("o")  # this post's comments only
        await settle(pilot)
        assert {c.post for c in app.screen.comments} == {"spring-rally"}
        await pilot.press("n")
        dialog = app.screen
        assert isinstance(dialog, CommentDialog)
        assert dialog.query_one("#comment-post").value == "spring-rally"
        dialog.query_one("#comment-author").value = "Mrs Chan (by email)"
        dialog.query_one("#comment-body").load_text("多謝大家！\nSee you next time.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        added = [c for c in CommentStore(MetaStore(tui_site)).list() if c.author.startswith("Mrs")]
        assert added and added[0].status == "approved" and "多謝大家" in added[0].body


async def test_help_is_generated_from_real_bindings_and_follows_a_keymap(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        app.set_keymap({"posts.sort": "o"})
        await pilot.pause()
        groups = dict(binding_groups(app, app.screen))
        screen_keys = dict((desc, keys) for keys, desc in groups["This screen"])
        assert screen_keys["Cycle the sort order"] == "o"
        assert screen_keys["Preview the post with its contents and views"] == "p"
        assert "Focus Next" in dict((d, k) for k, d in groups["General"])
        await pilot.press("o")
        assert app.screen.sort_key == "title"
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, PostsScreen)


async def test_command_palette_offers_hkcms_commands(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        provider = HkcmsCommands(app.screen)
        names = [name for name, _, _ in provider.commands()]
        assert {"New post", "Go to comments", "Go to trash", "Cycle sort order"} <= set(names)
        app.open_editor("spring-rally")
        await settle(pilot)
        names = [name for name, _, _ in HkcmsCommands(app.screen).commands()]
        assert {"Toggle preview", "Save post", "Open in $EDITOR"} <= set(names)
        await pilot.press("ctrl+p")
        await pilot.press(*"toggle prev", "enter")
        await settle(pilot)
        assert app.screen.show_preview
