"""Shared importer helpers: old URL paths never escape; dates as Jekyll and Hugo write them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hkcms.importers.frontmatter import FrontMatterError, split_front_matter
from hkcms.importers.sourcefiles import iso_date, old_url_path, wanted_slug, zone_of


@given(st.text())
def test_an_old_url_path_never_climbs_or_leaves_the_site(text: str) -> None:
    path = old_url_path(text)
    if path is not None:
        assert path.startswith("/") and not path.startswith("//")
        assert ".." not in path.split("/") and "\\" not in path
        assert all(ord(c) >= 0x20 and c != "\x7f" for c in path)


@given(st.text())
def test_a_wanted_slug_is_never_a_path(text: str) -> None:
    slug = wanted_slug(text)
    if slug is not None:
        assert "/" not in slug and ".." not in slug and slug.strip() == slug


@pytest.mark.parametrize(
    ("given_text", "expected"),
    [
        ("/post/%E7%87%AD%E5%85%89", "/post/燭光"),
        ("https://old.example.org/2021/01/x.html?utm=1#top", "/2021/01/x.html"),
        ("/a/b/", "/a/b/"),
        ("/a/../b", None),
        ("/a/%2e%2e/b", None),
        ("//evil.example/x", None),
        ("javascript:alert(1)", None),
        ("/a\\b", None),
        ("", None),
    ],
)
def test_old_url_paths(given_text: str, expected: str | None) -> None:
    assert old_url_path(given_text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-06-04", "2021-06-04"),
        ("2021-06-04 20:00:00 +0800", "2021-06-04T20:00:00+08:00"),
        ("2021-06-04 20:00 +08:00", "2021-06-04T20:00:00+08:00"),
        ("2021-06-04T20:00:00Z", "2021-06-04T20:00:00+00:00"),
        ("2021-06-04T20:00:00.123Z", "2021-06-04T20:00:00+00:00"),
        ("2021-06-04 9:05:00", "2021-06-04T09:05:00+08:00"),
        (dt.date(2021, 6, 4), "2021-06-04"),
        (dt.datetime(2021, 6, 4, 20, 0), "2021-06-04T20:00:00+08:00"),
    ],
)
def test_dates(value: object, expected: str) -> None:
    assert iso_date(value, zone_of("Asia/Hong_Kong")) == expected


@pytest.mark.parametrize("bad", ["yesterday", "2021-13-45", 42, None])
def test_unreadable_dates_raise(bad: object) -> None:
    with pytest.raises(ValueError):
        iso_date(bad)


@given(st.text(max_size=200))
def test_front_matter_never_crashes_on_any_text(text: str) -> None:
    try:
        front = split_front_matter(text)
    except FrontMatterError as exc:
        assert exc.line >= 1
    else:
        assert isinstance(front.data, dict)


def test_a_tree_deeper_than_the_recursion_limit_is_walked(tmp_path: Path) -> None:
    import sys

    from hkcms.importers import hugo
    from hkcms.importers.sourcefiles import walk_files

    content = tmp_path / "site" / "content"
    folder = content
    for _ in range(sys.getrecursionlimit() + 100):
        folder = folder / "d"
        folder.mkdir(parents=True)
    (folder / "deep.md").write_text("---\ntitle: Deep\n---\nbody\n")
    try:
        assert [p.name for p in walk_files(content)] == ["deep.md"]
        posts = list(hugo.read(tmp_path / "site", []))
        assert [p.title for p in posts] == ["Deep"]
    finally:
        # shutil.rmtree (pytest's clean-up) recurses too: take the tree down from the bottom.
        (folder / "deep.md").unlink()
        while folder != content:
            folder.rmdir()
            folder = folder.parent
