"""The no-op shortcut: what the last clean export read, by stamps (core/stamps.py), so that an
export with nothing changed is answered by stat() calls alone, without reading a post.

After a clean export the build writes a memo: a digest of each group of stamps of what the
export read (post files, summary shards, the metadata files of the comments it showed, media
files, its own manifest) and of its values (the settings, the theme's and the strings' keys,
the day it judged scheduled posts by, the program itself), with the files it wrote and its
report. The next export of the same folder stamps the same files again, cheapest group first;
if every digest is equal and every file is still there, nothing would be written and the
report is the memo's. Any difference sends the export down the normal path, which decides page
by page (build.py).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import hkcms
from hkcms.core.atomic import make_dirs, write_atomic
from hkcms.core.site import Site
from hkcms.core.stamps import file_stamp, meta_stamp, posts_stamps, shard_stamp
from hkcms.export.i18n import StringsLoader
from hkcms.export.manifest import MANIFEST_NAME
from hkcms.export.report import ExportReport
from hkcms.export.settings import ExportSettings
from hkcms.export.theme import theme_key, today_in

MEMO_VERSION = 2
# Libraries whose upgrade changes the pages: a memo is only trusted by the same versions.
RENDERERS = ("markdown_it", "mdit_py_plugins", "markdown_it_pyrs", "nh3", "jinja2", "PIL")


@dataclass
class Memo:
    """What a clean export read and wrote. `keys`: a digest of each group of stamps (in the
    order they are checked: the cheap first); the other fields say which files to stamp
    again and what to report."""

    keys: dict[str, str]
    shards: list[str]  # summary shard files, '-' stamped when missing
    commented: list[str]  # metadata files of the posts whose comments were shown
    journal: str  # the metadata journal folder: a change left half done voids the memo
    rels: list[str]  # every file the export owns (relative to its folder)
    posts: int
    warnings: list[str] = field(default_factory=list)

    def to_bytes(self) -> bytes:
        data = {
            "version": MEMO_VERSION,
            "keys": self.keys,
            "shards": self.shards,
            "commented": self.commented,
            "journal": self.journal,
            "rels": "\n".join(self.rels),  # one string: 13,000 paths load in a millisecond
            "posts": self.posts,
            "warnings": self.warnings,
        }
        # ASCII: a file name that is not UTF-8 (a surrogate escape) survives the round trip.
        return json.dumps(data, separators=(",", ":")).encode("ascii")

    @classmethod
    def from_bytes(cls, raw: bytes) -> Memo | None:
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or data.get("version") != MEMO_VERSION:
                return None
            rels = str(data["rels"])
            return cls(
                keys={str(k): str(v) for k, v in data["keys"].items()},
                shards=[str(s) for s in data["shards"]],
                commented=[str(c) for c in data["commented"]],
                journal=str(data["journal"]),
                rels=rels.split("\n") if rels else [],
                posts=int(data["posts"]),
                warnings=[str(w) for w in data["warnings"]],
            )
        except (ValueError, KeyError, TypeError):
            return None


def memo_path(site: Site, out: Path) -> Path:
    """One memo per export folder (the public site and a preview are both kept)."""
    name = hashlib.sha256(os.fsencode(out)).hexdigest()[:16]
    return site.state_dir / "cache" / "export" / f"{name}.json"


def forget(site: Site, out: Path) -> None:
    """Called when an export starts: a memo stands only for a finished export."""
    try:
        memo_path(site, out).unlink()
    except OSError:
        pass


def replay(site: Site, out: Path, settings: ExportSettings) -> ExportReport | None:
    """The report of an export with nothing to do, if the memo shows that nothing changed
    since the last clean export of `out`; None when the export must run."""
    try:
        memo = Memo.from_bytes(memo_path(site, out).read_bytes())
    except OSError:
        return None
    if memo is None:
        return None
    try:
        if os.listdir(memo.journal):
            return None  # the metadata has a change to finish first: the scan does that
    except FileNotFoundError:
        pass
    except OSError:
        return None

    def values() -> list[str]:
        return _values(
            settings,
            out,
            today_in(settings.zone).isoformat(),
            theme_key(settings.templates_dir),
            StringsLoader(settings.strings_dir).key(),
        )

    # Cheapest first: an edit saved by hkcms changes a summary shard (64 stat calls).
    groups: dict[str, Callable[[], list[str] | None]] = {
        "manifest": lambda: manifest_stamp(out),
        "shards": lambda: [shard_stamp(path) for path in memo.shards],
        "commented": lambda: [meta_stamp(path) for path in memo.commented],
        "values": values,
        "media": lambda: media_stamps(site.media_dir),
        "posts": lambda: posts_stamps(str(site.posts_dir)),
    }
    if set(groups) != set(memo.keys):
        return None
    try:
        for name, stamps in groups.items():
            found = stamps()
            if found is None or digest(found) != memo.keys[name]:
                return None
    except (OSError, ValueError):
        return None  # the normal path names the problem
    if not _all_present(out, memo.rels):
        return None
    return ExportReport(out=out, skipped=len(memo.rels), posts=memo.posts,
                        warnings=list(memo.warnings))  # fmt: skip


def save(
    site: Site,
    out: Path,
    settings: ExportSettings,
    *,
    today: str,
    theme: str,
    strings: str,
    stamps: list[str],
    shards: dict[str, str],
    commented: dict[str, str],
    media: list[str],
    journal: str,
    rels: list[str],
    posts: int,
    warnings: list[str],
) -> None:
    """Write the memo of a clean export from the stamps taken before its inputs were read
    (a file changed while it ran then differs from its stamp: the next export runs).
    `shards` and `commented`: file → stamp."""
    groups = {
        "manifest": manifest_stamp(out),
        "shards": list(shards.values()),
        "commented": list(commented.values()),
        "values": _values(settings, out, today, theme, strings),
        "media": media,
        "posts": stamps,
    }
    keys = {name: digest(group) for name, group in groups.items()}
    memo = Memo(keys, list(shards), list(commented), journal, rels, posts, warnings)
    try:
        path = memo_path(site, out)
        make_dirs(path.parent)
        write_atomic(path, memo.to_bytes(), sync_file=False, sync_dir=False)
    except OSError:
        pass  # a memo only saves time


def digest(stamps: list[str]) -> str:
    """One digest of a list of stamps (none holds a NUL pair)."""
    return hashlib.sha256("\0\0".join(stamps).encode("utf-8", "surrogatepass")).hexdigest()


def _values(settings: ExportSettings, out: Path, today: str, theme: str, strings: str) -> list[str]:
    """The settings, the day and the keys of the theme, the strings and the program."""
    text = json.dumps(
        [
            settings.title, settings.description, settings.base_url, settings.language,
            settings.timezone, settings.posts_per_page, settings.feed_entries, settings.drafts,
            str(settings.templates_dir), str(settings.strings_dir), str(out), today, theme,
            strings, program_stamp(),
        ],
    )  # fmt: skip
    return [text]


@functools.cache
def program_stamp() -> str:
    """Stamps of hkcms's own files and of the libraries that render pages, taken once per
    process: after an upgrade (or any edit of the code) no memo is trusted."""
    return code_stamp(Path(hkcms.__file__).resolve().parent, RENDERERS)


def code_stamp(package: Path, modules: tuple[str, ...]) -> str:
    """Stamps of every file of a package folder and of the named modules' files."""
    stamps: list[str] = []
    for folder, dirs, names in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            path = os.path.join(folder, name)
            stamps.append(file_stamp(os.path.relpath(path, package), os.lstat(path)))
    for module in modules:
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None else None
        stamps.append(file_stamp(module, os.stat(origin)) if origin else f"{module}\0absent")
    return digest(stamps)


def media_stamps(media_dir: Path) -> list[str]:
    """Every file and folder under media/, links included, as the export plan would see it."""
    try:
        top = os.lstat(media_dir)
    except FileNotFoundError:
        return ["-"]
    stamps = [file_stamp(os.path.realpath(media_dir), top)]
    if not (stat.S_ISDIR(top.st_mode) or stat.S_ISLNK(top.st_mode)) or not media_dir.is_dir():
        return stamps
    for folder, dirs, names in os.walk(media_dir):
        dirs.sort()
        for name in sorted([*dirs, *names]):
            path = os.path.join(folder, name)
            stamps.append(file_stamp(os.path.relpath(path, media_dir), os.lstat(path)))
    return stamps


def manifest_stamp(out: Path) -> list[str]:
    try:
        return [file_stamp(MANIFEST_NAME, os.stat(out / MANIFEST_NAME))]
    except FileNotFoundError:
        return ["-"]


def _all_present(out: Path, rels: list[str]) -> bool:
    """Whether every file the export owns is still there (a deleted page is written again)."""
    prefix = f"{out}/"
    isreg = stat.S_ISREG
    try:
        return all(isreg(os.stat(prefix + rel).st_mode) for rel in rels)
    except OSError:
        return False
