"""Core speed: `hkcms list --json` cold and warm, and one save, at N = 1,000 and 10,000 posts."""

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


def bench(n: int, repeats: int) -> dict[str, float]:
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
    print(f"{'posts':>7} {'revisions':>10} {'list cold':>10} {'list warm':>10} {'save':>9}")
    for n in args.n:
        r = bench(n, args.repeats)
        print(
            f"{r['posts']:>7} {r['revisions']:>10} {r['list_cold_s']:>9.2f}s "
            f"{r['list_warm_s']:>9.2f}s {r['save_ms']:>7.1f}ms",
            flush=True,
        )
    print("targets at 10,000 posts: list warm < 1 s, save < 50 ms")


if __name__ == "__main__":
    main()
