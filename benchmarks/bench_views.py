"""Benchmark: import a 1,000,000-line combined access log over 1,000 posts, against GoAccess.

Prints the import time and peak memory of `hkcms views import` (a real process), the re-import
time of the already-read file, and GoAccess's time on the same file with the ratio.
Run: .venv/bin/python benchmarks/bench_views.py [--lines N] [--posts N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.gen_corpus import generate  # noqa: E402
from benchmarks.measure import run_measured  # noqa: E402

BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{v}.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.{v} Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_{v} like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{v}.0.0.0 Mobile Safari/537.36",
]
BOTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "WhatsApp/2.23.20.0",
    "Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
    "curl/8.5.0",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; "
    "+https://openai.com/gptbot)",
]
ASSETS = ["/assets/site.css", "/assets/app.js", "/media/logo.png", "/favicon.ico", "/feed.xml"]
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def slugs_of(site: Path) -> list[str]:
    return sorted(p.stem for p in (site / "posts").glob("*.md"))


def write_log(path: Path, slugs: list[str], lines: int, seed: int = 7) -> None:
    """A realistic mix: post pages (some repeats, query strings, index.html), assets, 404s, bots."""
    rng = random.Random(seed)
    urls = [f"/posts/{quote(s)}/" for s in slugs]
    visitors = [
        (f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
         rng.choice(BROWSERS).format(v=rng.randint(100, 130)))
        for _ in range(40_000)
    ]  # fmt: skip
    start = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    span = 60 * 86400
    step = span / lines
    with path.open("w", encoding="utf-8") as out:
        buf: list[str] = []
        stamp_before = ""
        for i in range(lines):
            t = start + dt.timedelta(seconds=int(i * step))
            stamp = f"{t.day:02d}/{MONTHS[t.month - 1]}/{t.year}:{t:%H:%M:%S} +0000"
            roll = rng.random()
            ip, ua = rng.choice(visitors)
            status, method = 200, "GET"
            if roll < 0.05 and buf:  # a reload or a second tab: a repeat of the line before
                buf.append(buf[-1].replace(stamp_before, stamp))
                stamp_before = stamp
                continue
            if roll < 0.55:
                url = rng.choice(urls)
                extra = rng.random()
                if extra < 0.1:
                    url += "?utm_source=newsletter"
                elif extra < 0.15:
                    url += "index.html"
                elif extra < 0.2:
                    status = 304
            elif roll < 0.8:
                url = rng.choice(ASSETS)
            elif roll < 0.85:
                url, status = f"/posts/missing-{rng.randint(1, 500)}/", 404
            elif roll < 0.97:
                url, ua = rng.choice(urls), rng.choice(BOTS)
            else:
                url, method = rng.choice(urls), "HEAD"
            ref = "-" if rng.random() < 0.5 else "https://example.org/"
            buf.append(
                f'{ip} - - [{stamp}] "{method} {url} HTTP/1.1" {status} 5120 "{ref}" "{ua}"\n'
            )
            stamp_before = stamp
            if len(buf) >= 10_000:
                out.write("".join(buf))
                buf.clear()
        out.write("".join(buf))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="keep the site and log in this folder")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="hkcms-bench-views-"))
    work.mkdir(parents=True, exist_ok=True)
    site, log = work / "site", work / "access.log"
    try:
        if not site.exists():
            generate(args.posts, site, revisions=3)
        if not log.exists():
            began = time.perf_counter()
            write_log(log, slugs_of(site), args.lines)
            print(f"generated {args.lines:,} lines ({log.stat().st_size / 1e6:.0f} MB) "
                  f"over {args.posts:,} posts in {time.perf_counter() - began:.1f} s")  # fmt: skip
        for stale in (site / ".hkcms" / "meta").glob("site.json*"):
            stale.unlink()  # forget earlier imports of the kept log (with --keep)
        hkcms = [sys.executable, "-m", "hkcms", "--site", str(site), "views", "import", "--json"]
        run = run_measured([*hkcms, str(log)])
        seconds, peak, out = run.seconds, run.peak_kb * 1024, run.out
        result = json.loads(out)
        print(f"hkcms views import: {seconds:.2f} s, peak memory {peak / 2**20:.0f} MB, "
              f"{result['counted']:,} views counted, {result['lines']:,} lines, "
              f"{result['posts']:,} posts")  # fmt: skip
        print(f"  skipped: {result['skipped']}  unparseable: {result['unparseable']}")
        rerun = run_measured([*hkcms, str(log)])
        again, peak2, out2 = rerun.seconds, rerun.peak_kb * 1024, rerun.out
        assert json.loads(out2)["counted"] == 0, "re-import counted lines twice"
        print(f"re-import of the already-read file: {again:.2f} s, peak {peak2 / 2**20:.0f} MB")
        goaccess = shutil.which("goaccess")
        if goaccess is None:
            print("goaccess is not installed: no comparison")
            return
        report = work / "report.json"
        env = dict(os.environ, TZ="UTC")
        cmd = [goaccess, str(log), "--log-format=COMBINED", "-o", str(report)]
        go = run_measured(cmd, env=env)
        go_seconds, go_peak = go.seconds, go.peak_kb * 1024
        print(f"goaccess {log.name} --log-format=COMBINED -o report.json: {go_seconds:.2f} s, "
              f"peak memory {go_peak / 2**20:.0f} MB")  # fmt: skip
        print(f"ratio: hkcms is {go_seconds / seconds:.1f}x faster than GoAccess")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
