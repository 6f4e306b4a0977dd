"""Pilot tests of the editor: save with revisions, unsaved marker, fields, conflicts, $EDITOR."""

from __future__ import annotations

from textual.widgets import TextArea

from hkcms.core.history import History
from hkcms.core.meta import MetaStore
from hkcms.core.posts import PostStore
from hkcms.tui.screens.confirm import ConfirmDialog
from hkcms.tui.screens.conflict import ConflictDialog
from hkcms.tui.screens.editor import EditorScreen
from hkcms.tui.screens.posts import PostsScreen
from hkcms.tui.widgets.preview_pane import PreviewPane

from .conftest import FakeEditor, settle, wait_loaded


def revisions(site, slug):
    return History(MetaStore(site)).list(slug)


async def open_editor(pilot, slug="spring-rally"):
    await wait_loaded(pilot)
    pilot.app.open_editor(slug)
    await settle(pilot)
    editors = [s for s in pilot.app.screen_stack if isinstance(s, EditorScreen)]
    assert editors
    return editors[-1]


async def test_markdown_highlighting_is_syntax_aware(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot)
        area = editor.query_one(TextArea)
        assert area.is_syntax_aware
        assert area.soft_wrap


async def test_typing_marks_unsaved_and_ctrl_s_saves_a_revision(make_app, tui_site):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot)
        assert not editor.dirty
        before = len(revisions(tui_site, "spring-rally"))
        await pilot.press("end")
        await pilot.press(*"Hi 你好")
        assert editor.dirty
        assert "UNSAVED" in str(editor.query_one("#editor-bar").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not editor.dirty
        assert "UNSAVED" not in str(editor.query_one("#editor-bar").render())
        text = tui_site.post_path("spring-rally").read_text(encoding="utf-8")
        assert "Hi 你好" in text
        assert text.startswith("---\ntitle: Spring rally in Manchester\n")  # front kept as is
        assert len(revisions(tui_site, "spring-rally")) == before + 1


async def test_undo_redo(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot)
        area = editor.query_one(TextArea)
        original = area.text
        await pilot.press("x")
        await pilot.pause(0.05)
        assert area.text != original
        await pilot.press("ctrl+z")
        assert area.text == original
        assert not editor.dirty  # back to the saved text: nothing unsaved
        await pilot.press("ctrl+y")
        assert area.text != original


async def test_escape_asks_before_discarding(make_app, tui_site):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot)
        await pilot.press(*"draft words")
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # keep editing
        assert app.screen is editor and editor.dirty
        await pilot.press("escape", "y")  # discard
        await settle(pilot)
        assert isinstance(app.screen, PostsScreen)
        assert "draft words" not in tui_site.post_path("spring-rally").read_text()


async def test_escape_without_changes_goes_straight_back(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_editor(pilot)
        await pilot.press("escape")
        assert isinstance(app.screen, PostsScreen)


async def test_fields_form_edits_front_matter_without_yaml(make_app, tui_site):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert editor.has_class("-fields")
        assert app.focused is editor.query_one("#field-title")
        editor.query_one("#field-title").value = "Spring rally: 春季集會"
        editor.query_one("#field-tags").value = "events，社區, new"
        editor.query_one("#field-summary").value = "What happened"
        editor.query_one("#field-status").value = "draft"
        await pilot.pause()
        assert editor.dirty
        await pilot.press("ctrl+s")
        await settle(pilot)
        post = PostStore(tui_site).load("spring-rally")
        assert post.title == "Spring rally: 春季集會"
        assert post.tags == ["events", "社區", "new"]
        assert post.summary == "What happened"
        assert post.status == "draft"
        assert post.author == "Ada Wong"  # untouched


async def test_title_cannot_be_emptied(make_app, tui_site):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot)
        await pilot.press("ctrl+t")
        await pilot.pause()
        editor.query_one("#field-title").value = "  "
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert editor.dirty
        assert PostStore(tui_site).load("spring-rally").title == "Spring rally in Manchester"


def someone_else_saves(site, text="Their change.\n"):
    store = PostStore(site)
    post = store.load("spring-rally")
    post.body = text
    store.save(post, editor="ada")


async def test_conflict_overwrite_keeps_theirs_in_history(make_app, tui_site):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_editor(pilot)
        await pilot.press(*"Mine. ")
        someone_else_saves(tui_site)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog)
        assert "Their change." in app.screen.diff and "Mine." in app.screen.diff
        await pilot.press("o")
        await settle(pilot)
        assert "Mine." in tui_site.post_path("spring-rally").read_text()
        texts = [
            History(MetaStore(tui_site)).text("spring-rally", r.rev)
            for r in revisions(tui_site, "spring-rally")
        ]
        assert any("Their change." in t for t in texts)


