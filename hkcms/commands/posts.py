"""Post commands: init, new, list, show, history, diff, restore, rename, trash, untrash, check."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from hkcms.commands.common import open_site, print_json, print_table, safe_text
from hkcms.core.check import check_site, repair_site
from hkcms.core.errors import UsageError
from hkcms.core.post import STATUSES, iso_date
from hkcms.core.posts import PostInfo, PostStore
from hkcms.core.site import Site

ORDER = 10
SORT_KEYS = ("updated", "date", "title", "views", "comments")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="create a new site folder")
    p.add_argument("dir")
    p.add_argument("--title")
    p.add_argument(
        "--group", help="share the site with this Unix group (group-writable, setgid folders)"
    )
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("new", help="create a post; prints the new file's path")
    p.add_argument("title")
    p.add_argument("--slug")
    p.add_argument("--author")
    p.add_argument("--tag", action="append", default=[], dest="tags")
    p.add_argument("--lang")
    p.add_argument("--draft", action="store_true")
    p.set_defaults(handler=cmd_new)

    p = sub.add_parser("list", help="list posts")
    p.add_argument("--json", action="store_true")
    p.add_argument("--status", choices=STATUSES)
    p.add_argument("--tag")
    p.add_argument("--sort", choices=SORT_KEYS, default="updated")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("show", help="front matter, views, comments and last update of a post")
    p.add_argument("slug")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("history", help="revisions of a post, newest first")
    p.add_argument("slug")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_history)

    p = sub.add_parser("diff", help="unified diff between revisions (default: against current)")
    p.add_argument("slug")
    p.add_argument("rev", type=int)
    p.add_argument("rev2", type=int, nargs="?")
    p.set_defaults(handler=cmd_diff)

    p = sub.add_parser("restore", help="restore an old revision as a new revision")
    p.add_argument("slug")
    p.add_argument("rev", type=int)
    p.set_defaults(handler=cmd_restore)

    p = sub.add_parser("rename", help="change a post's slug (history, views, comments follow)")
    p.add_argument("slug")
    p.add_argument("new_slug")
    p.set_defaults(handler=cmd_rename)

    p = sub.add_parser("trash", help="move a post to the trash, or list the trash")
    p.add_argument("slug", nargs="?")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_trash)

    p = sub.add_parser("untrash", help="restore a post from the trash by its trash id")
    p.add_argument("id")
    p.set_defaults(handler=cmd_untrash)

    p = sub.add_parser("check", help="validate every post and the metadata")
    p.add_argument(
        "--repair",
        action="store_true",
        help="reattach or trash orphaned metadata and rebuild the post summaries first",
    )
    p.set_defaults(handler=cmd_check)


def cmd_init(args: argparse.Namespace) -> int:
    site = Site.init(args.dir, title=args.title, group=args.group)
    print(site.root)
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    store = PostStore(open_site(args))
    post = store.create(
        args.title,
        slug=args.slug,
        author=args.author,
        tags=args.tags,
        lang=args.lang,
        draft=args.draft,
    )
    print(post.path)
    return 0


def sort_posts(posts: list[PostInfo], key: str) -> list[PostInfo]:
    """Newest / most first for dates and counts; A→Z for titles."""
    if key == "title":
        return sorted(posts, key=lambda p: (p.title.casefold(), p.slug))
    return sorted(posts, key=lambda p: (getattr(p, key), p.slug), reverse=True)


def cmd_list(args: argparse.Namespace) -> int:
    scan = PostStore(open_site(args)).scan()
    posts = scan.posts
    if args.status:
        posts = [p for p in posts if p.status == args.status]
    if args.tag:
        posts = [p for p in posts if args.tag in p.tags]
    posts = sort_posts(posts, args.sort)
    if args.json:
        print_json([_list_item(p) for p in posts])
    else:
        rows = [
            [p.slug, p.title, p.status, p.author, p.updated[:10], str(p.views), str(p.comments)]
            for p in posts
        ]
        print_table(rows, ["SLUG", "TITLE", "STATUS", "AUTHOR", "UPDATED", "VIEWS", "COMMENTS"])
    for problem in scan.problems:
        print(f"hkcms: {problem}", file=sys.stderr)
    return 1 if scan.problems else 0


def _list_item(p: PostInfo) -> dict[str, Any]:
    keys = ("slug", "title", "status", "author", "tags", "lang", "date", "updated")
    item = {k: getattr(p, k) for k in keys}
    item |= {"views": p.views, "comments": p.comments, "path": p.path}
    return item


def cmd_show(args: argparse.Namespace) -> int:
    store = PostStore(open_site(args))
    post = store.load(args.slug)
    summary = store.meta.summary(args.slug)
    data = {
        "slug": post.slug,
        "path": str(post.path),
        "front_matter": {k: iso_date(v) if k == "date" else v for k, v in post.front.items()},
        "updated": summary.get("updated", ""),
        "revisions": summary.get("revisions", 0),
        "views": summary.get("views", 0),
        "comments": {
            "approved": summary.get("comments", 0),
            "pending": summary.get("comments_pending", 0),
            "total": summary.get("comments_total", 0),
        },
        "words": len(post.body.split()),
    }
    if args.json:
        print_json(data)
        return 0
    print(safe_text(f"{post.title}  ({post.slug})"))
    for key, value in data["front_matter"].items():
        if key != "title":
            print(safe_text(f"  {key}: {value}"))
    print(f"  updated: {data['updated']} ({data['revisions']} revisions)")
    c = data["comments"]
    print(f"  views: {data['views']}   comments: {c['approved']} approved, {c['pending']} pending")
    print(f"  file: {post.path} ({data['words']} words)")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    store = PostStore(open_site(args))
    store.load(args.slug)  # notices an outside edit before listing
    revisions = store.history.list(args.slug)
    if args.json:
        print_json([r.to_dict() for r in revisions])
        return 0
    rows = [[str(r.rev), r.time, r.editor, f"{r.size:,}", r.hash[:12], r.note] for r in revisions]
    print_table(rows, ["REV", "TIME", "EDITOR", "BYTES", "HASH", "NOTE"])
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    store = PostStore(open_site(args))
    current = store.load(args.slug).to_text()
    old = store.history.text(args.slug, args.rev)
    if args.rev2 is None:
        new, new_label = current, "current"
    else:
        new, new_label = store.history.text(args.slug, args.rev2), f"rev {args.rev2}"
    sys.stdout.write(store.history.diff(args.slug, old, new, f"rev {args.rev}", new_label))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    store = PostStore(open_site(args))
    revision = store.restore(args.slug, args.rev)
    if revision is None:
        print(f"{args.slug}: revision {args.rev} is already the current text; nothing to do")
    else:
        print(f"{args.slug}: restored revision {args.rev} as revision {revision.rev}")
    return 0


def cmd_rename(args: argparse.Namespace) -> int:
    store = PostStore(open_site(args))
    store.rename(args.slug, args.new_slug)
    print(store.site.post_path(args.new_slug))
    return 0


def cmd_trash(args: argparse.Namespace) -> int:
    store = PostStore(open_site(args))
    if args.slug is None:
        entries = store.trashed()
        if args.json:
            print_json([e.__dict__ for e in entries])
        else:
            print_table([[e.id, e.slug, e.title] for e in entries], ["ID", "SLUG", "TITLE"])
        return 0
    if args.json:
        raise UsageError("--json goes with listing the trash, not with moving a post to it")
    entry = store.trash(args.slug)
    print(f"moved {entry.slug} to the trash; restore it with: hkcms untrash {entry.id}")
    return 0


def cmd_untrash(args: argparse.Namespace) -> int:
    slug = PostStore(open_site(args)).untrash(args.id)
    print(f"restored {slug}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    site = open_site(args)
    if args.repair:
        for action in repair_site(site):
            print(f"repaired: {safe_text(action)}")
    problems, checked = check_site(site)
    for problem in problems:
        print(f"hkcms: {problem}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {checked} files", file=sys.stderr)
        return 1
    print(f"ok: {checked} files checked, no problems")
    return 0
