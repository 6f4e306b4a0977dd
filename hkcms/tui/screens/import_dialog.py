"""ImportDialog: `hkcms import` from the command palette, with a progress bar and the report."""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, ProgressBar, Select, Static

from hkcms.core.errors import HkcmsError
from hkcms.core.importing import ImportReport
from hkcms.importers.run import report_lines, run_import
from hkcms.importers.sources import SOURCES, Source
from hkcms.tui.safe import clean

if TYPE_CHECKING:
    from hkcms.tui.app import HkcmsApp

PROGRESS_EVERY_S = 0.1  # at most ten progress updates a second cross from the worker thread


class ImportDialog(ModalScreen[ImportReport | None]):
    """Choose a source, name its file, folder or URL, Enter imports; the report stays shown."""

    app: HkcmsApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="import.close"),
        Binding("ctrl+r", "run", "Import", id="import.run"),
    ]

    def __init__(self) -> None:
        super().__init__(classes="dialog-screen")
        self.running = False
        self.report: ImportReport | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide-dialog", id="import-dialog"):
            yield Static(Text("Import a blog", style="bold"))
            with Horizontal(classes="import-row"):
                yield Static("From", classes="import-label")
                yield Select(
                    [(s.name, s.name) for s in SOURCES.values()],
                    value=next(iter(SOURCES)),
                    allow_blank=False,
                    compact=True,
                    id="import-source",
                )
            yield Static(id="import-help", classes="dialog-hint", markup=False)
            with Horizontal(classes="import-row"):
                yield Static("File", classes="import-label")
                yield Input(placeholder="the export file, folder or URL", compact=True,
                            id="import-src")  # fmt: skip
            with Horizontal(classes="import-row", id="import-media-row"):
                yield Static("Images", classes="import-label")
                yield Input(placeholder="a copy of wp-content/uploads (optional)", compact=True,
                            id="import-media")  # fmt: skip
            with Horizontal(classes="import-row"):
                yield Checkbox("Download images", compact=True, id="import-download")
                yield Checkbox("Dry run (write nothing)", compact=True, id="import-dry-run")
                yield Button("Import", compact=True, id="import-run", variant="primary")
            yield ProgressBar(id="import-progress", show_eta=False)
            with VerticalScroll(id="import-report-box"):
                yield Static(id="import-report", markup=False)
            yield Static("Tab moves · Enter or ctrl+r imports · Escape closes",
                         classes="dialog-hint")  # fmt: skip

    def on_mount(self) -> None:
        self._source_changed()
        self.query_one("#import-src", Input).focus()

    @property
    def source(self) -> Source:
        value = self.query_one("#import-source", Select).value
        return SOURCES[str(value)]

    @on(Select.Changed, "#import-source")
    def _source_changed(self) -> None:
        source = self.source
        self.query_one("#import-help", Static).update(source.help)
        self.query_one("#import-media-row").display = source.media
        self.query_one("#import-download", Checkbox).disabled = not source.download
        self.query_one("#import-src", Input).placeholder = f"{source.target} to import"

    @on(Input.Submitted)
    @on(Button.Pressed, "#import-run")
    def _submitted(self) -> None:
        self.action_run()

    def action_run(self) -> None:
        if self.running:
            return
        src = self.query_one("#import-src", Input).value.strip()
        source = self.source
        if not src and not source.target_optional:
            self.notify(f"Type the {source.target} to import first.", severity="warning")
            self.query_one("#import-src", Input).focus()
            return
        media = self.query_one("#import-media", Input).value.strip() if source.media else ""
        args = argparse.Namespace(
            src=src,
            dry_run=self.query_one("#import-dry-run", Checkbox).value,
            download=source.download and self.query_one("#import-download", Checkbox).value,
            media=media or None,
        )
        self.running = True
        self._show(Text(f"Importing from {source.name}…"))
        self.run_import(source, args)

    @work(thread=True, exclusive=True, group="import")
    def run_import(self, source: Source, args: argparse.Namespace) -> None:
        bar = self.query_one("#import-progress", ProgressBar)
        last = 0.0

        def progress(done: int, total: int | None) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last >= PROGRESS_EVERY_S:
                last = now
                self.app.call_from_thread(bar.update, total=total, progress=done)

        try:
            report = run_import(self.app.site, source, args, progress=progress)
        except (HkcmsError, OSError) as exc:
            self.app.call_from_thread(self._failed, clean(exc))
            return
        self.app.call_from_thread(self._finished, report)

    def _failed(self, message: str) -> None:
        self.running = False
        self._show(Text(f"Import failed: {message}", style="bold red"))

    def _finished(self, report: ImportReport) -> None:
        self.running = False
        self.report = report
        bar = self.query_one("#import-progress", ProgressBar)
        done = sum(report.posts.values())
        bar.update(total=max(done, 1), progress=max(done, 1))
        lines = report_lines(report)
        text = Text(clean(lines[0]), style="bold")
        for line in lines[1:]:
            text.append("\n" + clean(line), style="yellow" if line.startswith("  ") else "")
        self._show(text)
        self.query_one("#import-report-box", VerticalScroll).focus()

    def _show(self, text: Text) -> None:
        self.query_one("#import-report", Static).update(text)

    def action_close(self) -> None:
        if self.running:
            self.notify("Wait for the import to finish.", severity="warning")
            return
        self.dismiss(self.report)
