"""Pilot tests of translations in the posts list: languages shown, the needs-translation
filter, and a key that creates a translation and opens it beside its source."""

from __future__ import annotations

import pytest

from hkcms.core.posts import PostStore
from hkcms.core.site import Site
from hkcms.tui.screens.editor import EditorScreen
from hkcms.tui.screens.prompt import PromptDialog
from hkcms.tui.widgets.post_table import PostTable, cell_text
from hkcms.tui.widgets.preview_pane import PreviewPane

from .conftest import notices, wait_loaded


@pytest.fixture
def bilingual(tui_site: Site) -> Site:
    """spring-rally has a Chinese version; 粵語班開課 and the others have none."""
    store = PostStore(tui_site)
    post = store.load("spring-rally")
    post.front["translation_key"] = "rally"
    store.save(post)
    store.create(
        "曼徹斯特春季集會", slug="集會", lang="zh-Hant", body="我們在花園集會。\n",
        extra={"translation_key": "rally"},
    )  # fmt: skip
    return tui_site


async def wait_until(pilot, condition, seconds: float = 20.0) -> None:
    """Wait for a condition on a busy machine (workers, layout and rendering take turns)."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    assert condition()


def table_rows(app) -> dict[str, str]:
    table = app.screen.query_one(PostTable)
    return {p.slug: cell_text(p, "langs", table.langs) for p in table.rows}


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_languages_and_the_needs_translation_filter(make_app, bilingual, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await wait_loaded(pilot)
        langs = table_rows(app)
        assert langs["spring-rally"] == "en zh" and langs["集會"] == "zh en"
        assert langs["粵語班開課"] == "zh !en" and langs["draft-agm"] == "en !zh"
        # The Lang column is on screen at 80 columns too.
        header = app.screen.query_one(PostTable).render_line(0).text
        assert "Lang" in header
        await pilot.press("L")
        assert set(table_rows(app)) == {"粵語班開課", "draft-agm", "hostile"}
        assert "needs translation" in str(app.screen.query_one("#posts-bar").render())
        await pilot.press("L")
        assert len(table_rows(app)) == 5


async def test_translate_key_creates_and_opens_beside_the_source(make_app, bilingual):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        table = app.screen.query_one(PostTable)
        table.move_to("粵語班開課")
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptDialog))
        assert app.screen.query_one("#answer").value == "en"  # the missing language
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, EditorScreen))
        editor = app.screen
        assert isinstance(editor, EditorScreen)
        assert editor.post.lang == "en" and editor.post.translation_key == "粵語班開課"
        assert editor.source is not None and editor.source.slug == "粵語班開課"
        assert editor.show_preview  # the source sits beside the text at 120 columns
        await wait_until(pilot, lambda: bool(editor.query(PreviewPane)))
        pane = editor.query_one(PreviewPane)
        await wait_until(pilot, lambda: pane.region.x > editor.text_area.region.x > -1)
        assert pane.display
        await wait_until(pilot, lambda: pane.shown is not None)
        assert pane.shown == editor.source.body
        store = PostStore(bilingual)
        assert store.load("粵語班開課").translation_key == "粵語班開課"  # the source got a key
        assert store.load(editor.post.slug).status == "draft"


async def test_translate_at_80_columns_keeps_the_source_one_key_away(make_app, bilingual):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        app.screen.query_one(PostTable).move_to("draft-agm")
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptDialog))
        await pilot.press("enter")  # zh-Hant, the missing one
        await wait_until(pilot, lambda: isinstance(app.screen, EditorScreen))
        editor = app.screen
        assert isinstance(editor, EditorScreen) and editor.post.lang == "zh-Hant"
        assert not editor.show_preview  # too narrow: the text comes first
        await pilot.press("ctrl+r")
        assert editor.show_preview


async def test_translating_into_an_existing_language_says_why(make_app, bilingual):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        app.screen.query_one(PostTable).move_to("spring-rally")
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptDialog))
        app.screen.query_one("#answer").value = "zh-Hant"
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(notices(app)))
        messages = notices(app)
        assert any("already has a zh-Hant version: 集會" in m for m in messages)
        assert not isinstance(app.screen, EditorScreen)
