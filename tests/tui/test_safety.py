"""Untrusted text on screen, column layout at 80/120 columns, wide characters, and leases."""

from __future__ import annotations

import os
import re

import pytest
from rich.cells import cell_len

from hkcms.core.leases import LeaseStore, pid_alive
from hkcms.tui.safe import clean, fit, pad
from hkcms.tui.screens.comments import CommentsScreen
from hkcms.tui.widgets.post_table import PostTable, layout

from .conftest import HOSTILE_TITLE, settle, wait_loaded

CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def test_clean_removes_escapes_and_bidi_but_keeps_markup_literally():
    shown = clean(HOSTILE_TITLE)
    assert not CONTROL.search(shown)
    assert "[bold]Boom[/b]" in shown and "[@click=app.quit]" in shown


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("Welcome Guide for New Arrivals", 24, "Welcome Guide for New…"),
        ("Spring Rally in Manchester", 12, "Spring Rally…"[:0] + "Spring…"),
        ("粵語班開課：讓下一代說廣東話", 10, "粵語班開…"),
        ("short", 10, "short"),
        ("Supercalifragilistic", 8, "Superca…"),
    ],
)
def test_fit_cuts_at_words_and_counts_wide_characters(text, width, expected):
    out = fit(text, width)
    assert out == expected
    assert cell_len(out) <= width


def test_pad_is_exact_in_cells_with_chinese():
    assert cell_len(pad("陳小玲", 12)) == 12
    assert cell_len(pad("粵語班開課：讓下一代", 9)) == 9  # never half a wide character over


def test_layout_drops_columns_on_narrow_terminals():
    narrow = [c.key for c, _ in layout(80)]
    wide = [c.key for c, _ in layout(120)]
    assert "tags" not in narrow and "title" in narrow and "status" in narrow
    assert "tags" in wide and "author" in wide
    for width in (60, 80, 100, 120, 200):
        cols = layout(width)
        assert sum(w for _, w in cols) + len(cols) - 1 == width


async def test_hostile_titles_render_as_harmless_text(make_app):
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot)
        table = app.screen.query_one(PostTable)
        table.move_to("hostile")
        await pilot.pause()
        lines = [table.render_line(y) for y in range(6)]
        text = "".join(line.text for line in lines)
        assert "[bold]Boom" in text  # shown literally, not as bold markup
        assert not CONTROL.search(text)
        for line in lines:
            assert all(seg.control is None for seg in line)
            assert all(not (seg.style and seg.style.link) for seg in line)
        assert app.is_running  # [@click=app.quit] did nothing
        app.open_editor("hostile")
        await settle(pilot)
        assert "\x1b" not in str(app.screen.query_one("#editor-bar").render())


async def test_hostile_comments_render_as_harmless_text(make_app, tui_site):
    from hkcms.core.comments import CommentStore
    from hkcms.core.meta import MetaStore

    CommentStore(MetaStore(tui_site)).add(
        "draft-agm", "x", "imported", created="[@click=app.quit]\x1b[2J[b]when"
    )
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CommentsScreen)
        spam = next(i for i, c in enumerate(screen.comments) if "pills" in c.body)
        screen.query_one("#comments-table").move_cursor(row=spam)
        await pilot.pause()
        shown = str(screen.query_one("#comments-body").render())
        assert "[@click=app.quit]" in shown and "[b]spam[/b]" in shown
        assert not CONTROL.search(shown.replace("\n", ""))
        table = screen.query_one("#comments-table")
        cells = [str(c) for row in range(table.row_count) for c in table.get_row_at(row)]
        assert any("[@click=app.quit]" in c for c in cells)
        assert not any("\x1b" in c for c in cells)
        assert app.is_running


def test_leases_expire_when_the_process_is_gone(tmp_path):
    from hkcms.core.site import Site

    site = Site.init(tmp_path / "s")
    me = LeaseStore(site, user="me", host="h1", pid=os.getpid())
    dead = LeaseStore(site, user="gone", host="h1", pid=2**22 + 12345)
    assert not pid_alive(dead.pid)
    dead.acquire("post-a")
    other = LeaseStore(site, user="ada", host="h2", pid=7)
    other.acquire("post-b")
    me.acquire("post-c")
    seen = me.others()
    assert set(seen) == {"post-b"}  # dead pid on this host ignored, own lease not listed
    assert seen["post-b"][0].label() == "ada@h2"
    assert not list((site.state_dir / "leases").glob("h1.*.json"))[1:]  # the dead one removed
    me.release_all()
    assert set(LeaseStore(site, host="h3").others()) == {"post-b"}


def test_a_broken_lease_file_is_ignored(tmp_path):
    from hkcms.core.site import Site

    site = Site.init(tmp_path / "s")
    folder = site.state_dir / "leases"
    folder.mkdir(parents=True)
    (folder / "junk.json").write_text("{not json")
    assert LeaseStore(site).others() == {}


def test_a_lease_whose_pid_was_reused_has_expired(tmp_path):
    import json

    from hkcms.core.site import Site

    site = Site.init(tmp_path / "s")
    # A lease written by an earlier process that had our parent's pid (it started at another time).
    old = LeaseStore(site, user="gone", host="h1", pid=os.getppid())
    old.acquire("post-a")
    path = next((site.state_dir / "leases").glob("*.json"))
    data = json.loads(path.read_text())
    assert data["started"]
    data["started"] = "1"
    path.write_text(json.dumps(data))
    assert LeaseStore(site, host="h1").others() == {}
    assert not path.exists()
