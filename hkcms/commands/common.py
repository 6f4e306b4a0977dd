"""Helpers shared by the sub-commands: opening the site, printing JSON and tables."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from hkcms.core.inert import inert, inert_json
from hkcms.core.site import Site

ORDER = 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    # This module adds no command; cli.py calls register() on every module it finds.
    return None


def open_site(args: argparse.Namespace) -> Site:
    return Site.open(args.site)


def print_json(data: Any) -> None:
    # Indented for people; compact (and C-encoded, ~5x faster) when piped to a program.
    indent = 2 if sys.stdout.isatty() else None
    text = json.dumps(data, ensure_ascii=False, indent=indent, default=str)
    sys.stdout.write(inert_json(text) + "\n")


def print_error(message: object) -> None:
    """One `hkcms: …` line on stderr, whatever the message (a file name) contains."""
    print(f"hkcms: {inert(message)}", file=sys.stderr)


def print_table(rows: list[list[str]], headers: list[str]) -> None:
    """A plain aligned table; East Asian wide characters count as two columns."""
    from unicodedata import east_asian_width

    def width(text: str) -> int:
        return sum(2 if east_asian_width(c) in "WF" else 1 for c in text)

    table = [headers, *[[inert(" ".join(c.split())) for c in row] for row in rows]]
    widths = [max(width(row[i]) for row in table) for i in range(len(headers))]
    for row in table:
        cells = [cell + " " * (widths[i] - width(cell)) for i, cell in enumerate(row)]
        print("  ".join(cells).rstrip())
