"""Small slips in CLI and exporter text: counted nouns agree, tags read as text."""

from __future__ import annotations

from pathlib import Path

import pytest

from hkcms.cli import main
from hkcms.core.posts import PostStore
from hkcms.core.site import Site
from hkcms.core.wording import count


def test_count_agrees_with_its_noun() -> None:
    assert count(1, "comment") == "1 comment"
    assert count(0, "comment") == "0 comments"
    assert count(1234, "view") == "1,234 views"
    assert count(2, "entry", "entries") == "2 entries"


def test_show_one_post_reads_naturally(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = Site.init(tmp_path / "blog")
    PostStore(site).create("One", slug="one", tags=["events", "香港"])
    capsys.readouterr()
    assert main(["--site", str(site.root), "show", "one"]) == 0
    out = capsys.readouterr().out
    assert "tags: events, 香港" in out and "[" not in out
    assert "(1 revision)" in out and "1 revisions" not in out
    assert main(["--site", str(site.root), "export"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Exported 1 post to ")
    assert main(["--site", str(site.root), "check"]) == 0
    assert "files checked" in capsys.readouterr().out
