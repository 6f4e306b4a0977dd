"""MediaPickerDialog: choose an image from media/ or add a new file (cleaned) by keyboard."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from hkcms.core.errors import HkcmsError
from hkcms.core.media import MediaLibrary, kind_of
from hkcms.core.site import Site
from hkcms.tui.safe import clean
from hkcms.tui.screens.prompt import PromptDialog

ADD = "\x00add"  # the id of the "add a file" line; no file name can contain NUL


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


class MediaPickerDialog(ModalScreen[str | None]):
    """Lists the images in media/ (newest name last); Enter picks one, `a` adds a file from
    disk through the same cleaning as `hkcms media add`. Dismisses with the file's name."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="media.cancel"),
        Binding("a", "add", "Add a file", id="media.add"),
    ]

    def __init__(self, site: Site) -> None:
        super().__init__(classes="dialog-screen")
        self.library = MediaLibrary(site)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide-dialog", id="media-dialog"):
            yield Static("Insert an image", classes="dialog-question")
            yield OptionList(id="media-list")
            yield Static(
                "Enter insert · a add a file from disk (location and camera data are "
                "removed) · Escape cancel",
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        options = self.query_one("#media-list", OptionList)
        options.add_option(Option(Text("+ Add a file from disk…", style="bold"), id=ADD))
        options.focus()
        self.load_files()

    @work(thread=True, exclusive=True, group="media-list")
    def load_files(self) -> None:
        """Names and sizes only: no image is decoded, so a large media/ opens at once."""
        rows: list[tuple[str, int]] = []
        for name, path in self.library.files():
            if kind_of(name) in ("raster", "svg"):
                try:
                    rows.append((name, path.stat().st_size))
                except OSError:
                    continue
        self.app.call_from_thread(self._show, rows)

    def _show(self, rows: list[tuple[str, int]]) -> None:
        options = self.query_one("#media-list", OptionList)
        for name, size in rows:
            line = Text(clean(name))
            line.append(f"  {_size(size)}", style="dim")
            options.add_option(Option(line, id=name))
        if rows:
            options.highlighted = 1

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == ADD:
            self.action_add()
        elif event.option.id is not None:
            self.dismiss(event.option.id)

    def action_add(self) -> None:
        def chosen(path: str | None) -> None:
            if path:
                self.add_file(path)

        question = "Path of the image to add to media/ (a clean copy is made):"
        self.app.push_screen(PromptDialog(question, placeholder="~/Pictures/IMG_0001.JPG"), chosen)

    @work(thread=True, exclusive=True, group="media-add")
    def add_file(self, path: str) -> None:
        try:
            added = self.library.add(Path(path).expanduser())
        except HkcmsError as exc:
            message = f"Not added: {clean(str(exc))}"
            self.app.call_from_thread(self.notify, message, severity="error", markup=False)
            return
        said = f"Added {clean(added.name)}"
        if added.removed:
            said += f" (removed {', '.join(added.removed)})"
        self.app.call_from_thread(self.notify, said, markup=False)
        self.app.call_from_thread(self.dismiss, added.name)

    def action_cancel(self) -> None:
        self.dismiss(None)
