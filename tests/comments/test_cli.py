"""`hkcms comments ...`: exit codes 0/1/2, JSON shapes, stdin bodies, hostile text inert."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hkcms.core.posts import PostStore


def hkcms(*args: str, site: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hkcms", "--site", str(site), *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
    )


@pytest.fixture
def root(store: PostStore) -> Path:
    store.create("Hello", slug="hello")
    store.create("中文", slug="中文")
    return store.site.root


def listed(root: Path, *args: str) -> list[dict[str, str]]:
    result = hkcms("comments", "list", "--json", *args, site=root)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_add_list_moderate_delete(root: Path) -> None:
    first = hkcms("comments", "add", "hello", "--author", "Ada", "--body", "Great post", site=root)
    assert first.returncode == 0, first.stderr
    ada = first.stdout.strip()
    body = "從標準輸入讀取\n第二行\n"
    second = hkcms(
        "comments", "add", "中文", "--author", "陳", "--body", "-", "--status", "approved",
        "--json", site=root, stdin=body,
    )  # fmt: skip
    chan = json.loads(second.stdout)
    assert set(chan) == {"id", "post", "author", "body", "created", "status"}
    assert chan["body"] == "從標準輸入讀取\n第二行" and chan["status"] == "approved"

    everything = listed(root)
    assert {c["id"] for c in everything} == {ada, chan["id"]}
    assert all(set(c) == {"id", "post", "author", "body", "created", "status"} for c in everything)
    assert [c["id"] for c in listed(root, "--status", "pending")] == [ada]
    assert [c["id"] for c in listed(root, "--post", "中文")] == [chan["id"]]

    for action, state in (("approve", "approved"), ("hide", "hidden"), ("spam", "spam")):
        result = hkcms("comments", action, ada, site=root)
        assert result.returncode == 0 and ada in result.stdout
        assert listed(root, "--post", "hello")[0]["status"] == state
    shown = json.loads(hkcms("show", "中文", "--json", site=root).stdout)
    assert shown["comments"] == {"approved": 1, "pending": 0, "total": 1}

    missing = hkcms("comments", "approve", chan["id"], "nope", site=root)
    assert missing.returncode == 1 and missing.stderr.strip() == "hkcms: no comment with id nope"
    assert hkcms("comments", "delete", ada, chan["id"], site=root).returncode == 0
    assert listed(root) == []
    table = hkcms("comments", "list", site=root)
    assert table.returncode == 0 and table.stdout.split() == [
        "ID", "STATUS", "CREATED", "POST", "AUTHOR", "COMMENT"
    ]  # fmt: skip


def test_errors_and_usage(root: Path) -> None:
    cases = [
        (["comments", "add", "nope", "--author", "A", "--body", "x"], 1, "no post with slug"),
        (["comments", "add", "hello", "--author", "A", "--body", " "], 1, "body is empty"),
        (["comments", "add", "hello", "--author", "A", "--body", "x" * 5001], 1, "5,000"),
        (["comments", "add", "hello", "--body", "x"], 2, "--author"),
        (["comments", "add", "hello", "--author", "A", "--body", "x", "--status", "live"], 2, ""),
        (["comments", "list", "--status", "published"], 2, "invalid choice"),
        (["comments", "approve"], 2, "ID"),
        (["comments"], 2, ""),
        (["comments", "import", "/no/such/file.csv"], 1, "no such file"),
    ]
    for args, code, message in cases:
        result = hkcms(*args, site=root)
        assert result.returncode == code, (args, result.stderr)
        assert message in result.stderr and "Traceback" not in result.stderr


def test_import_reports_rows_and_exit_code(root: Path, tmp_path: Path) -> None:
    path = tmp_path / "form.csv"
    path.write_text(
        "post,author,body,date,email\n"
        "hello,Ada,Lovely,2026-05-01T10:00:00Z,ada@example.org\n"
        "nope,Bo,Hi,,\n"
        "/posts/%E4%B8%AD%E6%96%87/,Cy,好,,\n",
        encoding="utf-8",
    )
    result = hkcms("comments", "import", str(path), "--json", site=root)
    assert result.returncode == 1  # some rows were skipped; the rest was imported
    report = json.loads(result.stdout)
    assert {k: report[k] for k in ("format", "rows", "imported", "duplicates")} == {
        "format": "csv",
        "rows": 3,
        "imported": 2,
        "duplicates": 0,
    }
    assert report["errors"] == [{"row": 2, "line": 3, "error": "unknown post 'nope'"}]
    assert f"{path}:3: data row 2: unknown post 'nope'" in result.stderr
    again = hkcms("comments", "import", str(path), site=root)
    assert "0 comments imported as pending, 2 already there, 1 skipped" in again.stdout
    assert len(listed(root)) == 2
    assert "ada@example.org" not in hkcms("comments", "list", "--json", site=root).stdout
    good = tmp_path / "good.json"
    good.write_text(json.dumps([{"post": "hello", "author": "Di", "body": "ok"}]))
    assert hkcms("comments", "import", str(good), site=root).returncode == 0


def test_hostile_text_stays_inert_in_the_terminal_and_in_json(root: Path) -> None:
    hostile = (
        '<script>alert(1)</script><img src=x onerror="alert(2)"> '
        "\x1b[2J\x1b]0;pwned\x07\x9b31m \u202egnp.exe\u202c"
    )
    added = hkcms("comments", "add", "hello", "--author", "<b onmouseover=x>", "--body", hostile,
                  site=root)  # fmt: skip
    assert added.returncode == 0, added.stderr
    table = hkcms("comments", "list", site=root).stdout
    data = listed(root)[0]
    for text in (table, data["body"]):
        assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
        assert "\u202e" not in text and "\u202c" not in text
    # Markup is kept as the literal characters the reader typed: plain text, never parsed.
    assert data["body"].startswith('<script>alert(1)</script><img src=x onerror="alert(2)">')
    assert data["author"] == "<b onmouseover=x>"
    assert "<script>alert(1)</script>" in table
