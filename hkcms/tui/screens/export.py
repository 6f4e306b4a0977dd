"""ExportScreen: build the static site with a progress bar and a summary; publish after asking."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import ProgressBar, Static

from hkcms.core.errors import HkcmsError
from hkcms.core.wording import count
from hkcms.tui.messages import SettingsChanged
from hkcms.tui.safe import clean, clean_block
from hkcms.tui.screens.confirm import ConfirmDialog
from hkcms.tui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from hkcms.tui.app import HkcmsApp

PROGRESS_EVERY_S = 0.05  # at most 20 progress updates a second cross from the worker thread


class ExportScreen(Screen[None]):
    """Enter exports (changed pages only); `f` full rebuild, `d` drafts, `p` publishes."""

    app: HkcmsApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,x", "export", "Export", id="export.run"),
        Binding("f", "option('full')", "Full rebuild", id="export.full"),
        Binding("d", "option('drafts')", "Include drafts", id="export.drafts"),
        Binding("p", "publish", "Publish", id="export.publish"),
        Binding("escape,q", "back", "Back", id="export.back"),
    ]

    def __init__(self, *, publish: bool = False) -> None:
        super().__init__()
        self.start_with_publish = publish
        self.options = {"full": False, "drafts": False}
        self.running = False
        self.report: Any = None
        self.published: Any = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Export and publish", style="bold"), classes="bar")
        yield Static(id="export-options")
        yield ProgressBar(id="export-progress", show_eta=False)
        yield Static(id="export-summary")
        yield KeyBar()

    def on_mount(self) -> None:
        self._show_options()

    def on_settings_changed(self, event: SettingsChanged) -> None:
        self._show_options()
        if self.start_with_publish:
            self.action_publish()

    def _show_options(self) -> None:
        site = self.app.site
        text = Text()
        text.append(f"Output: {site.public_dir}\n")
        text.append(f"Base URL: {clean(site.settings.base_url) or '(none)'}\n")
        text.append(f"Publish to: {clean(site.settings.publish_target) or '(not set)'}\n\n")
        full, drafts = self.options["full"], self.options["drafts"]
        text.append(f"[{'x' if full else ' '}] full rebuild (f)    ")
        text.append(f"[{'x' if drafts else ' '}] include drafts (d)\n")
        if drafts:
            text.append("A preview with drafts is never published.\n", style="yellow")
        if full:
            text.append("Enter rebuilds every page.", style="dim")
        else:
            text.append("Enter exports only what changed since the last export.", style="dim")
        self.query_one("#export-options", Static).update(text)

    def action_option(self, name: str) -> None:
        self.options[name] = not self.options[name]
        self._show_options()

    def action_back(self) -> None:
        if self.running:
            self.notify("Wait for the export to finish.", severity="warning")
            return
        self.dismiss()

    def action_export(self) -> None:
        if self.running:
            return
        self.running = True
        self.query_one("#export-summary", Static).update(Text("Exporting…"))
        self.run_export(self.options["full"], self.options["drafts"])

    @work(thread=True, exclusive=True, group="export")
    def run_export(self, full: bool, drafts: bool) -> None:
        from hkcms.export.build import export_site

        bar = self.query_one(ProgressBar)
        last = 0.0

        def progress(done: int, total: int) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last >= PROGRESS_EVERY_S or done >= total:
                last = now
                self.app.call_from_thread(bar.update, total=max(total, 1), progress=done)

        try:
            report = export_site(self.app.site, full=full, drafts=drafts, progress=progress)
        except HkcmsError as exc:
            self.app.call_from_thread(self._finished, None, f"Export failed: {clean(exc)}")
            return
        self.app.call_from_thread(self._finished, report, clean(report.summary()), drafts)

    def _finished(self, report: Any, message: str, drafts: bool = False) -> None:
        self.running = False
        self.report = report
        text = Text(message, style="bold" if report else "bold red")
        for warning in getattr(report, "warnings", [])[:20]:
            text.append(f"\n  {clean(warning)}", style="yellow")
        if report and drafts:
            text.append(
                "\n\nThis preview includes drafts: it cannot be published. To publish, "
                "turn drafts off (d) and export again (Enter).",
                style="bold yellow",
            )
        elif report:
            text.append("\n\np publishes it.", style="dim")
        self.query_one("#export-summary", Static).update(text)

    def action_publish(self) -> None:
        if self.running:
            return
        if not self.app.site.settings.publish_target:
            self.notify("Set [publish] target in hkcms.toml first.", severity="error", markup=False)
            return
        self.running = True
        self.query_one("#export-summary", Static).update(Text("Checking what would change…"))
        self.run_dry_publish()

    @work(thread=True, exclusive=True, group="export")
    def run_dry_publish(self) -> None:
        """A dry run first, so that the question says what publishing will change."""
        from hkcms.export.publish import publish

        try:
            result = publish(self.app.site, dry_run=True)
        except HkcmsError as exc:
            self.app.call_from_thread(self._published, None, f"Cannot publish: {clean(exc)}")
            return
        self.app.call_from_thread(self._ask_publish, result)

    def _ask_publish(self, dry: Any) -> None:
        self.running = False
        self.query_one("#export-summary", Static).update(Text(clean(dry.summary())))
        question = Text("Publish ")
        question.append(str(self.app.site.public_dir), style="bold")
        question.append(" to ")
        question.append(clean(dry.target), style="bold")
        changes = len(dry.changes)
        question.append(f"?\n{count(changes, 'change')}")
        question.append(", for example:\n" if changes > 5 else (":\n" if changes else ".\n"))
        for change in dry.described()[:5]:
            question.append(f"  {clean(change)}\n", style="dim")
        question.append("Files deleted here are deleted there too.")

        def answer(yes: bool | None) -> None:
            if yes and not self.running:
                self.running = True
                self.query_one("#export-summary", Static).update(Text("Publishing…"))
                self.run_publish()

        self.app.push_screen(ConfirmDialog(question, yes="Publish"), answer)

    @work(thread=True, exclusive=True, group="export")
    def run_publish(self) -> None:
        from hkcms.export.publish import publish

        try:
            result = publish(self.app.site)
        except HkcmsError as exc:
            self.app.call_from_thread(self._published, None, f"Publish failed: {clean(exc)}")
            return
        summary = getattr(result, "summary", None)
        text = summary() if callable(summary) else str(summary or result)
        self.app.call_from_thread(self._published, result, clean_block(text))

    def _published(self, result: Any, message: str) -> None:
        self.running = False
        self.published = result
        style = "bold" if result is not None else "bold red"
        self.query_one("#export-summary", Static).update(Text(message, style=style))
