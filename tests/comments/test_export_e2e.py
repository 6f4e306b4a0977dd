"""End to end through the CLI: imported comments and views reach the exported page, inert."""

from __future__ import annotations

import csv
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from tests.views.logs import line, write

HOSTILE_BODY = (
    "<script>alert(1)</script> <img src=x onerror=alert(2)> "
    '<a href="javascript:alert(3)">x</a> \x1b[31m \u202eevil javascript:alert(4)'
)
HOSTILE_AUTHOR = "<b onmouseover=alert(5)>Eve</b>"


def hkcms(*args: str, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hkcms", "--site", str(site), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


class Elements(HTMLParser):
    """Every start tag and its attributes, and the page's text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_imported_comments_and_views_on_the_exported_page(tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert hkcms("init", str(site), site=tmp_path).returncode == 0
    assert hkcms("new", "Hello", "--slug", "hello", site=site).returncode == 0
    form = tmp_path / "form.csv"
    with form.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["post", "author", "body", "email"])
        writer.writerow(["hello", HOSTILE_AUTHOR, HOSTILE_BODY, "eve@example.org"])
        writer.writerow(["hello", "Spammer", "Buy now", ""])
    imported = hkcms("comments", "import", str(form), "--status", "approved", site=site)
    assert imported.returncode == 0, imported.stderr
    spam = [c for c in hkcms("comments", "list", site=site).stdout.splitlines() if "Spammer" in c]
    assert hkcms("comments", "spam", spam[0].split()[0], site=site).returncode == 0
    log = write(
        tmp_path / "access.log", line("/posts/hello/"), line("/posts/hello/", ip="10.9.9.9")
    )
    assert hkcms("views", "import", str(log), site=site).returncode == 0
    assert hkcms("views", "set", "hello", "130", site=site).returncode == 0

    out = tmp_path / "public"
    exported = hkcms("export", "--out", str(out), site=site)
    assert exported.returncode == 0, exported.stderr
    page = (out / "posts" / "hello" / "index.html").read_text(encoding="utf-8")
    assert "132 views" in page and "1 comment" in page
    assert "Buy now" not in page and "eve@example.org" not in page
    parsed = Elements()
    parsed.feed(page)
    assert [t for t, _ in parsed.tags if t in ("script", "img", "b")] == []
    for tag, attrs in parsed.tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, value)
    text = "".join(parsed.text)
    assert "<script>alert(1)</script> <img src=x onerror=alert(2)>" in text
    assert HOSTILE_AUTHOR in text
    assert "\x1b" not in page and "\u202e" not in page
