"""Golden output: the fixture site exports to exactly the files in tests/export/golden/.

Regenerate after an intended change with
    HKCMS_UPDATE_GOLDEN=1 .venv/bin/pytest tests/export/test_golden.py
and review the diff of tests/export/golden/ before committing it."""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

from hkcms.export.build import export_site
from tests.export.conftest import (
    GOLDEN,
    GOLDEN_BILINGUAL,
    prepare_bilingual,
    prepare_fixture,
    tree,
)


def check_golden(out: Path, golden: Path) -> None:
    got = tree(out)
    if os.environ.get("HKCMS_UPDATE_GOLDEN"):
        shutil.rmtree(golden, ignore_errors=True)
        for rel, data in got.items():
            path = golden / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    want = tree(golden)
    assert sorted(got) == sorted(want), "the set of exported files differs from the golden set"
    for rel in want:
        if got[rel] != want[rel]:
            diff = difflib.unified_diff(
                want[rel].decode(errors="replace").splitlines(),
                got[rel].decode(errors="replace").splitlines(),
                f"golden/{rel}",
                f"export/{rel}",
                lineterm="",
            )
            raise AssertionError(f"{rel} differs from its golden copy:\n" + "\n".join(diff))


def test_fixture_site_matches_golden_files(tmp_path: Path) -> None:
    site = prepare_fixture(tmp_path / "site")
    out = tmp_path / "out"
    report = export_site(site, out)
    check_golden(out, GOLDEN)
    missing = site.posts_dir / "second-post.md"
    assert report.warnings == [f"{missing}: image or file 'media/missing.png' not found in media/"]


def test_bilingual_site_matches_golden_files(tmp_path: Path) -> None:
    """Translations, language indexes and feeds, pages, redirects, the archive."""
    site = prepare_bilingual(tmp_path / "site")
    out = tmp_path / "out"
    report = export_site(site, out)
    check_golden(out, GOLDEN_BILINGUAL)
    where = site.posts_dir / "english-only.md"
    assert sorted(report.warnings) == sorted(
        [
            f"{where}: refusing unsafe output path '../../etc/passwd/index.html'; left out",
            f"{where}: alias '/posts/agm-2026/' is already a page of the site; left out",
            f"{where}: alias 'https://evil.example/x' must be a path on this site, like "
            "/old/path/; left out",
        ]
    )


def test_export_is_deterministic(tmp_path: Path) -> None:
    """Two sites with the same content export to the same bytes, whatever the folder or order."""
    one = prepare_fixture(tmp_path / "one")
    two = prepare_fixture(tmp_path / "two")
    export_site(one, tmp_path / "out1")
    export_site(two, tmp_path / "out2", full=True)
    export_site(two, tmp_path / "out2", full=True)
    assert tree(tmp_path / "out1") == tree(tmp_path / "out2")
    # Exporting the same site again changes nothing, manifest included.
    manifest = (tmp_path / "out2" / ".hkcms-export.json").read_bytes()
    report = export_site(two, tmp_path / "out2")
    assert report.written == report.removed == 0
    assert (tmp_path / "out2" / ".hkcms-export.json").read_bytes() == manifest
