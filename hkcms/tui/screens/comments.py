"""CommentsScreen: the moderation queue across posts, or one post's comments; counts per state."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static

from hkcms.core.comments import STATES, Comment
from hkcms.core.errors import HkcmsError
from hkcms.tui.safe import clean, clean_block, fit
from hkcms.tui.screens.comment_dialog import CommentDialog, NewComment
from hkcms.tui.screens.confirm import ConfirmDialog
from hkcms.tui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from hkcms.tui.app import HkcmsApp

FILTERS: tuple[str | None, ...] = ("pending", None, "approved", "hidden", "spam")
STATE_STYLE = {"pending": "bold yellow", "approved": "green", "hidden": "dim", "spam": "red"}


class CommentsScreen(Screen[None]):
    """Moderate comments; `f` cycles the state shown, `o` switches one post / all posts."""

    app: HkcmsApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "set_status('approved')", "Approve", id="comments.approve"),
        Binding("h", "set_status('hidden')", "Hide", id="comments.hide"),
        Binding("s", "set_status('spam')", "Spam", id="comments.spam"),
        Binding("d", "delete", "Delete", id="comments.delete"),
        Binding("n", "add", "Add", id="comments.add"),
        Binding("f", "cycle_filter", "Filter state", id="comments.filter"),
        Binding("o", "toggle_scope", "This post/all", id="comments.scope"),
        Binding("escape,q", "app.pop_screen", "Back", id="comments.back"),
    ]

    def __init__(self, slug: str | None = None) -> None:
        super().__init__()
        self.slug = slug
        # From a post: all of that post's comments; otherwise the queue of pending ones.
        self.scope_post = False
        self.state: str | None = "pending"
        self.comments: list[Comment] = []
        self.counts: dict[str, int] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="comments-bar", classes="bar")
        yield DataTable(cursor_type="row", id="comments-table")
        with VerticalScroll(id="comments-detail"):
            yield Static(id="comments-body")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("State", key="state")
        table.add_column("Post", key="post")
        table.add_column("Author", key="author")
        table.add_column("Received", key="created")
        table.add_column("Comment", key="body")
        table.focus()
        self.load()

    @work(thread=True, exclusive=True, group="comments-load")
    def load(self) -> None:
        store = self.app.comments
        post = self.slug if self.scope_post else None
        try:
            comments = store.list(status=self.state, post=post)
            counts = store.counts()
        except HkcmsError as exc:
            self.app.call_from_thread(self.notify, clean(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self._show, comments, counts)

    def _show(self, comments: list[Comment], counts: dict[str, int]) -> None:
        # The queue is oldest first (fair); other views show the newest first.
        self.comments = comments if self.state == "pending" else comments[::-1]
        self.counts = counts
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for c in self.comments:
            excerpt = clean(c.body)
            table.add_row(
                Text(c.status, style=STATE_STYLE.get(c.status, "")),
                Text(fit(clean(c.post), 24)),
                Text(fit(clean(c.author), 16)),
                Text(clean(c.created[:16].replace("T", " "))),
                Text(fit(excerpt, 60), no_wrap=True),
                key=c.id,
            )
        if self.comments:
            table.move_cursor(row=min(keep, len(self.comments) - 1))
        self._update_bar()
        self._show_detail()

    def _update_bar(self) -> None:
        bar = Text(no_wrap=True, overflow="ellipsis")
        where = f"on {clean(self.slug)}" if self.scope_post and self.slug else "on all posts"
        shown = self.state or "all states"
        bar.append(f"Comments {where} · {shown}", style="bold")
        bar.append("   ")
        for state in STATES:
            bar.append(f"{state} {self.counts.get(state, 0)}  ", style=STATE_STYLE[state])
        self.query_one("#comments-bar", Static).update(bar)

    def selected(self) -> Comment | None:
        row = self.query_one(DataTable).cursor_row
        return self.comments[row] if 0 <= row < len(self.comments) else None

    @on(DataTable.RowHighlighted, "#comments-table")
    def _show_detail(self) -> None:
        comment = self.selected()
        body = self.query_one("#comments-body", Static)
        if comment is None:
            body.update(Text("No comments here. f shows another state, o all posts.", "dim"))
            return
        text = Text()
        text.append(clean(comment.author), style="bold")
        text.append(f" on {clean(comment.post)} · {comment.created} · {comment.status}\n\n")
        text.append(clean_block(comment.body))
        body.update(text)

    def action_set_status(self, status: str) -> None:
        comment = self.selected()
        if comment is None:
            return
        try:
            self.app.comments.set_status([comment.id], status)
        except HkcmsError as exc:
            self.notify(clean(exc), severity="error", markup=False)
            return
        self.notify(f"Comment by {clean(comment.author)}: {status}", markup=False, timeout=3)
        self.load()

    def action_delete(self) -> None:
        comment = self.selected()
        if comment is None:
            return
        question = Text(f"Delete this comment by {clean(comment.author)} for good?\n")
        question.append(clean(comment.body)[:120], style="italic")

        def answer(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.app.comments.delete([comment.id])
            except HkcmsError as exc:
                self.notify(clean(exc), severity="error", markup=False)
                return
            self.notify("Comment deleted.")
            self.load()

        self.app.push_screen(ConfirmDialog(question, yes="Delete"), answer)

    def action_add(self) -> None:
        def added(new: NewComment | None) -> None:
            if new is None:
                return
            try:
                self.app.comments.add(new.post, new.author, new.body, status=new.status)
            except HkcmsError as exc:
                self.notify(f"Not added: {clean(exc)}", severity="error", markup=False)
                return
            self.notify(f"Comment added to {clean(new.post)} ({new.status}).", markup=False)
            self.load()

        self.app.push_screen(CommentDialog(self.slug or ""), added)

    def action_cycle_filter(self) -> None:
        self.state = FILTERS[(FILTERS.index(self.state) + 1) % len(FILTERS)]
        self.load()

    def action_toggle_scope(self) -> None:
        if not self.slug:
            self.notify("Open comments from a post (c on the posts list) to see only its own.")
            return
        self.scope_post = not self.scope_post
        self.load()
