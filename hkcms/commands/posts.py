"""Post commands: init, new, list, show, history, diff, restore, rename, trash, untrash, check."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from hkcms.commands.common import open_site, print_error, print_json, print_table
from hkcms.core.errors import UsageError
from hkcms.core.inert import inert
from hkcms.core.post import STATUSES, iso_date
from hkcms.core.posts import PostInfo, PostStore
from hkcms.core.site import Site
from hkcms.core.translations import create_translation
from hkcms.core.wording import count

ORDER = 10
SORT_KEYS = ("updated", "date", "title", "views", "comments")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("init", help="create a new site folder")
    p.add_argument("dir")
    p.add_argument("--title")
    p.add_argument("--description", help="one or two sentences about the site (home page, feeds)")
    p.add_argument(
        "--group", help="share the site with this Unix group (group-writable, setgid folders)"
    )
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("new", help="create a post; prints the new file's path")
    p.add_argument("title", nargs="?", help="(with --translation-of: the translated title)")
    p.add_argument(
        "--translation-of",
        metavar="SLUG",
        help="create the --lang version of this post: fields copied, same translation_key",
    )
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
    site = Site.init(args.dir, title=args.title, description=args.description, group=args.group)
    print(inert(site.root))
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    if args.translation_of:
        if not args.lang:
            raise UsageError("--translation-of needs --lang, e.g. --lang zh-Hant")
        store = PostStore(open_site(args))
        post = create_translation(store, args.translation_of, args.lang)
        if args.title and args.title.strip() != post.title:
            post.front["title"] = args.title.strip()
            store.save(post, note="translated title")
        print(inert(post.path))
        return 0
    if not args.title:
        raise UsageError("a title is needed (or --translation-of SLUG --lang L)")
    store = PostStore(open_site(args))
    post = store.create(
        args.title,
        slug=args.slug,
        author=args.author,
        tags=args.tags,
        lang=args.lang,
        draft=args.draft,
    )
    print(inert(post.path))
    return 0


def sort_posts(posts: list[PostInfo], key: str) -> list[PostInfo]:
    """Newest / most first for dates and counts; A→Z for titles."""
    if key == "title":
        return sorted(posts, key=lambda p: (p.title.casefold(), p.slug))
    return sorted(posts, key=lambda p: (getattr(p, key), p.slug), reverse=True)


def cmd_list(args: argparse.Namespace) -> int:
    # A never-seen site is listed at once; its history is recorded by a detached process.
    scan = PostStore(open_site(args)).scan(background=True)
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
        print_error(problem)
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
    print(inert(f"{post.title}  ({post.slug})"))
    for key, value in data["front_matter"].items():
        if key != "title":
            print(inert(f"  {key}: {_shown(value)}"))
    revisions = count(_int(data["revisions"]), "revision")
    print(inert(f"  updated: {data['updated']} ({revisions})"))
    c = data["comments"]
    print(
        inert(
            f"  views: {_int(data['views']):,}   comments: {_int(c['approved']):,} approved, "
            f"{_int(c['pending']):,} pending"
        )
    )
    print(inert(f"  file: {post.path} ({count(data['words'], 'word')})"))
    return 0


def _shown(value: Any) -> str:
    """A front matter value as a person wrote it: tags as `a, b`, not a Python list."""
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_shown(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def _int(value: Any) -> int:
    """A count from metadata; a value of the wrong type (hand-edited JSON) shows as 0."""
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
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
    diff = store.history.diff(args.slug, old, new, f"rev {args.rev}", new_label)
    sys.stdout.write(inert(diff, keep_newlines=True))
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
    print(inert(store.site.post_path(args.new_slug)))
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
    print(inert(f"moved {entry.slug} to the trash; restore it with: hkcms untrash {entry.id}"))
    return 0


def cmd_untrash(args: argparse.Namespace) -> int:
    slug = PostStore(open_site(args)).untrash(args.id)
    print(inert(f"restored {slug}"))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    # Imported here: the check pulls in media and image code that other commands never need.
    from hkcms.core.check import check_site, repair_site

    site = open_site(args)
    if args.repair:
        for action in repair_site(site):
            print(f"repaired: {inert(action)}")
    problems, checked = check_site(site)
    for problem in problems:
        print_error(problem)
    if problems:
        print(f"{count(len(problems), 'problem')} in {count(checked, 'file')}", file=sys.stderr)
        return 1
    print(f"ok: {count(checked, 'file')} checked, no problems")
    return 0
