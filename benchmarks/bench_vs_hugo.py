"""Every row of issue 13's table in one run: hkcms beside Hugo and Pelican on the same corpus.

    .venv/bin/python benchmarks/bench_vs_hugo.py [--n 10000] [--lines 1000000] [--work DIR]

The corpus is benchmarks/gen_corpus.py's (about 1,000 words a post, 10 % Chinese). Rows:
first scan of a never-seen site (`list --json`, then the TUI's first row), full export with no
cache (hkcms's caches deleted, Hugo from scratch, each into a folder never used before, the two
alternated --runs times; Pelican from scratch), export after editing
one post, export with nothing changed, `list --json` warm and with its cache deleted, the TUI's
first row (warm) and opening a 200 KB post, and importing a 1,000,000-line access log (GoAccess
beside it). Peak memory is that of the whole process tree (hkcms and its workers).

Peers, each skipped with a note when missing:
- Hugo: `apt-get install hugo` (Debian 12 ships 0.111). Not a dependency of hkcms or its CI.
- Pelican: `.venv/bin/pip install -e '.[bench]'`.
- GoAccess: `apt-get install goaccess`.
- The TUI rows need tmux.
Tools run one after another on the same files; on a shared machine every figure moves with
the load, which is printed at the start and the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.bench_export import to_pelican  # noqa: E402
from benchmarks.gen_corpus import generate  # noqa: E402
from benchmarks.measure import run_measured  # noqa: E402
from hkcms.core.posts import PostStore  # noqa: E402
from hkcms.core.site import Site  # noqa: E402

HKCMS = [sys.executable, "-m", "hkcms"]
PELICAN = Path(sys.executable).with_name("pelican")
HUGO_LAYOUTS = {
    "_default/baseof.html": (
        '<!doctype html><html lang="{{ .Site.LanguageCode }}"><head><meta charset="utf-8">'
        '<title>{{ .Title }}</title></head><body>{{ block "main" . }}{{ end }}</body></html>'
    ),
    "_default/single.html": (
        '{{ define "main" }}<article><h1>{{ .Title }}</h1><p>{{ .Params.author }} · '
        '{{ .Date.Format "2006-01-02" }}</p>{{ .Content }}'
        "<ul>{{ range .Params.tags }}<li>{{ . }}</li>{{ end }}</ul>"
        '{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}'
        '{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}'
        "</article>{{ end }}"
    ),
    "_default/list.html": (
        '{{ define "main" }}<h1>{{ .Title }}</h1>{{ $p := .Paginate .Pages }}'
        '{{ range $p.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>'
        '<p>{{ .Summary }}</p></article>{{ end }}{{ template "_internal/pagination.html" . }}'
        "{{ end }}"
    ),
    "index.html": (
        '{{ define "main" }}{{ $p := .Paginate .Site.RegularPages }}'
        '{{ range $p.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>'
        '<p>{{ .Summary }}</p></article>{{ end }}{{ template "_internal/pagination.html" . }}'
        "{{ end }}"
    ),
}


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


# CPU seconds (user + system) of the last command and all its processes, workers included
CPU: list[float] = [0.0]


def seconds_of(cmd: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """(wall seconds, peak MB of the process tree) of a command that must succeed; its CPU
    time goes to CPU[0]: on a shared machine it moves less with the load than wall time."""
    run = run_measured(cmd, cwd=cwd)
    CPU[0] = run.cpu
    return run.seconds, run.peak_kb / 1024


def cpu() -> str:
    return f"cpu {CPU[0]:.2f} s"


def hkcms(site: Path, *args: str) -> tuple[float, float]:
    return seconds_of([*HKCMS, "--site", str(site), *args])


def edit_one(site: Path, n: int) -> None:
    """Edit one post the way a person does, through hkcms (a saved revision)."""
    store = PostStore(Site.open(site))
    slug = sorted(p.slug for p in store.list())[n // 2]
    post = store.load(slug)
    post.body = post.body.replace("\n\n", "\n\nAn edited paragraph.\n\n", 1)
    store.save(post, note="benchmark edit")


class Row:
    """One line of the table: the step, each tool's figure and the target."""

    def __init__(self, step: str, target: str) -> None:
        self.step, self.target = step, target
        self.cells: dict[str, str] = {}

    def set(self, tool: str, text: str) -> None:
        self.cells[tool] = text
        print(f"  {self.step} · {tool}: {text}  ({load()})", flush=True)


