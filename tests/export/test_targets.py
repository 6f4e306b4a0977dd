"""Where an export and a publish may write, and what `serve` may hand out: never the site's
own data, a system or home folder, a hidden file, or anything behind a symbolic link."""

from __future__ import annotations

import functools
import http.client
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from hkcms.core.errors import HkcmsError
from hkcms.core.posts import PostStore
from hkcms.core.site import Site
from hkcms.export.build import export_site
from hkcms.export.manifest import MANIFEST_NAME
from hkcms.export.paths import ExportError
from hkcms.export.publish import PublishError, check_target
from hkcms.export.serve import _Handler, served_file
from hkcms.export.targets import check_remote_path


@pytest.mark.parametrize(
    "target",
    ["/", "/etc", "/etc/nginx", "/usr", "/usr/share", "/home", "/home/", "/root", "/root/.ssh",
     "~", "~/.ssh", "/var", "/var/www", "/tmp", "/proc/self", "/home/bob", "/home/bob/.ssh/x",
     "host:", "host:/", "host:~", "host:~bob", "host:~bob/blog", "host:/home", "host:/home/bob",
     "host:/root/.ssh", "host:/etc", "host:.ssh", "user@host:/var/www", "host:/a/../etc",
     "rsync://host/"],
)  # fmt: skip
def test_publish_refuses_system_home_and_remote_roots(site: Site, target: str) -> None:
    with pytest.raises(PublishError):
        check_target(site, target)


@pytest.mark.parametrize("inside", [".hkcms", "media", "posts", "public", "public/blog", "x"])
def test_publish_refuses_every_folder_inside_the_site(site: Site, inside: str) -> None:
    with pytest.raises(PublishError, match="inside the site"):
        check_target(site, str(site.root / inside))


@pytest.mark.parametrize(
    "target", ["host:/var/www/blog", "user@host:/srv/blog/", "host:blog", "rsync://host/mod/blog"]
)
def test_publish_accepts_a_folder_of_its_own(site: Site, target: str, tmp_path: Path) -> None:
    assert check_target(site, target).endswith("/")
    assert check_target(site, str(tmp_path / "www" / "blog")).endswith("/")


def test_publish_into_the_state_folder_would_have_deleted_everything(site: Site) -> None:
    # The finding: a target of <site>/.hkcms "succeeded" and rsync --delete emptied it.
    with pytest.raises(PublishError):
        check_target(site, f"{site.root}/.hkcms/")


def test_export_and_publish_share_the_folder_rules(site: Site, tmp_path: Path) -> None:
    for folder in ("/etc/hkcms", "/root/.ssh/x", "/home"):
        with pytest.raises(ExportError):
            export_site(site, folder)
        with pytest.raises(PublishError):
            check_target(site, folder)
    with pytest.raises(ExportError, match="media"):
        export_site(site, site.media_dir / "out")
    with pytest.raises(HkcmsError, match="hidden folder"):
        check_remote_path(".config/blog", what="publish target")


def test_a_media_folder_that_is_a_symlink_out_of_the_site_is_not_exported(
    site: Site, tmp_path: Path
) -> None:
    secrets = tmp_path / "dot-ssh"
    secrets.mkdir()
    (secrets / "id_ed25519").write_text("PRIVATE KEY")
    site.media_dir.rmdir()
    site.media_dir.symlink_to(secrets)  # e.g. arriving with a git pull
    PostStore(site).create("Post", slug="post", body="text\n")
    report = export_site(site)
    assert not (site.public_dir / "media").exists()
    assert any("symbolic link" in w and "nothing in it was published" in w for w in report.warnings)
    assert not any(
        b"PRIVATE KEY" in p.read_bytes() for p in site.public_dir.rglob("*") if p.is_file()
    )


def test_a_template_symlink_is_not_copied_into_the_export(site: Site, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("PRIVATE")
    site.templates_dir.mkdir()
    (site.templates_dir / "style.css").symlink_to(secret)
    PostStore(site).create("Post", slug="post", body="text\n")
    export_site(site)
    assert "PRIVATE" not in (site.public_dir / "assets" / "style.css").read_text()


@pytest.fixture
def export_dir(tmp_path: Path) -> Path:
    out = tmp_path / "public"
    (out / "assets").mkdir(parents=True)
    (out / "index.html").write_text("home")
    (out / "assets" / "style.css").write_text("css")
    (out / MANIFEST_NAME).write_text('{"secret": true}')
    (out / "passwd").symlink_to("/etc/passwd")
    (out / "linked").symlink_to(tmp_path)
    (out / "fifo-dir").mkdir()
    return out


@pytest.mark.parametrize(
    "path",
    [f"/{MANIFEST_NAME}", "/%2ehkcms-export.json", "/%2Ehkcms-export.json", f"/./{MANIFEST_NAME}",
     f"/assets/../{MANIFEST_NAME}", f"/assets/%2e%2e/{MANIFEST_NAME}", f"//{MANIFEST_NAME}",
     f"/{MANIFEST_NAME}?x=1", "/passwd", "/linked/", "/linked/public/index.html", "/../etc/passwd",
     "/assets/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/assets%2f..%2f.hkcms-export.json"],
)  # fmt: skip
def test_serve_hides_the_index_in_every_spelling_and_follows_no_link(
    export_dir: Path, path: str
) -> None:
    assert served_file(str(export_dir), path) is None


def test_serve_serves_plain_files(export_dir: Path) -> None:
    assert served_file(str(export_dir), "/assets/style.css?v=1") == str(
        export_dir.resolve() / "assets" / "style.css"
    )
    assert served_file(str(export_dir), "/") == str(export_dir.resolve())


@pytest.fixture
def server(export_dir: Path) -> Iterator[int]:
    handler = functools.partial(_Handler, directory=str(export_dir))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield int(httpd.server_port)
    httpd.shutdown()
    httpd.server_close()


def _get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path)  # sent as written: no client-side normalising
    response = conn.getresponse()
    return response.status, response.read()


def test_serve_over_http_never_returns_the_index_or_a_linked_file(server: int) -> None:
    for path in ("/%2ehkcms-export.json", f"/./{MANIFEST_NAME}", f"/assets/../{MANIFEST_NAME}"):
        status, body = _get(server, path)
        assert status == 404 and b"secret" not in body, path
    status, body = _get(server, "/passwd")
    assert status == 404 and b"root:" not in body
    assert _get(server, "/assets/style.css") == (200, b"css")
