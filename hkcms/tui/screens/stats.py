"""StatsScreen: the most-read posts in the last 7, 30 or 365 days, or of all time."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Static

from hkcms.core.errors import HkcmsError
from hkcms.core.wording import count
from hkcms.tui.safe import clean, safe
from hkcms.tui.widgets.key_bar import KeyBar
from hkcms.tui.widgets.list_table import ListTable

if TYPE_CHECKING:
    from hkcms.tui.app import HkcmsApp

PERIODS: tuple[int | None, ...] = (7, 30, 365, None)
TOP = 200


def period_label(days: int | None) -> str:
    return "of all time" if days is None else f"in the last {days} days"


class StatsScreen(Screen[None]):
    """A ranking; `p` changes the period, Enter previews the post."""

    app: HkcmsApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "cycle_period", "Period", id="stats.period"),
        Binding("enter", "preview", "Preview", id="stats.preview"),
        Binding("escape,q", "app.pop_screen", "Back", id="stats.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.days: int | None = 30
        self.ranking: list[tuple[str, int]] = []

    def compose(self) -> ComposeResult:
        yield Static(id="stats-bar", classes="bar")
        yield ListTable(zebra_stripes=True, id="stats-table")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("#", key="rank")
        table.add_column("Views", key="views")
        table.add_column("Title", key="title")
        table.focus()
        self.load()

    @work(thread=True, exclusive=True, group="stats-load")
    def load(self) -> None:
        from hkcms.core.views import ViewStore

        try:
            ranking = ViewStore(self.app.store.meta).top(self.days, limit=TOP)
            titles: dict[str, str] = {}
            for slug, _ in ranking:
                try:
                    titles[slug] = self.app.store.load(slug).title
                except HkcmsError:
                    titles[slug] = slug
        except HkcmsError as exc:
            self.app.call_from_thread(self.notify, clean(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self._show, ranking, titles)

    def _show(self, ranking: list[tuple[str, int]], titles: dict[str, str]) -> None:
        self.ranking = ranking
        table = self.query_one(DataTable)
        table.clear()
        for i, (slug, views) in enumerate(ranking, 1):
            table.add_row(str(i), f"{views:,}", safe(titles.get(slug, slug)), key=slug)
        bar = Text(f"Most read {period_label(self.days)}", style="bold")
        posts = count(len(ranking), "post")
        bar.append(f"  {posts} with views · p changes the period", style="dim")
        if not ranking:
            bar.append("  (import access logs with 'hkcms views import')", style="dim")
        self.query_one("#stats-bar", Static).update(bar)

    def action_cycle_period(self) -> None:
        self.days = PERIODS[(PERIODS.index(self.days) + 1) % len(PERIODS)]
        self.load()

    @on(DataTable.RowSelected)
    def action_preview(self) -> None:
        row = self.query_one(ListTable).visible_row
        if row is not None and row < len(self.ranking):
            self.app.open_preview(self.ranking[row][0])
        else:
            self.notify("No post is highlighted: move to one with ↑/↓ first.", severity="warning")
