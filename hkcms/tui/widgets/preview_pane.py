"""PreviewPane: the rendered post (same Markdown parser as the export), updated debounced."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.timer import Timer
from textual.widgets import Markdown

from hkcms.tui.preview_parser import preview_parser

DEBOUNCE_S = 0.35


class PreviewPane(VerticalScroll):
    """A scrolling Markdown view; `show()` renders after typing pauses, never while typing."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._pending: str | None = None
        self._shown: str | None = None
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Markdown(parser_factory=preview_parser, open_links=False)

    @property
    def shown(self) -> str | None:
        """The text rendered now (None before the first render)."""
        return self._shown

    @property
    def markdown(self) -> Markdown:
        return self.query_one(Markdown)

    def show(self, text: str, *, now: bool = False) -> None:
        """Render `text` once typing pauses (longer pauses for long posts)."""
        self._pending = text
        if self._timer is not None:
            self._timer.stop()
        if now:
            self.call_after_refresh(self._render_pending)
            return
        delay = DEBOUNCE_S + min(len(text) / 100_000, 2.0)
        self._timer = self.set_timer(delay, self._render_pending)

    def _render_pending(self) -> None:
        if self._pending is not None and self._pending != self._shown and self.display:
            self.render_markdown(self._pending)

    @work(exclusive=True, group="preview")
    async def render_markdown(self, text: str) -> None:
        # Markdown.update parses in an executor thread and mounts blocks in batches.
        self._shown = text
        await self.markdown.update(text)

    def on_show(self) -> None:
        self._render_pending()
