"""PreviewScreen: a post rendered as the site will show it, with its table of contents."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Markdown, OptionList, Static
from textual.widgets.option_list import Option

from hkcms.core.errors import HkcmsError
from hkcms.core.post import Post
from hkcms.tui.safe import clean
from hkcms.tui.widgets.key_bar import KeyBar
from hkcms.tui.widgets.preview_pane import PreviewPane
from hkcms.tui.widgets.views_panel import ViewsPanel

if TYPE_CHECKING:
    from hkcms.tui.app import HkcmsApp


class PreviewScreen(Screen[None]):
    """Read-only view of one post; Tab moves between the contents and the text."""

    app: HkcmsApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Back", id="preview.back"),
        Binding("e", "edit", "Edit", id="preview.edit"),
        Binding("t", "toggle_toc", "Contents", id="preview.toc"),
        Binding("h", "history", "History", show=False, id="preview.history"),
    ]

    def __init__(self, slug: str) -> None:
        super().__init__()
        self.slug = slug
        self.post: Post | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="preview-bar", classes="bar")
        with Horizontal(id="preview-main"):
            with Vertical(id="preview-side"):
                yield Static("Contents", classes="side-title")
                yield OptionList(id="preview-toc")
                yield ViewsPanel(self.slug, id="preview-views")
            yield PreviewPane(id="preview-body")
        yield KeyBar()

    def on_mount(self) -> None:
        self.set_class(self.app.size.width < 100, "-toc-hidden")
        self.load()

    @work(thread=True, exclusive=True, group="preview-load")
    def load(self) -> None:
        try:
            post = self.app.store.load(self.slug)
        except HkcmsError as exc:
            self.app.call_from_thread(self.notify, clean(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self._show, post)

    def _show(self, post: Post) -> None:
        self.post = post
        bar = Text(clean(post.title), style="bold", no_wrap=True, overflow="ellipsis")
        bar.append(f"  {clean(post.author)} · {post.date} · {post.status}", style="dim")
        self.query_one("#preview-bar", Static).update(bar)
        pane = self.query_one(PreviewPane)
        pane.show(post.body, now=True)
        pane.focus()

    @on(Markdown.TableOfContentsUpdated)
    def _toc(self, event: Markdown.TableOfContentsUpdated) -> None:
        toc = self.query_one("#preview-toc", OptionList)
        toc.clear_options()
        for level, label, block_id in event.table_of_contents:
            text = Text("  " * (level - 1) + clean(label), no_wrap=True, overflow="ellipsis")
            toc.add_option(Option(text, id=block_id))
        if not event.table_of_contents:
            toc.add_option(Option(Text("(no headings)", style="dim"), disabled=True))

    @on(OptionList.OptionSelected, "#preview-toc")
    def _jump(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            pane = self.query_one(PreviewPane)
            block = pane.markdown.query_one(f"#{event.option.id}")
            pane.scroll_to_widget(block, top=True, animate=False)

    def action_toggle_toc(self) -> None:
        self.toggle_class("-toc-hidden")
        if not self.has_class("-toc-hidden"):
            self.query_one("#preview-toc").focus()

    def action_edit(self) -> None:
        self.app.pop_screen()
        self.app.open_editor(self.slug)

    def action_history(self) -> None:
        self.app.pop_screen()
        self.app.open_history(self.slug)
