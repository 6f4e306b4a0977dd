"""The `media` commands: add clean copies of images to media/, list what media/ holds."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path

from hkcms.commands.common import open_site, print_json, print_table
from hkcms.core.errors import HkcmsError
from hkcms.core.inert import inert

ORDER = 35


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("media", help="images and files for posts (media/)")
    media = p.add_subparsers(dest="media_command", metavar="ACTION", required=True)
    add = media.add_parser(
        "add", help="copy images into media/ without metadata; prints the Markdown"
    )
    add.add_argument("files", nargs="+", type=Path, metavar="FILE")
    add.add_argument("--alt", default="", help="alt text: what the image shows, for screen readers")
    add.set_defaults(handler=cmd_add)
    listing = media.add_parser(
        "list", help="files in media/ with size, dimensions, users, problems"
    )
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_list)


def cmd_add(args: argparse.Namespace) -> int:
    from hkcms.core.media import MediaLibrary

    library = MediaLibrary(open_site(args))
    failed = 0
    for path in args.files:
        try:
            added = library.add(path, args.alt)
        except HkcmsError as exc:
            print(f"hkcms: {inert(str(exc))}", file=sys.stderr)
            failed += 1
            continue
        if added.removed:
            print(f"{inert(str(path))}: removed {', '.join(added.removed)}", file=sys.stderr)
        print(inert(added.markdown))
    if not args.alt and failed < len(args.files):
        print("note: write what each image shows between the [ ] (alt text)", file=sys.stderr)
    return 1 if failed else 0


def cmd_list(args: argparse.Namespace) -> int:
    from hkcms.core.media import MediaLibrary

    entries = MediaLibrary(open_site(args)).entries()
    if args.json:
        print_json([asdict(e) | {"url": f"/media/{e.name}"} for e in entries])
        return 0
    if not entries:
        print("media/ is empty; add images with: hkcms media add FILE --alt TEXT")
        return 0
    rows = [
        [
            e.name,
            _size(e.bytes),
            f"{e.width}x{e.height}" if e.width else "",
            ", ".join(e.posts) or "-",
            "; ".join(e.problems),
        ]
        for e in entries
    ]
    print_table(rows, ["NAME", "SIZE", "PIXELS", "POSTS", "PROBLEMS"])
    return 0


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / 1024 / 1024:.1f} MB"
