"""Output paths: the quick acceptance of plain paths never lets through what the full check
refuses (a path leaving the output folder)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hkcms.export.paths import ExportError, check_relpath


def full_check(rel: str) -> bool:
    """The rule itself, part by part."""
    parts = rel.split("/")
    return (
        bool(rel)
        and not rel.startswith("/")
        and all(
            p not in ("", ".", "..") and not any(ord(c) < 32 or c in "\x7f\\" for c in p)
            for p in parts
        )
    )


PIECES = st.sampled_from(["a", "Z9", ".", "..", "/", "-", "_", "~", "x.html", "\\", "\x00", "\n",
                          "中", " ", "%2e", "//"])  # fmt: skip


@given(st.lists(PIECES, max_size=8).map("".join))
def test_only_plain_paths_are_accepted(rel: str) -> None:
    try:
        check_relpath(rel)
        accepted = True
    except ExportError:
        accepted = False
    assert accepted == full_check(rel)


@pytest.mark.parametrize(
    "rel", ["../x", "a/../../x", "/etc/passwd", "a//b", "./a", "a/.", "a\\b", "a/\x00", ""]
)
def test_unsafe_paths_are_refused(rel: str) -> None:
    with pytest.raises(ExportError):
        check_relpath(rel)


@pytest.mark.parametrize("rel", ["posts/a-b/index.html", "tags/中文/index.html", ".well-known/x"])
def test_plain_paths_pass(rel: str) -> None:
    assert check_relpath(rel) == rel