def to_hugo(site: Path, dest: Path) -> None:
    """The same posts as a Hugo site: YAML front matter as is, minimal layouts, 10 per page."""
    content = dest / "content" / "posts"
    content.mkdir(parents=True)
    for path in sorted((site / "posts").glob("*.md")):
        shutil.copyfile(path, content / path.name)
    for rel, text in HUGO_LAYOUTS.items():
        target = dest / "layouts" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (dest / "hugo.toml").write_text(
        'baseURL = "https://example.org/"\ntitle = "Benchmark site"\nlanguageCode = "en"\n'
        'paginate = 10\n[permalinks]\nposts = "/posts/:slug/"\n[taxonomies]\ntag = "tags"\n',
        encoding="utf-8",
    )


def hugo_build(hugo: str, dest: Path, public: str = "public") -> tuple[float, float]:
    return seconds_of([hugo, "--source", str(dest), "--destination", public, "--quiet"])


def spread(values: list[float]) -> str:
    """Median and range of several runs."""
    if len(values) == 1:
        return f"{values[0]:.2f} s"
    return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})"


def exports_rows(
    site: Path,
    n: int,
    work: Path,
    hugo: str | None,
    peers: list[str],
    rows: dict[str, Row],
    runs: int,
) -> None:
    """Full exports with no cache, hkcms and Hugo alternated run by run, each into a folder
    never used before: deleting 13,000 files just before a run makes creating files slower
    for a while on some file systems, so old output is deleted only after the timed runs. Then
    an export with nothing changed and one after an edit, for each tool."""
    PostStore(Site.open(site)).scan()  # history of the generated corpus, as a real site has
    trash: list[Path] = []
    hugo_site = work / "hugo"
    if hugo is not None:
        peers[1] = f"Hugo {hugo_version(hugo)}"
        shutil.rmtree(hugo_site, ignore_errors=True)
        to_hugo(site, hugo_site)
    ours: list[float] = []
    theirs: list[float] = []
    for run in range(runs):
        # hkcms: its caches (scan, fragments, templates) deleted; a new output folder.
        shutil.rmtree(site / ".hkcms" / "cache", ignore_errors=True)
        out = work / f"hkcms-out-{run}"
        trash.append(out)
        wall, our_peak = hkcms(site, "export", "--out", str(out))
        ours.append(wall)
        detail = f"{wall:.2f} s ({cpu()}), peak {our_peak:.0f} MB"
        if hugo is not None:
            public = f"public-{run}"
            trash.append(hugo_site / public)
            wall, peak = hugo_build(hugo, hugo_site, public)
            theirs.append(wall)
            print(f"  run {run + 1}: hkcms {detail}; {peers[1]} {wall:.2f} s ({cpu()}), "
                  f"peak {peak:.0f} MB; ratio {ours[-1] / wall:.2f}", flush=True)  # fmt: skip
    rows["full"].set("hkcms", f"{spread(ours)}, last {detail}" if len(ours) > 1 else detail)
    if theirs:
        ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
        rows["full"].set(peers[1], spread(theirs))
        rows["full"].step += (
            f" ({runs} alternated runs; hkcms/Hugo {statistics.median(ratios):.2f}, "
            f"{min(ratios):.2f}–{max(ratios):.2f})"
        )
    wall, _ = hkcms(site, "export", "--full", "--out", str(out))
    print(f"  (hkcms export --full with its fragment cache: {wall:.2f} s, {cpu()})", flush=True)
    wall, _ = hkcms(site, "export", "--out", str(out))
    rows["noop"].set("hkcms", f"{wall:.2f} s ({cpu()})")
    edit_one(site, n)
    wall, _ = hkcms(site, "export", "--out", str(out))
    rows["edit"].set("hkcms", f"{wall:.2f} s ({cpu()})")

    if hugo is None:
        for key in ("full", "edit", "noop"):
            rows[key].set("Hugo", "skipped: not installed (apt-get install hugo)")
    else:
        public = f"public-{runs - 1}"
        wall, _ = hugo_build(hugo, hugo_site, public)
        rows["noop"].set(peers[1], f"{wall:.2f} s ({cpu()}; no incremental mode)")
        post = next((hugo_site / "content" / "posts").glob("community-report-number-1*.md"))
        post.write_text(post.read_text(encoding="utf-8") + "\nAn edit.\n", encoding="utf-8")
        wall, _ = hugo_build(hugo, hugo_site, public)
        rows["edit"].set(peers[1], f"{wall:.2f} s ({cpu()})")
    for folder in [*trash, hugo_site]:
        shutil.rmtree(folder, ignore_errors=True)
    pelican_rows(site, work, peers, rows)


