"""Kill test at scale: SIGKILL a writer 1,000 times at random moments during every multi-file
operation (create, save, restore, rename, trash, untrash, comments add/delete/import, views
import), auditing the site after each kill. Prints the counts of every kind of damage.

Run: .venv/bin/python benchmarks/bench_kill.py [--kills 1000] [--seed 1] [--max-delay 0.15]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.core.kill_harness import COUNTS, run_kills  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-delay", type=float, default=0.15)
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="hkcms-kill-") as work:
        audit = run_kills(Path(work), args.kills, seed=args.seed, max_delay=args.max_delay)
        acks = sum(1 for line in (Path(work) / "acks.jsonl").open() if line.startswith('["ok"'))
    seconds = time.monotonic() - started
    what = f"{args.kills:,} kills (seed {args.seed}) in {seconds:.0f} s"
    print(f"{what}; {acks:,} operations acknowledged")
    for kind in COUNTS:
        print(f"  {kind:22} {audit.counts[kind]}")
    for note in audit.notes:
        print(f"  {note}")
    return 1 if any(audit.counts[k] for k in COUNTS) else 0


if __name__ == "__main__":
    sys.exit(main())
