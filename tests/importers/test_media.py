"""Images of imported posts: local copies, downloads, Wix originals, hostile URLs, idempotence."""

from __future__ import annotations

import argparse
import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from hkcms.core.check import check_site
from hkcms.core.import_records import ImportedPost, ImportWarning
from hkcms.core.importing import ImportReport
from hkcms.core.site import Site
from hkcms.importers.media import MediaCollector, MediaOptions, media_path, original_url
from hkcms.importers.run import run_import
from hkcms.importers.sources import SOURCES

FIXTURES = Path(__file__).parent / "fixtures"
PNG = (FIXTURES / "jekyll" / "assets" / "img" / "vigil.png").read_bytes()  # a real image
BROKEN_IMAGE = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06broken"


def args(src: Path, **extra: object) -> argparse.Namespace:
    fields: dict[str, object] = {"src": str(src), "dry_run": False, "media": None,
                                 "download": False}  # fmt: skip
    return argparse.Namespace(**(fields | extra))


@pytest.fixture
def uploads(tmp_path: Path) -> Path:
    root = tmp_path / "wp-content" / "uploads" / "2024" / "03"
    root.mkdir(parents=True)
    (root / "rally.jpg").write_bytes(PNG)
    return tmp_path / "wp-content" / "uploads"


def test_wix_transform_is_stripped_and_paths_are_stable() -> None:
    url = "https://static.wixstatic.com/media/ab12_c3~mv2.jpg/v1/fill/w_740,h_493,al_c/ab12_c3~mv2.jpg"
    assert original_url(url) == "https://static.wixstatic.com/media/ab12_c3~mv2.jpg"
    assert str(media_path(url, "wix")) == "wix/ab12_c3-mv2.jpg"
    assert str(media_path("https://x.org/wp-content/uploads/2024/03/a b.jpg", "wordpress")) == (
        "wordpress/2024/03/a-b.jpg"
    )
    assert str(media_path("https://x.org/%E5%9C%96/%2e%2e/%2e%2e/etc/passwd", "feed")) == (
        "feed/x.org/圖/etc/passwd"
    )


def test_media_dir_copies_local_images_and_rewrites_links(site: Site, uploads: Path) -> None:
    wxr = FIXTURES / "wordpress.xml"
    report = run_import(site, SOURCES["wordpress"], args(wxr, media=str(uploads)))
    assert report.media == {"copied": 1, "downloaded": 0, "missing": 1}
    assert report.missing_media == ["https://old.example.org/wp-content/uploads/2024/03/banner.png"]
    assert (site.media_dir / "wordpress" / "2024" / "03" / "rally.jpg").read_bytes() == PNG
    text = site.post_path("spring-rally").read_text()
    assert "](/media/wordpress/2024/03/rally.jpg)" in text
    assert "cover: /media/wordpress/2024/03/rally.jpg" in text
    assert "https://old.example.org/wp-content/uploads/2024/03/banner.png" in text
    # Re-running without --media keeps the links that point into media/: nothing changes.
    again = run_import(site, SOURCES["wordpress"], args(wxr))
    assert again.posts["unchanged"] == 6 and again.media["copied"] == 0


def test_dry_run_copies_nothing(site: Site, uploads: Path) -> None:
    report = run_import(
        site,
        SOURCES["wordpress"],
        args(FIXTURES / "wordpress.xml", media=str(uploads), dry_run=True),
    )
    assert report.media["copied"] == 1
    assert not site.media_dir.joinpath("wordpress").exists()


@pytest.fixture
def image_server(tmp_path: Path) -> Iterator[str]:
    root = tmp_path / "www"
    (root / "media" / "ab12~mv2.png").parent.mkdir(parents=True)
    (root / "media" / "ab12~mv2.png").write_bytes(PNG)
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def collector(site: Site, **options: object) -> tuple[MediaCollector, ImportReport]:
    report = ImportReport("wix")
    return MediaCollector(site, "wix", MediaOptions(**options), report), report  # type: ignore[arg-type]


def post_with(*urls: str) -> ImportedPost:
    body = "".join(f"![pic]({u})\n\n" for u in urls)
    return ImportedPost("wix", "1", "T", body, media=list(urls))


def test_download_fetches_and_rewrites_and_lists_what_is_missing(
    site: Site, image_server: str
) -> None:
    media, report = collector(site, download=True, allow_private=True)
    warnings: list[ImportWarning] = []
    good, bad = f"{image_server}/media/ab12~mv2.png", f"{image_server}/media/gone.png"
    record = media.process(post_with(good, bad), warnings)
    assert report.media == {"copied": 0, "downloaded": 1, "missing": 1}
    assert "![pic](/media/wix/127.0.0.1/media/ab12-mv2.png)" in record.body
    assert bad in record.body and report.missing_media == [bad]
    assert (site.media_dir / "wix" / "127.0.0.1" / "media" / "ab12-mv2.png").read_bytes() == PNG


def test_private_addresses_and_other_schemes_are_refused(site: Site, image_server: str) -> None:
    media, report = collector(site, download=True)
    warnings: list[ImportWarning] = []
    record = media.process(
        post_with(
            f"{image_server}/media/ab12~mv2.png", "file:///etc/passwd", "javascript:alert(1)"
        ),
        warnings,
    )
    assert report.media["downloaded"] == 0 and report.media["missing"] == 3
    assert "private network" in str(warnings[0])
    assert not site.media_dir.joinpath("wix").exists()
    assert "](/media/" not in record.body


def test_no_network_without_download(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*_: object, **__: object) -> None:
        raise AssertionError("network used without --download")

    monkeypatch.setattr("urllib.request.urlopen", no_network)
    media, report = collector(site)
    media.process(post_with("https://static.wixstatic.com/media/x.jpg"), [])
    assert report.media == {"copied": 0, "downloaded": 0, "missing": 0}
    assert media.remote_warning() is not None


def test_local_files_named_by_the_importer_are_copied_inside_media(
    site: Site, tmp_path: Path
) -> None:
    bundle = tmp_path / "content" / "posts" / "rally"
    bundle.mkdir(parents=True)
    (bundle / "photo.png").write_bytes(PNG)
    media, report = collector(site)
    record = post_with("photo.png")
    record.media_files = {"photo.png": str(bundle / "photo.png")}
    out = media.process(record, [])
    assert "![pic](/media/wix/posts/rally/photo.png)" in out.body
    assert report.media["copied"] == 1


def test_a_damaged_image_brought_in_does_not_stop_check(site: Site, uploads: Path) -> None:
    (uploads / "2024" / "03" / "rally.jpg").write_bytes(BROKEN_IMAGE)
    run_import(site, SOURCES["wordpress"], args(FIXTURES / "wordpress.xml", media=str(uploads)))
    problems, _ = check_site(site)  # used to raise OSError from Pillow's lazy EXIF read
    assert all("rally.jpg" in str(p) or "media" in str(p) for p in problems)
