"""TUI speed at 1,000 and 10,000 posts, measured on screen in tmux at 80x24.

Prints, per site size: launch -> first table row visible on a site hkcms has never seen (posts
only, no metadata: its history is recorded in the background), with the cache deleted, and warm;
one filter keystroke -> table updated on screen (median/max over several keystrokes);
Enter on a 200 KB post -> editor shown with its text.

    .venv/bin/python benchmarks/bench_tui.py [--sizes 1000 10000] [--work /tmp/hkcms-bench-tui]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.gen_corpus import generate  # noqa: E402

HKCMS = Path(sys.executable).with_name("hkcms")
SOCKET = f"hkcms-bench-{os.getpid()}-0"
_runs = 0
ROW = re.compile(r"(Community report number|社區報告)")
BIG_SLUG = "a-very-long-post"


def tmux(*args: str) -> str:
    return subprocess.run(
        ["tmux", "-L", SOCKET, *args], check=True, capture_output=True, text=True
    ).stdout


def screen() -> str:
    return tmux("capture-pane", "-p", "-t", "bench")


def wait_for(test, timeout: float = 60.0, step: float = 0.015) -> float:
    """Seconds until test(screen) is true, polling the pane (each poll runs a tmux process;
    polling much faster than this takes CPU from the app being measured on 2 cores)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if test(screen()):
            return time.perf_counter() - start
        time.sleep(step)
    raise RuntimeError(f"timed out; screen:\n{screen()}")


def start(site: Path) -> float:
    """Launch hkcms in tmux; seconds until the first post row is on screen."""
    global SOCKET, _runs
    _runs += 1
    SOCKET = f"hkcms-bench-{os.getpid()}-{_runs}"  # a fresh tmux server: no race with the last
    t0 = time.perf_counter()
    tmux(
        "new-session",
        "-d",
        "-s",
        "bench",
        "-x",
        "80",
        "-y",
        "24",
        f"env LANG=C.UTF-8 TERM=xterm-256color HKCMS_USER=bench {HKCMS} --site {site}",
    )
    wait_for(lambda s: bool(ROW.search(s)))
    return time.perf_counter() - t0


def stop() -> None:
    """Kill the session and wait until the app has really exited, so that a finishing worker
    of one run does not slow down the next."""
    pids = subprocess.run(
        ["tmux", "-L", SOCKET, "list-panes", "-a", "-F", "#{pane_pid}"],
        capture_output=True,
        text=True,
    ).stdout.split()
    subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)
    socket_dir = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}"
    (socket_dir / SOCKET).unlink(missing_ok=True)  # tmux leaves the socket file behind
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)


def filter_line(s: str) -> str:
    lines = s.rstrip("\n").splitlines()
    return lines[-2].strip() if len(lines) >= 2 else ""


def filter_times(site: Path) -> list[float]:
    """Type queries letter by letter; time each key until the screen shows it (the table is
    refiltered in the same refresh as the filter box, so both appear together)."""
    start(site)
    time.sleep(3.0)  # let the body index finish (it is built in a worker after the first paint)
    tmux("send-keys", "-t", "bench", "/")
    time.sleep(0.3)
    times = []
    for query in ("zq", "london", "香港"):
        for i, ch in enumerate(query):
            t0 = time.perf_counter()
            tmux("send-keys", "-t", "bench", "-l", ch)
            wait_for(lambda s, q=query[: i + 1]: filter_line(s) == q, timeout=10)
            times.append(time.perf_counter() - t0)
        for _ in query:
            tmux("send-keys", "-t", "bench", "BSpace")
        time.sleep(0.5)
    stop()
    return times


def editor_open(site: Path) -> float:
    """Enter on the 200 KB post (first row: newest update) until its text is on screen."""
    start(site)
    time.sleep(1.0)
    tmux("send-keys", "-t", "bench", "/")
    time.sleep(0.3)
    tmux("send-keys", "-t", "bench", "-l", "a very long post")
    time.sleep(0.5)
    tmux("send-keys", "-t", "bench", "Enter")  # leaves the filter box
    time.sleep(0.3)
    t0 = time.perf_counter()
    tmux("send-keys", "-t", "bench", "Enter")
    wait_for(lambda s: "a-very-long-post.md" in s and "Paragraph 0 " in s, timeout=20)
    elapsed = time.perf_counter() - t0
    stop()
    return elapsed


