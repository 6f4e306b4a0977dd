"""Images of imported posts: copied from a local folder or downloaded into media/, links rewritten.

Shared by every importer. Where an image goes depends only on its URL (so a re-import rewrites
a post to the same bytes): `media/<source>/<path after …/uploads/ or Wix's media/>`, or
`media/<source>/<host>/<path>`. Nothing is written outside media/, no URL other than http(s)
is fetched, and (unless allowed, for tests) no address on this machine or its private network.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import unicodedata
import urllib.request
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from hkcms.core.atomic import write_atomic
from hkcms.core.errors import HkcmsError
from hkcms.core.import_records import ImportedPost, ImportWarning
from hkcms.core.importing import ImportReport
from hkcms.core.site import Site

MAX_DOWNLOAD = 50 * 1024 * 1024
TIMEOUT_S = 20.0
USER_AGENT = "hkcms-import (+https://example.org/hkcms)"
_UNSAFE = re.compile(r"[^\w.+-]+")
_WIX_TRANSFORM = re.compile(r"(/media/[^/]+)/v1/.*$")


def original_url(url: str) -> str:
    """The original of a resized image: Wix's `/v1/fill/…/name.jpg` transform stripped."""
    parts = urlsplit(url)
    if parts.hostname == "static.wixstatic.com":
        path = _WIX_TRANSFORM.sub(r"\1", parts.path)
        return parts._replace(path=path, query="", fragment="").geturl()
    return url


def media_path(url: str, source: str) -> PurePosixPath | None:
    """Where an image goes inside media/ (relative), or None if the URL has no usable path."""
    parts = urlsplit(original_url(url))
    names = [_safe_name(unquote(p)) for p in parts.path.split("/")]
    names = [n for n in names if n]
    if not names:
        return None
    lowered = [n.lower() for n in names]
    if "uploads" in lowered:
        names = names[len(lowered) - lowered[::-1].index("uploads") :]
    elif parts.hostname == "static.wixstatic.com" and lowered[0] == "media":
        names = names[1:]
    elif parts.hostname:
        names = [_safe_name(parts.hostname), *names]
    if not names:
        return None
    return PurePosixPath(_safe_name(source) or "imported", *names[-6:])


def _safe_name(part: str) -> str:
    """One path component: readable (CJK kept), no separators, dots or controls at the start."""
    part = unicodedata.normalize("NFC", part).strip()
    part = _UNSAFE.sub("-", part).strip("-.")
    return part[:100]


@dataclass
class MediaOptions:
    """What to do with the images of imported posts."""

    local_dir: Path | None = None  # e.g. a copy of wp-content/uploads
    download: bool = False
    dry_run: bool = False
    allow_private: bool = False  # tests serve images from 127.0.0.1


