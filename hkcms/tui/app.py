"""HkcmsApp: wires the core services, the theme, global keys and navigation between screens."""

from __future__ import annotations

import dataclasses
import os
from typing import ClassVar

from textual import events
from textual.app import App
from textual.binding import Binding, BindingType
from textual.widgets import Input, TextArea

from hkcms.core.comments import CommentStore
from hkcms.core.drafts import DraftStore
from hkcms.core.errors import HkcmsError
from hkcms.core.leases import LeaseStore
from hkcms.core.posts import PostStore
from hkcms.core.site import SETTINGS_FILE, Site, load_settings
from hkcms.tui.commands import HkcmsCommands
from hkcms.tui.launcher import EditorLauncher, run_external_editor
from hkcms.tui.messages import SettingsChanged
from hkcms.tui.safe import clean


class HkcmsApp(App[None]):
    """The hkcms terminal app for one site."""

    CSS_PATH = "app.tcss"
    TITLE = "hkcms"
    COMMANDS: ClassVar = App.COMMANDS | {HkcmsCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark,f1", "help", "Help", key_display="?/f1", id="app.help"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="app.quit"),
    ]

    def __init__(
        self,
        site: Site,
        *,
        launcher: EditorLauncher | None = None,
        poll_interval: float = 3.0,
        leases: LeaseStore | None = None,
        drafts: DraftStore | None = None,
    ) -> None:
        super().__init__()
        self.site = site
        self.store = PostStore(site)
        self.comments = CommentStore(self.store.meta)
        self.leases = leases or LeaseStore(site)
        self.drafts = drafts or DraftStore(site, self.leases.user)
        self.launcher: EditorLauncher = launcher or run_external_editor
        self.poll_interval = poll_interval
        self.theme = "textual-dark"
        self._settings_stamp = self._stamp_settings()

    def on_mount(self) -> None:
        from hkcms.tui.screens.posts import PostsScreen

        self.push_screen(PostsScreen())
        self.set_interval(self.poll_interval, self.check_settings)

    # ---- hkcms.toml is watched like the posts ------------------------------------------

    def _stamp_settings(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.site.root / SETTINGS_FILE)
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size, st.st_ino

    def check_settings(self) -> None:
        """Read hkcms.toml again when it changed (a stat every few seconds, like posts/)."""
        stamp = self._stamp_settings()
        if stamp == self._settings_stamp:
            return
        self._settings_stamp = stamp
        try:
            settings = load_settings(self.site.root / SETTINGS_FILE)
        except HkcmsError as exc:
            message = f"{clean(exc)}; keeping the settings read before"
            self.notify(message, severity="error", markup=False, timeout=15)
            return
        self.use_site(dataclasses.replace(self.site, settings=settings))
        self.notify("Settings read again from hkcms.toml.", timeout=4)

    def use_site(self, site: Site) -> None:
        """Work with `site` (new settings) from now on; screens that show settings redraw."""
        self.site = site
        self.store = PostStore(site)
        self.comments = CommentStore(self.store.meta)
        for screen in self.screen_stack:
            screen.post_message(SettingsChanged())

    def on_unmount(self) -> None:
        self.leases.release_all()

    # ---- navigation (screens call these; so do palette commands) -----------------------

    def open_editor(self, slug: str, beside: str | None = None) -> None:
        """Edit a post; `beside`: a post shown next to it (the source of a translation)."""
        from hkcms.tui.screens.editor import EditorScreen

        try:
            post = self.store.load(slug)
            source = self.store.load(beside) if beside else None
        except HkcmsError as exc:
            self.notify(clean(exc), severity="error", markup=False, timeout=10)
            return
        except Exception as exc:  # noqa: BLE001 - one unreadable post must not close the app
            self.notify(f"Could not open {clean(slug)}: {clean(exc)}", severity="error")
            return
        self.push_screen(EditorScreen(post, source=source))

    def new_post(self) -> None:
        from hkcms.tui.screens.prompt import PromptDialog

        def create(title: str | None) -> None:
            if not title:
                return
            try:
                post = self.store.create(title, draft=True)
            except HkcmsError as exc:
                self.notify(clean(exc), severity="error", markup=False)
                return
            except OSError as exc:  # the disk refused it: say why, keep the app
                reason = exc.strerror or str(exc)
                self.notify(f"Could not create the post: {clean(reason)}", severity="error")
                return
            self.open_editor(post.slug)

        dialog = PromptDialog("Title of the new post", placeholder="e.g. Spring rally report")
        self.push_screen(dialog, create)

    def open_preview(self, slug: str) -> None:
        from hkcms.tui.screens.preview import PreviewScreen

        self.push_screen(PreviewScreen(slug))

    def open_history(self, slug: str) -> None:
        from hkcms.tui.screens.history import HistoryScreen

        self.push_screen(HistoryScreen(slug))

    def open_comments(self, slug: str | None = None) -> None:
        from hkcms.tui.screens.comments import CommentsScreen

        self.push_screen(CommentsScreen(slug))

    def open_trash(self) -> None:
        from hkcms.tui.screens.trash import TrashScreen

        self.push_screen(TrashScreen())

    def open_export(self) -> None:
        from hkcms.tui.screens.export import ExportScreen

        self.push_screen(ExportScreen())

    def open_stats(self) -> None:
        from hkcms.tui.screens.stats import StatsScreen

        self.push_screen(StatsScreen())

    def open_import(self) -> None:
        """The import dialog (command palette); the posts list re-reads the folder after it."""
        from hkcms.tui.screens.import_dialog import ImportDialog

        def imported(report: object) -> None:
            reload = getattr(self.screen, "action_reload", None)
            if report is not None and reload is not None:
                reload()

        self.push_screen(ImportDialog(), imported)

    def go_home(self) -> None:
        """Back to the posts list, closing screens that have nothing unsaved."""
        while len(self.screen_stack) > 2 and getattr(self.screen, "can_leave", True):
            self.pop_screen()

    def on_key(self, event: events.Key) -> None:
        """A typed character that reached the app while a text box has the focus was queued
        for another widget just before the focus moved (fast typing over SSH after "/", "n"
        or Enter): it belongs in the text box, never dropped or run as a command."""
        focused = self.focused
        if not (event.is_printable and event.character):
            return
        if isinstance(focused, Input):
            focused.insert_text_at_cursor(event.character)
            event.stop()
        elif isinstance(focused, TextArea) and not focused.read_only:
            focused.insert(event.character)
            event.stop()

    # ---- global actions ----------------------------------------------------------------

    def action_help(self) -> None:
        from hkcms.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    async def action_quit(self) -> None:
        """Quit, but never silently drop unsaved work in an open editor."""
        from hkcms.tui.screens.confirm import ConfirmDialog

        unsaved = [s for s in self.screen_stack if getattr(s, "dirty", False)]
        if not unsaved:
            self.exit()
            return

        def answer(yes: bool | None) -> None:
            if yes:
                for screen in unsaved:
                    screen.discard_draft()  # type: ignore[attr-defined]
                self.exit()

        self.push_screen(
            ConfirmDialog("You have unsaved changes. Quit and lose them?", yes="Quit"), answer
        )

    def confirm_publish(self) -> None:
        from hkcms.tui.screens.export import ExportScreen

        self.push_screen(ExportScreen(publish=True))
