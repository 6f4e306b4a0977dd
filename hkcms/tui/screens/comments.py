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
from hkcms.tui.widgets.list_table import ListTable

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
        yield ListTable(id="comments-table")
        with VerticalScroll(id="comments-detail"):
            yield Static(id="comments-body")
        yield KeyBar()

    @property
    def table(self) -> ListTable:
        return self.query_one(ListTable)

    def on_mount(self) -> None:
        table = self.table
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
        table = self.table
        keep_row = table.cursor_row
        keep_id = self.comments[keep_row].id if 0 <= keep_row < len(self.comments) else None
        # The queue is oldest first (fair); other views show the newest first.
        self.comments = comments if self.state == "pending" else comments[::-1]
        self.counts = counts
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
            # The same comment stays highlighted; if it left this view, the one now in its place.
            ids = [c.id for c in self.comments]
            table.move_cursor(
                row=ids.index(keep_id) if keep_id in ids else min(keep_row, len(ids) - 1)
            )
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
        """The comment highlighted on screen; None if no row is (or it is scrolled away)."""
        row = self.table.visible_row
        return self.comments[row] if row is not None and row < len(self.comments) else None

    def _target(self) -> Comment | None:
        """What a moderation key acts on: only a visibly highlighted comment, else nothing."""
        comment = self.selected()
        if comment is None:
            self.notify(
                "No comment is highlighted: move to one with ↑/↓ (or j/k) first.",
                severity="warning",
            )
        return comment

    @on(DataTable.RowHighlighted, "#comments-table")
    def _show_detail(self) -> None:
        row = self.table.cursor_row
        comment = self.comments[row] if 0 <= row < len(self.comments) else None
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
        comment = self._target()
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
        comment = self._target()
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

        # Only the post the screen is about (named in the top line) is filled in: a post
        # highlighted on an earlier screen is not visible here, so the dialog asks instead.
        post = self.slug if self.scope_post and self.slug else ""
        self.app.push_screen(CommentDialog(post), added)

    def action_cycle_filter(self) -> None:
        self.state = FILTERS[(FILTERS.index(self.state) + 1) % len(FILTERS)]
        self.load()

    def action_toggle_scope(self) -> None:
        if not self.slug:
            self.notify("Open comments from a post (c on the posts list) to see only its own.")
            return
        self.scope_post = not self.scope_post
        self.load()
