"""Publish: rsync the export to the [publish] target, deleting only inside that folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from hkcms.core.errors import HkcmsError
from hkcms.core.site import SETTINGS_FILE, Site
from hkcms.export.manifest import MANIFEST_NAME, Manifest
from hkcms.export.render import STAGING
from hkcms.export.targets import check_local_folder, check_remote_path


class PublishError(HkcmsError):
    """Publishing cannot start or rsync failed."""


@dataclass
class PublishResult:
    """What rsync did (or would do, with dry_run)."""

    target: str
    dry_run: bool
    command: list[str]
    changes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def described(self) -> list[str]:
        """The changes in words (see describe_change)."""
        return [describe_change(line) for line in self.changes]

    def summary(self) -> str:
        n = len(self.changes)
        what = f"{n} change{'s' if n != 1 else ''}"
        if self.dry_run:
            return f"Dry run: {what} would be sent to {self.target} (nothing was sent)"
        return f"Published to {self.target}: {what} in {self.seconds:.2f} s"


KINDS = {"f": "file", "d": "folder", "L": "link"}


def describe_change(line: str) -> str:
    """One line of `rsync --itemize-changes` in words: '>f+++++++++ index.html' becomes
    'new file: index.html', '*deleting old.html' becomes 'delete: old.html'."""
    code, _, path = line.partition(" ")
    path = path.strip()
    if code == "*deleting":
        return f"delete: {path}"
    if len(code) < 2:
        return line
    kind = KINDS.get(code[1], "item")
    if set(code[2:]) == {"+"}:
        return f"new {kind}: {path}"
    if code[0] in "<>" or (code[0] == "c" and kind == "link"):
        return f"changed {kind}: {path}"
    if code[0] == "h":
        return f"hard link: {path}"
    return f"same {kind}, new date or permissions: {path}"


def split_target(target: str) -> tuple[str, str]:
    """(host part with its colon, or '', and the folder path) of an rsync destination."""
    if target.startswith("rsync://"):
        rest = target[len("rsync://") :]
        host, _, path = rest.partition("/")
        return f"rsync://{host}/", path
    colon = target.find(":")
    slash = target.find("/")
    if colon > 0 and (slash < 0 or colon < slash):
        return target[: colon + 1], target[colon + 1 :]
    return "", target


def check_target(site: Site, target: str) -> str:
    """Refuse destinations where `rsync --delete` could remove more than the blog folder."""
    config = site.root / SETTINGS_FILE
    if not target.strip():
        raise PublishError(
            'no publish target: add [publish] target = "user@host:/var/www/blog/" to hkcms.toml',
            config,
        )
    if target.startswith("-") or any(c in target for c in "\0\n\r"):
        raise PublishError(f"publish target {target!r} is not a valid rsync destination", config)
    host, path = split_target(target)
    if ".." in PurePosixPath(path).parts:
        raise PublishError(f"publish target {target!r} may not contain '..'", config)
    try:
        if host:
            check_remote_path(path, what="publish target", config=config)
        else:
            check_local_folder(
                Path(path), site.root, what="publish target", inside_site_ok=False, config=config
            )
    except HkcmsError as exc:
        if isinstance(exc, PublishError):
            raise
        raise PublishError(exc.message, exc.path) from None
    return target if target.endswith("/") else target + "/"


def publish(site: Site, *, dry_run: bool = False, out: Path | None = None) -> PublishResult:
    """rsync the export (default <site>/public) to settings.publish_target."""
    rsync = shutil.which("rsync")
    if rsync is None:
        raise PublishError("rsync is not installed; install it (e.g. apt-get install rsync)")
    source = out or site.public_dir
    manifest = Manifest.load(source)
    if manifest is None or not manifest.complete or not manifest.pages:
        raise PublishError("holds no complete export; run 'hkcms export' first", source)
    if manifest.drafts:
        raise PublishError(
            "is a preview export that includes drafts and is never published; "
            "export again without drafts ('hkcms export', or x then Enter in hkcms) and publish",
            source,
        )
    target = check_target(site, site.settings.publish_target)
    command = [
        rsync,
        "--recursive",
        "--links",
        "--times",
        "--compress",
        "--delete",  # removes only files inside the target folder that the export no longer has
        "--chmod=D755,F644",
        "--itemize-changes",
        f"--exclude=/{MANIFEST_NAME}*",
        f"--exclude=/{STAGING}/",
    ]
    rsh = str(site.settings.raw.get("publish", {}).get("ssh", "") or "")
    if rsh:
        command += ["--rsh", rsh]
    if dry_run:
        command.append("--dry-run")
    command += ["--", f"{source}/", target]
    started = time.monotonic()
    try:
        proc = subprocess.run(
            command,
            capture_output=True,
            text=True,
            errors="replace",
            env=os.environ | {"LC_ALL": "C.UTF-8"},
            check=False,
        )
    except OSError as exc:
        raise PublishError(f"cannot run rsync: {exc.strerror}") from exc
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        detail = lines[0] if lines else "no message"
        raise PublishError(f"rsync to {target} failed (exit {proc.returncode}): {detail}")
    changes = [
        line
        for line in proc.stdout.splitlines()
        if line
        and (line.startswith("*deleting") or line[:1] in "<>ch.")
        and not line.startswith(".d")
        and not line.startswith("cd+++++++++ ./")
    ]
    return PublishResult(target, dry_run, command, changes, time.monotonic() - started)
