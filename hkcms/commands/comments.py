"""Comment commands: list, add, approve/hide/spam/delete, and import from CSV or JSON."""

from __future__ import annotations

import argparse
import sys

from hkcms.commands.common import open_site, print_error, print_json, print_table
from hkcms.core.comment_import import import_comments
from hkcms.core.comments import STATES, CommentStore
from hkcms.core.errors import HkcmsError
from hkcms.core.inert import inert
from hkcms.core.meta import MetaStore
from hkcms.core.wording import count

ORDER = 45
MODERATION = {"approve": "approved", "hide": "hidden", "spam": "spam"}
BODY_PREVIEW = 50


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    comments = sub.add_parser("comments", help="reader comments and their moderation")
    csub = comments.add_subparsers(dest="comments_command", metavar="ACTION", required=True)

    p = csub.add_parser("list", help="comments, oldest first")
    p.add_argument("--status", choices=STATES)
    p.add_argument("--post", metavar="SLUG")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_list)

    p = csub.add_parser("add", help="add a comment to a post")
    p.add_argument("slug")
    p.add_argument("--author", required=True)
    p.add_argument("--body", required=True, help="the text, or - to read it from stdin")
    p.add_argument("--status", choices=STATES, default="pending")
    p.add_argument("--email", default="", help="kept for moderators, never published")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_add)

    for action, state in MODERATION.items():
        p = csub.add_parser(action, help=f"mark comments as {state}")
        p.add_argument("ids", nargs="+", metavar="ID")
        p.set_defaults(handler=cmd_moderate, state=state)

    p = csub.add_parser("delete", help="delete comments for good")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.set_defaults(handler=cmd_moderate, state=None)

    p = csub.add_parser("import", help="import comments from a CSV or JSON export")
    p.add_argument("file")
    p.add_argument("--status", choices=STATES, default="pending")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_import)


def _store(args: argparse.Namespace) -> CommentStore:
    return CommentStore(MetaStore(open_site(args)))


def cmd_list(args: argparse.Namespace) -> int:
    comments = _store(args).list(status=args.status, post=args.post)
    if args.json:
        print_json([c.to_dict() for c in comments])
        return 0
    rows = []
    for c in comments:
        body = " ".join(c.body.split())
        if len(body) > BODY_PREVIEW:
            body = body[: BODY_PREVIEW - 1] + "…"
        rows.append([c.id, c.status, c.created[:16], c.post, c.author, body])
    print_table(rows, ["ID", "STATUS", "CREATED", "POST", "AUTHOR", "COMMENT"])
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    body = args.body
    if body == "-":
        body = sys.stdin.read()
    store = _store(args)
    comment = store.add(args.slug, args.author, body, status=args.status, email=args.email)
    if comment is None:  # no source key here, so the post must have gone meanwhile
        raise HkcmsError(f"the comment was not added: post {args.slug!r} was just removed")
    if args.json:
        print_json(comment.to_dict())
    else:
        print(comment.id)
    return 0


def cmd_moderate(args: argparse.Namespace) -> int:
    store = _store(args)
    ids = list(dict.fromkeys(args.ids))
    if args.state is None:
        changed = store.delete(ids)
        done = "deleted"
    else:
        changed = store.set_status(ids, args.state)
        done = f"marked {args.state}"
    for c in changed:
        print(inert(f"{done}: {c.id} ({c.post}, {c.author})"))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    report = import_comments(_store(args), args.file, status=args.status)
    if args.json:
        print_json(report.to_dict())
    else:
        print(
            inert(
                f"{report.path}: {count(report.rows, 'row')}, "
                f"{count(len(report.imported), 'comment')} imported as {args.status}, "
                f"{report.duplicates:,} already there, "
                f"{len(report.problems):,} skipped"
            )
        )
    for problem in report.problems:
        # "data row": numbered from the first row after a CSV header / in the JSON list
        where = f"{report.path}:{problem.line}" if problem.line else report.path
        print_error(f"{where}: data row {problem.row}: {problem.message}")
    return 1 if report.problems else 0
