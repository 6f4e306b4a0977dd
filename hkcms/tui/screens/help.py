"""HelpScreen: the keys of the screen underneath, generated from its real (remappable) bindings."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

WIDGET_NAMES = {
    "PostTable": "In the posts list",
    "MarkdownEditor": "In the text",
    "DataTable": "In the table",
    "Input": "In a text box",
    "OptionList": "In the contents",
}


def binding_groups(app: App[Any], screen: Screen[Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(section title, [(keys, description)])] for every described binding active on `screen`."""
    grouped: dict[tuple[int, str], tuple[DOMNode, Binding, list[str]]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or binding.system:
            continue
        slot = (id(active.node), binding.action)
        if slot not in grouped:
            grouped[slot] = (active.node, binding, [])
        grouped[slot][2].append(app.get_key_display(binding.with_key(key)))

    def section(node: DOMNode, binding: Binding) -> tuple[int, str]:
        if node is screen:
            # Our own bindings have ids; the rest (Tab, copy) come from Textual's Screen.
            return (0, "This screen") if binding.id else (3, "General")
        if isinstance(node, App):
            return (2, "Everywhere")
        return (1, WIDGET_NAMES.get(type(node).__name__, f"In the {type(node).__name__}"))

    sections: dict[tuple[int, str], list[tuple[str, str]]] = {}
    for node, binding, keys in grouped.values():
        text = binding.tooltip or binding.description
        sections.setdefault(section(node, binding), []).append((" / ".join(keys), text))
    return [(name, rows) for (_, name), rows in sorted(sections.items())]


class HelpScreen(ModalScreen[None]):
    """A scrolling list of keys; Escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close"),
    ]

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__(classes="dialog-screen")
        self.target = screen

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide-dialog", id="help-body"):
            yield Static(self._table(), id="help-keys")

    def _table(self) -> Table:
        table = Table(box=None, expand=True, show_header=False, padding=(0, 1))
        table.add_column("Key", style="bold", no_wrap=True)
        table.add_column("Action", ratio=1)
        title = Text(f"Keys: {type(self.target).__name__.removesuffix('Screen')}", style="bold")
        table.add_row(title, Text("ctrl+p opens the command palette", style="dim"))
        for name, rows in binding_groups(self.app, self.target):
            table.add_row("", "")
            table.add_row(Text(name, style="underline"), "")
            for keys, description in rows:
                table.add_row(Text(keys), Text(description))
        return table

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
