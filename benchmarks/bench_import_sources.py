"""Time the Wix, Jekyll and Hugo importers on generated sites: reading alone, then a full import.

    .venv/bin/python benchmarks/bench_import_sources.py --n 10000

Each post has about 1,000 words (10 % of the posts in Chinese), a heading, a list, an image and
(Jekyll) a highlight block or (Hugo) a shortcode; every Wix post has two comments.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from hkcms.core.site import Site
from hkcms.importers import hugo, jekyll, wix
from hkcms.importers.run import run_import
from hkcms.importers.sources import SOURCES

EN = "community rally volunteers gathered in the rain to remember and to plan ahead".split()
ZH = list("香港人在曼徹斯特聚集悼念並計劃未來的活動大家一起努力")


def words(i: int, n: int = 1000) -> str:
    if i % 10 == 0:
        return "".join(ZH[(i + k) % len(ZH)] for k in range(n))
    return " ".join(EN[(i + k) % len(EN)] for k in range(n))


def ricos(i: int) -> dict[str, Any]:
    text = words(i)
    third = len(text) // 3

    def para(t: str) -> dict[str, Any]:
        return {"type": "PARAGRAPH", "nodes": [{"type": "TEXT", "textData": {"text": t}}]}

    return {
        "nodes": [
            para(text[:third]),
            {"type": "HEADING", "headingData": {"level": 2}, "nodes": [para("Next")["nodes"][0]]},
            {"type": "BULLETED_LIST", "nodes": [{"type": "LIST_ITEM", "nodes": [para("one")]}]},
            {
                "type": "IMAGE",
                "imageData": {"image": {"src": {"id": f"img{i}.jpg"}}, "altText": "A"},
            },
            para(text[third : 2 * third]),
            para(text[2 * third :]),
        ]
    }


def make_sites(root: Path, n: int) -> dict[str, Path]:
    wix_dir, jekyll_dir, hugo_dir = root / "wix", root / "jekyll", root / "hugo"
    (jekyll_dir / "_posts").mkdir(parents=True)
    (hugo_dir / "content" / "posts").mkdir(parents=True)
    wix_dir.mkdir()
    posts, comments = [], []
    for i in range(n):
        posts.append(
            {
                "id": f"p{i}",
                "title": f"Post {i}",
                "slug": f"post-{i}",
                "firstPublishedDate": "2021-01-01T10:00:00Z",
                "lastPublishedDate": "2021-01-02T10:00:00Z",
                "url": {"path": f"/post/post-{i}"},
                "metrics": {"views": i},
                "richContent": ricos(i),
            }
        )
        for k in range(2):
            comments.append(
                {
                    "id": f"c{i}-{k}",
                    "contextId": f"p{i}",
                    "commentDate": "2021-01-03T10:00:00Z",
                    "status": "PUBLISHED",
                    "content": {"richContent": {"nodes": [ricos(i)["nodes"][2]]}},
                }
            )
        body = f"{words(i)}\n\n## Next\n\n- one\n\n![A](https://example.org/img{i}.jpg)\n"
        day = i % 28 + 1
        (jekyll_dir / "_posts" / f"2021-01-{day:02d}-post-{i}.md").write_text(
            f"---\ntitle: Post {i}\ncategories: news\ntags: [a]\n---\n{body}"
            "\n{% highlight python %}\nx = 1\n{% endhighlight %}\n",
            encoding="utf-8",
        )
        (hugo_dir / "content" / "posts" / f"post-{i}.md").write_text(
            f'+++\ntitle = "Post {i}"\ndate = 2021-01-01T10:00:00Z\ntags = ["a"]\n+++\n{body}'
            "\n{{< youtube dQw4w9WgXcQ >}}\n",
            encoding="utf-8",
        )
    (wix_dir / "posts.json").write_text(json.dumps({"posts": posts}), encoding="utf-8")
    (wix_dir / "comments.json").write_text(json.dumps({"comments": comments}), encoding="utf-8")
    return {"wix": wix_dir, "jekyll": jekyll_dir, "hugo": hugo_dir}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="posts per source (default 1000)")
    options = parser.parse_args()
    readers = {"wix": wix.read, "jekyll": jekyll.read, "hugo": hugo.read}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sources = make_sites(root, options.n)
        for name, src in sources.items():
            start = time.perf_counter()
            count = sum(1 for _ in readers[name](src, []))
            read_s = time.perf_counter() - start
            site = Site.init(root / f"site-{name}", title=name)
            args = argparse.Namespace(
                src=str(src), dry_run=False, json=True, download=False, site_id=None,
                api_key_env=None,
            )  # fmt: skip
            start = time.perf_counter()
            report = run_import(site, SOURCES[name], args)
            import_s = time.perf_counter() - start
            print(
                f"{name:7} {count:,} posts: read {read_s:.1f} s, full import {import_s:.1f} s "
                f"({report.posts['created']:,} created)"
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
