"""Generate a realistic hkcms site: N posts of ~1,000 words (10 % Chinese) with revision history."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hkcms.core.meta import SUMMARY_SHARDS, summary_shard  # noqa: E402
from hkcms.core.post import content_hash  # noqa: E402

EN_WORDS = (
    "community rally report volunteers london manchester hong kong freedom democracy press "
    "meeting members organise support families newcomers visa housing school language "
    "festival food market library council petition letter parliament campaign weekend "
    "workshop history culture memory solidarity neighbours welcome event photos thanks "
    "the a of and to in for with on at by from about this that our their we they it is are "
    "was were will be have has had not but or so because when while after before during"
).split()
ZH_PHRASES = (
    "香港 社區 集會 義工 報告 自由 民主 新聞 會議 會員 組織 支援 家庭 新移民 簽證 房屋 學校 "
    "語言 節日 食物 市集 圖書館 議會 請願 信件 國會 運動 週末 工作坊 歷史 文化 記憶 團結 鄰居 "
    "歡迎 活動 相片 多謝 我們 他們 今年 大家 一起 繼續 努力 關注 分享 故事"
).split()
TAGS = "events advocacy community culture housing education news 活動 社區 倡議".split()
AUTHORS = ["Ada Wong", "Brian Lee", "陳小玲", "Chloe Chan", "黃志明", "Daniel Ho"]


def sentence(rng: random.Random, chinese: bool) -> str:
    if chinese:
        return "".join(rng.choice(ZH_PHRASES) for _ in range(rng.randint(6, 14))) + "。"
    words = [rng.choice(EN_WORDS) for _ in range(rng.randint(8, 18))]
    return " ".join(words).capitalize() + "."


def body(rng: random.Random, chinese: bool, words: int = 1000) -> str:
    parts: list[str] = []
    count = 0
    section = 1
    while count < words:
        if rng.random() < 0.12:
            parts.append(f"## {'第' + str(section) + '節' if chinese else f'Section {section}'}")
            section += 1
        kind = rng.random()
        if kind < 0.08:
            items = [f"- {sentence(rng, chinese)}" for _ in range(rng.randint(2, 5))]
            parts.append("\n".join(items))
        elif kind < 0.11:
            parts.append("> " + sentence(rng, chinese))
        elif kind < 0.13:
            parts.append("| Item | Count |\n|------|------:|\n| chairs | 40 |\n| tea | 120 |")
        elif kind < 0.14:
            parts.append("```\nhkcms export --full\n```")
        else:
            para = " ".join(sentence(rng, chinese) for _ in range(rng.randint(3, 6)))
            if rng.random() < 0.2:
                para += " See [our site](https://example.org/about/)."
            parts.append(para)
        count += len(parts[-1].split()) if not chinese else len(parts[-1]) // 2
    return "\n\n".join(parts) + "\n"


def front(title: str, rng: random.Random, date: dt.date, chinese: bool) -> str:
    tags = rng.sample(TAGS, rng.randint(1, 3))
    return (
        "---\n"
        f"title: {json.dumps(title, ensure_ascii=False)}\n"
        f"author: {json.dumps(rng.choice(AUTHORS), ensure_ascii=False)}\n"
        f"date: {date.isoformat()}\n"
        f"tags: {json.dumps(tags, ensure_ascii=False)}\n"
        "status: published\n"
        f"lang: {'zh-Hant' if chinese else 'en'}\n"
        "---\n"
    )


def generate(n: int, out: Path, revisions: int = 10, seed: int = 1) -> None:
    """N posts under `out`; revisions=0 writes posts only: a site hkcms has never seen (one
    cloned with git or copied from a backup), with no metadata at all."""
    rng = random.Random(seed)
    posts_dir = out / "posts"
    meta_dir = out / ".hkcms" / "meta"
    posts_meta = meta_dir / "posts"
    blobs = out / ".hkcms" / "blobs"
    for folder in (posts_dir, out / "media", *((posts_meta, blobs) if revisions else ())):
        folder.mkdir(parents=True, exist_ok=True)
    (out / "hkcms.toml").write_text(
        'title = "Benchmark site"\nbase_url = "https://example.org/"\nposts_per_page = 10\n'
    )
    # Older revisions share a handful of texts: the benchmark needs their metadata, not 10×N blobs.
    old_texts = [f"---\ntitle: old {i}\n---\n{body(rng, False, 300)}".encode() for i in range(8)]
    for data in old_texts if revisions else ():
        _put_blob(blobs, data)
    shards: dict[str, dict[str, dict]] = {}
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    for i in range(n):
        chinese = i % 10 == 0
        date = (start + dt.timedelta(hours=i * 5)).date()
        title = f"社區報告 第{i}號" if chinese else f"Community report number {i}"
        slug = f"社區報告-第{i}號" if chinese else f"community-report-number-{i}"
        text = (front(title, rng, date, chinese) + body(rng, chinese)).encode()
        (posts_dir / f"{slug}.md").write_bytes(text)
        if not revisions:
            continue
        digest = _put_blob(blobs, text)
        revs = {}
        for r in range(1, revisions + 1):
            when = start + dt.timedelta(hours=i * 5, minutes=r)
            data = text if r == revisions else old_texts[r % len(old_texts)]
            revs[str(r)] = {
                "rev": r,
                "time": when.isoformat(),
                "editor": rng.choice(["ada", "brian", "chloe"]),
                "hash": digest if r == revisions else content_hash(data),
                "size": len(data),
                "note": "",
            }
        (posts_meta / f"{slug}.json").write_text(
            json.dumps({"revisions": revs}, ensure_ascii=False, separators=(",", ":"))
        )
        shard = shards.setdefault(summary_shard(slug), {})
        shard[str(len(shard) + 1)] = {
            "slug": slug,
            "updated": revs[str(revisions)]["time"],
            "revisions": revisions,
            "hash": digest,
            "size": len(text),
        }
    for name, docs in shards.items():  # none for a never-seen site
        (meta_dir / name).write_text(json.dumps({"posts": docs}, ensure_ascii=False))
    assert len(shards) <= SUMMARY_SHARDS


def _put_blob(root: Path, data: bytes) -> str:
    digest = content_hash(data)
    path = root / digest[:2] / digest[2:]
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(zlib.compress(data, 6))
    return digest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, required=True, help="number of posts")
    parser.add_argument("--out", type=Path, required=True, help="site folder to create")
    parser.add_argument(
        "--revisions", type=int, default=10, help="revisions per post (0: a never-seen site)"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} is not empty")
    generate(args.n, args.out, args.revisions, args.seed)
    print(f"{args.n} posts in {args.out}")


if __name__ == "__main__":
    main()
