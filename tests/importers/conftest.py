"""Fixture folders of hand-made old sites (Wix answers, a Jekyll site, a Hugo site)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def wix_dir() -> Path:
    return FIXTURES / "wix"


@pytest.fixture
def jekyll_site(tmp_path: Path) -> Path:
    """A copy, so tests may add hostile files without touching the fixture."""
    target = tmp_path / "jekyll"
    shutil.copytree(FIXTURES / "jekyll", target, symlinks=True)
    return target


@pytest.fixture
def hugo_site(tmp_path: Path) -> Path:
    target = tmp_path / "hugo"
    shutil.copytree(FIXTURES / "hugo", target, symlinks=True)
    return target
