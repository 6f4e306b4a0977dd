"""ExportReport: what an export did, for the command line, the terminal app and benchmarks."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hkcms.core.wording import count as counted


@dataclass
class ExportReport:
    """What an export did: files written, skipped (unchanged), removed, time and warnings."""

    out: Path
    written: int = 0
    skipped: int = 0
    removed: int = 0
    seconds: float = 0.0
    posts: int = 0
    rendered: int = 0
    warnings: list[str] = field(default_factory=list)
    images: int = 0  # images processed (not found in the image cache)
    phases: dict[str, float] = field(default_factory=dict)  # seconds per stage (benchmarks)

    def summary(self) -> str:
        warn = f", {counted(len(self.warnings), 'warning')}" if self.warnings else ""
        return (
            f"Exported {counted(self.posts, 'post')} to {self.out}: "
            f"{counted(self.written, 'file')} written, "
            f"{self.skipped:,} unchanged, {self.removed:,} removed in {self.seconds:.2f} s{warn}"
        )
