"""Views in the TUI: the sparkline panel and the most-read ranking."""

from __future__ import annotations

from hkcms.core import views
from hkcms.core.meta import MetaStore
from hkcms.tui.screens.preview import PreviewScreen
from hkcms.tui.widgets.post_table import PostTable

from .conftest import settle, wait_loaded


async def test_preview_shows_views_totals(make_app, tui_site):
    views.ViewStore(MetaStore(tui_site)).set_baseline("spring-rally", 1234)
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot)
        app.screen.query_one(PostTable).move_to("spring-rally")
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, PreviewScreen)
        panel = app.screen.query_one("#preview-views")
        assert panel.report.total == 1234
        assert "1,234" in str(panel.query_one("#views-totals").render())


async def test_most_read_ranking(make_app, tui_site):
    store = views.ViewStore(MetaStore(tui_site))
    store.set_baseline("spring-rally", 50)
    store.set_baseline("粵語班開課", 80)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("v")
        await settle(pilot)
        screen = app.screen
        assert screen.days == 30
        await pilot.press("p", "p")  # 365 days, then all time
        await settle(pilot)
        assert screen.days is None
        assert screen.ranking == [("粵語班開課", 80), ("spring-rally", 50)]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PreviewScreen) and app.screen.slug == "粵語班開課"
