"""Property tests (Hypothesis): hostile input gives the project's own errors, never another
exception, and the renderer never lets live markup out."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hkcms.core.access_log import FileTally, ViewCounter
from hkcms.core.comment_import import import_comments
from hkcms.core.comments import CommentStore
from hkcms.core.errors import HkcmsError, PostError, SlugError
from hkcms.core.inert import inert
from hkcms.core.markdown import render_html
from hkcms.core.post import date_problem, iso_date, parse_post
from hkcms.core.posts import PostStore
from hkcms.core.site import Site
from hkcms.core.slugs import MAX_SLUG_BYTES, slugify, unique_slug, validate_slug
from hkcms.export.fast_markdown import render_html as export_render_html
from hkcms.export.html import sanitize
from hkcms.export.theme import parse_when

# Moderate counts: these run in CI on every push.
FAST = settings(max_examples=60, deadline=None)
SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextmanager
def fresh_site() -> Iterator[Site]:
    folder = Path(tempfile.mkdtemp(prefix="hkcms-prop-"))
    try:
        yield Site.init(folder / "site", title="Property site")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ---- front matter ----------------------------------------------------------------------------

# Values as people (and attackers) type them: dates and times at and past the calendar's ends,
# offsets, long and odd numbers, YAML tags, quotes, lists, Chinese text.
DIGITS = st.integers(min_value=0, max_value=99).map(lambda n: f"{n:02d}")
YEAR = st.sampled_from(["0000", "0001", "1970", "2024", "9998", "9999"])
OFFSET = st.one_of(
    st.just(""),
    st.just("Z"),
    st.builds(lambda s, h, m: f"{s}{h}:{m}", st.sampled_from("+-"), DIGITS, DIGITS),
)
DATE = st.builds(lambda y, m, d: f"{y}-{m}-{d}", YEAR, DIGITS, DIGITS)
DATETIME = st.builds(
    lambda day, sep, h, mi, s, off: f"{day}{sep}{h}:{mi}:{s}{off}",
    DATE,
    st.sampled_from(["T", " "]),
    DIGITS,
    DIGITS,
    DIGITS,
    OFFSET,
)
SCALAR = st.one_of(
    DATE,
    DATETIME,
    DATETIME.map(lambda v: f"'{v}'"),
    st.integers().map(str),
    st.text(alphabet="0123456789", min_size=1, max_size=6000),
    st.sampled_from(["!!int 0x_", "!!float x", "!!timestamp 2024-99-99", "!!binary ===", "~"]),
    st.sampled_from(["[a, b]", "{a: 1}", "[[[[", "'unclosed", '"\\ud800"', "&a x", "*a"]),
    st.text(max_size=40).map(json.dumps),
    st.text(alphabet="香港人在英國 -abc", max_size=30),
)
KEY = st.sampled_from(["title", "date", "tags", "status", "lang", "author", "views", "kind", "x"])
FRONT = st.lists(st.tuples(KEY, SCALAR), max_size=6).map(
    lambda pairs: "".join(f"{k}: {v}\n" for k, v in pairs)
)


@FAST
@given(front=FRONT, body=st.text(max_size=200))
def test_front_matter_parses_or_is_one_post_error(front: str, body: str) -> None:
    text = f"---\ntitle: T\n{front}---\n{body}"
    try:
        post = parse_post(text, "p", Path("posts/p.md"))
    except PostError as exc:
        assert "\n" not in inert(str(exc))
        return
    # A post that loads can be listed, sorted and exported: its date converts everywhere.
    assert date_problem(post.front.get("date")) is None
    for zone in (dt.UTC, dt.timezone(dt.timedelta(hours=14)), dt.timezone(dt.timedelta(hours=-14))):
        parse_when(iso_date(post.front.get("date")), zone)
    post.to_bytes()


@FAST
@given(text=st.text(max_size=400))
def test_any_text_as_a_post_is_a_post_or_a_post_error(text: str) -> None:
    try:
        parse_post(text, "p", Path("posts/p.md"))
    except PostError:
        pass


# ---- slugs and file names --------------------------------------------------------------------

TITLE = st.one_of(
    st.text(max_size=200),
    st.text(alphabet="粵語香港人二〇二六年周年大會𠀋 -", min_size=1, max_size=150),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=120),
)


@FAST
@given(title=TITLE, taken=st.integers(min_value=0, max_value=5))
def test_slugs_are_valid_and_fit_file_names(title: str, taken: int) -> None:
    slug = slugify(title)
    assert validate_slug(slug) == slug
    assert len(slug.encode()) <= MAX_SLUG_BYTES
    names = {slug, *(f"{slug}-{n}" for n in range(2, taken + 2))}
    again = unique_slug(slug, names)
    assert again not in names and validate_slug(again) == again
    assert len(f".hkcms-tmp-{again}.md.4194304.ffffffff".encode()) <= 255 or len(again) > 0


@FAST
@given(text=st.text(max_size=120))
def test_validate_slug_raises_only_slug_errors(text: str) -> None:
    try:
        validate_slug(text)
    except SlugError:
        pass


NAME = st.binary(min_size=1, max_size=120).map(
    lambda b: b.replace(b"/", b"_").replace(b"\x00", b"_").lstrip(b".") or b"x"
)


@SLOW
@given(names=st.lists(NAME, min_size=1, max_size=6, unique=True), title=st.text(max_size=30))
def test_any_file_names_in_posts_give_posts_or_problems(names: list[bytes], title: str) -> None:
    with fresh_site() as site:
        folder = os.fsencode(str(site.posts_dir))
        for name in names:
            with open(folder + b"/" + name + b".md", "wb") as handle:
                handle.write(f"---\ntitle: {json.dumps(title)}\n---\nbody\n".encode())
        result = PostStore(site).scan()
        assert len(result.posts) + len(result.problems) == len(names)
        for problem in result.problems:
            shown = inert(str(problem))
            assert shown.isprintable() and problem.path is not None
        for info in result.posts:
            assert inert(info.title).isprintable() or " " in info.title


# ---- access logs -----------------------------------------------------------------------------

MONTH = st.sampled_from(["Jan", "Feb", "Dec", "Foo", "jan"])
LOG_TIME = st.builds(
    lambda d, mon, y, h, m, s, sign, oh, om: f"{d}/{mon}/{y}:{h}:{m}:{s} {sign}{oh}{om}",
    DIGITS,
    MONTH,
    YEAR,
    DIGITS,
    DIGITS,
    DIGITS,
    st.sampled_from("+-x"),
    DIGITS,
    DIGITS,
)
LOG_LINE = st.builds(
    lambda t, path, status, ua: f'1.2.3.4 - - [{t}] "GET {path} HTTP/1.1" {status} 5 "-" "{ua}"',
    LOG_TIME,
    st.sampled_from(["/posts/hello/", "/posts/%E4%B8%AD/", "/posts/%ff/", "/x", "/posts/"]),
    st.sampled_from(["200", "304", "404", "2000", "abc"]),
    st.sampled_from(["Mozilla/5.0 (X11) Firefox/1", "curl/8", "", 'Mozilla/5.0 \\" x']),
).map(str.encode)


@FAST
@given(
    lines=st.lists(st.one_of(LOG_LINE, st.binary(max_size=200)), max_size=30),
    iso=st.booleans(),
)
def test_access_log_lines_never_raise(lines: list[bytes], iso: bool) -> None:
    lines = [line.replace(b"\n", b" ") for line in lines]
    fmt = '$time_iso8601 "$request" $status "$http_user_agent"' if iso else "combined"
    counter = ViewCounter({"hello", "中"}, log_format=fmt)
    tally = FileTally()
    counter.feed(lines * 2, tally, 1)  # twice: the second pass takes the cached fast path
    assert tally.lines == 2 * len(lines)
    assert tally.counted + tally.unparseable + sum(tally.skipped.values()) == tally.lines
    for (_, day), _n in counter.counts.items():
        dt.date.fromisoformat(day)


# ---- comment import --------------------------------------------------------------------------


@SLOW
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".csv", ".json", ".txt"]))
def test_any_comment_file_is_a_report_or_one_error(data: bytes, suffix: str) -> None:
    with fresh_site() as site:
        PostStore(site).create("Hello", slug="hello")
        path = site.root / f"in{suffix}"
        path.write_bytes(data)
        try:
            report = import_comments(CommentStore(PostStore(site).meta), path)
        except HkcmsError:
            return
        json.dumps(report.to_dict(), ensure_ascii=False).encode("utf-8")


BODY = st.text(alphabet="ab \n,香港", min_size=1, max_size=20).filter(lambda s: s.strip())


@SLOW
@given(
    bodies=st.lists(BODY, min_size=1, max_size=8),
    broken=st.sets(st.integers(min_value=0, max_value=7), max_size=3),
)
def test_csv_rows_are_never_merged(bodies: list[str], broken: set[int]) -> None:
    """Rows whose body has a stray quote are reported; every other row is imported alone."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["post", "author", "body"])
    lines = [out.getvalue()]
    for i, body in enumerate(bodies):
        row = io.StringIO()
        csv.writer(row, lineterminator="\n").writerow(["hello", f"author{i}", body])
        text = row.getvalue()
        if i in broken:
            text = text.replace(f"author{i},", f'author{i},"', 1)  # an unclosed quote
        lines.append(text)
    with fresh_site() as site:
        PostStore(site).create("Hello", slug="hello")
        path = site.root / "in.csv"
        path.write_text("".join(lines), encoding="utf-8")
        store = CommentStore(PostStore(site).meta)
        report = import_comments(store, path)
        stored = [(c.author, c.body) for c in store.list()]
    broken = {i for i in broken if i < len(bodies)}
    first_broken = min(broken, default=len(bodies))
    authors = [a for a, _ in stored]
    assert len(authors) == len(set(authors))
    for author, body in stored:
        # Each comment is exactly one row: never a row's text swallowed into another's body.
        k = int(author.removeprefix("author"))
        assert body == bodies[k].strip()
    for k in range(first_broken):
        assert f"author{k}" in authors  # rows before a broken one are untouched by it
    if broken:
        assert report.problems


