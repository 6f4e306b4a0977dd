"""HistoryScreen: a post's revisions, a coloured diff of any of them, and restore."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Static

from hkcms.core.errors import HkcmsError
from hkcms.core.history import Revision
from hkcms.core.wording import count
from hkcms.tui.safe import clean, safe
from hkcms.tui.screens.confirm import ConfirmDialog
from hkcms.tui.widgets.diff_view import DiffView
from hkcms.tui.widgets.key_bar import KeyBar
from hkcms.tui.widgets.list_table import ListTable

if TYPE_CHECKING:
    from hkcms.tui.app import HkcmsApp


def size_change(revisions: list[Revision], index: int) -> Text:
    """Bytes gained or lost against the revision before (revisions are newest first)."""
    current = revisions[index].size
    if index + 1 >= len(revisions):
        return Text(f"{current:,} B", style="dim")
    delta = current - revisions[index + 1].size
    style = "green" if delta > 0 else "red" if delta < 0 else "dim"
    return Text(f"{delta:+,}", style=style)


class HistoryScreen(Screen[None]):
    """Revisions newest first; the diff follows the highlighted revision."""

    app: HkcmsApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "toggle_mode", "Diff vs previous/current", id="history.mode"),
        Binding("r", "restore", "Restore", id="history.restore"),
        Binding("tab", "switch_pane", "Diff/list", show=False, id="history.switch"),
        Binding("escape,q", "app.pop_screen", "Back", id="history.back"),
    ]

    def __init__(self, slug: str) -> None:
        super().__init__()
        self.slug = slug
        self.revisions: list[Revision] = []
        self.against_current = False  # what a revision changed; m compares with today

    def compose(self) -> ComposeResult:
        yield Static(id="history-bar", classes="bar")
        yield ListTable(id="history-table")
        yield Static(id="history-diff-title", classes="details")
        yield DiffView(id="history-diff")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, key in (("Rev", "rev"), ("Time (UTC)", "time"), ("Who", "who")):
            table.add_column(label, key=key)
        table.add_column("Size", key="size")
        table.add_column("Note", key="note")
        table.focus()
        self.load()

    @work(thread=True, exclusive=True, group="history-load")
    def load(self) -> None:
        revisions = self.app.store.history.list(self.slug)
        self.app.call_from_thread(self._show, revisions)

    def _show(self, revisions: list[Revision]) -> None:
        self.revisions = revisions
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for i, rev in enumerate(revisions):
            table.add_row(
                str(rev.rev),
                safe(rev.time.replace("T", " ")[:16]),
                safe(rev.editor),
                size_change(revisions, i),
                safe(rev.note),
                key=str(rev.rev),
            )
        if revisions:
            table.move_cursor(row=min(keep, len(revisions) - 1))
        self._update_bar()
        self.show_diff()

    def _update_bar(self) -> None:
        bar = Text(f"History of {clean(self.slug)}", style="bold", no_wrap=True)
        bar.append(f"  {count(len(self.revisions), 'revision')}", style="dim")
        self.query_one("#history-bar", Static).update(bar)

    def selected(self) -> Revision | None:
        """The revision highlighted on screen (None if none is, or it is scrolled away)."""
        row = self.query_one(ListTable).visible_row
        return self.revisions[row] if row is not None and row < len(self.revisions) else None

    @on(DataTable.RowHighlighted, "#history-table")
    def _moved(self) -> None:
        self.show_diff()

    def show_diff(self) -> None:
        index = self.query_one(DataTable).cursor_row
        if not 0 <= index < len(self.revisions):
            return
        rev = self.revisions[index]
        older = self.revisions[index + 1] if index + 1 < len(self.revisions) else None
        if self.against_current:
            title = f"Revision {rev.rev} (-) against the current text (+)"
        elif older is None:
            title = f"Revision {rev.rev} is the first: all of it was added (+)"
        else:
            title = f"What revision {rev.rev} changed: revision {older.rev} (-) to {rev.rev} (+)"
        self.query_one("#history-diff-title", Static).update(Text(title + "  · m switches"))
        self.compute_diff(rev, older, self.against_current)

    @work(thread=True, exclusive=True, group="history-diff")
    def compute_diff(self, rev: Revision, older: Revision | None, against_current: bool) -> None:
        history = self.app.store.history
        try:
            text = history.text(self.slug, rev.rev)
            if against_current:
                current = self.app.store.read_bytes(self.slug).decode("utf-8", "replace")
                diff = history.diff(self.slug, text, current, f"rev {rev.rev}", "current")
            else:
                before = history.text(self.slug, older.rev) if older else ""
                label = f"rev {older.rev}" if older else "nothing"
                diff = history.diff(self.slug, before, text, label, f"rev {rev.rev}")
        except HkcmsError as exc:
            diff = ""
            self.app.call_from_thread(self.notify, clean(exc), severity="error", markup=False)
        empty = "Same as the current text." if against_current else "No differences."
        self.app.call_from_thread(self.query_one(DiffView).show, diff, empty)

    def action_toggle_mode(self) -> None:
        self.against_current = not self.against_current
        self.show_diff()

    def action_switch_pane(self) -> None:
        table, diff = self.query_one(DataTable), self.query_one(DiffView)
        (diff if table.has_focus else table).focus()

    def action_restore(self) -> None:
        rev = self.selected()
        if rev is None:
            self.notify(
                "No revision is highlighted: move to one with ↑/↓ first.", severity="warning"
            )
            return
        question = (
            f"Make revision {rev.rev} ({rev.time[:16].replace('T', ' ')}) the current text?\n"
            "The current text stays in the history as a revision."
        )

        def answer(yes: bool | None) -> None:
            if not yes:
                return
            try:
                new = self.app.store.restore(self.slug, rev.rev)
            except HkcmsError as exc:
                self.notify(clean(exc), severity="error", markup=False)
                return
            said = f"Restored as revision {new.rev}" if new else "That is already the text."
            self.notify(said)
            self.load()

        self.app.push_screen(ConfirmDialog(question, yes="Restore"), answer)
