"""Opening a post in the user's own editor ($VISUAL / $EDITOR) while the app is suspended."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App

EditorLauncher = Callable[[App[Any], str], str]
"""Takes the app and a text, returns the text after the user edited it."""


def editor_command() -> list[str]:
    command = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    return shlex.split(command)


def run_external_editor(app: App[Any], text: str) -> str:
    """Write `text` to a temporary .md file, run the editor on it with the app suspended, read it.

    Raises SuspendNotSupported where the terminal cannot be handed over (tests, web).
    """
    fd, name = tempfile.mkstemp(prefix="hkcms-", suffix=".md")
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        with app.suspend():
            subprocess.run([*editor_command(), str(path)], check=False)
        return path.read_text(encoding="utf-8", errors="replace")
    finally:
        path.unlink(missing_ok=True)
