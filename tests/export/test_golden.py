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
from tests.export.conftest import GOLDEN, prepare_fixture, tree


def test_fixture_site_matches_golden_files(tmp_path: Path) -> None:
    site = prepare_fixture(tmp_path / "site")
    out = tmp_path / "out"
    report = export_site(site, out)
    got = tree(out)
    if os.environ.get("HKCMS_UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, data in got.items():
            path = GOLDEN / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    want = tree(GOLDEN)
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
    missing = site.posts_dir / "second-post.md"
    assert report.warnings == [f"{missing}: image or file 'media/missing.png' not found in media/"]


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
