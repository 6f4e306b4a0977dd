"""ViewsPanel: a post's daily views as a sparkline, with 7-, 30- and 365-day totals."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Sparkline, Static

SPARK_DAYS = 30


class ViewsPanel(Vertical):
    """Loads the numbers in a worker (it reads the post's metadata file)."""

    def __init__(self, slug: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.slug = slug
        self.report: Any = None

    def compose(self) -> ComposeResult:
        yield Static("Views", classes="side-title")
        yield Sparkline([], id="views-spark")
        yield Static(Text("loading…", style="dim"), id="views-totals")

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="views-panel")
    def load(self) -> None:
        from hkcms.core.errors import HkcmsError
        from hkcms.core.views import ViewStore

        try:
            report = ViewStore(self.app.store.meta).show(self.slug, days=365)  # type: ignore[attr-defined]
        except HkcmsError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._show, report)

    def _failed(self, message: str) -> None:
        self.query_one("#views-totals", Static).update(Text(message, style="red"))

    def _show(self, report: Any) -> None:
        self.report = report
        daily = [d.views for d in report.days[-SPARK_DAYS:]]
        self.query_one(Sparkline).data = daily
        text = Text()
        text.append(f"{report.total:,}", style="bold")
        text.append(" in all")
        if report.baseline:
            text.append(f" ({report.baseline:,} before hkcms)", style="dim")
        for days in (7, 30, 365):
            text.append(f"\n{report.last(days):>8,}  last {days} days")
        text.append(f"\nsparkline: last {SPARK_DAYS} days", style="dim")
        self.query_one("#views-totals", Static).update(text)
