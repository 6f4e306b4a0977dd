"""MarkdownEditor: a soft-wrapping Markdown TextArea that does not re-wrap the text needlessly."""

from __future__ import annotations

from textual.widgets import TextArea


class MarkdownEditor(TextArea):
    """TextArea(language="markdown", soft_wrap=True) tuned for long posts."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", language="markdown", soft_wrap=True, id=id)

    def _watch_show_vertical_scrollbar(self) -> None:
        # TextArea re-wraps the whole document when its scrollbar appears; with a stable
        # scrollbar gutter the wrap width is unchanged, and a 200 KB post would be wrapped
        # again for nothing (~100 ms). Re-wrap only if the width really changed.
        # (Relies on WrappedDocument._width; textual is pinned to 8.2.8.)
        if self.wrap_width and self.wrap_width != self.wrapped_document._width:
            self._rewrap_and_refresh_virtual_size()
        self.scroll_cursor_visible()
