"""Fixtures for the export tests: the golden fixture site with fixed metadata, the demo site."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hkcms.core.comments import CommentStore
from hkcms.core.meta import MetaStore
from hkcms.core.post import content_hash
from hkcms.core.site import Site

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "site"
GOLDEN = HERE / "golden"
BILINGUAL = HERE / "fixtures" / "bilingual"
GOLDEN_BILINGUAL = HERE / "golden-bilingual"
REPO = HERE.parents[1]
# Fixed "updated" times and view counts, so the fixture exports to the same bytes every day.
UPDATED = {
    "first-post": ("2024-01-12T10:00:00+00:00", 12),
    "second-post": ("2024-02-21T23:30:00+00:00", 1),
    "中文文章": ("2024-03-06T08:00:00+00:00", 3456),
    "draft-notes": ("2024-03-10T08:00:00+00:00", 0),
    "future-post": ("2024-03-11T08:00:00+00:00", 0),
}
HOSTILE_COMMENT_AUTHOR = '<script>alert("author")</script>'
HOSTILE_COMMENT = (
    'javascript:alert(1) <img src=x onerror=alert(2)> "quoted"\n'
    'https://example.org/a?x=1&y=<2>\n\nSecond paragraph https://evil.example/"onmouseover=alert(3)'
)


def prepare_fixture(dest: Path) -> Site:
    """Copy the fixture site and give it metadata with fixed dates, views and comments."""
    shutil.copytree(FIXTURE, dest)
    site = Site.open(dest)
    meta = MetaStore(site)
    with meta.transaction() as txn:
        for path in sorted(site.posts_dir.glob("*.md")):
            data = path.read_bytes()
            updated, views = UPDATED[path.stem]
            txn.update_summary(
                path.stem,
                hash=content_hash(data),
                updated=updated,
                revisions=1,
                size=len(data),
                views=views,
            )
    comments = CommentStore(meta)
    comments.add(
        "first-post",
        "Mei",
        "Thank you! Photos: https://example.org/photos/?a=1&b=2.\n\n"
        "See you next time\nat the fair.",
        status="approved",
        created="2024-01-11T09:00:00+00:00",
    )
    comments.add("first-post", "Spammer", "Buy now", status="spam", created="2024-01-11T10:00:00Z")
    comments.add("first-post", "Waiting", "Not approved yet", created="2024-01-11T11:00:00Z")
    comments.add(
        "second-post",
        HOSTILE_COMMENT_AUTHOR,
        HOSTILE_COMMENT,
        status="approved",
        created="2024-02-22T12:00:00+00:00",
    )
    return site


BILINGUAL_UPDATED = {
    "agm-2026": ("2024-04-02T10:00:00+00:00", 41),
    "周年大會": ("2024-04-03T10:00:00+00:00", 1),
    "english-only": ("2024-03-02T10:00:00+00:00", 5),
    "只有中文": ("2024-02-02T10:00:00+00:00", 2),
    "about": ("2024-01-02T10:00:00+00:00", 7),
    "關於我們": ("2024-01-03T10:00:00+00:00", 3),
    "donate": ("2024-01-04T10:00:00+00:00", 1),
}


def prepare_bilingual(dest: Path) -> Site:
    """Copy the bilingual fixture site and give it metadata with fixed dates and views."""
    shutil.copytree(BILINGUAL, dest)
    site = Site.open(dest)
    meta = MetaStore(site)
    with meta.transaction() as txn:
        for path in sorted(site.posts_dir.glob("*.md")):
            data = path.read_bytes()
            updated, views = BILINGUAL_UPDATED[path.stem]
            txn.update_summary(
                path.stem,
                hash=content_hash(data),
                updated=updated,
                revisions=1,
                size=len(data),
                views=views,
            )
    CommentStore(meta).add(
        "周年大會", "阿明", "多謝通知！", status="approved", created="2024-04-03T12:00:00+00:00"
    )
    return site


def copy_demo(dest: Path) -> Site:
    """A copy of the demo site in the repository root (posts, media, settings, metadata)."""
    dest.mkdir(parents=True)
    for name in ("posts", "media"):
        shutil.copytree(REPO / name, dest / name)
    shutil.copy(REPO / "hkcms.toml", dest / "hkcms.toml")
    ignore = shutil.ignore_patterns("locks", "cache", "leases", "*.bak")
    shutil.copytree(REPO / ".hkcms", dest / ".hkcms", ignore=ignore)
    return Site.open(dest)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root (relative path → bytes), the export manifest left out."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".hkcms-export.json"
    }


@pytest.fixture
def fixture_site(tmp_path: Path) -> Site:
    return prepare_fixture(tmp_path / "site")


@pytest.fixture(scope="module")
def demo_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo site exported once per test module."""
    from hkcms.export.build import export_site

    root = tmp_path_factory.mktemp("demo")
    site = copy_demo(root / "site")
    out = root / "public"
    report = export_site(site, out)
    assert not report.warnings, report.warnings
    return out
