"""ProblemsScreen: every post file that could not be read, one line each, and what to do."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Static

from hkcms.core.errors import HkcmsError
from hkcms.core.wording import count
from hkcms.tui.safe import clean, safe
from hkcms.tui.widgets.key_bar import KeyBar
from hkcms.tui.widgets.list_table import ListTable


class ProblemsScreen(Screen[None]):
    """The unreadable post files of the last scan; they are left out of the posts list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Back", id="problems.back"),
    ]

    def __init__(self, problems: list[HkcmsError]) -> None:
        super().__init__()
        self.problems = problems

    def compose(self) -> ComposeResult:
        yield Static(id="problems-bar", classes="bar")
        yield ListTable(zebra_stripes=True, id="problems-table")
        yield Static(id="problems-detail")
        yield Static(
            "These files are not in the posts list. Fix them in any editor (the list updates "
            "by itself) or run 'hkcms check'.",
            id="problems-hint",
        )
        yield KeyBar()

    def on_mount(self) -> None:
        bar = Text(f"{count(len(self.problems), 'post file')} could not be read", "bold")
        self.query_one("#problems-bar", Static).update(bar)
        table = self.query_one(ListTable)
        table.add_column("File", key="file")
        table.add_column("Problem", key="problem")
        for problem in self.problems:
            name = problem.path.name if problem.path is not None else ""
            where = f"{name}:{problem.line}" if problem.line else name
            table.add_row(safe(where), safe(problem.message))
        table.focus()
        self._show_detail()

    @on(DataTable.RowHighlighted, "#problems-table")
    def _show_detail(self) -> None:
        """The whole message of the highlighted file (the table cuts long ones)."""
        row = self.query_one(ListTable).cursor_row
        if 0 <= row < len(self.problems):
            detail = Text(clean(self.problems[row]), style="bold")
            self.query_one("#problems-detail", Static).update(detail)