def editor_open_headless(site: Path, runs: int) -> list[float]:
    """The same, inside the process (Textual's headless driver): no tmux, no terminal I/O."""
    import asyncio

    from hkcms.core.site import Site
    from hkcms.tui.app import HkcmsApp
    from hkcms.tui.screens.editor import EditorScreen

    async def measure() -> list[float]:
        times = []
        app = HkcmsApp(Site.open(site), poll_interval=3600)
        async with app.run_test(size=(80, 24)) as pilot:
            posts = app.screen_stack[1]
            while not getattr(posts, "loaded", False) or not posts.index.bodies_ready:
                await asyncio.sleep(0.05)  # the posts list and its body index are ready
            await app.workers.wait_for_complete()
            await pilot.pause(0.5)
            for _ in range(runs):
                t0 = time.perf_counter()
                app.open_editor(BIG_SLUG)
                while not (
                    isinstance(app.screen, EditorScreen)
                    and app.screen.query("#editor-text")
                    and app.screen.text_area.text
                ):
                    await asyncio.sleep(0.002)
                await pilot.pause()  # the refresh that shows it
                times.append(time.perf_counter() - t0)
                app.screen.dismiss()
                await pilot.pause(0.3)
        return times

    return asyncio.run(measure())


def make_site(n: int, work: Path) -> Path:
    site = work / f"site-{n}"
    if not (site / "posts").is_dir():
        print(f"generating {n} posts in {site} …", flush=True)
        generate(n, site)
    big = site / "posts" / f"{BIG_SLUG}.md"
    if not big.exists():
        paragraphs = [
            f"Paragraph {i} of a long report. " + "Volunteers met in London and 香港. " * 12
            for i in range(420)
        ]
        text = "---\ntitle: A very long post\nstatus: draft\n---\n" + "\n\n".join(paragraphs)
        big.write_text(text + "\n", encoding="utf-8")
        print(f"  {BIG_SLUG}.md: {big.stat().st_size / 1024:.0f} KB", flush=True)
    return site


def never_seen(n: int, work: Path) -> float:
    """First row of a posts-only copy of the site (as after `git clone`); the copy is removed
    once the background history recorder has finished with it."""
    site = work / f"never-seen-{n}"
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(make_site(n, work) / "posts", site / "posts")
    (site / "posts" / f"{BIG_SLUG}.md").unlink()
    first = start(site)
    stop()
    from benchmarks.bench_core import history_done

    history_done(site)
    shutil.rmtree(site, ignore_errors=True)
    return first


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/hkcms-bench-tui"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        sys.exit("bench_tui needs tmux")
    args.work.mkdir(parents=True, exist_ok=True)
    try:
        for n in args.sizes:
            site = make_site(n, args.work)
            fresh = never_seen(n, args.work)
            shutil.rmtree(site / ".hkcms" / "cache", ignore_errors=True)
            cold = start(site)
            stop()
            warm = []
            for _ in range(args.runs):
                warm.append(start(site))
                stop()
            keys = filter_times(site)
            opens = [editor_open(site) for _ in range(args.runs)]
            headless = editor_open_headless(site, args.runs)
            print(
                f"{n:>6} posts: first row on a never-seen site {fresh:.2f} s (target <= 1.5 s), "
                f"cache deleted {cold:.2f} s, warm median {statistics.median(warm):.2f} s "
                "(target <= 1 s)"
            )
            print(
                f"{'':>6}        filter keystroke median {statistics.median(keys) * 1000:.0f} ms,"
                f" max {max(keys) * 1000:.0f} ms over {len(keys)} keys (target < 100 ms)"
            )
            print(
                f"{'':>6}        open 200 KB post median {statistics.median(opens) * 1000:.0f} ms,"
                f" max {max(opens) * 1000:.0f} ms (target < 500 ms);"
                f" in-process {statistics.median(headless) * 1000:.0f} ms",
                flush=True,
            )
    finally:
        stop()


if __name__ == "__main__":
    main()
