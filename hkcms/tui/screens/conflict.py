"""ConflictDialog: the post changed on disk while open: reload, overwrite after the diff, copy."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from hkcms.tui.widgets.diff_view import DiffView


class ConflictDialog(ModalScreen[str | None]):
    """Returns "reload", "overwrite", "copy" or None (keep editing)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "choose('reload')", "Reload theirs", id="conflict.reload"),
        Binding("o", "choose('overwrite')", "Overwrite with mine", id="conflict.overwrite"),
        Binding("a", "choose('copy')", "Save mine as a new post", id="conflict.copy"),
        Binding("escape", "choose(None)", "Keep editing", id="conflict.cancel"),
    ]

    def __init__(self, message: str, diff: str) -> None:
        super().__init__(classes="dialog-screen")
        self.message, self.diff = message, diff

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide-dialog"):
            text = Text("Someone else saved this post while you were editing.\n", style="bold")
            text.append(self.message)
            text.append("\nThe diff shows their version (-) against yours (+).")
            yield Static(text, classes="dialog-question")
            yield DiffView(id="conflict-diff")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Reload theirs (r)", id="reload")
                yield Button("Overwrite (o)", variant="error", id="overwrite")
                yield Button("Save as new (a)", variant="primary", id="copy")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one(DiffView).show(self.diff)
        self.query_one("#copy", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None if event.button.id == "cancel" else event.button.id)

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)
