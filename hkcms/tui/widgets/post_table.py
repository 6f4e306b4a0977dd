"""PostTable: a posts list that renders only the visible rows (Line API), keyed by slug."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from hkcms.core.lang import normalise_lang
from hkcms.core.posts import PostInfo
from hkcms.core.translations import Languages
from hkcms.tui.messages import PostChosen, PostHighlighted
from hkcms.tui.safe import clean, pad


@dataclass(frozen=True)
class Column:
    """One column: its header, width in cells (0 = takes the rest) and when it is dropped."""

    key: str
    header: str
    width: int
    drop_order: int  # columns with a higher number are dropped first on narrow terminals
    right: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("lease", "", 1, 0),
    Column("title", "Title", 0, 0),
    Column("status", "Status", 9, 0),
    Column("langs", "Lang", 8, 0),
    Column("author", "Author", 12, 3),
    Column("tags", "Tags", 16, 4),
    Column("updated", "Updated", 10, 1),
    Column("views", "Views", 6, 2, right=True),
    Column("comments", "Comments", 8, 2, right=True),
)
MIN_TITLE = 24


def layout(width: int) -> list[tuple[Column, int]]:
    """Columns that fit in `width` cells with their widths; the title gets what is left."""
    columns = list(COLUMNS)

    def title_width(cols: list[Column]) -> int:
        return width - sum(c.width for c in cols) - (len(cols) - 1)

    for drop in sorted({c.drop_order for c in COLUMNS if c.drop_order}, reverse=True):
        if title_width(columns) >= MIN_TITLE:
            break
        columns = [c for c in columns if c.drop_order != drop]
    title = max(title_width(columns), 8)
    return [(c, c.width or title) for c in columns]


def short_names(languages: tuple[str, ...]) -> dict[str, str]:
    """Short labels of the site's languages: 'zh' for zh-Hant, unless two share it."""
    firsts = [lang.split("-")[0] for lang in languages]
    return {
        lang: first if firsts.count(first) == 1 else lang
        for lang, first in zip(languages, firsts, strict=True)
    }


def langs_text(post: PostInfo, langs: Languages | None) -> str:
    """The post's language, then its other versions; a missing one is marked '!': 'en !zh'
    is English with the Chinese translation missing, 'zh en' Chinese with an English one."""
    if langs is None:
        return clean(post.lang)
    own = normalise_lang(post.lang, langs.site[0])
    names = short_names(tuple(dict.fromkeys([*langs.site, own])))
    have = langs.have.get(post.slug, (own,))
    parts = [names[own]]
    for lang in langs.site:
        if lang != own:
            parts.append(names[lang] if lang in have else "!" + names[lang])
    return " ".join(parts)


def cell_text(post: PostInfo, key: str, langs: Languages | None = None) -> str:
    """Display text of one cell (already cleaned of control characters)."""
    if key == "langs":
        return langs_text(post, langs)
    if key == "title":
        return clean(post.title)
    if key == "status":
        return post.status
    if key == "author":
        return clean(post.author)
    if key == "tags":
        return clean(", ".join(post.tags))
    if key == "updated":
        return post.updated[:10]
    if key == "views":
        return f"{post.views:,}"
    if key == "comments":
        pending = f"+{post.comments_pending}" if post.comments_pending else ""
        return f"{post.comments}{pending}"
    return ""


