"""TrashScreen: posts in the trash; `u` puts the highlighted one back."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Static

from hkcms.core.errors import HkcmsError
from hkcms.core.posts import TrashEntry
from hkcms.core.wording import count
from hkcms.tui.safe import clean, safe
from hkcms.tui.widgets.key_bar import KeyBar
from hkcms.tui.widgets.list_table import ListTable

if TYPE_CHECKING:
    from hkcms.tui.app import HkcmsApp


def when(stamp: str) -> str:
    """20261128T031500123456 -> 2026-11-28 03:15 (UTC)."""
    if len(stamp) < 13:
        return stamp
    return f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]} {stamp[9:11]}:{stamp[11:13]}"


class TrashScreen(Screen[None]):
    """The trash bin, newest first."""

    app: HkcmsApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("u", "untrash", "Restore", id="trash.restore"),
        Binding("escape,q", "app.pop_screen", "Back", id="trash.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[TrashEntry] = []

    def compose(self) -> ComposeResult:
        yield Static(Text("Trash", style="bold"), id="trash-bar", classes="bar")
        yield ListTable(zebra_stripes=True, id="trash-table")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Title", key="title")
        table.add_column("Slug", key="slug")
        table.add_column("Trashed (UTC)", key="when")
        table.focus()
        self.load()

    @work(thread=True, exclusive=True, group="trash-load")
    def load(self) -> None:
        entries = self.app.store.trashed()
        self.app.call_from_thread(self._show, entries)

    def _show(self, entries: list[TrashEntry]) -> None:
        self.entries = entries
        table = self.query_one(DataTable)
        table.clear()
        for entry in entries:
            table.add_row(
                safe(entry.title), safe(entry.slug), safe(when(entry.trashed)), key=entry.id
            )
        bar = Text("Trash", style="bold")
        bar.append(
            f"  {count(len(entries), 'post')} · u restores the highlighted post"
            if entries
            else "  empty"
        )
        self.query_one("#trash-bar", Static).update(bar)

    def action_untrash(self) -> None:
        if not self.entries:
            self.notify("The trash is empty.")
            return
        row = self.query_one(ListTable).visible_row
        if row is None or row >= len(self.entries):
            self.notify("No post is highlighted: move to one with ↑/↓ first.", severity="warning")
            return
        entry = self.entries[row]
        try:
            slug = self.app.store.untrash(entry.id)
        except HkcmsError as exc:
            self.notify(clean(exc), severity="error", markup=False)
            return
        self.notify(f"Restored {clean(slug)}", markup=False)
        self.load()
