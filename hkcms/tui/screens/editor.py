"""EditorScreen: edit a post's text and fields; save with revisions; preview; conflicts; $EDITOR."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static, TextArea
from textual.widgets.text_area import Document

from hkcms.core.errors import ConflictError, HkcmsError
from hkcms.core.long_lines import LONG_LINE, WIDTH, has_long_line, moved_offset, wrap_long_lines
from hkcms.core.post import Post, parse_post
from hkcms.tui.launcher import EditorError
from hkcms.tui.messages import FieldsChanged
from hkcms.tui.safe import clean
from hkcms.tui.screens.confirm import ConfirmDialog
from hkcms.tui.screens.conflict import ConflictDialog
from hkcms.tui.screens.media_picker import MediaPickerDialog
from hkcms.tui.screens.prompt import PromptDialog
from hkcms.tui.widgets.fields_form import FieldsForm, apply_fields, fields_of
from hkcms.tui.widgets.key_bar import KeyBar
from hkcms.tui.widgets.markdown_editor import MarkdownEditor
from hkcms.tui.widgets.preview_pane import PreviewPane

if TYPE_CHECKING:
    from hkcms.tui.app import HkcmsApp

WIDE = 120  # columns from which the preview sits beside the text
LEASE_REFRESH_S = 60.0
HIGHLIGHT_MAX_CHARS = 300_000
DRAFT_DELAY_S = 1.5  # a crash copy of unsaved text is written after typing pauses this long


def _end_of(text: str) -> tuple[int, int]:
    """The (row, column) location just after `text` when it starts a document."""
    lines = text.split("\n")
    return len(lines) - 1, len(lines[-1])


class EditorScreen(Screen[None]):
    """One post open for editing. `dirty` is True while the screen differs from the saved file."""

    app: HkcmsApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True, id="editor.save"),
        Binding("escape", "back", "Back", id="editor.back"),
        Binding("ctrl+t", "toggle_fields", "Fields", id="editor.fields"),
        Binding("ctrl+r", "toggle_preview", "Preview", id="editor.preview"),
        Binding("ctrl+o", "external", "$EDITOR", id="editor.external"),
        Binding("ctrl+g", "insert_image", "Image", id="editor.image"),
    ]

    dirty: reactive[bool] = reactive(False, init=False)
    show_preview: reactive[bool] = reactive(False, init=False)
    show_fields: reactive[bool] = reactive(False, init=False)

    def __init__(self, post: Post, source: Post | None = None) -> None:
        super().__init__()
        self.post = post
        # A translation opens with its source beside it (the side pane shows the source
        # instead of the preview; ctrl+r shows or hides it).
        self.source = source
        self.saved_body = post.body
        self.saved_fields = fields_of(post)
        self._preview_chosen = False
        self._form_state = dict(self.saved_fields)
        self._others: list[str] = []
        self._draft_timer: Timer | None = None
        self._draft_on_disk = False  # a crash copy of this session's unsaved text exists
        self._kept_rows: set[int] = set()  # long lines found unbreakable (code, tables)

    # ---- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="editor-bar", classes="bar")
        with Horizontal(id="editor-main"):
            # The text is loaded after the first layout: wrapping it once at the final width
            # instead of at every intermediate width keeps opening a 200 KB post fast.
            yield MarkdownEditor(id="editor-text")
        yield KeyBar()

    @property
    def text_area(self) -> TextArea:
        return self.query_one("#editor-text", TextArea)

    # The fields form and the preview are mounted the first time they are shown: composing
    # them costs more than a third of the time to open a post.

    def _form(self) -> FieldsForm | None:
        forms = self.query(FieldsForm)
        return forms.first() if forms else None

    def form_values(self) -> dict[str, str]:
        form = self._form()
        return form.values() if form is not None else dict(self._form_state)

    def _load_form(self, values: dict[str, str]) -> None:
        self._form_state = dict(values)
        form = self._form()
        if form is not None:
            form.load(values)

    def _preview(self) -> PreviewPane:
        panes = self.query(PreviewPane)
        if panes:
            return panes.first()
        pane = PreviewPane(id="editor-preview")
        self.query_one("#editor-main").mount(pane)
        return pane

    @property
    def can_leave(self) -> bool:
        return not self.dirty

    def on_mount(self) -> None:
        self.app.leases.acquire(self.post.slug)
        self.set_interval(LEASE_REFRESH_S, lambda: self.app.leases.acquire(self.post.slug))
        # Who else has it open changes (they leave, their hkcms is killed): keep it current.
        self.set_interval(self.app.poll_interval, self._refresh_others)
        self._others = self._readers()
        self.show_fields = self.app.size.height >= 36
        self._layout(self.app.size.width)
        self.text_area.focus()
        self._update_bar()
        self.call_after_refresh(self._load_text)

    def _load_text(self) -> None:
        # Keys typed in the moment before the text arrived went into the empty area: keep them
        # where the cursor would have been (the start), never drop them.
        typed = self.text_area.text
        text = self._short_lines(typed + self.post.body)
        if len(text) > HIGHLIGHT_MAX_CHARS:
            # Highlighting re-parses the whole text on every key (0.4 s at 1.6 MB).
            self.text_area.language = None
            self.notify(
                f"Markdown highlighting is off for texts over {HIGHLIGHT_MAX_CHARS:,} characters "
                "so that typing stays quick.",
                timeout=8,
            )
        self.text_area.load_text(text)
        self.text_area.move_cursor(_end_of(typed) if typed else (0, 0))
        self._recompute_dirty()
        self._offer_draft()

    # ---- very long lines -------------------------------------------------------------------

    def _short_lines(self, text: str) -> str:
        """`text` with lines too long to type in quickly broken where the page cannot change
        (a single 80 KB line took a second a key), and a message saying so."""
        if not has_long_line(text):
            return text
        wrapped = wrap_long_lines(text)
        self._tell_wrapped(text, wrapped.text, wrapped.lines, wrapped.kept)
        lines = wrapped.text.split("\n")
        self._kept_rows = {row for row, line in enumerate(lines) if len(line) > LONG_LINE}
        return wrapped.text

    def _tell_wrapped(
        self, old: str, new: str, lines: tuple[int, ...], kept: tuple[int, ...]
    ) -> None:
        if lines:
            longest = max(len(line) for line in old.split("\n"))
            where = f"Line {lines[0]}" if len(lines) == 1 else f"{len(lines)} lines"
            self.notify(
                f"{where} had up to {longest:,} characters, too long to type in quickly: "
                f"broken into lines of about {WIDTH:,} where the page looks the same. "
                "ctrl+s saves that; Escape leaves the file as it was.",
                severity="warning",
                timeout=20,
            )
        if kept:
            self.notify(
                f"Line {kept[0]} is over {LONG_LINE:,} characters and cannot be broken safely "
                "(code, a table or a heading): typing in it is slow; ctrl+o edits it in $EDITOR.",
                severity="warning",
                timeout=20,
            )

    def _break_long_line(self) -> None:
        """Typing or pasting made a line very long: break it now (ctrl+z undoes)."""
        area = self.text_area
        long = {row for row, line in enumerate(area.document.lines) if len(line) > LONG_LINE}
        if not long or long <= self._kept_rows:
            return  # nothing long, or only lines already found unbreakable (code, tables)
        old = area.text
        wrapped = wrap_long_lines(old)
        if not wrapped.lines:
            self._kept_rows = long
            self._tell_wrapped(old, old, (), wrapped.kept)
            return
        document = area.document
        if not isinstance(document, Document):
            return
        offset = moved_offset(
            old, wrapped.text, document.get_index_from_location(area.cursor_location)
        )
        area.replace(wrapped.text, (0, 0), document.end)
        area.move_cursor(document.get_location_from_index(offset))
        self._kept_rows = set()  # the next check (the change just made) finds them again
        self._tell_wrapped(old, wrapped.text, wrapped.lines, ())

    # ---- crash drafts --------------------------------------------------------------------

    def _offer_draft(self) -> None:
        """Unsaved text of an earlier session (SSH dropped, terminal closed): offer it back."""
        draft = self.app.drafts.load(self.post.slug)
        if draft is None:
            return
        if draft.text == self.post.to_text():
            self.app.drafts.discard(self.post.slug)
            return

        def answer(restore: bool | None) -> None:
            if restore:
                self._use_text(draft.text, "Restored your unsaved text; ctrl+s saves it.")
            else:
                self.app.drafts.discard(self.post.slug)

        when = draft.time.replace("T", " ")[:16]
        question = (
            f"You have unsaved changes to this post from {when} UTC\n"
            "(hkcms was closed before they were saved). Restore them?"
        )
        self.app.push_screen(ConfirmDialog(question, yes="Restore", no="Throw away"), answer)

    def _readers(self) -> list[str]:
        """Who else (other processes) has this post open now."""
        return [lease.label() for lease in self.app.leases.others().get(self.post.slug, [])]

    def _refresh_others(self) -> None:
        others = self._readers()
        if others != self._others:
            self._others = others
            self._update_bar()

    def _use_text(self, text: str, said: str) -> None:
        """Put a whole file text (front matter + body) on screen as unsaved changes."""
        try:
            post = parse_post(text, self.post.slug, self.post.path)
        except HkcmsError as exc:
            self.text_area.load_text(text)  # keep every word, even with broken front matter
            self._recompute_dirty()
            self.notify(
                f"{clean(exc.message)}: fix the front matter", severity="warning", markup=False
            )
            return
        self._load_form(fields_of(post))
        self.text_area.load_text(self._short_lines(post.body))
        self._recompute_dirty()
        if said:
            self.notify(said)

    def _cancel_draft_timer(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None

    def _schedule_draft(self) -> None:
        self._cancel_draft_timer()
        if self.dirty:
            self._draft_timer = self.set_timer(DRAFT_DELAY_S, self._write_draft)
        elif self._draft_on_disk:
            # Undo brought the text back to the saved file: nothing is unsaved any more, so
            # the next session must not offer a "crash" copy.
            self.discard_draft()

    def _write_draft(self) -> None:
        if self.dirty:
            self.write_draft(self.current_post().to_text())

    @work(thread=True, exclusive=True, group="editor-draft")
    def write_draft(self, text: str) -> None:
        try:
            self.app.drafts.save(self.post.slug, text)
        except OSError:
            return  # a read-only state folder: no crash copy, but editing goes on
        self.app.call_from_thread(self._draft_written)

    def _draft_written(self) -> None:
        self._draft_on_disk = True
        if not self.dirty:  # undone while the copy was being written
            self.discard_draft()

    def discard_draft(self) -> None:
        self._cancel_draft_timer()
        self.app.drafts.discard(self.post.slug)
        self._draft_on_disk = False
        if self.show_preview:
            self._preview().show(self._pane_text(), now=True)

    def on_unmount(self) -> None:
        self.app.leases.release(self.post.slug)

    def on_resize(self) -> None:
        if self.is_mounted and self.query("#editor-text"):
            self._layout(self.size.width)

    def _layout(self, width: int) -> None:
        wide = width >= WIDE
        self.set_class(wide, "-wide")
        if not self._preview_chosen:
            self.show_preview = wide

    def _pane_text(self) -> str:
        return self.source.body if self.source is not None else self.text_area.text

    def watch_show_preview(self, show: bool) -> None:
        self.set_class(show, "-preview")
        if show:
            self._preview().show(self._pane_text(), now=True)
        elif not self.has_class("-wide"):
            self.text_area.focus()
        if self.source is not None:
            self._update_bar()

    def watch_show_fields(self, show: bool) -> None:
        if show and self._form() is None:
            form = FieldsForm(self._form_state, id="editor-fields")
            self.mount(form, after="#editor-bar")
        self.set_class(show, "-fields")

    def watch_dirty(self) -> None:
        self._update_bar()

    def _update_bar(self) -> None:
        bar = Text(no_wrap=True, overflow="ellipsis")
        if self.dirty:
            bar.append(" UNSAVED ", style="bold reverse yellow")
        else:
            bar.append(" saved ", style="dim")
        bar.append(" ")
        bar.append(clean(self.form_values()["title"]))
        bar.append(f"  ({clean(self.post.slug)}.md)", style="dim")
        if self._others:
            bar.append(f"  also open by {clean(', '.join(self._others))}", style="bold red")
        if self.source is not None:
            where = "beside" if self.show_preview else "ctrl+r shows it"
            bar.append(f"  translating {clean(self.source.slug)} ({where})", style="italic")
        self.query_one("#editor-bar", Static).update(bar)

    # ---- change tracking ---------------------------------------------------------------

    def _recompute_dirty(self) -> None:
        self.dirty = (
            self.text_area.text != self.saved_body or self.form_values() != self.saved_fields
        )
        self._schedule_draft()

    @on(TextArea.Changed, "#editor-text")
    def _text_changed(self) -> None:
        self._break_long_line()
        self._recompute_dirty()
        if self.show_preview and self.source is None:
            self._preview().show(self.text_area.text)

    @on(FieldsChanged)
    def _fields_changed(self, event: FieldsChanged) -> None:
        self._recompute_dirty()
        if event.name == "title":
            self._update_bar()

    def current_post(self) -> Post:
        """The post as it is on screen (front matter keys the form does not show are kept)."""
        post = copy.copy(self.post)
        post.front = copy.deepcopy(self.post.front)
        apply_fields(post.front, self.saved_fields, self.form_values())
        post.body = self.text_area.text
        return post

    def _saved(self, post: Post) -> None:
        """Make `post` the saved state shown on screen."""
        self.post = post
        self.saved_body = post.body
        self.saved_fields = fields_of(post)
        self._recompute_dirty()
        self._update_bar()

    def _replace_content(self, post: Post) -> None:
        self._load_form(fields_of(post))
        if self.text_area.text != post.body:
            self.text_area.load_text(self._short_lines(post.body))
        self._saved(post)

    # ---- saving ------------------------------------------------------------------------

    def action_save(self) -> None:
        post = self.current_post()
        if not post.title.strip() or not self.form_values()["title"].strip():
            self.notify("A post needs a title (ctrl+t shows the fields).", severity="error")
            return
        self.save(post)

    @work(thread=True, exclusive=True, group="editor-save")
    def save(self, post: Post, force: bool = False, note: str = "") -> None:
        """Atomic save with a revision, off the UI thread."""
        try:
            revision = self.app.store.save(post, note=note, force=force)
        except ConflictError as exc:
            self.app.call_from_thread(self._conflict, post, exc)
            return
        except HkcmsError as exc:
            message = f"Not saved: {clean(exc)}"
            self.app.call_from_thread(self.notify, message, severity="error", markup=False)
            return
        said = f"Saved revision {revision.rev}" if revision else "Saved (no changes)"
        self.app.call_from_thread(self._after_save, post, said)

    def _after_save(self, post: Post, said: str) -> None:
        self._saved(post)
        if not self.dirty:
            self.discard_draft()
        self.notify(said, timeout=3)

    def _conflict(self, mine: Post, exc: ConflictError) -> None:
        diff = self.app.store.history.diff(
            mine.slug, exc.disk_text, mine.to_text(), "on disk (theirs)", "yours"
        )
        choice_for = {"reload": self._reload, "overwrite": self._overwrite, "copy": self._copy}

        def chosen(choice: str | None) -> None:
            if choice in choice_for:
                choice_for[choice](mine)

        message = f"The file {clean(exc.message)}."
        self.app.push_screen(ConflictDialog(message, diff), chosen)

    def _reload(self, mine: Post) -> None:
        try:
            self._replace_content(self.app.store.load(mine.slug))
        except HkcmsError as exc:
            self.notify(clean(exc), severity="error", markup=False)
            return
        self.notify("Reloaded the version on disk.")

    def _overwrite(self, mine: Post) -> None:
        # The core keeps the other person's version as a revision before overwriting it.
        self.save(mine, force=True, note="overwrote a concurrent change")

    def _copy(self, mine: Post) -> None:
        try:
            new = self.app.store.create(
                f"Copy of {mine.title}",  # a prefix stays visible when narrow columns cut titles
                author=mine.author or None,
                tags=mine.tags,
                lang=mine.lang or None,
                draft=True,
                body=mine.body,
            )
        except HkcmsError as exc:
            self.notify(clean(exc), severity="error", markup=False)
            return
        self.discard_draft()
        self.app.leases.release(self.post.slug)
        self.app.leases.acquire(new.slug)
        self._replace_content(new)
        self._refresh_others()  # those who had the old post open do not have this one
        self.notify(f"Saved your version as a new post: {clean(new.slug)}", markup=False)

    # ---- leaving, toggles, $EDITOR -----------------------------------------------------

    def action_back(self) -> None:
        if self.focused is not None and isinstance(self.focused, Input):
            self.text_area.focus()  # first Escape leaves the fields form
            return
        if not self.dirty:
            self.dismiss()
            return

        def answer(discard: bool | None) -> None:
            if discard:
                self.discard_draft()
                self.dismiss()

        question = "Discard your unsaved changes to this post?\n(ctrl+s saves them instead)"
        self.app.push_screen(ConfirmDialog(question, yes="Discard"), answer)

    def action_toggle_fields(self) -> None:
        self.show_fields = not self.show_fields
        if self.show_fields:
            self.call_after_refresh(lambda: self.query_one("#field-title", Input).focus())
        else:
            self.text_area.focus()

    def action_toggle_preview(self) -> None:
        self._preview_chosen = True
        self.show_preview = not self.show_preview

    def action_insert_image(self) -> None:
        """Pick (or add) an image, ask for its alt text, insert its Markdown at the cursor."""
        from hkcms.core.media import markdown_for

        def alt_given(name: str, alt: str | None) -> None:
            if alt is None:
                return
            self.text_area.insert(markdown_for(name, alt))
            self.text_area.focus()

        def picked(name: str | None) -> None:
            if name is None:
                self.text_area.focus()
                return
            question = (
                f"Alt text for {name}: what does the image show? (read aloud to people who "
                "cannot see it)"
            )
            self.app.push_screen(
                PromptDialog(question, placeholder="e.g. Marchers with yellow umbrellas"),
                lambda alt: alt_given(name, alt),
            )

        self.app.push_screen(MediaPickerDialog(self.app.site), picked)

    def _editor_failed(self, reason: str, left: str | None) -> None:
        """Say why $EDITOR failed; text it left behind goes on screen unsaved, never lost."""
        if left is None:
            message = f"{reason[:1].upper()}{reason[1:]}. Nothing was changed."
        else:
            self._use_text(left, "")
            message = (
                f"{reason[:1].upper()}{reason[1:]}. Its text is in the editor, not saved: "
                "check it, then ctrl+s saves it or Escape throws it away."
            )
        self.notify(message, severity="error", markup=False, timeout=15)

    def action_external(self) -> None:
        before = self.current_post()
        text = before.to_text()
        try:
            result = self.app.launcher(self.app, text)
        except SuspendNotSupported:
            self.notify("This terminal cannot hand over to $EDITOR.", severity="error")
            return
        except EditorError as exc:
            self.refresh(layout=True)
            self._editor_failed(clean(exc.message), exc.text)
            return
        except Exception as exc:  # noqa: BLE001 - whatever broke, the screen is back: say so
            self.refresh(layout=True)
            self._editor_failed(f"the editor failed: {clean(exc)}", None)
            return
        self.refresh(layout=True)
        if result == text:
            self.notify("No changes in $EDITOR.")
            return
        try:
            edited = parse_post(result, before.slug, before.path)
        except HkcmsError as exc:
            # Never lose the words: keep the whole text in the editor so it can be fixed.
            self.text_area.load_text(result)
            self._recompute_dirty()
            self.notify(
                f"Not saved: {clean(exc.message)}. Fix the front matter in the editor.",
                severity="error",
                markup=False,
                timeout=12,
            )
            return
        edited.loaded_hash = self.post.loaded_hash
        self._load_form(fields_of(edited))
        self.text_area.load_text(self._short_lines(edited.body))
        self.saved_fields = fields_of(self.post)  # compare the form against the file on disk
        self.save(edited, note="edited in $EDITOR")
