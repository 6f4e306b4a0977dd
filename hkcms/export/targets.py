"""Where an export may be written and a publish may send (with rsync --delete): never into
the site's own data, a system folder, a home folder or a hidden folder of a home. One set of
rules for the export's output folder, a local publish target and a remote one."""

from __future__ import annotations

import os
import pwd
from pathlib import Path, PurePosixPath

from hkcms.core.errors import HkcmsError

# Folders that hold others' data: a target may be inside some of them (/srv/blog, /var/www/blog)
# but never one of them.
ROOTS = frozenset(
    {"/", "/home", "/root", "/var", "/var/www", "/srv", "/opt", "/mnt", "/media", "/tmp",
     "/var/tmp", "/Users", "/usr/local", "/usr/share/nginx"}
)  # fmt: skip
# Folders the system owns: never write anywhere inside them.
SYSTEM = (
    "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/run",
    "/sbin", "/sys", "/usr", "/var/lib", "/var/log", "/var/spool", "/var/cache", "/var/mail",
    "/snap",
)  # fmt: skip
# What an export into the site itself must never touch (public/ or preview/ are fine).
SITE_SOURCES = ("posts", "media", "templates", ".hkcms", ".git", "hkcms.toml")


def homes() -> set[PurePosixPath]:
    """Every user's home folder on this machine, and the current one."""
    found = {PurePosixPath(os.path.realpath(Path.home()))}
    try:
        entries = pwd.getpwall()
    except OSError:
        entries = []
    for entry in entries:
        if entry.pw_dir and entry.pw_dir not in ("/", "/nonexistent"):
            found.add(PurePosixPath(entry.pw_dir))
    return found


def problem_with(path: PurePosixPath, known_homes: set[PurePosixPath]) -> str | None:
    """Why `path` (absolute, normalised) must not be written or emptied; None if it may."""
    text = str(path)
    if text in ROOTS or path.parent == PurePosixPath("/home"):
        return "is a system or home folder root"
    for system in SYSTEM:
        if path == PurePosixPath(system) or path.is_relative_to(system):
            return f"is inside the system folder {system}"
    for home in known_homes | {PurePosixPath("/root")}:
        if path == home or home.is_relative_to(path):
            return "is a home folder or holds one"
        if path.is_relative_to(home) and path.relative_to(home).parts[0].startswith("."):
            return f"is inside a hidden folder of the home {home} (such as ~/.ssh)"
    if path.is_relative_to("/home"):
        rest = path.relative_to("/home").parts
        if len(rest) > 1 and rest[1].startswith("."):
            return "is inside a hidden folder of a home (such as ~/.ssh)"
    return None


def check_local_folder(
    folder: Path, site_root: Path, *, what: str, inside_site_ok: bool, config: Path | None = None
) -> Path:
    """The real path of a local export folder or publish target; HkcmsError if unsafe."""
    real = Path(os.path.realpath(folder.expanduser()))
    root = Path(os.path.realpath(site_root))
    where = config or folder
    if real == root or root.is_relative_to(real):
        raise HkcmsError(
            f"{what} is the site folder or holds the site; choose a folder of its own", where
        )
    if real.is_relative_to(root):
        if not inside_site_ok:
            raise HkcmsError(f"{what} is inside the site; choose a folder outside it", where)
        first = real.relative_to(root).parts[0]
        if first in SITE_SOURCES:
            raise HkcmsError(f"{what} is inside the site's {first} folder; choose another", where)
    why = problem_with(PurePosixPath(real), homes())
    if why:
        raise HkcmsError(f"{what} {real} {why}; name a folder of its own", where)
    return real


def check_remote_path(path: str, *, what: str, config: Path | None = None) -> None:
    """A remote folder must be named explicitly: no `~user`, no root, no system or home
    folder, no hidden folder of a home (judged by the same rules, on the path as written)."""
    if not path or path.startswith("~"):
        raise HkcmsError(
            f"{what} {path or '(empty)'!r} is a home folder; name the blog's own folder, "
            "e.g. user@host:/var/www/blog/",
            config,
        )
    pure = PurePosixPath(path)
    if ".." in pure.parts:
        raise HkcmsError(f"{what} {path!r} may not contain '..'", config)
    parts = [p for p in pure.parts if p not in ("/", ".")]
    if not parts:
        raise HkcmsError(f"{what} {path!r} is a root folder; name the blog's own folder", config)
    if not pure.is_absolute():
        if parts[0].startswith("."):
            raise HkcmsError(f"{what} {path!r} is a hidden folder of the remote home", config)
        return  # a folder of its own inside the remote user's home
    why = problem_with(PurePosixPath("/", *parts), set())
    if why:
        raise HkcmsError(f"{what} {path!r} {why}; name the blog's own folder", config)
