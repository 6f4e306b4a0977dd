"""Image export speed: 12-megapixel phone photos (EXIF + GPS) in posts, exported by hkcms (first
export, incremental after one edit), page weight against the originals, and Hugo's .Resize on
the same photos when `hugo` is installed.

Usage: .venv/bin/python benchmarks/bench_media.py --n 500 [--megapixels 12] [--keep DIR]"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from PIL import Image, ImageDraw  # noqa: E402

from benchmarks.measure import run_measured  # noqa: E402

HKCMS = [sys.executable, "-m", "hkcms"]
_BASE: Image.Image | None = None


# ---- the corpus -----------------------------------------------------------------------------


def _base(size: tuple[int, int]) -> Image.Image:
    """A photo-like picture (smooth colour fields and sensor noise), made once per process."""
    global _BASE
    if _BASE is None or _BASE.size != size:
        small = Image.effect_noise((80, 60), 60).convert("L")
        field = Image.merge(
            "RGB", [small, small.rotate(90), small.transpose(Image.Transpose.FLIP_LEFT_RIGHT)]
        ).resize(size, Image.Resampling.BICUBIC)
        _BASE = Image.blend(field, Image.effect_noise(size, 18).convert("RGB"), 0.25)
    return _BASE


def make_photo(job: tuple[Path, int, tuple[int, int]]) -> int:
    """One phone photo: different content per number, EXIF with camera, time and GPS."""
    path, n, size = job
    image = _base(size).copy()
    draw = ImageDraw.Draw(image)
    for k in range(6):
        x, y = (n * 97 + k * 613) % size[0], (n * 53 + k * 379) % size[1]
        draw.rectangle((x, y, x + 300, y + 200), fill=((n * 40 + k) % 256, (n * 7) % 256, k * 40))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "Apple", "iPhone 15 Pro", 1
    exif[0x0132] = "2026:06:04 15:30:00"
    exif.get_ifd(0x8825).update({1: "N", 2: (22.0, 17.0, float(n % 60)), 3: "E",
                                 4: (114.0, 10.0, 7.2)})  # fmt: skip
    image.save(path, "JPEG", quality=90, exif=exif)
    return path.stat().st_size


def generate(root: Path, n: int, megapixels: float) -> Path:
    """A site with n posts, each showing its own photo; the first post shows five."""
    subprocess.run(
        [*HKCMS, "init", str(root), "--title", "Bench"], check=True, stdout=subprocess.DEVNULL
    )
    width = int((megapixels * 1e6 * 4 / 3) ** 0.5)
    size = (width, width * 3 // 4)
    jobs = [(root / "media" / f"photo-{i:04d}.jpg", i, size) for i in range(n)]
    started = time.perf_counter()
    with ProcessPoolExecutor(2) as pool:
        total = sum(pool.map(make_photo, jobs, chunksize=4))
    print(f"generated {n} photos of {size[0]}x{size[1]} ({total / 1e6:.0f} MB) in "
          f"{time.perf_counter() - started:.0f} s")  # fmt: skip
    for i in range(n):
        photos = [i] if i else list(range(min(5, n)))
        lines = "\n\n".join(f"![Photo {k} of the rally](/media/photo-{k:04d}.jpg)" for k in photos)
        text = (
            f"---\ntitle: Rally report {i}\ndate: 2026-01-01\nstatus: published\n---\n"
            f"What happened at rally {i}, and who spoke.\n\n{lines}\n\nMore words afterwards.\n"
        )
        (root / "posts" / f"rally-report-{i}.md").write_text(text)
    return root


# ---- measuring ------------------------------------------------------------------------------


def measured(cmd: list[str], cwd: Path | None = None) -> dict[str, float | str]:
    """Wall time, peak memory of the process tree, cores used (CPU time / wall), output."""
    run = run_measured(cmd, cwd=cwd, env=os.environ | {"HKCMS_EXPORT_PHASES": "1"})
    return {"wall": run.seconds, "peak_mb": run.peak_kb / 1024, "cores": run.cpu / run.seconds,
            "out": run.out, "err": run.err}  # fmt: skip


def cpu(result: dict[str, float | str]) -> float:
    """CPU seconds of the whole process tree: the work done, whatever else ran meanwhile."""
    return float(result["cores"]) * float(result["wall"])


def phase(result: dict[str, float | str], name: str) -> float:
    match = re.search(rf"{name} ([0-9.]+) s", str(result["err"]))
    return float(match.group(1)) if match else float("nan")


def page_weight(out: Path, slug: str) -> None:
    """A post page with its images as a browser fetches them, against the original photos."""
    page = out / "posts" / slug / "index.html"
    html = page.read_bytes()
    css = (out / "assets" / "style.css").stat().st_size
    widths = {}
    for width in (480, 960, 1600):
        files = re.findall(rf'media/_img/([^" ]+-{width}\.webp)', html.decode())
        widths[width] = sum((out / "media" / "_img" / f).stat().st_size for f in set(files))
    originals = re.findall(r'src="\.\./\.\./media/(photo-\d+\.jpg)"', html.decode())
    site_media = out.parent / "site" / "media"
    raw = sum((site_media / name).stat().st_size for name in set(originals))
    base = len(html) + css
    print(f"  post page '{slug}' ({len(set(originals))} photos): HTML+CSS {base / 1024:.0f} KB")
    for width, size in widths.items():
        print(f"    with WebP {width:>4} px: {(base + size) / 1024:8.0f} KB")
    print(f"    with the original photos: {(base + raw) / 1024:8.0f} KB")


# ---- Hugo -----------------------------------------------------------------------------------

HUGO_LAYOUT = """<!DOCTYPE html><html lang="en"><head><title>{{ .Title }}</title>
{{ with .Resources.GetMatch "*.jpg" }}{{ $og := .Fill "1200x630 jpg" }}
<meta property="og:image" content="{{ $og.RelPermalink }}">{{ end }}</head><body>
{{ .Content }}
{{ range .Resources.ByType "image" }}<picture>
{{ $a := .Resize "480x webp" }}{{ $b := .Resize "960x webp" }}{{ $c := .Resize "1600x webp" }}
<source type="image/webp" srcset="{{ $a.RelPermalink }} 480w, {{ $b.RelPermalink }} 960w, {{ $c.RelPermalink }} 1600w">
{{ $d := .Resize "480x jpg" }}{{ $e := .Resize "960x jpg" }}{{ $f := .Resize "1600x jpg" }}
<img src="{{ $f.RelPermalink }}" srcset="{{ $d.RelPermalink }} 480w, {{ $e.RelPermalink }} 960w, {{ $f.RelPermalink }} 1600w" width="{{ $f.Width }}" height="{{ $f.Height }}" alt="photo" loading="lazy"></picture>
{{ end }}</body></html>
"""  # noqa: E501


def hugo_site(root: Path, site: Path, n: int) -> Path:
    (root / "layouts" / "_default").mkdir(parents=True)
    (root / "layouts" / "_default" / "single.html").write_text(HUGO_LAYOUT)
    (root / "layouts" / "_default" / "list.html").write_text("<html><body></body></html>\n")
    (root / "hugo.toml").write_text(
        'baseURL = "https://example.org/"\ntitle = "Bench"\n'
        "disableKinds = ['taxonomy', 'term', 'RSS', 'sitemap']\n"
        "[imaging]\nquality = 82\nresampleFilter = 'Lanczos'\n"
    )
    for i in range(n):
        bundle = root / "content" / "posts" / f"rally-report-{i}"
        bundle.mkdir(parents=True)
        os.link(site / "media" / f"photo-{i:04d}.jpg", bundle / "photo.jpg")
        (bundle / "index.md").write_text(
            f"---\ntitle: Rally report {i}\ndate: 2026-01-01\n---\nWhat happened at rally {i}.\n"
        )
    return root


def bench_hugo(root: Path, site: Path, n: int) -> None:
    hugo = shutil.which("hugo")
    if hugo is None:
        print("Hugo: not installed (apt-get install hugo); comparison skipped")
        return
    version = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.split()[1]
    hugo_site(root, site, n)
    first = measured([hugo, "--quiet", "--destination", "public"], cwd=root)
    content = root / "content" / "posts" / "rally-report-7" / "index.md"
    content.write_text(content.read_text() + "\nAn edit.\n")
    again = measured([hugo, "--quiet", "--destination", "public"], cwd=root)
    print(f"Hugo {version} on {n} of the photos: first build {first['wall']:.1f} s "
          f"({first['wall'] / n:.2f} s a photo), peak {first['peak_mb']:.0f} MB, "
          f"{first['cores']:.2f} cores used, {cpu(first) / n:.2f} CPU s a photo; after one edit "
          f"{again['wall']:.2f} s")  # fmt: skip


# ---- main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--megapixels", type=float, default=12.0)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument(
        "--hugo-n",
        type=int,
        default=50,
        help="photos Hugo builds (its Go resizer is slow: a subset, per photo)",
    )
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-media-"))
    try:
        site = work / "site"
        if not (site / "posts").is_dir():
            generate(site, args.n, args.megapixels)
        out = work / "public"
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(site / ".hkcms" / "cache" / "images", ignore_errors=True)
        cmd = [*HKCMS, "--site", str(site), "export", "--out", str(out)]
        first = measured(cmd)
        images = phase(first, "images")
        print(f"hkcms first export of {args.n} posts: {first['wall']:.1f} s "
              f"(images {images:.1f} s, "
              f"{images / args.n:.2f} s a photo), peak {first['peak_mb']:.0f} MB, "
              f"{first['cores']:.2f} cores used, {cpu(first) / args.n:.2f} CPU s a photo "
              "(the time on 2 idle cores is about half of that per photo)")  # fmt: skip
        post = site / "posts" / "rally-report-7.md"
        post.write_text(post.read_text() + "\nAn edit.\n")
        again = measured(cmd)
        print(f"hkcms after editing one post: {again['wall']:.2f} s (images "
              f"{phase(again, 'images'):.3f} s), peak {again['peak_mb']:.0f} MB")  # fmt: skip
        print(f"  {str(again['out']).strip()}")
        page_weight(out, "rally-report-7")
        page_weight(out, "rally-report-0")
        bench_hugo(work / "hugo", site, min(args.n, args.hugo_n))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
