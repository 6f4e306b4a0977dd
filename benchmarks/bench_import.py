"""Import speed: a generated WordPress export (WXR) of N posts through `hkcms import wordpress`.

Each post has about 1,000 words (10 % of posts in Chinese), HTML as WordPress writes it (classic
posts without <p>, Gutenberg posts with block comments), tags, and 3 comments. Prints the
file size, the import's wall time and the peak memory of hkcms and its worker processes, then
a re-import (nothing changes). The import shows its own progress bar on this terminal.

    .venv/bin/python benchmarks/bench_import.py --n 10000
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.gen_corpus import AUTHORS, TAGS, sentence  # noqa: E402
from benchmarks.measure import run_measured  # noqa: E402

HKCMS = [sys.executable, "-m", "hkcms"]
HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Bench</title><link>https://old.example.org</link><language>en-GB</language>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_blog_url>https://old.example.org</wp:base_blog_url>
"""


def content(rng: random.Random, chinese: bool, gutenberg: bool, words: int = 1000) -> str:
    """About `words` words of post HTML, as the classic editor or Gutenberg stores it."""
    parts: list[str] = []
    count = 0
    while count < words:
        text = " ".join(sentence(rng, chinese) for _ in range(rng.randint(2, 5)))
        count += len(text) // 3 if chinese else len(text.split())
        if rng.random() < 0.15:
            text = text.replace(".", ' <a href="https://example.org/more">more</a>.', 1)
        if rng.random() < 0.2:
            text = f"<strong>{text}</strong>"
        kind = rng.random()
        if kind < 0.1:
            block = f"<h2>{html.escape(sentence(rng, chinese)[:40])}</h2>"
        elif kind < 0.16:
            block = (
                "<ul>" + "".join(f"<li>{sentence(rng, chinese)}</li>" for _ in range(3)) + "</ul>"
            )
        else:
            block = f"<p>{text}</p>" if gutenberg else text
        if gutenberg:
            block = f"<!-- wp:paragraph -->\n{block}\n<!-- /wp:paragraph -->"
        parts.append(block)
    return "\n\n".join(parts)


def write_wxr(path: Path, n: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write(HEAD)
        for login in AUTHORS:
            out.write(f"<wp:author><wp:author_login><![CDATA[{login}]]></wp:author_login>"
                      f"<wp:author_display_name><![CDATA[{login}]]></wp:author_display_name>"
                      "</wp:author>\n")  # fmt: skip
        for i in range(1, n + 1):
            chinese = i % 10 == 0
            title = sentence(rng, chinese)[:60].rstrip("。.")
            day = f"20{10 + i % 15:02d}-{1 + i % 12:02d}-{1 + i % 28:02d} 10:{i % 60:02d}:00"
            comments = "".join(
                f"<wp:comment><wp:comment_id>{i * 10 + c}</wp:comment_id>"
                f"<wp:comment_author><![CDATA[Reader {c}]]></wp:comment_author>"
                f"<wp:comment_author_email>r{c}@example.org</wp:comment_author_email>"
                f"<wp:comment_author_IP>203.0.113.{c}</wp:comment_author_IP>"
                f"<wp:comment_date_gmt>{day}</wp:comment_date_gmt>"
                f"<wp:comment_content><![CDATA[{sentence(rng, chinese)}]]></wp:comment_content>"
                f"<wp:comment_approved>{1 if c else 0}</wp:comment_approved>"
                f"<wp:comment_parent>{i * 10 if c == 2 else 0}</wp:comment_parent></wp:comment>"
                for c in range(3)
            )
            tags = "".join(
                f'<category domain="post_tag" nicename="t"><![CDATA[{t}]]></category>'
                for t in rng.sample(TAGS, 2)
            )
            body = content(rng, chinese, gutenberg=i % 2 == 0)
            out.write(
                f"<item><title><![CDATA[{title}]]></title>"
                f"<link>https://old.example.org/{day[:4]}/{day[5:7]}/post-{i}/</link>"
                f"<dc:creator><![CDATA[{rng.choice(AUTHORS)}]]></dc:creator>"
                f"<content:encoded><![CDATA[{body}]]></content:encoded>"
                f"<wp:post_id>{i}</wp:post_id><wp:post_date_gmt>{day}</wp:post_date_gmt>"
                f"<wp:post_modified_gmt>{day}</wp:post_modified_gmt>"
                f"<wp:post_name><![CDATA[post-{i}]]></wp:post_name>"
                f"<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
                f"{tags}{comments}</item>\n"
            )
            if i % 500 == 0 or i == n:
                print(f"\rgenerating: {i:,}/{n:,} posts", end="", file=sys.stderr, flush=True)
        out.write("</channel></rss>\n")
    print(file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="posts in the export")
    parser.add_argument("--keep", type=Path, help="keep the export and the site here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hkcms-bench-import-") as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        wxr = root / f"wordpress-{args.n}.xml"
        write_wxr(wxr, args.n)
        site = root / "site"
        subprocess.run([*HKCMS, "init", str(site)], check=True, capture_output=True)
        print(
            f"{args.n:,} posts, {wxr.stat().st_size / 2**20:.0f} MB of WXR ({os.cpu_count()} CPUs)"
        )
        cmd = [*HKCMS, "--site", str(site), "import", "wordpress", str(wxr), "--json"]
        load = os.getloadavg()[0]
        run = run_measured(cmd, show_stderr=True)
        seconds, peak_kb, out, cpu = run.seconds, run.peak_kb, run.out, run.cpu
        report = json.loads(out)
        print(
            f"import: {seconds:.1f} s wall, {cpu:.1f} s CPU (all processes), peak memory "
            f"{peak_kb / 1024:.0f} MB (targets: < 60 s, < 500 MB; load average {load:.1f} "
            f"at the start); posts {report['posts']}, comments {report['comments']}"
        )
        run = run_measured(cmd, show_stderr=True)
        seconds, peak_kb, out, cpu = run.seconds, run.peak_kb, run.out, run.cpu
        report = json.loads(out)
        print(f"re-import: {seconds:.1f} s wall, {cpu:.1f} s CPU, peak memory "
              f"{peak_kb / 1024:.0f} MB; posts {report['posts']}")  # fmt: skip


if __name__ == "__main__":
    main()