def pelican_rows(site: Path, work: Path, peers: list[str], rows: dict[str, Row]) -> None:
    """Pelican on the same posts: a full build, a build with nothing changed, one after an
    edit (it has no incremental mode)."""
    if not PELICAN.exists():
        for key in ("full", "edit", "noop"):
            rows[key].set("Pelican", "skipped: .venv/bin/pip install -e '.[bench]'")
    else:
        version = subprocess.run([str(PELICAN), "--version"], capture_output=True, text=True)
        peers[2] = f"Pelican {version.stdout.strip()}"
        dest = work / "pelican"
        shutil.rmtree(dest, ignore_errors=True)
        to_pelican(site, dest)
        wall, peak = pelican_build(dest)
        rows["full"].set(peers[2], f"{wall:.2f} s ({cpu()}), peak {peak:.0f} MB")
        wall, _ = pelican_build(dest)
        rows["noop"].set(peers[2], f"{wall:.2f} s ({cpu()})")
        post = next((dest / "content").glob("community-report-number-1*.md"))
        post.write_text(post.read_text(encoding="utf-8") + "\nAn edit.\n", encoding="utf-8")
        wall, _ = pelican_build(dest)
        rows["edit"].set(peers[2], f"{wall:.2f} s ({cpu()})")
        shutil.rmtree(dest, ignore_errors=True)


def hugo_version(hugo: str) -> str:
    out = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.split()
    return out[1].lstrip("v").split("-")[0] if len(out) > 1 else "?"


def pelican_build(dest: Path) -> tuple[float, float]:
    cmd = [str(PELICAN), "content", "-s", "pelicanconf.py", "-o", "output", "-q"]
    return seconds_of(cmd, cwd=dest)


def tui_rows(n: int, work: Path, rows: dict[str, Row]) -> None:
    """The TUI rows, measured on screen in tmux at 80x24 (benchmarks/bench_tui.py)."""
    import benchmarks.bench_tui as tui

    if shutil.which("tmux") is None:
        for key in ("first", "tui"):
            rows[key].set("hkcms TUI", "skipped: tmux is not installed")
        return
    try:
        first = tui.never_seen(n, work)
        rows["first"].set("hkcms TUI", f"first row {first:.2f} s")
        site = tui.make_site(n, work)
        tui.start(site)
        tui.stop()
        warm = []
        for _ in range(3):
            warm.append(tui.start(site))
            tui.stop()
        opens = [tui.editor_open(site) for _ in range(3)]
        rows["tui"].set(
            "hkcms",
            f"{statistics.median(warm):.2f} s / {statistics.median(opens) * 1000:.0f} ms "
            f"(medians of 3)",
        )
    finally:
        tui.stop()