class MediaCollector:
    """Brings the images of each record into media/ and rewrites its links (see module doc)."""

    def __init__(
        self, site: Site, source: str, options: MediaOptions, report: ImportReport
    ) -> None:
        self.site = site
        self.source = source
        self.options = options
        self.report = report
        self.media_root = site.media_dir
        self.done: dict[str, str | None] = {}  # URL -> new link, or None if it could not be had
        self.remote = 0

    def process(self, record: ImportedPost, warnings: list[ImportWarning]) -> ImportedPost:
        """The record with its images in media/ and its links pointing there."""
        urls = list(dict.fromkeys([*record.media, *([record.cover] if record.cover else [])]))
        if not urls:
            return record
        body, cover = record.body, record.cover
        for url in urls:
            where = f"{record.source} {record.source_id}"
            local = record.media_files.get(url)
            if local:
                link = self.copy_local(url, Path(local), where, warnings)
            else:
                link = self.fetch(url, where, warnings)
            if link is None:
                continue
            body = body.replace(f"]({url}", f"]({link}").replace(f'src="{url}"', f'src="{link}"')
            if cover == url:
                cover = link
        record.body, record.cover = body, cover
        return record

    def fetch(self, url: str, where: str, warnings: list[ImportWarning]) -> str | None:
        """The /media/… link of an image, copying or downloading it once; None if not had."""
        if url in self.done:
            return self.done[url]
        link = self._fetch(url, where, warnings)
        self.done[url] = link
        return link

    def _fetch(self, url: str, where: str, warnings: list[ImportWarning]) -> str | None:
        rel = media_path(url, self.source)
        scheme = urlsplit(url).scheme.lower()
        if rel is None or scheme not in ("", "http", "https"):
            warnings.append(ImportWarning(where, f"image {url!r} refused (not an http(s) URL)"))
            self._missing(url)
            return None
        dest = self.media_root.joinpath(*rel.parts)
        if not _inside(dest, self.media_root):
            warnings.append(ImportWarning(where, f"image {url!r} refused (leads out of media/)"))
            self._missing(url)
            return None
        link = "/media/" + rel.as_posix()
        if dest.is_file() and not dest.is_symlink():
            return link  # brought in by an earlier import
        local = self._local_file(url)
        if local is not None:
            if not self.options.dry_run:
                write_atomic(dest, local.read_bytes())
            self.report.media["copied"] += 1
            return link
        if self.options.download and scheme in ("http", "https"):
            if self.options.dry_run:
                self.report.media["downloaded"] += 1
                return link
            problem = self._download(original_url(url), dest)
            if problem is None:
                self.report.media["downloaded"] += 1
                return link
            warnings.append(ImportWarning(where, f"image {url!r} not downloaded: {problem}"))
            self._missing(url)
            return None
        if self.options.local_dir is not None or self.options.download:
            warnings.append(ImportWarning(where, f"image {url!r} not found"))
            self._missing(url)
        else:
            self.remote += 1
        return None

    def copy_local(
        self, ref: str, file: Path, where: str, warnings: list[ImportWarning]
    ) -> str | None:
        """A file the importer found next to the post (Hugo bundle, Jekyll assets): copied to
        media/<source>/<its last folders>/<name>."""
        key = f"file:{file}"
        if key in self.done:
            return self.done[key]
        names = [_safe_name(p) for p in file.parts[-3:]]
        rel = PurePosixPath(_safe_name(self.source) or "imported", *[n for n in names if n])
        dest = self.media_root.joinpath(*rel.parts)
        link: str | None = "/media/" + rel.as_posix()
        if not file.is_file() or not _inside(dest, self.media_root):
            warnings.append(ImportWarning(where, f"file {ref!r} not found or refused"))
            self._missing(ref)
            link = None
        elif not (dest.is_file() and dest.read_bytes() == file.read_bytes()):
            if not self.options.dry_run:
                write_atomic(dest, file.read_bytes())
            self.report.media["copied"] += 1
        self.done[key] = link
        return link

    def _missing(self, url: str) -> None:
        self.report.media["missing"] += 1
        self.report.missing_media.append(url)

    def _local_file(self, url: str) -> Path | None:
        """The file in the local folder this URL names: the longest path suffix that exists."""
        root = self.options.local_dir
        if root is None:
            return None
        names = [unquote(p) for p in urlsplit(original_url(url)).path.split("/") if p]
        names = [n for n in names if n not in (".", "..") and "\x00" not in n]
        base = root.resolve()
        for start in range(len(names)):
            candidate = base.joinpath(*names[start:]).resolve()
            if candidate.is_file() and candidate.is_relative_to(base):
                return candidate
        return None

    def _download(self, url: str, dest: Path) -> str | None:
        """Fetch one image into dest; None on success, else what went wrong."""
        try:
            data = fetch_url(url, MAX_DOWNLOAD, allow_private=self.options.allow_private)
        except HkcmsError as exc:
            return exc.message
        write_atomic(dest, data)
        return None

    def remote_warning(self) -> ImportWarning | None:
        """Images left on the old host (neither --media nor --download was given)."""
        if not self.remote:
            return None
        return ImportWarning(
            "",
            f"{self.remote:,} images still point to the old site; "
            "use --download (or --media DIR) to bring them into media/",
        )


def fetch_url(url: str, limit: int, *, allow_private: bool = False) -> bytes:
    """GET an http(s) URL (at most `limit` bytes); HkcmsError saying what went wrong.
    Addresses on this machine or a private network are refused unless allowed (tests)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise HkcmsError(f"{url!r} is not an http(s) address")
    if not allow_private and _private(parts.hostname):
        raise HkcmsError("the address is on this machine or a private network")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
            final = urlsplit(response.geturl())
            if final.scheme not in ("http", "https"):
                raise HkcmsError("redirected to a non-http address")
            if not allow_private and _private(final.hostname or ""):
                raise HkcmsError("redirected to this machine or a private network")
            data = bytes(response.read(limit + 1))
    except HkcmsError:
        raise
    except (OSError, ValueError) as exc:
        raise HkcmsError(str(getattr(exc, "reason", None) or exc)) from exc
    if len(data) > limit:
        raise HkcmsError(f"larger than {limit // (1024 * 1024)} MB")
    return data


def _inside(path: Path, root: Path) -> bool:
    try:
        resolved_root = root.resolve()
        parent = path.parent.resolve() if not path.exists() else path.resolve()
    except OSError:
        return False
    return parent == resolved_root or parent.is_relative_to(resolved_root)


def _private(host: str) -> bool:
    """True if the host resolves to a loopback, private, link-local or reserved address."""
    if not host:
        return True
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False  # the download itself will fail and say why
    for info in infos:
        try:
            address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        except ValueError:
            continue
        if (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_reserved
            or address.is_multicast
            or address.is_unspecified
        ):
            return True
    return False
