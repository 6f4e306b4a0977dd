"""The `hkcms tui` command (also what a bare `hkcms` runs): the terminal app."""

from __future__ import annotations

import argparse

from hkcms.commands.common import open_site

ORDER = 90


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("tui", help="open the terminal app on the site (the default)")
    p.set_defaults(handler=cmd_tui)


def cmd_tui(args: argparse.Namespace) -> int:
    site = open_site(args)  # a bad site folder fails here with one line, before the screen opens
    from hkcms.tui.app import HkcmsApp

    HkcmsApp(site).run()
    return 0
