"""Shared fixtures: a fresh site in a temporary folder, with a fixed editor name."""

from __future__ import annotations

from pathlib import Path

import pytest

from hkcms.core.posts import PostStore
from hkcms.core.site import Site


@pytest.fixture(autouse=True)
def _editor_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HKCMS_USER", "tester")


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site.init(tmp_path / "site", title="Test site")


@pytest.fixture
def store(site: Site) -> PostStore:
    return PostStore(site)