async def test_conflict_reload_takes_theirs(make_app, tui_site):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(pilot)
        await pilot.press(*"Mine. ")
        someone_else_saves(tui_site)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert editor.query_one(TextArea).text == "Their change.\n"
        assert not editor.dirty


async def test_conflict_save_as_new_post(make_app, tui_site):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(pilot)
        await pilot.press(*"Mine. ")
        someone_else_saves(tui_site)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert editor.post.slug != "spring-rally"
        copy = PostStore(tui_site).load(editor.post.slug)
        assert copy.title == "Copy of Spring rally in Manchester"
        assert "Mine." in copy.body
        assert "Their change." in tui_site.post_path("spring-rally").read_text()


async def test_external_editor_result_is_saved_as_a_revision(make_app, tui_site):
    fake = FakeEditor(lambda text: text.replace("Three of them.", "Four of them, 四位講者."))
    app = make_app(launcher=fake)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert fake.seen and fake.seen[0].startswith("---\ntitle: Spring rally")
        assert "四位講者" in editor.query_one(TextArea).text
        assert not editor.dirty
        assert "四位講者" in tui_site.post_path("spring-rally").read_text(encoding="utf-8")
        assert revisions(tui_site, "spring-rally")[0].note == "edited in $EDITOR"


async def test_external_editor_broken_front_matter_keeps_the_words(make_app, tui_site):
    fake = FakeEditor(lambda text: "---\ntitle: [unclosed\n---\nPrecious words\n")
    app = make_app(launcher=fake)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert "Precious words" in editor.query_one(TextArea).text
        assert editor.dirty
        assert "Precious words" not in tui_site.post_path("spring-rally").read_text()


async def test_preview_beside_text_when_wide_and_toggle_when_narrow(make_app):
    app = make_app()
    async with app.run_test(size=(130, 30)) as pilot:
        editor = await open_editor(pilot)
        assert editor.show_preview
        assert editor.query_one(PreviewPane).display and editor.query_one(TextArea).display
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot)
        assert not editor.show_preview
        await pilot.press("ctrl+r")
        await settle(pilot)
        pane = editor.query_one(PreviewPane)
        assert pane.display and not editor.query_one(TextArea).display
        await pilot.pause(0.2)
        assert "Speakers" in [h[1] for h in pane.markdown.table_of_contents]
        await pilot.press("ctrl+r")
        assert editor.query_one(TextArea).display


async def test_editor_holds_a_lease_while_open(make_app, tui_site):
    from hkcms.core.leases import LeaseStore

    LeaseStore(tui_site, user="chloe", host="laptop").acquire("spring-rally")
    app = make_app()
    async with app.run_test(size=(120, 24)) as pilot:
        editor = await open_editor(pilot)
        assert "also open by chloe@laptop" in str(editor.query_one("#editor-bar").render())
        seen_by_other = LeaseStore(tui_site, user="ada", host="testhost", pid=1)
        # Same host, our live pid: the other process sees our lease.
        users = {lease.user for lease in seen_by_other.others()["spring-rally"]}
        assert users == {"tester", "chloe"}
        await pilot.press("escape")
        await settle(pilot)
        assert [lease.user for lease in seen_by_other.others()["spring-rally"]] == ["chloe"]


async def test_unsaved_text_survives_a_lost_connection(make_app, tui_site, monkeypatch):
    from hkcms.tui.screens import editor as editor_module

    monkeypatch.setattr(editor_module, "DRAFT_DELAY_S", 0.05)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot)
        await pilot.press(*"Words typed before the line dropped. ")
        await pilot.pause(0.2)
        await settle(pilot)
        assert app.drafts.load("spring-rally") is not None
    # The app ended without saving (as when SSH drops): the next session offers the text back.
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot)
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert "Words typed before the line dropped." in editor.query_one(TextArea).text
        assert editor.dirty
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Words typed before" in tui_site.post_path("spring-rally").read_text()
        assert app.drafts.load("spring-rally") is None


async def test_a_draft_can_be_thrown_away(make_app, tui_site, monkeypatch):
    app = make_app()
    app.drafts.save("spring-rally", "---\ntitle: Old draft\n---\nOld words\n")
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot)
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert "Old words" not in editor.query_one(TextArea).text
        assert not editor.dirty
        assert app.drafts.load("spring-rally") is None


async def test_tall_terminals_open_with_the_fields_shown(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot)
        await settle(pilot)
        assert editor.show_fields and editor.has_class("-fields")
        assert editor.query_one("#field-author").value == "Ada Wong"
        assert editor.form_values()["tags"] == "events, advocacy"
        assert not editor.dirty
