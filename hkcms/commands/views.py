"""Views commands: import access logs, show a post's views, set a baseline, top posts."""

from __future__ import annotations

import argparse

from hkcms.commands.common import open_site, print_error, print_json, print_table
from hkcms.core.inert import inert
from hkcms.core.meta import MetaStore
from hkcms.core.views import ImportReport, ViewStore
from hkcms.core.wording import count

ORDER = 40


_n = count


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from exc
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _days(text: str) -> int:
    value = _count(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    views = sub.add_parser("views", help="post views from web-server access logs")
    vsub = views.add_subparsers(dest="views_command", metavar="ACTION", required=True)

    p = vsub.add_parser("import", help="count views in nginx/Apache logs (plain or .gz)")
    p.add_argument("logs", nargs="+", metavar="LOG")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_import)

    p = vsub.add_parser("show", help="a post's total and daily views")
    p.add_argument("slug")
    p.add_argument("--days", type=_days, help="the last N days, today included")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_show)

    p = vsub.add_parser("set", help="set the views carried over from the previous host")
    p.add_argument("slug")
    p.add_argument("views", type=_count, metavar="N")
    p.set_defaults(handler=cmd_set)

    p = vsub.add_parser("top", help="the most-read posts, all time or in the last N days")
    p.add_argument("--days", type=_days)
    p.add_argument("--limit", type=_days, default=None, help="show at most N posts")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_top)


def _store(args: argparse.Namespace) -> ViewStore:
    return ViewStore(MetaStore(open_site(args)))


def cmd_import(args: argparse.Namespace) -> int:
    report = _store(args).import_logs(args.logs)
    if args.json:
        print_json(report.to_dict())
    else:
        _print_import(report)
    for problem in report.errors:
        print_error(f"{problem.path}: {problem.message}")  # one line per file, on stderr
    return 1 if report.errors else 0


def _print_import(report: ImportReport) -> None:
    """One line per file read (a file in error is said once, on stderr), then the totals."""
    read = [f for f in report.files if f not in report.errors]
    if not read:
        return
    for f in read:
        line = f"{inert(f.path)}: {f.status}"
        if f.lines:
            line += f", {_n(f.lines, 'new line')}, {_n(f.counted, 'view')} counted"
        if f.unparseable:
            where = ", ".join(str(n) for n in f.unparseable_lines)
            more = ", …" if f.unparseable > len(f.unparseable_lines) else ""
            line += f", {f.unparseable:,} unparseable (line {where}{more})"
        if f.message:
            line += f" ({inert(f.message)})"
        print(line)
    print(
        f"{_n(report.counted, 'view')} counted on {_n(report.posts, 'post')} "
        f"from {_n(report.lines, 'new line')}; {report.unparseable:,} unparseable"
    )
    for reason, n in sorted(report.skipped.items(), key=lambda r: -r[1]):
        print(f"  skipped {n:,}: {reason}")


def cmd_show(args: argparse.Namespace) -> int:
    report = _store(args).show(args.slug, days=args.days)
    if args.json:
        print_json(report.to_dict())
        return 0
    print(
        inert(
            f"{report.slug}: {_n(report.total, 'view')} "
            f"({report.baseline:,} carried over + {report.counted:,} counted)"
        )
    )
    for period in (7, 30, 365):
        print(f"  last {period} days: {report.last(period):,}")
    if report.days:
        print_table([[d.date, f"{d.views:,}"] for d in report.days], ["DATE", "VIEWS"])
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    report = _store(args).set_baseline(args.slug, args.views)
    print(
        inert(
            f"{report.slug}: baseline {report.baseline:,}; "
            f"total {report.total:,} ({report.counted:,} counted)"
        )
    )
    return 0


def cmd_top(args: argparse.Namespace) -> int:
    ranked = _store(args).top(days=args.days, limit=args.limit)
    if args.json:
        print_json([{"slug": slug, "views": views} for slug, views in ranked])
    else:
        print_table([[f"{v:,}", s] for s, v in ranked], ["VIEWS", "SLUG"])
    return 0
