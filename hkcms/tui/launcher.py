"""Opening a post in the user's own editor ($VISUAL / $EDITOR) while the app is suspended."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from textual.app import App

from hkcms.core.errors import HkcmsError

EditorLauncher = Callable[[App[Any], str], str]
"""Takes the app and a text, returns the text after the user edited it (or raises EditorError)."""


class EditorError(HkcmsError):
    """The external editor could not run or failed. `text` is what it left in the file when
    that differs from what it was given (so that no typed word is lost), else None."""

    def __init__(self, message: str, text: str | None = None) -> None:
        super().__init__(message)
        self.text = text


def editor_command() -> list[str]:
    command = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        words = shlex.split(command)
    except ValueError as exc:
        raise EditorError(f"$EDITOR {command!r} cannot be read ({exc}); fix its quotes") from exc
    if not words:
        raise EditorError("$EDITOR is blank; set it to an editor, e.g. export EDITOR=nano")
    return words


def exit_reason(returncode: int) -> str:
    """'exited with status 3' or 'was killed by SIGKILL'."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"was killed by {name}"
    return f"exited with status {returncode}"


@contextmanager
def _parent_ignores_interrupts() -> Iterator[None]:
    """While the editor has the terminal, ctrl+c belongs to it: the waiting app ignores it
    (as system() does). Only the main thread may change signal handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _run(command: list[str]) -> int:
    process = subprocess.Popen(command)  # started first: the editor must not inherit SIG_IGN
    with _parent_ignores_interrupts():
        return process.wait()


def run_external_editor(app: App[Any], text: str) -> str:
    """Write `text` to a temporary .md file, run the editor on it with the app suspended, read it.

    Textual's App.suspend() does not resume the screen when its block raises, which left a
    blank terminal that ignored every key: nothing may escape the block, and every failure
    becomes an EditorError after the screen is back. Raises SuspendNotSupported where the
    terminal cannot be handed over (tests, web).
    """
    command = editor_command()
    fd, name = tempfile.mkstemp(prefix="hkcms-", suffix=".md")
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        failure: BaseException | None = None
        returncode = 0
        with app.suspend():
            try:
                returncode = _run([*command, str(path)])
            except BaseException as exc:  # noqa: BLE001 - reported below, once the screen is back
                failure = exc
        program = command[0]
        if isinstance(failure, FileNotFoundError):
            raise EditorError(
                f"the editor {program!r} was not found; set $EDITOR (or $VISUAL) to an "
                "installed editor, e.g. export EDITOR=nano"
            ) from failure
        if isinstance(failure, OSError):
            reason = failure.strerror or str(failure)
            raise EditorError(f"could not run the editor {program!r}: {reason}") from failure
        if isinstance(failure, KeyboardInterrupt):
            raise EditorError(f"the editor {program!r} was interrupted") from failure
        if failure is not None:
            raise EditorError(f"the editor {program!r} failed: {failure}") from failure
        try:
            edited = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise EditorError(
                f"the editor {program!r} left no file to read back ({exc.strerror}); "
                "nothing was changed"
            ) from exc
        if returncode != 0:
            raise EditorError(
                f"the editor {program!r} {exit_reason(returncode)}",
                edited if edited != text else None,
            )
        return edited
    finally:
        path.unlink(missing_ok=True)
