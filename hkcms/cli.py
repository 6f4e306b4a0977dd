"""The command line: parses arguments, calls the core, maps errors to exit codes (0, 1, 2)."""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

from hkcms import __version__
from hkcms.core.errors import HkcmsError, UsageError
from hkcms.core.inert import inert

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that exits with 2 and one line on bad usage (its default, made explicit)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"hkcms: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="hkcms",
        description="A terminal content manager for a community blog.",
    )
    parser.add_argument("--version", action="version", version=f"hkcms {__version__}")
    parser.add_argument(
        "--site",
        default=os.environ.get("HKCMS_SITE", "."),
        help="the site folder (default: current folder, or $HKCMS_SITE)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    import hkcms.commands as package

    modules = [
        importlib.import_module(f"hkcms.commands.{info.name}")
        for info in pkgutil.iter_modules(package.__path__)
    ]
    for module in sorted(modules, key=lambda m: getattr(m, "ORDER", 50)):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args([*(argv or sys.argv[1:]), "tui"])
    try:
        return int(args.handler(args) or EXIT_OK)
    except UsageError as exc:
        print(f"hkcms: error: {inert(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except HkcmsError as exc:
        # The message names a file: its name (or a quoted value) may hold escapes or newlines.
        print(f"hkcms: {inert(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("hkcms: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `hkcms list | head`: the reader left; not an error worth a traceback.
        sys.stderr.close()
        return EXIT_OK
