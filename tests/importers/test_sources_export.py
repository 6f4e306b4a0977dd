"""Imported Wix, Jekyll and Hugo sites: `check` is clean, and the export passes Nu and axe."""

from __future__ import annotations

import argparse
import functools
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest

from hkcms.core.check import check_site
from hkcms.core.site import Site
from hkcms.export.build import export_site
from hkcms.importers.run import run_import
from hkcms.importers.sources import SOURCES
from tests.export.test_validators import nu_problems
from tests.importers.conftest import FIXTURES

REPO = Path(__file__).resolve().parents[2]
BROWSER_DIR = REPO / "tests" / "browser"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Site, Path]:
    """One site with all three sources imported, and its export (drafts included)."""
    root = tmp_path_factory.mktemp("imported")
    site = Site.init(root / "site", title="Imported")
    for name in ("wix", "jekyll", "hugo"):
        src = root / name
        shutil.copytree(FIXTURES / name, src, symlinks=True)
        args = argparse.Namespace(
            src=str(src), dry_run=False, json=True, download=False, site_id=None, api_key_env=None
        )
        assert run_import(site, SOURCES[name], args).posts["created"] > 0, name
    export_site(site, root / "out", drafts=True)
    return site, root / "out"


def test_check_is_clean_after_importing_every_source(imported: tuple[Site, Path]) -> None:
    problems, _ = check_site(imported[0])
    assert problems == [], [str(p) for p in problems]


@pytest.mark.skipif(shutil.which("java") is None, reason="the Nu HTML Checker needs java")
def test_the_export_passes_the_nu_checker(imported: tuple[Site, Path]) -> None:
    pages = sorted(str(p) for p in imported[1].rglob("*.html"))
    assert any("/posts/" in p for p in pages) and len(pages) > 20
    # The same (current) Nu checker as the export's own validator test.
    assert nu_problems(pages) == ""


@pytest.fixture
def http_server(imported: tuple[Site, Path]) -> Iterator[str]:
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(imported[1]))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.skipif(
    not (BROWSER_DIR / "node_modules" / "axe-core").is_dir()
    or not (BROWSER_DIR / "node_modules" / "playwright-core").is_dir(),
    reason="npm packages missing: run 'npm install --ignore-scripts' in tests/browser",
)
@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium")
def test_imported_pages_pass_axe(http_server: str) -> None:
    pages = [
        "posts/all-nodes/",  # every Ricos node type, notes included
        f"posts/{quote('燭光晚會')}/",
        "posts/candle-vigil/",  # Jekyll, a copied image
        "posts/liquid-post/",  # converted Liquid, a fenced code block
        "posts/toml-post/",  # Hugo shortcodes
        "posts/bundle/",  # a page bundle's images
        "about/",  # a Hugo page
    ]
    proc = subprocess.run(
        ["node", str(BROWSER_DIR / "axe_check.mjs"), http_server, *pages],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=BROWSER_DIR,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert len(report) == 2 * len(pages)  # light and dark colour schemes
    for page in report:
        where = f"{page['url']} ({page['scheme']})"
        assert page["status"] == 200, where
        assert page["violations"] == [], (where, page["violations"])
        assert page["scripts"] == 0, where
