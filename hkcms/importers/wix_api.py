"""A small Wix REST client on urllib: timeouts, bounded retries, one-line errors, no key in logs."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

from hkcms.core.errors import HkcmsError

MAX_RESPONSE_BYTES = 64 * 1024 * 1024
MAX_PAGES = 100_000  # a server that never stops paging must not keep us forever
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_REASONS = {
    400: "the request was refused (400)",
    401: "the API key was refused (401): check the key and that it is for this account",
    403: "the API key may not read this (403): give it the Wix Blog, Comments and Members "
    "read permissions",
    404: "not found (404): check the site ID and that the site has Wix Blog",
    429: "too many requests (429): Wix is rate-limiting; try again in a few minutes",
}


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """urllib would resend the Authorization header to wherever a redirect points: refuse."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


class WixApiError(HkcmsError):
    """The Wix API could not be read; the message never contains the API key."""


class WixClient:
    """GET/POST JSON against the Wix REST API with the site ID and API key headers."""

    def __init__(
        self,
        site_id: str,
        api_key: str,
        base_url: str = "https://www.wixapis.com",
        *,
        timeout: float = 30.0,
        retries: int = 3,
        sleep: Callable[[float], None] = time.sleep,
    ):
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise WixApiError(f"the Wix API address {base_url!r} is not an http(s) URL")
        if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
            raise WixApiError("refusing to send the API key over plain http; use https")
        if not api_key.strip():
            raise WixApiError("the API key is empty")
        if not site_id.strip() or any(c in site_id for c in "\r\n"):
            raise WixApiError("the site ID is empty or not one line")
        self.base_url = base_url.rstrip("/")
        self._site_id = site_id.strip()
        self._api_key = api_key.strip()
        self.timeout = timeout
        self.retries = retries
        self._sleep = sleep

    def get(self, path: str, params: list[tuple[str, str]] | None = None) -> dict[str, Any]:
        return self._request("GET", path, params, None)

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._request("POST", path, None, body)

    def _request(
        self,
        method: str,
        path: str,
        params: list[tuple[str, str]] | None,
        body: dict[str, Any] | None,
    ) -> dict[str, Any]:
        url = self.base_url + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        data = json.dumps(body).encode() if body is not None else None
        headers = {
            "Authorization": self._api_key,
            "wix-site-id": self._site_id,
            "Accept": "application/json",
            "User-Agent": "hkcms-import",
        }
        if data is not None:
            headers["Content-Type"] = "application/json"
        attempt = 0
        while True:
            attempt += 1
            request = urllib.request.Request(url, data=data, headers=headers, method=method)
            try:
                with _OPENER.open(request, timeout=self.timeout) as response:
                    raw = response.read(MAX_RESPONSE_BYTES + 1)
                break
            except urllib.error.HTTPError as exc:
                status = exc.code
                retry_after = _retry_after(exc.headers.get("Retry-After") if exc.headers else None)
                exc.close()
                if (status == 429 or status >= 500) and attempt <= self.retries:
                    self._sleep(retry_after if retry_after is not None else 2.0 ** (attempt - 1))
                    continue
                if 300 <= status < 400:
                    raise WixApiError(
                        f"Wix API {method} {path}: the server answered with a redirect ({status}); "
                        "refused, so the API key goes nowhere else"
                    ) from None
                reason = _REASONS.get(status) or (
                    f"the Wix server failed ({status}); try again later"
                    if status >= 500
                    else f"unexpected answer {status}"
                )
                raise WixApiError(f"Wix API {method} {path}: {reason}") from None
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                if attempt <= self.retries:
                    self._sleep(2.0 ** (attempt - 1))
                    continue
                why = getattr(exc, "reason", None) or exc
                raise WixApiError(
                    f"Wix API {method} {path}: cannot connect ({_one_line(why)}); "
                    "check the network and try again"
                ) from None
        if len(raw) > MAX_RESPONSE_BYTES:
            raise WixApiError(f"Wix API {method} {path}: the answer is too large")
        try:
            parsed = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            line = getattr(exc, "lineno", None)
            at = f" (line {line})" if line else ""
            raise WixApiError(f"Wix API {method} {path}: the answer is not JSON{at}") from None
        if not isinstance(parsed, dict):
            raise WixApiError(f"Wix API {method} {path}: the answer is not a JSON object")
        return parsed

    def pages(
        self, path: str, key: str, params: list[tuple[str, str]], *, cursor_param: str
    ) -> Iterator[list[Any]]:
        """Follow cursor paging (metaData.cursor or pagingMetadata.cursors.next) to the end."""
        cursor: str | None = None
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            query = list(params) + ([(cursor_param, cursor)] if cursor else [])
            answer = self.get(path, query)
            items = answer.get(key)
            if not isinstance(items, list):
                raise WixApiError(f"Wix API GET {path}: the answer has no '{key}' list")
            yield items
            cursor = next_cursor(answer)
            if not cursor or cursor in seen or not items:
                return
            seen.add(cursor)

    def offset_pages(
        self, path: str, key: str, params: list[tuple[str, str]], *, limit: int = 100
    ) -> Iterator[list[Any]]:
        """Follow offset paging (paging.offset) until a short page."""
        offset = 0
        for _ in range(MAX_PAGES):
            answer = self.get(
                path, [*params, ("paging.limit", str(limit)), ("paging.offset", str(offset))]
            )
            items = answer.get(key)
            if not isinstance(items, list):
                raise WixApiError(f"Wix API GET {path}: the answer has no '{key}' list")
            yield items
            if len(items) < limit:
                return
            offset += len(items)


def next_cursor(answer: dict[str, Any]) -> str | None:
    """The cursor of the next page in a Wix list answer, if there is one."""
    for meta_key in ("metaData", "pagingMetadata", "metadata"):
        meta = answer.get(meta_key)
        if not isinstance(meta, dict):
            continue
        cursors = meta.get("cursors")
        if isinstance(cursors, dict) and isinstance(cursors.get("next"), str):
            return cursors["next"] or None
        if isinstance(meta.get("cursor"), str):
            return meta["cursor"] or None
    return None


def _retry_after(value: str | None) -> float | None:
    try:
        return min(max(float(value), 0.0), 60.0) if value else None
    except ValueError:
        return None


def _one_line(value: object) -> str:
    return " ".join(str(value).split())[:200]
