"""Hostile comment exports: malformed rows are reported by line and never merged; odd JSON and
dates are one clear problem each, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hkcms.cli import main
from hkcms.core.comment_import import import_comments, parse_date
from hkcms.core.comments import CommentStore
from hkcms.core.errors import HkcmsError
from hkcms.core.posts import PostStore


@pytest.fixture
def comments(store: PostStore) -> CommentStore:
    store.create("Hello", slug="hello")
    return CommentStore(store.meta)


def test_unclosed_quote_is_reported_by_line_and_never_swallows_rows(
    comments: CommentStore, tmp_path: Path
) -> None:
    path = tmp_path / "form.csv"
    path.write_text(
        "post,author,body\n"
        "hello,Ada,one\n"
        'hello,Bo,"two is never closed\n'
        "hello,Cy,three\n"
        'hello,Di,"four\nhas two lines"\n'
        "hello,Ed,five\n",
        encoding="utf-8",
    )
    report = import_comments(comments, path)
    bodies = sorted(c.body for c in comments.list())
    assert bodies == ["five", "four\nhas two lines", "one", "three"]
    assert [(p.row, p.line) for p in report.problems] == [(2, 3)]
    assert "quote" in report.problems[0].message


def test_quote_closed_inside_a_later_row_is_reported_not_merged(
    comments: CommentStore, tmp_path: Path
) -> None:
    path = tmp_path / "form.csv"
    path.write_text(
        'post,author,body\nhello,Ada,"one\nhello,Bo,"two"\nhello,Cy,three\n', encoding="utf-8"
    )
    report = import_comments(comments, path)
    assert sorted(c.body for c in comments.list()) == ["three", "two"]
    assert [(p.row, p.line) for p in report.problems] == [(1, 2)]


def test_cli_names_the_line_of_a_malformed_row(
    comments: CommentStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "form.csv"
    path.write_text('post,author,body\nhello,Bo,"never closed\nhello,Cy,ok\n', encoding="utf-8")
    site = str(comments.meta.site.root)
    assert main(["--site", site, "comments", "import", str(path)]) == 1
    out, err = capsys.readouterr()
    assert "1 comment imported" in out
    assert err.count("\n") == 1 and f"{path}:2: data row 1: not valid CSV" in err


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("nested", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("nested-object", '{"comments": ' + "[" * 50_000 + "]" * 50_000 + "}", "nested"),
        ("big-number", '[{"post": "hello", "body": "b", "n": ' + "7" * 5000 + "}]", None),
        ("big-date", '[{"post": "hello", "body": "b", "date": ' + "7" * 5000 + "}]", "date"),
        ("surrogate", '[{"post": "hello", "author": "\\ud800", "body": "b"}]', "escape"),
        (
            "year-9999",
            '[{"post": "hello", "body": "b", "date": "9999-12-31T23:00-14:00"}]',
            "range",
        ),
        ("year-1", '[{"post": "hello", "body": "b", "date": "0001-01-01T00:00+14:00"}]', "range"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 20 else "",
)
def test_hostile_json_is_one_clear_problem(
    comments: CommentStore, tmp_path: Path, name: str, text: str, problem: str | None
) -> None:
    path = tmp_path / f"{name}.json"
    path.write_text(text, encoding="utf-8")
    try:
        report = import_comments(comments, path)
    except HkcmsError as exc:
        assert problem is not None and problem in str(exc)
        return
    if problem is None:
        assert len(report.imported) == 1 and not report.problems
    else:
        assert not report.imported
        assert len(report.problems) == 1 and problem in report.problems[0].message
    # whatever was stored can be written and read back as JSON
    json.dumps([c.to_dict() for c in comments.list()]).encode("utf-8")


def test_parse_date_refuses_dates_at_the_end_of_the_calendar() -> None:
    import datetime as dt

    for text in ("9999-12-31T23:59:59-14:00", "9999-12-31", "0001-01-01T00:00:00+14:00"):
        with pytest.raises(HkcmsError, match="out of range"):
            parse_date(text, dt.UTC)
    assert parse_date("9999-12-30", dt.UTC) == "9999-12-30T00:00:00+00:00"


@pytest.mark.parametrize(
    "rows",
    [
        # the open quote is closed by the next row's quote before a comma: one more field
        ['hello,author0,"a', 'hello,author1,",a"'],
        # ... or before the end of a line: the next row's text becomes a line of the body
        ['hello,author0,"a', 'hello,author1,"', 'b"'],
        # two open quotes that together make valid CSV
        ['hello,author0,"a', "hello,author1,a", 'hello,author2,"",",'],
    ],
    ids=["comma", "newline", "two"],
)
def test_rows_merged_by_an_open_quote_are_found(
    comments: CommentStore, tmp_path: Path, rows: list[str]
) -> None:
    path = tmp_path / "form.csv"
    path.write_text("post,author,body\n" + "\n".join(rows) + "\n", encoding="utf-8")
    report = import_comments(comments, path)
    assert report.problems and report.problems[0].line == 2
    for comment in comments.list():
        assert "author" not in comment.body  # no row inside another's body
