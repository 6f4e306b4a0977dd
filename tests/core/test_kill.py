"""SIGKILL at random moments during every multi-file operation (200 kills): nothing corrupt,
no acknowledged write lost, no view counted twice, nothing detached, no summary drift."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.core.kill_harness import COUNTS, run_kills

KILLS = int(os.environ.get("HKCMS_KILLS", "200"))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_two_hundred_kills_leave_nothing_behind(tmp_path: Path) -> None:
    audit = run_kills(tmp_path, KILLS, seed=12, max_delay=0.12)
    assert {k: audit.counts[k] for k in COUNTS} == dict.fromkeys(COUNTS, 0), audit.notes
