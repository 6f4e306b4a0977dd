"""PostsScreen: the posts list with sort, filter, and keys to edit, preview, trash and more."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Input, Static

from hkcms.core.errors import HkcmsError
from hkcms.core.leases import Lease
from hkcms.core.posts import PostInfo
from hkcms.core.translations import Languages, create_translation, languages_of
from hkcms.core.wording import count
from hkcms.tui.messages import PostChosen, PostHighlighted, SettingsChanged
from hkcms.tui.post_index import PostIndex, next_sort, read_bodies, sort_by
from hkcms.tui.safe import clean
from hkcms.tui.watch import disk_signature
from hkcms.tui.widgets.key_bar import KeyBar
from hkcms.tui.widgets.post_table import PostTable

if TYPE_CHECKING:
    from hkcms.tui.app import HkcmsApp


BODY_INDEX_DELAY_S = 0.3


def lease_keys(leases: dict[str, list[Lease]]) -> set[tuple[str, str, str, int]]:
    return {(lease.slug, lease.user, lease.host, lease.pid) for v in leases.values() for lease in v}


class PostsScreen(Screen[None]):
    """The first screen: every post of the site, newest update first."""

    app: HkcmsApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "e", "edit", "Edit", id="posts.edit", tooltip="Edit the highlighted post (also Enter)"
        ),
        Binding(
            "n", "new", "New", id="posts.new", tooltip="New post: asks for a title, then opens it"
        ),
        Binding(
            "p",
            "preview",
            "Preview",
            id="posts.preview",
            tooltip="Preview the post with its contents and views",
        ),
        Binding(
            "h", "history", "History", id="posts.history", tooltip="Revisions, diffs and restore"
        ),
        Binding(
            "c",
            "comments",
            "Comments",
            id="posts.comments",
            tooltip="Comments: moderation queue; o shows this post only",
        ),
        Binding(
            "d",
            "trash",
            "Trash",
            show=False,
            id="posts.trash",
            tooltip="Move the post to the trash (asks first)",
        ),
        Binding(
            "t",
            "show_trash",
            "Trash bin",
            show=False,
            id="posts.trash_view",
            tooltip="Show the trash; u there restores a post",
        ),
        Binding(
            "l",
            "translate",
            "Translate",
            show=False,
            id="posts.translate",
            tooltip="Create the highlighted post's translation and open it beside the source",
        ),
        Binding(
            "L",
            "needs_translation",
            "Needs translation",
            show=False,
            id="posts.needs_translation",
            tooltip="Only posts with a missing translation; again: every post",
        ),
        Binding("s", "sort", "Sort", show=False, id="posts.sort", tooltip="Cycle the sort order"),
        Binding(
            "slash",
            "filter",
            "Filter",
            id="posts.filter",
            tooltip="Filter by title, tags, author and text",
        ),
        Binding(
            "escape",
            "clear_filter",
            "Clear filter",
            show=False,
            id="posts.clear_filter",
            tooltip="Leave the filter box; again: clear the filter",
        ),
        Binding("r", "reload", "Reload from disk", show=False, id="posts.reload"),
        Binding(
            "exclamation_mark",
            "problems",
            "Unreadable files",
            show=False,
            id="posts.problems",
            tooltip="Post files that could not be read, and why",
        ),
        Binding(
            "x",
            "export",
            "Export",
            show=False,
            id="posts.export",
            tooltip="Export the site (and publish)",
        ),
        Binding(
            "v",
            "stats",
            "Most read",
            show=False,
            id="posts.stats",
            tooltip="Most-read posts over 7, 30, 365 days",
        ),
        Binding("q", "app.quit", "Quit", id="posts.quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.index = PostIndex()
        self.sort_key = "updated"
        self.leases: dict[str, list[Lease]] = {}
        self.loaded = False
        self.problems: list[HkcmsError] = []
        self._signature: int | None = None
        self.langs: Languages | None = None
        self.needs_translation = False  # the "needs translation" filter (L)

    def compose(self) -> ComposeResult:
        yield Static(id="posts-bar", classes="bar")
        yield PostTable(id="posts-table", empty_text="Loading posts…")
        yield Static(id="posts-details", classes="details")
        yield Input(placeholder="/ filter by title, tags, author or text", id="posts-filter")
        yield KeyBar()

    @property
    def table(self) -> PostTable:
        return self.query_one(PostTable)

    @property
    def query_text(self) -> str:
        return self.query_one("#posts-filter", Input).value

    def on_mount(self) -> None:
        self.table.focus()
        self._update_bar()
        self.load_posts()
        self.set_interval(self.app.poll_interval, self.poll_disk)

    def on_screen_resume(self) -> None:
        # Back from another screen: re-read only if something changed (a stat per file).
        if self.loaded:
            self.poll_disk()

    # ---- loading (workers) -------------------------------------------------------------

    @work(thread=True, exclusive=True, group="posts-scan")
    def load_posts(self) -> None:
        """Scan posts/ and leases off the UI thread, then show them."""
        try:
            result = self.app.store.scan(background=True)  # rows first, history after
        except HkcmsError as exc:
            self.app.call_from_thread(
                self.notify, clean(exc), severity="error", timeout=10, markup=False
            )
            return
        except Exception as exc:  # noqa: BLE001 - a bug in reading must not close the app
            message = f"Could not read the posts: {clean(exc)} (run 'hkcms check')"
            self.app.call_from_thread(
                self.notify, message, severity="error", timeout=15, markup=False
            )
            return
        leases = self.app.leases.others()
        signature = disk_signature(self.app.site)
        # The new index (10,000 haystacks) is built here, not on the UI thread.
        index = PostIndex()
        index.set_posts(result.posts, self.index.bodies, previous=self.index)
        settings = self.app.site.settings
        langs = languages_of(result.posts, settings.language, settings.languages)
        self.app.call_from_thread(self._apply_scan, index, result.problems, leases, langs)
        self._signature = signature
        # Reading every post competes with the UI thread for the GIL: let the rows paint first.
        self.app.call_from_thread(
            self.set_timer, BODY_INDEX_DELAY_S, lambda: self.index_bodies(result.posts)
        )

    @work(thread=True, exclusive=True, group="posts-bodies")
    def index_bodies(self, posts: list[PostInfo]) -> None:
        """Read every post's text into the lowercase search index (for body search)."""
        bodies = read_bodies(posts, self.index.bodies, paused=lambda: not self.is_current)
        prepared = self.index.prepare_bodies(bodies)
        self.app.call_from_thread(self._apply_bodies, bodies, prepared)

    @work(thread=True, exclusive=True, group="posts-poll")
    def poll_disk(self) -> None:
        """Notice edits by other people or programs: a stat of each file, no reading."""
        if not self.loaded or not self.is_current:
            return  # another screen is in front; returning here polls again
        # Read first: it also removes the leases of hkcms processes on this machine that were
        # killed, whose files would otherwise never change.
        leases = self.app.leases.others()
        signature = disk_signature(self.app.site)
        if self._signature is not None and signature != self._signature:
            self._signature = signature
            self.app.call_from_thread(self.load_posts)
        elif lease_keys(leases) != lease_keys(self.leases):  # e.g. another machine's expired
            self.app.call_from_thread(self._apply_leases, leases)

    def _apply_leases(self, leases: dict[str, list[Lease]]) -> None:
        self.leases = leases
        self.table.show(self.table.rows, set(leases))
        self._update_details(self.table.highlighted)

    def _apply_scan(
        self,
        index: PostIndex,
        problems: list[HkcmsError],
        leases: dict[str, list[Lease]],
        langs: Languages,
    ) -> None:
        first = not self.loaded
        self.loaded = True
        self.leases = leases
        self.langs = langs
        self.index = index
        posts = index.posts
        self.table.empty_text = "No posts yet: press n to write one" if not posts else "No match"
        self.refresh_rows()
        # Say so once for every file that cannot be read: at start, and whenever another one
        # appears (a file added or broken outside hkcms would otherwise just vanish).
        seen = {str(p) for p in self.problems}
        new = [p for p in problems if str(p) not in seen] if not first else problems
        self.problems = problems
        self._update_bar(len(self.table.rows))
        if new:
            names = "; ".join(clean(p) for p in new[:3])
            more = f" and {len(new) - 3} more" if len(new) > 3 else ""
            self.notify(
                f"{count(len(new), 'post file')} could not be read and "
                f"{'is' if len(new) == 1 else 'are'} "
                f"left out of the list: {names}{more}. Press ! to see them all.",
                severity="warning",
                timeout=15,
                markup=False,
            )

    def _apply_bodies(
        self,
        bodies: dict[str, tuple[tuple[int, int], str]],
        prepared: tuple[dict[str, str], tuple[dict[str, str], dict[str, int]]],
    ) -> None:
        self.index.set_bodies(bodies, prepared)
        if self.query_text.strip():
            self.refresh_rows()

    # ---- showing -----------------------------------------------------------------------

    def refresh_rows(self) -> None:
        slugs = self.index.matches(self.sort_key, self.query_text)
        langs = self.langs
        if self.needs_translation and langs is not None:
            slugs = [s for s in slugs if langs.missing(s)]
        posts = self.index.posts
        self.table.show([posts[s] for s in slugs], set(self.leases), langs)
        self._update_bar(len(slugs))
        self._update_details(self.table.highlighted)

    def _update_bar(self, shown: int | None = None) -> None:
        title = Text(clean(self.app.site.settings.title), style="bold")
        total = len(self.index.posts)
        if not self.loaded:
            title.append("  loading…")
        else:
            posts = count(total, "post")
            shown_text = posts if shown in (None, total) else f"{shown:,} of {posts}"
            title.append(f"  {shown_text} · sorted by {sort_by(self.sort_key).label}")
            if self.needs_translation:
                title.append(" · needs translation", style="bold")
            if self.query_text.strip() and not self.index.has_bodies:
                title.append(" · indexing text…")
            if self.problems:
                unreadable = count(len(self.problems), "unreadable file")
                title.append(f" · {unreadable} (! lists)", style="bold yellow")
        self.query_one("#posts-bar", Static).update(title)

    def _update_details(self, slug: str | None) -> None:
        details = self.query_one("#posts-details", Static)
        post = self.index.posts.get(slug) if slug else None
        if post is None:
            details.update("")
            return
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(clean(post.slug), style="bold")
        revisions = count(post.revisions, "revision")
        line.append(f"  {clean(post.lang) or 'no language set'}")
        if self.langs is not None:
            others = [x for x in self.langs.have.get(post.slug, ()) if x != post.lang]
            missing = self.langs.missing(post.slug)
            if others:
                line.append(f" · also in {', '.join(others)}")
            if missing:
                line.append(f" · missing {', '.join(missing)} (l translates)", style="bold")
        line.append(f" · {revisions}")
        if post.comments_pending:
            line.append(f" · {count(post.comments_pending, 'comment')} waiting", style="bold")
        who = self.leases.get(post.slug)
        if who:
            names = ", ".join(clean(lease.label()) for lease in who)
            line.append(f" · open by {names}", style="bold red")
        details.update(line)

    @on(SettingsChanged)
    def _settings_changed(self) -> None:
        self._update_bar(len(self.table.rows))

    @on(PostHighlighted)
    def _highlighted(self, event: PostHighlighted) -> None:
        self._update_details(event.slug)

    @on(PostChosen)
    def _chosen(self, event: PostChosen) -> None:
        self.app.open_editor(event.slug)

    @on(Input.Changed, "#posts-filter")
    def _filter_changed(self) -> None:
        self.refresh_rows()

    @on(Input.Submitted, "#posts-filter")
    def _filter_submitted(self) -> None:
        self.table.focus()

    # ---- actions -----------------------------------------------------------------------

    def _current(self) -> str | None:
        """The post a key acts on: only one visibly highlighted, never a row scrolled away."""
        slug = self.table.visible_highlight
        if slug is None:
            self.notify("No post is highlighted: move to one with ↑/↓ first.", severity="warning")
        return slug

    def action_edit(self) -> None:
        if slug := self._current():
            self.app.open_editor(slug)

    def action_new(self) -> None:
        self.app.new_post()

    def action_preview(self) -> None:
        if slug := self._current():
            self.app.open_preview(slug)

    def action_history(self) -> None:
        if slug := self._current():
            self.app.open_history(slug)

    def action_comments(self) -> None:
        self.app.open_comments(self.table.visible_highlight)

    def action_show_trash(self) -> None:
        self.app.open_trash()

    def action_export(self) -> None:
        self.app.open_export()

    def action_stats(self) -> None:
        self.app.open_stats()

    def action_trash(self) -> None:
        slug = self._current()
        if slug is None:
            return
        post = self.index.posts[slug]
        question = Text("Move ")
        question.append(f"“{clean(post.title)}”", style="bold")
        question.append(" to the trash?\nYou can restore it from the trash bin (t, then u).")

        def done(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.app.store.trash(slug)
            except HkcmsError as exc:
                self.notify(clean(exc), severity="error", markup=False)
                return
            self.notify(
                f"Moved to the trash: {clean(post.title)} (t shows the trash)", markup=False
            )
            self.load_posts()

        from hkcms.tui.screens.confirm import ConfirmDialog

        self.app.push_screen(ConfirmDialog(question, yes="Move to trash"), done)

    def action_needs_translation(self) -> None:
        self.needs_translation = not self.needs_translation
        self.refresh_rows()

    def action_translate(self) -> None:
        slug = self._current()
        if slug is None:
            return
        missing = self.langs.missing(slug) if self.langs is not None else ()

        def chosen(lang: str | None) -> None:
            if lang:
                self.translate(slug, lang)

        from hkcms.tui.screens.prompt import PromptDialog

        dialog = PromptDialog(
            "Translate into which language? (a tag such as zh-Hant or en)",
            placeholder="zh-Hant",
            value=missing[0] if missing else "",
        )
        self.app.push_screen(dialog, chosen)

    @work(thread=True, exclusive=True, group="posts-translate")
    def translate(self, slug: str, lang: str) -> None:
        """Create the translation (two small writes) off the UI thread, then open it."""
        try:
            post = create_translation(self.app.store, slug, lang)
        except HkcmsError as exc:
            self.app.call_from_thread(
                self.notify, clean(exc), severity="error", timeout=10, markup=False
            )
            return
        self.app.call_from_thread(self.app.open_editor, post.slug, slug)
        self.app.call_from_thread(self.load_posts)

    def action_sort(self) -> None:
        self.sort_key = next_sort(self.sort_key)
        self.refresh_rows()

    def action_filter(self) -> None:
        # Focus now, not after a refresh (Widget.focus): keys typed right after "/" are
        # already queued and must reach the filter box, not run list commands.
        self.set_focus(self.query_one("#posts-filter", Input))

    def action_clear_filter(self) -> None:
        box = self.query_one("#posts-filter", Input)
        if box.has_focus:
            self.table.focus()  # leave the filter box, keep the filter
        elif box.value:
            box.value = ""

    def action_reload(self) -> None:
        self.load_posts()

    def action_problems(self) -> None:
        if not self.problems:
            self.notify("Every post file can be read.")
            return
        from hkcms.tui.screens.problems import ProblemsScreen

        self.app.push_screen(ProblemsScreen(self.problems))
