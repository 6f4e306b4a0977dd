"""Fixtures for the TUI tests: a small site with fixed dates, hostile values, and app helpers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from hkcms.core.comments import CommentStore
from hkcms.core.leases import LeaseStore
from hkcms.core.posts import PostStore
from hkcms.core.site import Site
from hkcms.tui.app import HkcmsApp

FIXED_TIME = "2026-11-01T09:30:00+00:00"
HOSTILE_TITLE = "[bold]Boom[/b] [@click=app.quit]x[/] \x1b]0;pwned\x07\x1b[31mred \u202eevil"

POSTS = {
    "spring-rally": (
        "title: Spring rally in Manchester\nauthor: Ada Wong\ndate: 2026-04-12\n"
        "tags: [events, advocacy]\nstatus: published\nlang: en\n",
        "# Spring rally\n\nWe marched through Piccadilly Gardens.\n\n"
        "## Speakers\n\nThree of them.\n",
    ),
    "粵語班開課": (
        "title: 粵語班開課：讓下一代說廣東話\nauthor: 陳小玲\ndate: 2026-09-06\n"
        "tags: [教育, 社區]\nstatus: published\nlang: zh-Hant\n",
        "## 課程\n\n逢星期六上午十時，歡迎家長帶同子女參加。\n",
    ),
    "draft-agm": (
        "title: Notes for the annual general meeting\nauthor: Brian Lee\ndate: 2026-10-01\n"
        "tags: [meetings]\nstatus: draft\nlang: en\n",
        "The committee will report on the year. Bring a friend; the secret word is marmalade.\n",
    ),
    "hostile": (
        'title: "[bold]Boom[/b] [@click=app.quit]x[/] \\e]0;pwned\\a\\e[31mred \\u202Eevil"\n'
        'author: "[/]\\e[2J"\ndate: 2026-01-01\ntags: ["[red]tag"]\nstatus: published\n',
        "Hostile metadata, harmless body.\n",
    ),
}


def write_site(root: Path) -> Site:
    site = Site.init(root, title="Test site")
    for slug, (front, body) in POSTS.items():
        (site.posts_dir / f"{slug}.md").write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    return site


@pytest.fixture(autouse=True)
def _fixed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Revision and comment times are fixed so that snapshots do not change."""
    monkeypatch.setattr("hkcms.core.history.now_iso", lambda: FIXED_TIME)
    monkeypatch.setattr("hkcms.core.comments.now_iso", lambda: FIXED_TIME)


@pytest.fixture
def tui_site(tmp_path: Path) -> Site:
    site = write_site(tmp_path / "site")
    store = PostStore(site)
    store.scan()  # records the first revision of each post
    comments = CommentStore(store.meta)
    day = "2026-11-0{}T10:00:00+00:00"
    comments.add(
        "spring-rally", "Chloe", "Great day, thank you!", status="approved", created=day.format(1)
    )
    comments.add(
        "spring-rally",
        "[b]spam[/b]\x1b[5m",
        "Buy \u202echeap\u202c pills [@click=app.quit]",
        created=day.format(2),
    )
    comments.add("粵語班開課", "家長", "請問幾歲可以參加？", created=day.format(3))
    return site


class FakeEditor:
    """Stands in for $EDITOR: records the text it got and returns `result(text)`."""

    def __init__(self, result: Callable[[str], str]) -> None:
        self.result = result
        self.seen: list[str] = []

    def __call__(self, app: object, text: str) -> str:
        self.seen.append(text)
        return self.result(text)


@pytest.fixture
def make_app(tui_site: Site) -> Callable[..., HkcmsApp]:
    def make(**kwargs: object) -> HkcmsApp:
        kwargs.setdefault("leases", LeaseStore(tui_site, user="tester", host="testhost"))
        return HkcmsApp(tui_site, **kwargs)  # type: ignore[arg-type]

    return make


async def wait_loaded(pilot: Pilot) -> None:
    """Wait until the posts list has been filled by its worker (and the body index built)."""
    from hkcms.tui.screens.posts import PostsScreen

    for _ in range(1000):  # up to 20 s: CI machines can be slow and busy
        await pilot.pause(0.02)
        screen = pilot.app.screen_stack[1] if len(pilot.app.screen_stack) > 1 else None
        if isinstance(screen, PostsScreen) and screen.loaded and screen.index.has_bodies:
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            return
    raise AssertionError("posts never loaded")


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def notices(app: HkcmsApp) -> list[str]:
    """The messages of the notifications on screen now (toasts), oldest first."""
    return [str(n.message) for n in app._notifications]