def views_row(work: Path, lines: int, row: Row) -> None:
    import benchmarks.bench_views as views

    site, log = work / "views-site", work / "access.log"
    generate(1000, site, revisions=3)
    views.write_log(log, views.slugs_of(site), lines)
    cmd = [*HKCMS, "--site", str(site), "views", "import", "--json", str(log)]
    run = run_measured(cmd)
    seconds, peak = run.seconds, run.peak_kb * 1024
    row.set("hkcms", f"{seconds:.2f} s, peak {peak / 2**20:.0f} MB")
    goaccess = shutil.which("goaccess")
    if goaccess is None:
        row.set("GoAccess", "skipped: not installed (apt-get install goaccess)")
        return
    report = work / "report.json"
    cmd = [goaccess, str(log), "--log-format=COMBINED", "-o", str(report)]
    run = run_measured(cmd, env=dict(os.environ, TZ="UTC"))
    seconds, peak = run.seconds, run.peak_kb * 1024
    row.set("GoAccess", f"{seconds:.2f} s, peak {peak / 2**20:.0f} MB")
    row.step += f" (GoAccess: {seconds:.1f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=10_000, help="posts (default 10,000)")
    parser.add_argument("--lines", type=int, default=1_000_000, help="access-log lines")
    parser.add_argument("--work", type=Path, help="work folder (default: a temporary one)")
    parser.add_argument("--json", action="store_true", help="print the table as JSON too")
    parser.add_argument(
        "--runs", type=int, default=3, help="alternated hkcms/Hugo full exports (default 3)"
    )
    parser.add_argument(
        "--parts",
        default="first,exports,list,tui,views",
        help="comma-separated parts to run (default: all): first,exports,list,tui,views",
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    parts = set(args.parts.split(","))
    n = args.n
    work = args.work or Path(tempfile.mkdtemp(prefix="hkcms-bench-vs-hugo-"))
    work.mkdir(parents=True, exist_ok=True)
    hugo = shutil.which("hugo")
    peers = ["hkcms", "Hugo", "Pelican"]
    rows = {
        "first": Row("first scan of a never-seen site (`list`, TUI first row)", "≤ 10 s; ≤ 1.5 s"),
        "full": Row("full export, no cache", "≤ half of Hugo's"),
        "edit": Row("export after editing one post", "≤ 1 s (1,000 posts: ≤ 0.4 s)"),
        "noop": Row("export with nothing changed", "≤ 0.5 s"),
        "list": Row("`list --json`, cache warm / deleted", "≤ 0.5 s / ≤ 1.5 s"),
        "tui": Row("TUI first row (warm) / open a 200 KB post", "≤ 1 s / ≤ 400 ms"),
        "views": Row(f"views import, {args.lines:,} log lines", "≤ 5 s"),
    }  # fmt: skip
    print(f"{n:,} posts on {os.cpu_count()} cores, {load()}; work folder {work}", flush=True)
    try:
        site = work / "site"
        if not site.exists():
            generate(n, site, revisions=3)

        if "first" in parts:
            # First scan: a copy with the posts only, as after `git clone`.
            fresh = work / "never-seen"
            shutil.rmtree(fresh, ignore_errors=True)
            shutil.copytree(site / "posts", fresh / "posts")
            from benchmarks.bench_core import history_done

            began = time.perf_counter()
            listed, _ = hkcms(fresh, "list", "--json")
            listed_cpu = cpu()
            history_done(fresh)
            complete = time.perf_counter() - began
            rows["first"].set(
                "hkcms list",
                f"{listed:.2f} s ({listed_cpu}; history complete after {complete:.1f} s)",
            )
            shutil.rmtree(fresh, ignore_errors=True)

        if "exports" in parts:
            exports_rows(site, n, work, hugo, peers, rows, args.runs)

        if "list" in parts:
            # list --json, warm (three runs) and with the scan cache deleted.
            hkcms(site, "list", "--json")
            warm = statistics.median(hkcms(site, "list", "--json")[0] for _ in range(3))
            warm_cpu = cpu()
            shutil.rmtree(site / ".hkcms" / "cache", ignore_errors=True)
            cold, _ = hkcms(site, "list", "--json")
            rows["list"].set("hkcms", f"{warm:.2f} s / {cold:.2f} s ({warm_cpu} / {cpu()})")
        if "tui" in parts:
            tui_rows(n, work / "tui", rows)
        if "views" in parts:
            views_row(work / "views", args.lines, rows["views"])
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)

    print(f"\n{n:,} posts, {os.cpu_count()} cores, {load()} at the end\n")
    print(f"| step, {n:,} posts | {' | '.join(peers)} | target |")
    print("|---|" + "---:|" * len(peers) + "---|")
    for row in rows.values():
        cells = []
        for peer in peers:
            tool = peer.split()[0]
            found = [text for name, text in row.cells.items() if name.split()[0] == tool]
            named = [
                f"{name.removeprefix(tool).strip()}: {text}" if name != tool else text
                for name, text in row.cells.items()
                if name.split()[0] == tool
            ]
            cells.append("; ".join(named) if len(found) > 1 else (found[0] if found else "–"))
        print(f"| {row.step} | {' | '.join(cells)} | {row.target} |")
    if args.json:
        print(json.dumps({key: row.cells for key, row in rows.items()}, indent=1))


if __name__ == "__main__":
    main()
