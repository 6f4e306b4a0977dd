"""Keystroke latency in the editor on a post whose text is one very long line.

Opens the post in the real app (headless Pilot, 80x24), puts the cursor in the long line and
types characters one at a time; prints the median and worst time from a key press until the
app is idle again (the screen updated).

    .venv/bin/python benchmarks/bench_long_line.py [--kb 80 1600] [--keys 10]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hkcms.core.leases import LeaseStore  # noqa: E402
from hkcms.core.site import Site  # noqa: E402
from hkcms.tui.app import HkcmsApp  # noqa: E402
from hkcms.tui.screens.editor import EditorScreen  # noqa: E402

WORDS = "Hongkongers marched through Piccadilly Gardens 香港人在曼城遊行 "


def make_site(root: Path, kb: int) -> Site:
    site = Site.init(root, title="Long line")
    line = (WORDS * (kb * 1024 // len(WORDS.encode()) + 1)).strip()
    text = f"---\ntitle: One long line\n---\nShort first line.\n\n{line}\n\nLast line.\n"
    site.post_path("long").write_text(text, encoding="utf-8")
    return site


async def measure(site: Site, keys: int) -> tuple[float, list[float], str]:
    app = HkcmsApp(site, leases=LeaseStore(site, user="bench", host="bench"))
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(600):
            await pilot.pause(0.05)
            if getattr(app.screen, "loaded", False):
                break
        t0 = time.perf_counter()
        app.open_editor("long")
        for _ in range(6000):
            await pilot.pause(0.01)
            screen = app.screen
            if isinstance(screen, EditorScreen) and "Last line." in screen.text_area.text:
                break
        await app.workers.wait_for_complete()
        await pilot.pause()
        opened = time.perf_counter() - t0
        screen = app.screen
        said = " ".join(str(n.message) for n in app._notifications)
        if not isinstance(screen, EditorScreen):
            return opened, [], said
        area = screen.text_area
        area.move_cursor((2, 40))  # inside the long line (or what the editor made of it)
        await pilot.pause()
        times: list[float] = []
        for ch in "abcdefghijklmnopqrstuvwxyz"[:keys]:
            start = time.perf_counter()
            await pilot.press(ch)
            await pilot.pause()
            times.append(time.perf_counter() - start)
        return opened, times, said


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kb", type=int, nargs="+", default=[80, 1600])
    parser.add_argument("--keys", type=int, default=10)
    args = parser.parse_args()
    for kb in args.kb:
        with tempfile.TemporaryDirectory() as tmp:
            site = make_site(Path(tmp) / "site", kb)
            opened, times, said = asyncio.run(measure(site, args.keys))
        if times:
            print(
                f"{kb:>6} KB line: open {opened:.2f} s; per key median "
                f"{statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"
                f" ({len(times)} keys)"
            )
        else:
            print(f"{kb:>6} KB line: open {opened:.2f} s; no editor")
        if said:
            print(f"        notices: {said[:300]}")


if __name__ == "__main__":
    main()
