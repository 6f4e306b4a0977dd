"""ListTable: a row-cursor DataTable whose keys match the posts list, and that knows whether
its highlighted row can be seen (actions must never hit a row scrolled out of view)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import DataTable


class ListTable(DataTable[Any]):
    """↑/k ↓/j PgUp PgDn Home/g End/G move the cursor, as on the posts list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="list.down"),
        # DataTable's own Home/End only scroll sideways, leaving the cursor where it was.
        Binding("home,g", "first", "First", show=False, id="list.first"),
        Binding("end,G", "last", "Last", show=False, id="list.last"),
    ]

    def __init__(self, *, id: str | None = None, zebra_stripes: bool = False) -> None:
        super().__init__(cursor_type="row", zebra_stripes=zebra_stripes, id=id)

    def action_first(self) -> None:
        if self.row_count:
            self.move_cursor(row=0)

    def action_last(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)

    @property
    def visible_row(self) -> int | None:
        """The highlighted row's index if it is on screen now, else None (an empty list, or
        the cursor scrolled out of view with the mouse wheel or scroll bar)."""
        row = self.cursor_row
        if not self.show_cursor or not self.is_valid_row_index(row):
            return None
        top = sum(r.height for r in self.ordered_rows[:row])
        header = self.header_height if self.show_header else 0
        height = self.scrollable_content_region.height - header
        scroll = round(self.scroll_y)
        return row if scroll <= top < scroll + height else None
