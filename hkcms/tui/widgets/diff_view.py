"""DiffView: a unified diff in colour (additions, removals, hunk headers), scrollable."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import RichLog

from hkcms.tui.safe import clean_block

STYLES = {"+": "green", "-": "red", "@": "cyan"}


def diff_lines(diff: str) -> list[Text]:
    """Coloured lines of a unified diff; the text itself is shown literally, never as markup."""
    out: list[Text] = []
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            style = "bold"
        else:
            style = STYLES.get(line[:1], "")
        out.append(Text(clean_block(line).replace("\n", " "), style=style, no_wrap=False))
    return out


class DiffView(RichLog):
    """Shows one diff at a time."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, wrap=True, markup=False, highlight=False, auto_scroll=False)

    def show(self, diff: str, empty: str = "No differences.") -> None:
        self.clear()
        lines = diff_lines(diff)
        if not lines:
            self.write(Text(empty, style="italic"))
        for line in lines:
            self.write(line)
        self.scroll_home(animate=False)
