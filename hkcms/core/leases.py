"""Advisory leases: small files saying who has a post open, ignored once their process is gone."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

from hkcms.core.atomic import read_regular_file, write_atomic
from hkcms.core.errors import HkcmsError
from hkcms.core.history import current_editor, now_iso
from hkcms.core.site import Site

# A lease from another machine cannot be checked by pid; it expires unless refreshed this often.
STALE_AFTER_S = 15 * 60


@dataclass(frozen=True)
class Lease:
    """One person's claim that they have a post open in an editor."""

    slug: str
    user: str
    host: str
    pid: int
    time: str
    started: str = ""  # the process's start time, so that a reused pid is not taken for it

    def label(self) -> str:
        return f"{self.user}@{self.host}"


def process_started(pid: int) -> str:
    """When a process started (clock ticks since boot, from /proc); "" where unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    # The command name (field 2) may contain spaces and parentheses: split after its end.
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else ""


def pid_alive(pid: int) -> bool:
    """True if a process with this pid exists on this machine."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists but belongs to someone else
    except OSError:
        return False
    return True


class LeaseStore:
    """Leases of one site under .hkcms/leases/; one file per (host, pid, post)."""

    def __init__(
        self,
        site: Site,
        *,
        user: str | None = None,
        host: str | None = None,
        pid: int | None = None,
    ) -> None:
        self.dir = site.state_dir / "leases"
        self.user = user or current_editor()
        self.host = host or socket.gethostname()
        self.pid = pid if pid is not None else os.getpid()

    def _path(self, slug: str, host: str, pid: int) -> Path:
        key = zlib.crc32(slug.encode("utf-8"))
        return self.dir / f"{host}.{pid}.{key:08x}.json"

    def acquire(self, slug: str) -> Lease:
        """Say that this process has `slug` open (also refreshes an existing lease)."""
        lease = Lease(slug, self.user, self.host, self.pid, now_iso(), process_started(self.pid))
        data = json.dumps(asdict(lease), ensure_ascii=False).encode("utf-8")
        try:
            write_atomic(self._path(slug, self.host, self.pid), data)
        except OSError:
            pass  # leases are advisory: a read-only state folder must not stop editing
        return lease

    def release(self, slug: str) -> None:
        try:
            self._path(slug, self.host, self.pid).unlink()
        except OSError:
            pass

    def release_all(self) -> None:
        """Drop every lease of this process (on exit)."""
        for lease, path in self._read():
            if lease.host == self.host and lease.pid == self.pid:
                path.unlink(missing_ok=True)

    def others(self) -> dict[str, list[Lease]]:
        """Live leases of other processes, by slug; dead ones on this host are removed."""
        out: dict[str, list[Lease]] = {}
        now = dt.datetime.now(dt.UTC)
        for lease, path in self._read():
            if lease.host == self.host:
                if lease.pid == self.pid:
                    continue
                reused = lease.started and process_started(lease.pid) not in ("", lease.started)
                if not pid_alive(lease.pid) or reused:
                    path.unlink(missing_ok=True)  # its editor is gone: the lease has expired
                    continue
            elif _age_s(lease.time, now) > STALE_AFTER_S:
                continue
            out.setdefault(lease.slug, []).append(lease)
        return out

    def _read(self) -> list[tuple[Lease, Path]]:
        found: list[tuple[Lease, Path]] = []
        try:
            paths = list(self.dir.glob("*.json"))
        except OSError:
            return found
        for path in paths:
            try:
                # Not read_bytes(): a FIFO named *.json would block the caller for good.
                raw = json.loads(read_regular_file(path))
                lease = Lease(
                    str(raw["slug"]),
                    str(raw["user"]),
                    str(raw["host"]),
                    int(raw["pid"]),
                    str(raw["time"]),
                    str(raw.get("started", "")),
                )
            except (OSError, HkcmsError, ValueError, KeyError, TypeError):
                continue  # a half-written or foreign file is not a lease
            found.append((lease, path))
        return found


def _age_s(stamp: str, now: dt.datetime) -> float:
    try:
        when = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return float("inf")
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return (now - when).total_seconds()
