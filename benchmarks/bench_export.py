"""Export speed: full (cold) and incremental `hkcms export`, peak memory, and Pelican on the same
corpus, in one run. Usage: .venv/bin/python benchmarks/bench_export.py --n 10000"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.gen_corpus import generate  # noqa: E402
from benchmarks.measure import run_measured  # noqa: E402
from hkcms.core.post import parse_post  # noqa: E402
from hkcms.core.posts import PostStore  # noqa: E402
from hkcms.core.site import Site  # noqa: E402

HKCMS = [sys.executable, "-m", "hkcms"]
PELICAN = Path(sys.executable).with_name("pelican")


def export(site: Path, *extra: str) -> tuple[float, float, float, str]:
    """(wall s, export's own s, peak MB, summary line) of one `hkcms export`."""
    run = run_measured([*HKCMS, "--site", str(site), "export", *extra])
    inner = float(re.search(r" in ([0-9.]+) s", run.out).group(1))  # type: ignore[union-attr]
    return run.seconds, inner, run.peak_kb / 1024, run.out.strip()


def to_pelican(site: Path, dest: Path) -> None:
    """The same posts as Pelican Markdown files with its metadata header, plus a config."""
    content = dest / "content"
    content.mkdir(parents=True)
    for path in sorted((site / "posts").glob("*.md")):
        post = parse_post(path.read_text(), path.stem, path)
        meta = [
            f"Title: {post.title}",
            f"Date: {post.date}",
            f"Author: {post.author}",
            f"Tags: {', '.join(post.tags)}",
            f"Slug: {post.slug}",
            f"Lang: {post.lang or 'en'}",
        ]
        (content / path.name).write_text("\n".join(meta) + "\n\n" + post.body)
    (dest / "pelicanconf.py").write_text(
        'AUTHOR = "Bench"\nSITENAME = "Benchmark site"\nSITEURL = "https://example.org"\n'
        'PATH = "content"\nTIMEZONE = "Europe/London"\nDEFAULT_LANG = "en"\n'
        "DEFAULT_PAGINATION = 10\nRELATIVE_URLS = False\n"
        'FEED_ALL_ATOM = "feeds/all.atom.xml"\nLOAD_CONTENT_CACHE = False\n'
        'ARTICLE_URL = "posts/{slug}/"\nARTICLE_SAVE_AS = "posts/{slug}/index.html"\n'
        "ARTICLE_LANG_SAVE_AS = ARTICLE_SAVE_AS\nARTICLE_LANG_URL = ARTICLE_URL\n"
    )


def bench(n: int, keep: Path | None, skip_pelican: bool) -> dict[str, object]:
    tmp = Path(tempfile.mkdtemp(prefix="hkcms-bench-export-"))
    try:
        site = tmp / "site"
        generate(n, site, revisions=3)
        # Warm the file-system cache and the posts list cache the way a real site has them:
        # the export is timed, not the first `git clone`.
        PostStore(Site.open(site)).scan()
        results: dict[str, object] = {"posts": n}
        shutil.rmtree(site / ".hkcms" / "cache" / "export", ignore_errors=True)
        wall, inner, peak, summary = export(site)
        results |= {"full_s": wall, "full_inner_s": inner, "full_peak_mb": peak}
        print(
            f"  full export:        {wall:6.2f} s wall ({inner:.2f} s in export), "
            f"peak {peak:.0f} MB  [{summary}]",
            flush=True,
        )
        wall, inner, peak, summary = export(site)
        results |= {"noop_s": wall, "noop_inner_s": inner}
        print(f"  nothing changed:    {wall:6.2f} s wall ({inner:.2f} s in export)  [{summary}]")
        store = PostStore(Site.open(site))
        slug = sorted(p.slug for p in store.list())[n // 2]
        post = store.load(slug)
        post.body = post.body.replace("\n\n", "\n\nAn edited paragraph.\n\n", 1)
        store.save(post, note="benchmark edit")
        wall, inner, peak, summary = export(site)
        results |= {"incremental_s": wall, "incremental_inner_s": inner, "incr_peak_mb": peak}
        print(
            f"  one post edited:    {wall:6.2f} s wall ({inner:.2f} s in export), "
            f"peak {peak:.0f} MB  [{summary}]",
            flush=True,
        )
        wall, inner, peak, summary = export(site, "--full")
        results |= {"full_warm_s": wall, "full_warm_inner_s": inner}
        print(f"  --full rebuild:     {wall:6.2f} s wall ({inner:.2f} s in export)  [{summary}]")
        if not skip_pelican:
            if not PELICAN.exists():
                raise SystemExit("Pelican is missing: .venv/bin/pip install -e '.[bench]'")
            pel = tmp / "pelican"
            to_pelican(site, pel)
            run = run_measured(
                [str(PELICAN), "content", "-s", "pelicanconf.py", "-o", "output", "-q"], cwd=pel
            )
            wall, peak_kb = run.seconds, run.peak_kb
            pages = sum(1 for _ in (pel / "output").rglob("*.html"))
            results |= {"pelican_s": wall, "pelican_peak_mb": peak_kb / 1024}
            ratio = wall / float(results["full_s"])  # type: ignore[arg-type]
            results["speedup"] = ratio
            print(
                f"  Pelican {_pelican_version()}:      {wall:6.2f} s wall, peak "
                f"{peak_kb / 1024:.0f} MB, {pages} HTML pages; hkcms full export is "
                f"{ratio:.1f}x faster",
                flush=True,
            )
        return results
    finally:
        if keep:
            shutil.rmtree(keep, ignore_errors=True)
            shutil.move(str(tmp), keep)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _pelican_version() -> str:
    proc = subprocess.run([str(PELICAN), "--version"], capture_output=True, text=True)
    return proc.stdout.strip() or "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, nargs="+", default=[1000], help="posts (several ok)")
    parser.add_argument("--keep", type=Path, help="keep the last corpus and outputs here")
    parser.add_argument("--no-pelican", action="store_true", help="skip the Pelican build")
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = parser.parse_args()
    print(f"hkcms export benchmark on {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    all_results = []
    for n in args.n:
        print(f"{n:,} posts:", flush=True)
        all_results.append(bench(n, args.keep, args.no_pelican))
    if args.json:
        print(json.dumps(all_results, indent=1))


if __name__ == "__main__":
    main()
