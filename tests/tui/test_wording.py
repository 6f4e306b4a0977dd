"""Counted nouns agree with their number everywhere in the app ("1 comment", "2 comments")."""

from __future__ import annotations

import re

from hkcms.core.meta import MetaStore
from hkcms.core.posts import PostStore
from hkcms.core.views import ViewStore
from hkcms.tui.widgets.post_table import PostTable

from .conftest import settle, wait_loaded

WRONG = re.compile(r"(?<![\d,])1 (comments|revisions|posts|changes|files|unreadable files)\b")


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def test_one_of_anything_is_singular(make_app, tui_site):
    PostStore(tui_site).trash("draft-agm")
    ViewStore(MetaStore(tui_site)).set_baseline("spring-rally", 5)
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot)
        app.screen.query_one(PostTable).move_to("粵語班開課")  # one revision, one pending comment
        await pilot.pause()
        details = text(app, "#posts-details")
        assert "1 revision ·" in details and "1 comment waiting" in details
        seen = [details]
        await pilot.press("h")
        await settle(pilot)
        seen.append(text(app, "#history-bar"))
        assert "1 revision" in seen[-1]
        await pilot.press("escape", "t")
        await settle(pilot)
        seen.append(text(app, "#trash-bar"))
        assert "1 post ·" in seen[-1]
        await pilot.press("escape", "v", "p", "p")  # all time
        await settle(pilot)
        seen.append(text(app, "#stats-bar"))
        assert "1 post with views" in seen[-1]
        for line in seen:
            assert not WRONG.search(line), line
