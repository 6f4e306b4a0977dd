"""Broken post files never stop the TUI: the others are listed, each broken one is named."""

from __future__ import annotations

import os
import re

import pytest

from hkcms.core.site import Site
from hkcms.tui.screens.posts import PostsScreen
from hkcms.tui.screens.problems import ProblemsScreen
from hkcms.tui.widgets.list_table import ListTable
from hkcms.tui.widgets.post_table import PostTable

from .conftest import notices, settle, wait_loaded

GOOD = {"spring-rally", "粵語班開課", "draft-agm", "hostile"}

# (file name as bytes, content): each is one unreadable post file.
BROKEN: dict[str, tuple[bytes, bytes]] = {
    "yaml syntax": (b"unclosed.md", b"---\ntitle: [unclosed\n---\nbody\n"),
    "no title": (b"untitled.md", b"---\nauthor: Ada\n---\nbody\n"),
    "date out of range": (b"bad-date.md", b"---\ntitle: Bad date\ndate: 2024-13-45\n---\nx\n"),
    "30 February": (b"feb.md", b"---\ntitle: Feb\ndate: 2024-02-30\n---\nx\n"),
    "huge integer": (b"big.md", b"---\ntitle: Big\nviews: " + b"9" * 5000 + b"\n---\nx\n"),
    "bad time": (b"time.md", b"---\ntitle: Time\ndate: 2024-01-01 25:61:00\n---\nx\n"),
    "not UTF-8 name": (b"caf\xe9.md", b"---\ntitle: Cafe\n---\nbody\n"),
    "not UTF-8 text": (b"latin1.md", b"---\ntitle: Caf\xe9\n---\nbody\n"),
}


def write_broken(site: Site, name: bytes, content: bytes) -> None:
    path = os.path.join(os.fsencode(site.posts_dir), name)
    with open(path, "wb") as handle:
        handle.write(content)


def rows(app) -> set[str]:
    return {p.slug for p in app.screen.query_one(PostTable).rows}


@pytest.mark.parametrize("case", list(BROKEN))
async def test_a_broken_post_is_named_and_the_others_are_listed(make_app, tui_site, case):
    name, content = BROKEN[case]
    write_broken(tui_site, name, content)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        assert rows(app) == GOOD
        said = notices(app)
        assert any("1 post file could not be read" in n for n in said), said
        assert "1 unreadable file (! lists)" in str(app.screen.query_one("#posts-bar").render())
        await pilot.press("exclamation_mark")
        await settle(pilot)
        assert isinstance(app.screen, ProblemsScreen)
        table = app.screen.query_one(ListTable)
        assert table.row_count == 1
        cells = [str(c) for c in table.get_row_at(0)]
        stem = os.fsdecode(name)[:-3].encode("utf-8", "surrogateescape")
        assert stem.decode("utf-8", "replace") in cells[0]
        assert cells[1] and "\n" not in cells[1]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PostsScreen)
        await pilot.press("q")
        await settle(pilot)
    assert app.return_code == 0


async def test_a_post_file_broken_while_running_is_reported_not_dropped(make_app, tui_site):
    app = make_app(poll_interval=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        assert not notices(app)
        for name, content in BROKEN.values():
            write_broken(tui_site, name, content)
        # A listed post broken by an edit outside hkcms leaves the list: that is said too.
        path = tui_site.post_path("draft-agm")
        path.write_text("---\ntitle: [oops\n---\nThe text.\n", encoding="utf-8")
        for _ in range(300):
            await pilot.pause(0.05)
            if len(app.screen.problems) == len(BROKEN) + 1:
                break
        await settle(pilot)
        assert rows(app) == GOOD - {"draft-agm"}
        said = " ".join(notices(app))
        total = len(BROKEN) + 1
        # One notice, or several if the files were written across two scans: every file told.
        told = re.findall(r"(\d+) post files? could not be read and (?:is|are) left out", said)
        assert sum(int(n) for n in told) == total, said
        assert f"{total} unreadable files" in str(app.screen.query_one("#posts-bar").render())
        await pilot.press("exclamation_mark")
        await settle(pilot)
        assert isinstance(app.screen, ProblemsScreen)
        files = [str(app.screen.query_one(ListTable).get_row_at(i)[0]) for i in range(total)]
        assert any(f.startswith("draft-agm.md") for f in files), files
        await pilot.press("escape")
        path.write_text("---\ntitle: Fixed\n---\nThe text.\n", encoding="utf-8")
        for _ in range(300):
            await pilot.pause(0.05)
            if "draft-agm" in rows(app):
                break
        assert len(app.screen.problems) == len(BROKEN)


async def test_no_broken_files_says_so(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("exclamation_mark")
        await settle(pilot)
        assert isinstance(app.screen, PostsScreen)
        assert "Every post file can be read." in notices(app)
