"""The `export`, `serve` and `publish` commands: the static site, its preview and its upload."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from hkcms.commands.common import open_site
from hkcms.core.inert import inert

ORDER = 40


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("export", help="write the static site (default folder: <site>/public)")
    p.add_argument("--out", type=Path, help="output folder (default: <site>/public)")
    p.add_argument("--full", action="store_true", help="rebuild every page, not only changed ones")
    p.add_argument("--base-url", help="public address of the site (default: base_url setting)")
    p.add_argument("--drafts", action="store_true", help="include drafts and scheduled posts")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("serve", help="preview the export on 127.0.0.1, re-exporting on changes")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--out", type=Path, help="export folder (default: <site>/public)")
    p.set_defaults(handler=cmd_serve)

    p = sub.add_parser("publish", help="rsync the export to the [publish] target in hkcms.toml")
    p.add_argument("--dry-run", action="store_true", help="show what would change; send nothing")
    p.set_defaults(handler=cmd_publish)


def cmd_export(args: argparse.Namespace) -> int:
    from hkcms.export.run import export_site

    site = open_site(args)
    report = export_site(site, args.out, full=args.full, drafts=args.drafts, base_url=args.base_url)
    for warning in report.warnings:
        print(f"warning: {inert(warning)}", file=sys.stderr)
    print(inert(report.summary()))
    if args.drafts:
        print(
            "note: this export includes drafts and future posts; it is a preview that "
            "'hkcms publish' refuses (export without --drafts to publish)",
            file=sys.stderr,
        )
    if os.environ.get("HKCMS_EXPORT_PHASES"):  # for benchmarks: where the time went
        phases = ", ".join(f"{k} {v:.3f} s" for k, v in report.phases.items())
        print(f"phases: {phases}", file=sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from hkcms.export.serve import serve

    if not 0 < args.port < 65536:
        from hkcms.core.errors import UsageError

        raise UsageError(f"--port {args.port} is not a port number (1-65535)")
    site = open_site(args)

    def log(line: str) -> None:
        print(inert(line), flush=True)

    try:
        serve(site, port=args.port, out=args.out, log=log)
    except KeyboardInterrupt:
        print("stopped", flush=True)
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from hkcms.export.publish import publish

    result = publish(open_site(args), dry_run=args.dry_run)
    for line in result.changes:
        print(inert(line))
    print(inert(result.summary()))
    return 0