# ---- Markdown rendering ----------------------------------------------------------------------

HOSTILE = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](java\tscript:alert(1))",
        "<a href='javascript&#58;alert(1)'>x</a>",
        "![x](data:text/html;base64,PHNjcmlwdD4=)",
        "<svg onload=alert(1)>",
        "<iframe src=//evil></iframe>",
        '<div style="x" onclick="y">z</div>',
        "<<script>script>",
        "[a]: javascript:alert(1)\n\n[a]",
        "<details open ontoggle=alert(1)>",
        "`<script>`",
        "<form action=javascript:x><button>",
    ]
)
MARKDOWN = st.lists(st.one_of(HOSTILE, st.text(max_size=40)), max_size=6).map("\n\n".join)
_DANGEROUS_TAGS = {"script", "style", "iframe", "object", "embed", "form", "svg", "math", "base"}
_BAD_SCHEMES = ("javascript:", "vbscript:", "data:")


class _LiveMarkup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DANGEROUS_TAGS:
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"{tag} {name}")
            squashed = "".join((value or "").split()).lower()
            if name in ("href", "src", "action", "formaction") and squashed.startswith(
                _BAD_SCHEMES
            ):
                self.found.append(f"{tag} {name}={value}")


@FAST
@given(text=MARKDOWN)
def test_rendered_markdown_has_no_live_markup(text: str) -> None:
    # The preview's parser and the export's compiled one, each through the export's sanitiser.
    for render in (render_html, export_render_html):
        out = sanitize(render(text))
        checker = _LiveMarkup()
        checker.feed(out)
        checker.close()
        assert checker.found == []
