"""Preview server: serves the export on 127.0.0.1 and re-exports when the site changes."""

from __future__ import annotations

import errno
import functools
import os
import posixpath
import stat
import threading
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

from hkcms.core.errors import HkcmsError
from hkcms.core.site import SETTINGS_FILE, Site
from hkcms.export.build import export_site

POLL_SECONDS = 1.0


class _Handler(SimpleHTTPRequestHandler):
    """Static files from the export; the manifest is never served; 404 uses 404.html."""

    def send_head(self):  # type: ignore[no-untyped-def]
        if served_file(self.directory, self.path) is None:
            self.send_error(404)
            return None
        return super().send_head()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)

    def list_directory(self, path):  # type: ignore[no-untyped-def]
        self.send_error(404)  # a folder without index.html is "not found", as on a web host
        return None

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass  # the terminal shows export summaries, not every request


def served_file(root: str, url_path: str) -> str | None:
    """The file a request may get: a regular file (or a folder with an index.html) inside the
    export, reached without a symbolic link, with no hidden name (the export's index,
    however it is spelled: %2e, /./, /assets/../); None otherwise."""
    raw = unquote(url_path.split("?", 1)[0].split("#", 1)[0])
    if "\0" in raw or "\\" in raw:
        return None
    parts = [p for p in posixpath.normpath("/" + raw).split("/") if p]
    if any(p.startswith(".") for p in parts):
        return None
    current = os.path.realpath(root)
    try:
        for part in parts:
            current = os.path.join(current, part)
            info = os.lstat(current)
            if stat.S_ISLNK(info.st_mode):
                return None
        info = os.lstat(current)
        if stat.S_ISDIR(info.st_mode):
            index = os.path.join(current, "index.html")
            if os.path.lexists(index) and not stat.S_ISREG(os.lstat(index).st_mode):
                return None
            return current
    except OSError:
        return None
    return current if stat.S_ISREG(info.st_mode) else None


def fingerprint(site: Site) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and mtimes of everything an export reads: cheap enough to poll."""
    items: list[tuple[str, int, int]] = []
    folders = [
        site.posts_dir,
        site.media_dir,
        site.templates_dir,
        site.root / "strings",  # the site's own words (hkcms/export/i18n.py)
        site.state_dir / "meta",
    ]
    for folder in folders:
        if not folder.is_dir():
            continue
        for dirpath, _, files in os.walk(folder):
            for name in files:
                path = os.path.join(dirpath, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                items.append((path, info.st_size, info.st_mtime_ns))
    config = site.root / SETTINGS_FILE
    if config.exists():
        info = config.stat()
        items.append((str(config), info.st_size, info.st_mtime_ns))
    return tuple(sorted(items))


def serve(
    site: Site,
    *,
    port: int = 8000,
    out: Path | None = None,
    log: Callable[[str], None] = print,
    stop: threading.Event | None = None,
) -> None:
    """Export, serve on 127.0.0.1:port, and re-export whenever posts or settings change."""
    target = out or site.public_dir
    report = export_site(site, target)
    log(report.summary())
    for warning in report.warnings:
        log(f"warning: {warning}")
    handler = functools.partial(_Handler, directory=str(target))
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise HkcmsError(f"port {port} is already in use; choose another with --port") from exc
        raise HkcmsError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from exc
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    log(f"Serving {target} at http://127.0.0.1:{server.server_port}/ (Ctrl+C stops)")
    stop = stop or threading.Event()
    seen = fingerprint(site)
    try:
        while not stop.wait(POLL_SECONDS):
            now = fingerprint(site)
            if now == seen:
                continue
            # Remember the state before exporting: a change made during the export is then
            # seen at the next poll. (An export that records an outside edit in .hkcms/ causes
            # one more, quiet, export.)
            seen = now
            try:
                report = export_site(site, target)
                if report.written or report.removed:
                    log(report.summary())
                for warning in report.warnings:
                    log(f"warning: {warning}")
            except HkcmsError as exc:
                log(f"hkcms: {exc}")
    finally:
        server.shutdown()
        server.server_close()
