"""Shared fixtures: a fresh site in a temporary folder, with a fixed editor name."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from hkcms.core.posts import PostStore
from hkcms.core.site import Site

# CI shares two cores with other jobs: a first call that compiles a regex or imports a module can
# take 400 ms there, which Hypothesis's default 200 ms deadline reports as a flaky failure.
settings.register_profile("hkcms", deadline=None)
settings.load_profile("hkcms")


@pytest.fixture(autouse=True)
def _editor_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HKCMS_USER", "tester")


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site.init(tmp_path / "site", title="Test site")


@pytest.fixture
def store(site: Site) -> PostStore:
    return PostStore(site)
