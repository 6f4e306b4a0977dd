"""The YAML-free front matter reader gives PyYAML's exact result, or steps aside (None)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from hkcms.core.front_fast import quick_front
from hkcms.core.post import dump_front, parse_post

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def pyyaml(text: str) -> Any:
    try:
        return yaml.load(text, Loader=LOADER)  # noqa: S506 - a safe loader
    except (yaml.YAMLError, ValueError):
        return "<error>"


def agrees(text: str) -> None:
    quick = quick_front(text)
    if quick is not None:
        # repr tells True from 1 and a date from its text, which == would not.
        assert repr(quick) == repr(pyyaml(text)), text


scalars = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.booleans(),
    st.none(),
    st.sampled_from(["yes", "No", "ON", "off", "null", "~", "0x1F", "012", "1_000", "1:20",
                     ".inf", "-1", "1e3", "2024-02-30", "2024-5-1", "a: b", "a #b", "it's",
                     "[x]", "- x", "&x", "*x", "!!str", "Hello  world", "Q&A", "a,b"]),
)  # fmt: skip
keys = st.one_of(
    st.sampled_from(["title", "author", "date", "tags", "status", "lang", "summary", "menu",
                     "yes", "on", "null", "translation_key", "a-b", "_x"]),
    st.text(min_size=1, max_size=12),
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(keys, st.one_of(scalars, st.lists(scalars, max_size=4)), max_size=6))
def test_what_hkcms_writes_reads_back_the_same(front: dict[str, Any]) -> None:
    text = dump_front(front).removeprefix("---\n").removesuffix("---\n")
    agrees(text)


TOKENS = [
    "title", "tags", "yes", "NO", "On", "null", "~", ":", ": ", " ", "  ", "#", " #c", "'", '"',
    "''", '\\"', "[", "]", ",", "{", "}", "&a", "*a", "!", "|", ">", "-", "- ", "\t", "\n",
    "\n- ", "\n  ", "2024-01-31", "2024-13-01", "0", "07", "12", "1.5", "é", "香港", "\u2028",
    "\x85", "\ufeff", "\xa0", "\u3000", "\r", "a", "Hello", "x y", "%", "@", "`", "?", "/", "/a/",
]  # fmt: skip


VALUE_TOKENS = [t for t in TOKENS if t != "\n"] + ["Ada Wong", "events", "社區", "2024-05-01"]
values = st.lists(st.sampled_from(VALUE_TOKENS), max_size=5).map("".join)
lines = st.one_of(
    st.tuples(keys, st.sampled_from([": ", ":", ":  ", ": \n- ", ":\n- "]), values).map("".join),
    st.tuples(st.sampled_from(["- ", "-", "  - ", "# ", "#"]), values).map("".join),
    st.just(""),
)


@settings(max_examples=800, deadline=None)
@given(st.lists(lines, max_size=8).map("\n".join))
def test_front_matter_lines_read_as_pyyaml_reads_them_or_not_at_all(text: str) -> None:
    agrees(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=14))
@example(["title", ": ", "'", "it", "''", "s", "'"])
@example(["tags", ":", "\n- ", "a", "\n- ", "yes"])
@example(["title", ": ", "Hello", " #c"])
@example(["date", ": ", "2024-13-01"])
@example(["title", ": ", "\xa0"])
@example(["tags", ":", "\u3000", "\n- ", "a"])
def test_any_text_reads_as_pyyaml_reads_it_or_not_at_all(tokens: list[str]) -> None:
    agrees("".join(tokens))


def test_the_usual_shapes_take_the_fast_path() -> None:
    text = (
        'title: "社區報告: 第一號"\nauthor: Ada Wong\ndate: 2024-05-01\ntags: ["活動", events]\n'
        "status: published\nlang: zh-Hant\nsummary: Dinner, talks and a film.\nmenu: 2\n"
        "aliases:\n- /old/path/\n- 'quoted'\n"
    )
    quick = quick_front(text)
    assert quick is not None and repr(quick) == repr(pyyaml(text))


def test_a_post_parsed_either_way_is_the_same() -> None:
    text = "---\ntitle: Hello\ndate: 2024-05-01\ntags:\n- a\n- b\n---\nbody\n"
    post = parse_post(text, "hello")
    assert post.front == {"title": "Hello", "date": dt.date(2024, 5, 1), "tags": ["a", "b"]}
    assert post.to_text() == text
