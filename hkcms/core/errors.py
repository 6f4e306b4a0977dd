"""HkcmsError hierarchy: user-facing errors that name the file (and line) at fault."""

from __future__ import annotations

from pathlib import Path


class HkcmsError(Exception):
    """An error the user can act on; the CLI prints it as one line and exits 1."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = str(self.path) if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class SiteError(HkcmsError):
    """The site folder or its settings are unusable."""


class PostError(HkcmsError):
    """A post file cannot be read or parsed."""


class SlugError(HkcmsError):
    """A slug is unsafe or already taken."""


class NotFoundError(HkcmsError):
    """A post, revision or comment does not exist."""


class ConflictError(HkcmsError):
    """The file changed on disk since it was loaded; saving would overwrite someone's work."""

    def __init__(self, message: str, path: Path | str | None = None, disk_text: str = ""):
        super().__init__(message, path)
        self.disk_text = disk_text


class MetadataError(HkcmsError):
    """A metadata file is corrupt or from an unknown schema; it is never overwritten."""


class UsageError(HkcmsError):
    """Bad arguments that argparse cannot catch (exit code 2)."""
