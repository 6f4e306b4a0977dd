"""Old links: a redirect page at each alias path of a post, and redirects.nginx.conf (301s).

Alias paths come from front matter and imports: they are hostile input. Each becomes a plain
relative path inside the output folder (no '..', no control characters), and never replaces a
page of the site or a file the export did not write."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from hkcms.export.paths import ExportError, check_relpath, url_path
from hkcms.export.plan import SEP, Page, PlannedPost
from hkcms.export.sources.base import PageSource

if TYPE_CHECKING:
    from hkcms.export.context import BuildContext

NGINX_CONF = "redirects.nginx.conf"
# Characters that would let a path break out of an nginx directive (or mean nothing in one).
_NGINX_UNSAFE = re.compile(r'[\s"\'\\;{}$#`<>]|[\x00-\x1f\x7f]')


@dataclass(frozen=True)
class Redirect:
    """One old path: where its page goes (rel), the path nginx matches and the target post."""

    rel: str
    path: str  # the old URL path on the host, base path included ('/blog/old/')
    post: PlannedPost


def alias_rel(alias: str, base_path: str) -> tuple[str, str]:
    """(output path of the redirect page, URL path on the host) of an alias; ExportError when
    it cannot be one. '/old/post' and '/old/post/' give old/post/index.html; '/old.html' stays."""
    path = unquote(alias.strip().split("#", 1)[0].split("?", 1)[0])
    if "://" in path or path.startswith("//"):
        raise ExportError(f"alias {alias!r} must be a path on this site, like /old/path/")
    path = "/" + path.lstrip("/")
    if base_path != "/" and path.startswith(base_path):
        path = "/" + path[len(base_path) :]
    inner = path.strip("/")
    if not inner:
        raise ExportError(f"alias {alias!r} is the site's front page; it cannot redirect")
    last = inner.rsplit("/", 1)[-1]
    rel = inner if last.lower().endswith((".html", ".htm")) else inner + "/index.html"
    check_relpath(rel)
    host_path = base_path.rstrip("/") + "/" + inner + ("/" if path.endswith("/") else "")
    return rel, host_path


def query_alias(alias: str, base_path: str) -> str | None:
    """The request URI ('/?p=12') of an alias that carries a query string, else None."""
    path, sep, query = alias.strip().split("#", 1)[0].partition("?")
    if not sep or not query or "://" in path or path.startswith("//"):
        return None
    path = "/" + path.lstrip("/")
    if base_path != "/" and not path.startswith(base_path):
        path = base_path.rstrip("/") + path
    return f"{path}?{query}"


def _target(ctx: BuildContext, post: PlannedPost) -> str:
    return ctx.canonical(post.url) or (ctx.settings.root_path + url_path(post.url))


class RedirectSource(PageSource):
    """Runs last: it only takes addresses no other page of the site has claimed."""

    name = "redirects"

    def generate_output(self, ctx: BuildContext) -> Iterator[Page]:
        redirects: list[Redirect] = []
        taken: dict[str, str] = {}
        base_path = ctx.settings.root_path
        queries: list[tuple[str, PlannedPost]] = []
        for post in sorted([*ctx.posts, *ctx.pages], key=lambda p: p.slug):
            for alias in post.info.aliases:
                where = post.info.path
                query = query_alias(alias, base_path)
                if query is not None:
                    # '/?p=12' (WordPress): no static page can answer a query string; only the
                    # nginx map can, and `views import` still counts the old address.
                    queries.append((query, post))
                    continue
                try:
                    rel, host_path = alias_rel(alias, base_path)
                except ExportError as exc:
                    ctx.warn(f"{where}: {exc.message}; left out")
                    continue
                if rel == post.rel:
                    continue  # the old address is also the new one (an imported page's /about/)
                if rel in taken or ctx.is_claimed(rel):
                    owner = taken.get(rel, "a page of the site")
                    ctx.warn(f"{where}: alias {alias!r} is already {owner}; left out")
                    continue
                if rel not in ctx.previous_pages and os.path.lexists(os.path.join(ctx.out, rel)):
                    ctx.warn(f"{where}: alias {alias!r} would replace a file hkcms did not write")
                    ctx.foreign = True  # the next export must look again (memo.py)
                    continue
                taken[rel] = f"an alias of {post.slug!r}"
                redirects.append(Redirect(rel, host_path, post))
        for redirect in redirects:
            yield self.page(ctx, redirect)
        yield self.nginx(ctx, redirects, queries)

    def page(self, ctx: BuildContext, redirect: Redirect) -> Page:
        post = redirect.post
        root = "../" * redirect.rel.count("/") or "./"
        inputs = (post.url, post.info.title, post.lang)

        def make() -> bytes:
            words = ctx.strings_for(post.lang)
            context: dict[str, Any] = {
                "root": root,
                "page_lang": post.lang,
                "chrome_lang": post.lang,
                "target": root + url_path(post.url),
                "target_full": ctx.href(post.url, root),
                "title": post.info.title,
                "description": words.format("moved_text", link=post.info.title),
            }
            return ctx.render("redirect.html", context)

        return Page(redirect.rel, inputs, make)

    def nginx(
        self, ctx: BuildContext, redirects: list[Redirect], queries: list[tuple[str, PlannedPost]]
    ) -> Page:
        lines: list[str] = []
        for uri, post in queries:
            target = _target(ctx, post)
            if not _NGINX_UNSAFE.search(uri) and not _NGINX_UNSAFE.search(target):
                lines.append(f'if ($request_uri = "{uri}") {{ return 301 "{target}"; }}')
        for redirect in redirects:
            target = _target(ctx, redirect.post)
            if _NGINX_UNSAFE.search(redirect.path) or _NGINX_UNSAFE.search(target):
                ctx.warn(
                    f"{redirect.post.info.path}: alias {redirect.path!r} has characters nginx "
                    "cannot match safely; only its redirect page is written"
                )
                continue
            paths = [redirect.path]
            if redirect.rel.endswith("/index.html"):  # a folder: with and without the slash
                path = redirect.path
                paths.append(path.rstrip("/") if path.endswith("/") else path + "/")
            for path in sorted(paths):
                lines.append(f'location = "{path}" {{ return 301 "{target}"; }}')
        header = (
            "# Permanent redirects of old addresses (front matter `aliases`), written by hkcms\n"
            "# export. Include it in the server block of the site: include .../"
            f"{NGINX_CONF};\n"
        )
        text = header + "".join(line + "\n" for line in sorted(set(lines)))
        return Page(NGINX_CONF, (SEP.join(lines),), lambda: text.encode("utf-8"))