class PostTable(ScrollView, can_focus=True):
    """Rows of posts; the cursor follows a slug across refreshes, sorting and filtering."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "post-table--header",
        "post-table--cursor",
        "post-table--draft",
        "post-table--scheduled",
        "post-table--lease",
        "post-table--empty",
    }
    DEFAULT_CSS = """
    PostTable {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
    }
    PostTable > .post-table--header { text-style: bold; background: $panel; }
    PostTable > .post-table--cursor { background: $block-cursor-blurred-background; }
    PostTable:focus > .post-table--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
    }
    PostTable > .post-table--draft { color: $warning; }
    PostTable > .post-table--scheduled { color: $accent; }
    PostTable > .post-table--lease { color: $error; text-style: bold; }
    PostTable > .post-table--empty { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="table.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="table.page_down"),
        Binding("home,g", "first", "First post", show=False, id="table.first"),
        Binding("end,G", "last", "Last post", show=False, id="table.last"),
        Binding("enter", "choose", "Edit", show=False, id="table.choose"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True)
    """Index of the highlighted row among the shown rows."""

    def __init__(self, *, id: str | None = None, empty_text: str = "No posts") -> None:
        super().__init__(id=id)
        self.rows: list[PostInfo] = []
        self.leased: set[str] = set()
        self.langs: Languages | None = None
        self.empty_text = empty_text
        self._columns: list[tuple[Column, int]] = layout(80)

    # ---- data ------------------------------------------------------------------------

    @property
    def highlighted(self) -> str | None:
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor].slug
        return None

    @property
    def visible_highlight(self) -> str | None:
        """The highlighted post if its row is on screen now (not scrolled away), else None."""
        slug = self.highlighted
        top = round(self.scroll_y)
        rows_shown = self.scrollable_content_region.height - 1  # below the header line
        return slug if slug is not None and top <= self.cursor < top + rows_shown else None

    def show(
        self,
        rows: list[PostInfo],
        leased: set[str] | None = None,
        langs: Languages | None = None,
    ) -> None:
        """Replace the rows, keeping the cursor on the same post when it is still shown."""
        keep = self.highlighted
        self.rows = rows
        if leased is not None:
            self.leased = leased
        if langs is not None:
            self.langs = langs
        self.virtual_size = Size(self._width(), len(rows) + 1)
        index = next((i for i, p in enumerate(rows) if p.slug == keep), None) if keep else None
        self.cursor = index if index is not None else min(self.cursor, max(len(rows) - 1, 0))
        self.refresh()

    def move_to(self, slug: str) -> None:
        for i, post in enumerate(self.rows):
            if post.slug == slug:
                self.cursor = i
                return

    def watch_cursor(self, old: int, new: int) -> None:
        if self.rows:
            clamped = max(0, min(new, len(self.rows) - 1))
            if clamped != new:
                self.cursor = clamped
                return
            self._scroll_to_cursor()
        self.refresh()
        self.post_message(PostHighlighted(self.highlighted))

    def _scroll_to_cursor(self) -> None:
        visible = max(self.scrollable_content_region.height - 1, 1)
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False, immediate=True)

    # ---- actions ---------------------------------------------------------------------

    def action_cursor(self, delta: int) -> None:
        self.cursor = max(0, min(self.cursor + delta, len(self.rows) - 1))

    def action_page(self, direction: int) -> None:
        step = max(self.scrollable_content_region.height - 2, 1)
        self.action_cursor(direction * step)

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = max(len(self.rows) - 1, 0)

    def action_choose(self) -> None:
        if self.highlighted:
            self.post_message(PostChosen(self.highlighted))

    def on_click(self, event: events.Click) -> None:
        row = int(self.scroll_y) + event.y - 1
        if event.y >= 1 and 0 <= row < len(self.rows):
            if row == self.cursor and event.chain > 1:
                self.action_choose()
            self.cursor = row

    # ---- rendering -------------------------------------------------------------------

    def _width(self) -> int:
        return max(self.scrollable_content_region.width, 1)

    def on_resize(self, event: events.Resize) -> None:
        self._columns = layout(self._width())
        self.virtual_size = Size(self._width(), len(self.rows) + 1)
        self._scroll_to_cursor()

    def render_line(self, y: int) -> Strip:
        width = self._width()
        if self._columns and sum(w for _, w in self._columns) + len(self._columns) - 1 != width:
            self._columns = layout(width)
        base = self.rich_style
        if y == 0:
            style = base + self.get_component_rich_style("post-table--header")
            text = " ".join(pad(c.header, w, right=c.right) for c, w in self._columns)
            return Strip([Segment(pad(text, width), style)], width)
        index = int(self.scroll_y) + y - 1
        if index >= len(self.rows):
            if not self.rows and y == 1:
                style = base + self.get_component_rich_style("post-table--empty")
                return Strip([Segment(pad(" " + self.empty_text, width), style)], width)
            return Strip.blank(width, base)
        return self._row_strip(self.rows[index], index == self.cursor, width, base)

    def _row_strip(self, post: PostInfo, is_cursor: bool, width: int, base: Style) -> Strip:
        row_style = base
        if is_cursor:
            row_style = base + self.get_component_rich_style("post-table--cursor")
        segments: list[Segment] = []
        for i, (column, cell_width) in enumerate(self._columns):
            style = row_style
            if column.key == "lease":
                text = "@" if post.slug in self.leased else " "
                if post.slug in self.leased and not is_cursor:
                    style = row_style + self.get_component_rich_style("post-table--lease")
            else:
                text = cell_text(post, column.key, self.langs)
                if column.key == "status" and post.status != "published" and not is_cursor:
                    style = row_style + self.get_component_rich_style(f"post-table--{post.status}")
            segments.append(Segment(pad(text, cell_width, right=column.right), style))
            if i < len(self._columns) - 1:
                segments.append(Segment(" ", row_style))
        return Strip(segments, width).adjust_cell_length(width, row_style)
