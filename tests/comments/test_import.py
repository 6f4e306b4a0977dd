"""Comment import from CSV and JSON: good rows in, bad rows reported, re-import adds nothing."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from hkcms.core.comment_import import import_comments, parse_date
from hkcms.core.comments import CommentStore
from hkcms.core.errors import HkcmsError
from hkcms.core.posts import PostStore

ZH = "粵語班開課"
ZH_URL = "https://example.org/posts/%E7%B2%B5%E8%AA%9E%E7%8F%AD%E9%96%8B%E8%AA%B2/"


@pytest.fixture
def comments(store: PostStore) -> CommentStore:
    store.create("Hello", slug="hello")
    store.create("粵語班", slug=ZH)
    return CommentStore(store.meta)


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:  # with a BOM, as Excel does
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_csv_with_bad_rows(comments: CommentStore, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "form.csv",
        ["Post URL", "Name", "Comment", "Submitted At", "Email"],
        [
            ["hello", "Ada", "Thanks!\nSecond line.", "2026-05-01T18:30:00Z", "ada@example.org"],
            [ZH_URL, "陳大文", "多謝分享", "2026-05-02 09:15", ""],
            ["no-such-post", "Bo", "Hi", "", ""],
            ["hello", "Cy", "   ", "", ""],
            ["hello", "Di", "x" * 5001, "", ""],
            ["hello", "Ed", "ok", "next Tuesday", ""],
            ["https://example.org/about/", "Fi", "Hi", "", ""],
            ["", "Gus", "no post", "", ""],
            ["hello", "H" * 81, "long name", "", ""],
            ["hello", "Ada", "Thanks!\nSecond line.", "2026-05-01T18:30:00Z", "ada@example.org"],
        ],
    )
    report = import_comments(comments, path)
    assert report.format == "csv" and report.rows == 10
    assert len(report.imported) == 2 and report.duplicates == 1
    assert [(p.row, p.message) for p in report.problems] == [
        (3, "unknown post 'no-such-post'"),
        (4, "the comment body is empty"),
        (5, "the comment is longer than 5,000 characters (5,001)"),
        (6, "unreadable date 'next Tuesday' (use ISO 8601, e.g. 2026-05-01T18:30)"),
        (7, "'https://example.org/about/' is not the URL of a post"),
        (8, "no post slug or URL"),
        (9, "the author name is longer than 80 characters"),
    ]
    stored = {c.author: c for c in comments.list()}
    assert stored["Ada"].body == "Thanks!\nSecond line."
    assert stored["Ada"].created == "2026-05-01T18:30:00+00:00"
    assert stored["Ada"].status == "pending" and stored["Ada"].email == "ada@example.org"
    # A date without a zone is in the site's timezone (Europe/London: BST in May).
    assert stored["陳大文"].post == ZH and stored["陳大文"].created == "2026-05-02T08:15:00+00:00"
    assert comments.meta.summary("hello")["comments_pending"] == 1

    again = import_comments(comments, path)
    assert again.imported == [] and again.duplicates == 3 and len(again.problems) == 7
    assert len(comments.list()) == 2


def test_json_export_and_idempotency(comments: CommentStore, tmp_path: Path) -> None:
    rows = [
        {"slug": "hello", "author": "Ada", "body": "<b>hi</b>", "date": 1767225600},
        {"slug": ZH, "author": None, "body": "無名", "created_at": "ignored column"},
        {"slug": "hello", "author": "Bo", "body": ""},
        "not an object",
        {"slug": "../../etc/passwd", "author": "x", "body": "y"},
        {"slug": "hello", "author": "Cy", "body": "ms", "date": "1767225600000"},
    ]
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"submissions": rows}, ensure_ascii=False), encoding="utf-8")
    report = import_comments(comments, path, status="approved")
    assert report.to_dict()["imported"] == 3
    assert report.to_dict()["errors"] == [
        {"row": 3, "error": "the comment body is empty"},
        {"row": 4, "error": "not a JSON object"},
        {"row": 5, "error": "'../../etc/passwd' is not the URL of a post"},
    ]
    by_author = {c.author: c for c in comments.list()}
    assert by_author["Ada"].body == "<b>hi</b>" and by_author["Ada"].status == "approved"
    assert by_author["Ada"].created == "2026-01-01T00:00:00+00:00"
    assert by_author["Cy"].created == "2026-01-01T00:00:00+00:00"
    assert by_author["Anonymous"].post == ZH
    assert comments.meta.summary("hello")["comments"] == 2

    # A moderator deletes one as spam; re-importing the same export does not bring it back.
    comments.delete([by_author["Ada"].id])
    again = import_comments(comments, path, status="approved")
    assert again.imported == [] and again.duplicates == 3
    assert len(comments.list()) == 2


def test_plain_json_list_and_sniffed_format(comments: CommentStore, tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text(json.dumps([{"post": "/posts/hello/", "message": "hi", "name": "A"}]))
    report = import_comments(comments, path)
    assert report.format == "json" and len(report.imported) == 1
    empty = tmp_path / "empty.json"
    empty.write_text("[]")
    assert import_comments(comments, empty).rows == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.csv", b"", "the file is empty"),
        ("b.csv", b"who,what\nx,y\n", "no column for the post or body"),
        ("c.json", b"{not json", "is not valid JSON"),
        ("d.json", b"42", "must be a list"),
        ("e.csv", b"post,body\nhello,caf\xe9\n", "is not valid UTF-8"),
    ],
)
def test_unusable_files_are_one_clear_error(
    comments: CommentStore, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(HkcmsError, match=message) as caught:
        import_comments(comments, path)
    assert name in str(caught.value)
    assert comments.list() == []


def test_missing_file(comments: CommentStore, tmp_path: Path) -> None:
    with pytest.raises(HkcmsError, match="no such file"):
        import_comments(comments, tmp_path / "nope.csv")


def test_malformed_csv_row_is_reported_and_the_rest_imported(
    comments: CommentStore, tmp_path: Path
) -> None:
    path = tmp_path / "f.csv"
    huge = "x" * (2 * 1024 * 1024)
    path.write_text(f'post,body\nhello,"one"\nhello,"{huge}"\nhello,three\n')
    report = import_comments(comments, path)
    assert len(report.imported) == 2
    assert [(p.row, p.line, p.message) for p in report.problems] == [
        (2, 3, "not valid CSV: a field is longer than 1,048,576 characters")
    ]


def test_parse_date() -> None:
    import datetime as dt

    utc = dt.UTC
    assert parse_date("", utc) is None
    assert parse_date("2026-05-01", utc) == "2026-05-01T00:00:00+00:00"
    assert parse_date("2026-05-01T18:30:00+08:00", utc) == "2026-05-01T10:30:00+00:00"
    assert parse_date("Fri, 01 May 2026 18:30:00 +0100", utc) == "2026-05-01T17:30:00+00:00"
    with pytest.raises(HkcmsError):
        parse_date("99999999999999999999", utc)
