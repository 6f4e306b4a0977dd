"""The rendered-fragment cache: `--full`, a new output folder and a theme change render no
Markdown for bodies rendered before, and give the same bytes."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

import hkcms.export.fast_markdown as fast_markdown
from hkcms.core.site import Site
from hkcms.export.build import export_site
from hkcms.export.fragment_cache import FragmentCache
from tests.export.conftest import tree


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every body the export renders from Markdown (the small fixture renders in-process)."""
    seen: list[str] = []
    real = fast_markdown.render_html

    def counting(markdown: str) -> str:
        seen.append(markdown)
        return real(markdown)

    monkeypatch.setattr(fast_markdown, "render_html", counting)
    return seen


def test_full_new_folder_and_theme_change_render_no_markdown(
    fixture_site: Site, tmp_path: Path, renders: list[str]
) -> None:
    export_site(fixture_site, tmp_path / "one")
    assert renders  # the first export renders every body once
    first = tree(tmp_path / "one")
    renders.clear()
    export_site(fixture_site, tmp_path / "one", full=True)
    export_site(fixture_site, tmp_path / "two")
    assert renders == []
    assert tree(tmp_path / "one") == first == tree(tmp_path / "two")
    templates = fixture_site.root / "templates"
    templates.mkdir()
    (templates / "post.html").write_text(
        (Path(__file__).parents[2] / "hkcms/export/templates/post.html")
        .read_text(encoding="utf-8")
        .replace("</article>", "</article><!-- theme -->"),
        encoding="utf-8",
    )
    export_site(fixture_site, tmp_path / "one")
    assert renders == []
    page = tmp_path / "one" / "posts" / "first-post" / "index.html"
    assert b"<!-- theme -->" in page.read_bytes()


def test_a_changed_body_is_rendered_again(
    fixture_site: Site, tmp_path: Path, renders: list[str]
) -> None:
    export_site(fixture_site, tmp_path / "out")
    renders.clear()
    path = fixture_site.post_path("first-post")
    path.write_text(path.read_text(encoding="utf-8") + "\nA new line.\n", encoding="utf-8")
    export_site(fixture_site, tmp_path / "out", full=True)
    assert len(renders) == 1 and "A new line." in renders[0]


def test_damaged_or_missing_entries_are_misses(tmp_path: Path) -> None:
    cache = FragmentCache(tmp_path / "fragments", "v1")
    assert cache.get("# Hi\n") is None
    cache.put("# Hi\n", "<h1>Hi</h1>")
    assert cache.get("# Hi\n") == "<h1>Hi</h1>"
    assert FragmentCache(tmp_path / "fragments", "v2").get("# Hi\n") is None  # another parser
    cache.path("# Hi\n").write_bytes(zlib.compress(b"<h1>Hi</h1>")[:-3])
    assert cache.get("# Hi\n") is None
    cache.path("# Hi\n").write_bytes(b"\xff\xfe")
    assert cache.get("# Hi\n") is None
