"""HkcmsCommands: the command palette's hkcms commands (ctrl+p), depending on the screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from hkcms.tui.app import HkcmsApp

Command = tuple[str, str, Callable[[], object]]


class HkcmsCommands(Provider):
    """New post, export, publish, preview, comments, trash, statistics and more."""

    def commands(self) -> list[Command]:
        app: HkcmsApp = self.app  # type: ignore[assignment]
        screen = self.screen
        out: list[Command] = [
            ("New post", "ask for a title, create the post and open it", app.new_post),
            ("Go to comments", "the moderation queue of comments", app.open_comments),
            ("Go to trash", "posts in the trash; u restores", app.open_trash),
            ("Import a blog", "WordPress, a feed, …: posts, comments, images", app.open_import),
            ("Go to posts list", "back to the list of posts", app.go_home),
            ("Show keys", "every key of the current screen", app.action_help),
        ]
        for name, help_text, action in (
            ("Toggle preview", "show or hide the rendered post", "toggle_preview"),
            ("Toggle fields", "show or hide title, tags, status…", "toggle_fields"),
            ("Save post", "save now (ctrl+s)", "save"),
            ("Open in $EDITOR", "edit the whole file in your own editor", "external"),
            ("Cycle sort order", "updated, title, views, comments, date, status", "sort"),
            ("Reload posts", "read the posts folder again", "reload"),
        ):
            method = getattr(screen, f"action_{action}", None)
            if method is not None:
                out.append((name, help_text, method))
        out.append(("Export site", "build the static site into public/", app.open_export))
        out.append(("Publish site", "upload the export with rsync", app.confirm_publish))
        out.append(("Most read posts", "views in the last 7, 30 or 365 days", app.open_stats))
        return out

    async def discover(self) -> Hits:
        for name, help_text, callback in self.commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self.commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
