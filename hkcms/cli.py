"""The command line: parses arguments, calls the core, maps errors to exit codes (0, 1, 2)."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Iterable, Sequence

from hkcms import __version__
from hkcms.core.errors import HkcmsError, UsageError
from hkcms.core.inert import inert

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2

# Command → the module of hkcms.commands that registers it. A command imports only its own
# module (importing them all cost 0.25–0.37 s before any work). A command missing here still
# works: an unknown word, `--help` or bad usage imports every module, as before.
COMMANDS: dict[str, str] = {
    **dict.fromkeys(
        ("init", "new", "list", "show", "history", "diff", "restore", "rename", "trash"),
        "posts",
    ),
    **dict.fromkeys(("untrash", "check"), "posts"),
    **dict.fromkeys(("export", "serve", "publish"), "export"),
    "views": "views",
    "comments": "comments",
    "tui": "tui",
}
GLOBAL_WITH_VALUE = ("--site",)


class _Parser(argparse.ArgumentParser):
    """argparse that exits with 2 and one line on bad usage (its default, made explicit)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"hkcms: error: {message}\n")


def command_word(argv: Sequence[str]) -> str | None:
    """The command named on the command line (the first word that is not a global option)."""
    args = iter(argv)
    for arg in args:
        if arg in GLOBAL_WITH_VALUE:
            next(args, None)
        elif arg == "--":
            return next(args, None)
        elif not arg.startswith("-"):
            return arg
    return None


def modules_for(argv: Sequence[str] | None) -> list[str] | None:
    """Names of the command modules `argv` needs; None means all of them."""
    if argv is None:
        return None
    word = command_word(argv)
    if word is None:
        if any(a == "-h" or (a.startswith("--h") and "--help".startswith(a)) for a in argv):
            return None
        # `hkcms --version` needs no command; a bare `hkcms` opens the terminal app.
        return [] if "--version" in argv else [COMMANDS["tui"]]
    module = COMMANDS.get(word)
    return None if module is None else [module]


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with `argv`, only the command modules it needs are imported."""
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
    names = modules_for(argv)
    if names is None:
        import pkgutil

        import hkcms.commands as package

        names = [info.name for info in pkgutil.iter_modules(package.__path__)]
    modules = [importlib.import_module(f"hkcms.commands.{name}") for name in names]
    for module in sorted(modules, key=lambda m: getattr(m, "ORDER", 50)):
        module.register(sub)
    return parser


def _not_utf8(values: Iterable[str]) -> str | None:
    """The first value holding bytes that were not UTF-8 (decoded as lone surrogates): no title,
    slug or path can hold them, and they would fail with a traceback when written."""
    for value in values:
        if any("\udc80" <= ch <= "\udcff" for ch in value):
            return value
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    bad = _not_utf8(argv)
    if bad is None:
        parser = build_parser(argv)
        args = parser.parse_args(argv)
        if args.command is None:
            args = parser.parse_args([*argv, "tui"])
        bad = _not_utf8(v for v in vars(args).values() if isinstance(v, str))  # $HKCMS_SITE
    if bad is not None:
        print(
            f"hkcms: error: {inert(bad)} is not valid UTF-8 text; "
            "retype it, or use a UTF-8 locale (e.g. LANG=C.UTF-8)",
            file=sys.stderr,
        )
        return EXIT_USAGE
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
