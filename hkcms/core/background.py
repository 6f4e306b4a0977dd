"""Finish recording history in a detached process, so a first scan never waits for it.

`hkcms list` and the terminal app show a never-seen site at once and call start(); the detached
process (`python -m hkcms.core.background SITE WHEN`) runs an ordinary scan, which records every
pending post in batches with the time the list showed. One runs at a time per site (a lock);
a killed one leaves whole files and the next scan starts another.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from filelock import FileLock, Timeout

from hkcms.core.atomic import file_mode, make_dirs
from hkcms.core.errors import HkcmsError
from hkcms.core.site import Site


def lock_path(site: Site) -> Path:
    return site.state_dir / "locks" / "history.lock"


def running(site: Site) -> bool:
    """True while a detached recorder holds the site's history lock."""
    lock = FileLock(str(lock_path(site)), timeout=0, mode=file_mode(lock_path(site).parent))
    try:
        lock.acquire()
    except Timeout:
        return True
    except OSError:
        return False
    lock.release()
    return False


def start(site: Site, when: str) -> bool:
    """Start the detached recorder unless one is running; False if it could not start."""
    try:
        make_dirs(lock_path(site).parent)
        if running(site):
            return True
        subprocess.Popen(
            [sys.executable, "-m", "hkcms.core.background", str(site.root), when],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # survives the terminal closing; never gets its Ctrl+C
            close_fds=True,
        )
    except OSError:
        return False  # a read-only site or no processes left: the next scan records it
    return True


def main(argv: Sequence[str]) -> int:
    root, when = argv
    from hkcms.core.posts import PostStore  # posts.py imports this module

    try:
        os.nice(10)  # the person at the keyboard comes first on a 2-core server
    except OSError:
        pass
    try:
        site = Site.open(root)
        lock = FileLock(str(lock_path(site)), timeout=0, mode=file_mode(lock_path(site).parent))
        lock.acquire()
    except (HkcmsError, Timeout, OSError):
        return 0  # gone, unreadable, or another recorder is at work
    try:
        PostStore(site).scan(when=when)
    except HkcmsError:
        return 1  # `hkcms check` names the problem; the next scan tries again
    finally:
        lock.release()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
