"""One way to time a benchmarked command: wall seconds, peak memory of its whole process tree,
CPU seconds and its output (the benchmarks' shared helper)."""

from __future__ import annotations

import ctypes
import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Measured:
    seconds: float  # wall time
    peak_kb: int  # resident memory of the process and all its descendants, at its highest
    out: str  # standard output
    err: str  # standard error ('' when it was shown)
    cpu: float  # user + system seconds of the command and every process it started


PR_SET_CHILD_SUBREAPER = 36
REAP_S = 1.0  # how long to wait for the command's leftover processes (a forkserver) to end


def become_subreaper() -> None:
    """Processes the command leaves behind (the export's forkserver and its workers, which it
    never waits for) are handed to this process, which waits for them: their CPU time then
    counts in RUSAGE_CHILDREN."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the workers' CPU time is left out


def reap_leftovers() -> None:
    deadline = time.monotonic() + REAP_S
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return  # no process of ours is left
        if pid == 0:
            time.sleep(0.01)


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants (kB)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            with open(f"/proc/{current}/task/{current}/children") as children:
                todo.extend(int(c) for c in children.read().split())
        except (OSError, ValueError):
            continue
    return total


def run_measured(
    cmd: list[str],
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    show_stderr: bool = False,
) -> Measured:
    """Run a command that must succeed (else exit with its error) and measure it. The previous
    step's writes are flushed first, so their write-back does not slow this one down."""
    os.sync()
    become_subreaper()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    stderr = None if show_stderr else subprocess.PIPE
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=cwd, env=env)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kb(proc.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    reap_leftovers()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{(err or '')[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return Measured(seconds, peak, out, err or "", cpu)
