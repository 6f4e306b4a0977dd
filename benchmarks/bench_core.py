"""Core speed at N = 1,000 and 10,000 posts: the first `hkcms list --json` of a site hkcms has
never seen (and how long its history takes to complete in the background), `list --json` with
the scan cache deleted and warm, and one save."""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.gen_corpus import generate  # noqa: E402
from hkcms.core.posts import PostStore  # noqa: E402
from hkcms.core.site import Site  # noqa: E402

HKCMS = [sys.executable, "-m", "hkcms"]


def timed_list(site: Path) -> float:
    start = time.perf_counter()
    subprocess.run([*HKCMS, "--site", str(site), "list", "--json"], check=True, capture_output=True)
    return time.perf_counter() - start


def history_done(site: Path, timeout: float = 600.0) -> None:
    """Wait until the background recorder has given every post its first revision."""
    from hkcms.core.background import running
    from hkcms.core.meta import MetaStore

    opened = Site.open(site)
    posts = {p.stem for p in (site / "posts").glob("*.md")}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        summaries = MetaStore(opened).summaries()
        if not running(opened) and all(summaries.get(s, {}).get("hash") for s in posts):
            return
        time.sleep(0.1)
    raise RuntimeError("the background history recorder did not finish")


def first_scan(n: int) -> tuple[float, float]:
    """(seconds until the list is printed, seconds until the history is complete) for a site
    with posts only: cloned with git, copied from a backup or written by an importer."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        generate(n, root, revisions=0)
        start = time.perf_counter()
        listed = timed_list(root)
        history_done(root)
        return listed, time.perf_counter() - start


def bench(n: int, repeats: int) -> dict[str, float]:
    first, complete = first_scan(n)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        generate(n, root, revisions=10)
        cache = root / ".hkcms" / "cache"
        cold, warm = [], []
        for _ in range(repeats):
            shutil.rmtree(cache, ignore_errors=True)
            cold.append(timed_list(root))  # no parsed-front-matter cache: every file is parsed
            warm.append(timed_list(root))
        store = PostStore(Site.open(root))
        saves = []
        slug = store.list()[n // 2].slug
        for i in range(max(5, repeats)):
            post = store.load(slug)
            post.body += f"\nEdit {i}.\n"
            start = time.perf_counter()
            store.save(post)
            saves.append(time.perf_counter() - start)
        revisions = sum(s.get("revisions", 0) for s in store.meta.summaries().values())
        return {
            "first_s": first,
            "history_s": complete,
            "posts": n,
            "revisions": revisions,
            "list_cold_s": statistics.median(cold),
            "list_warm_s": statistics.median(warm),
            "save_ms": statistics.median(saves) * 1000,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'posts':>7} {'first list':>10} {'history':>9} {'revisions':>10} {'list cold':>10} "
        f"{'list warm':>10} {'save':>9}"
    )
    for n in args.n:
        r = bench(n, args.repeats)
        print(
            f"{r['posts']:>7} {r['first_s']:>9.2f}s {r['history_s']:>8.1f}s {r['revisions']:>10} "
            f"{r['list_cold_s']:>9.2f}s {r['list_warm_s']:>9.2f}s {r['save_ms']:>7.1f}ms",
            flush=True,
        )
    print(
        "first list: a site hkcms has never seen (posts only); history: until its first "
        "revisions are recorded in the background; cold: scan cache deleted"
    )
    print(
        "targets at 10,000 posts: first list <= 10 s, list cold <= 1.5 s, warm <= 0.5 s, "
        "save < 50 ms"
    )


if __name__ == "__main__":
    main()
