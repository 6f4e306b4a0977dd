"""CommentDialog: add a comment by hand (one that arrived by email or on paper)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from hkcms.core.comments import STATES


@dataclass(frozen=True)
class NewComment:
    """What the moderator typed."""

    post: str
    author: str
    body: str
    status: str


class CommentDialog(ModalScreen[NewComment | None]):
    """Post slug, author, text and state; ctrl+s adds, Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "add", "Add", priority=True, id="comment.add"),
        Binding("escape", "cancel", "Cancel", id="comment.cancel"),
    ]

    def __init__(self, post: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.post = post

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide-dialog"):
            yield Static("Add a comment by hand", classes="dialog-question")
            with Horizontal(classes="form-row"):
                yield Label("Post", classes="field-label")
                yield Input(self.post, compact=True, id="comment-post")
            with Horizontal(classes="form-row"):
                yield Label("Author", classes="field-label")
                yield Input(placeholder="name as they signed", compact=True, id="comment-author")
            with Horizontal(classes="form-row"):
                yield Label("State", classes="field-label")
                yield Select(
                    [(s, s) for s in STATES],
                    value="approved",
                    allow_blank=False,
                    compact=True,
                    id="comment-status",
                )
            yield TextArea(
                soft_wrap=True, placeholder="The comment, as it was sent", id="comment-body"
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Add (ctrl+s)", variant="primary", id="add")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        target = "#comment-author" if self.post else "#comment-post"
        self.query_one(target).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "add":
            self.action_add()
        else:
            self.dismiss(None)

    def action_add(self) -> None:
        body = self.query_one("#comment-body", TextArea).text
        post = self.query_one("#comment-post", Input).value.strip()
        if not post or not body.strip():
            self.notify("Fill in the post slug and the comment text.", severity="warning")
            return
        self.dismiss(
            NewComment(
                post=post,
                author=self.query_one("#comment-author", Input).value,
                body=body,
                status=str(self.query_one("#comment-status", Select).value),
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
