"""export_site: one export of a site. The output folder is checked, an export with nothing
changed is answered from its memo (memo.py), anything else is built (build.py) under the
site's export lock. Importing this module loads no renderer: a no-op export needs none."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable
from pathlib import Path

from hkcms.core.atomic import PRIVATE_FILE, SHARED_FILE, is_shared, make_dirs
from hkcms.core.site import Site
from hkcms.export import memo
from hkcms.export.manifest import check_output_folder
from hkcms.export.paths import ExportError
from hkcms.export.report import ExportReport
from hkcms.export.settings import ExportSettings

Progress = Callable[[int, int], None]
LOCK_TIMEOUT_S = 300.0


def export_site(
    site: Site,
    out: Path | str | None = None,
    *,
    full: bool = False,
    drafts: bool = False,
    base_url: str | None = None,
    progress: Progress | None = None,
) -> ExportReport:
    """Export the site as static HTML into `out` (default <site>/public).

    Only pages whose inputs changed are rewritten; `full` rebuilds every page. `progress` is
    called as progress(done, total), possibly from a worker thread."""
    # An export makes some 100,000 objects that live until it ends (posts, pages, keys, the
    # modules it loads); the cycle collector would walk them again and again — a fifth of an
    # export after one edit at 10,000 posts — for next to no garbage: reference counting
    # frees the rest. (Peak memory measured the same, 133 MB for a full export at 10,000.)
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _export(site, out, full=full, drafts=drafts, base_url=base_url, progress=progress)
    finally:
        if collecting:
            gc.enable()


def _export(
    site: Site,
    out: Path | str | None,
    *,
    full: bool,
    drafts: bool,
    base_url: str | None,
    progress: Progress | None,
) -> ExportReport:
    started = time.monotonic()
    target = Path(out).expanduser() if out is not None else site.public_dir
    target = Path(os.path.abspath(target))
    check_output_folder(target, site)
    settings = ExportSettings.of(site, base_url=base_url, drafts=drafts)
    if not full:
        # Read-only, so without the lock: while another export writes, its journal has
        # changed the manifest's stamp and this one waits for the lock below.
        report = memo.replay(site, target, settings)
        if report is not None:
            report.seconds = report.phases["memo"] = time.monotonic() - started
            if progress is not None:
                progress(1, 1)
            return report

    from filelock import FileLock, Timeout  # 15–30 ms to import: only when there is work

    from hkcms.export.build import build

    # One export at a time per site (the terminal app, `hkcms serve` and a cron job may meet).
    lock_path = site.state_dir / "locks" / "export.lock"
    try:
        make_dirs(lock_path.parent)
        mode = SHARED_FILE if is_shared(lock_path.parent) else PRIVATE_FILE
        lock = FileLock(str(lock_path), timeout=LOCK_TIMEOUT_S, mode=mode)
        lock.acquire()
    except Timeout as exc:
        raise ExportError(
            f"another export of this site has been running for {LOCK_TIMEOUT_S:.0f} s; "
            "try again when it has finished",
            lock_path,
        ) from exc
    except OSError as exc:
        raise ExportError(f"cannot take the export lock: {exc.strerror}", lock_path) from exc
    # The export is the one thing a web server must read: world-readable, and group-writable
    # in a shared site (so that any member can export again), whatever the umask.
    shared = is_shared(target if target.exists() else target.parent)
    old_umask = os.umask(0o002 if shared else 0o022)
    try:
        return build(site, target, settings, full=full, progress=progress)
    except OSError as exc:
        where = exc.filename or target
        raise ExportError(f"cannot write the export: {exc.strerror or exc}", where) from exc
    finally:
        os.umask(old_umask)
        lock.release()
