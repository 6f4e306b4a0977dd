"""`hkcms init --group`: a site shared by real Unix accounts with different umasks.

Creates a group and two users, runs hkcms as each of them (a forked child that drops to the
user's ids, so the interpreter under /root need not be readable by them), and checks that
neither blocks the other and that nothing is readable by other users. Needs root."""

from __future__ import annotations

import grp
import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import hkcms.cli
import hkcms.commands.posts  # noqa: F401 - loaded before dropping privileges
import hkcms.export.build  # noqa: F401
from hkcms.cli import main
from hkcms.core.drafts import DraftStore
from hkcms.core.leases import LeaseStore
from hkcms.core.site import Site

pytestmark = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("useradd") is None,
    reason="creating Unix users and groups needs root and useradd",
)


class Accounts:
    def __init__(self) -> None:
        tag = f"{os.getpid() % 100000}"
        self.group = f"hkg{tag}"
        self.users = [f"hka{tag}", f"hkb{tag}"]

    def create(self) -> None:
        subprocess.run(["groupadd", self.group], check=True)
        for user in self.users:
            subprocess.run(["useradd", "-M", "-U", "-G", self.group, user], check=True)

    def remove(self) -> None:
        for user in self.users:
            subprocess.run(["userdel", user], check=False, capture_output=True)
        subprocess.run(["groupdel", self.group], check=False, capture_output=True)


@pytest.fixture
def accounts() -> Iterator[Accounts]:
    found = Accounts()
    try:
        found.create()
    except (subprocess.CalledProcessError, OSError) as exc:
        found.remove()
        pytest.skip(f"cannot create test accounts: {exc}")
    try:
        yield found
    finally:
        found.remove()


@pytest.fixture
def base() -> Iterator[Path]:
    # tmp_path lives under a 0700 folder of root's: the users could not reach it.
    folder = Path(tempfile.mkdtemp(prefix="hkcms-shared-", dir="/tmp"))
    folder.chmod(0o1777)  # like /tmp: every member may create a folder here
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def warm_up(folder: Path) -> None:
    """Run every command once as root first: the children then import nothing (the
    interpreter's own files under /root are not readable by the test users)."""
    root = str(folder / "warm")
    main(["init", root])
    for argv in (
        ["new", "W", "--slug", "w"], ["comments", "add", "w", "--author", "A", "--body", "B"],
        ["views", "set", "w", "1"], ["rename", "w", "w2"], ["trash", "w2"], ["trash", "--json"],
        ["export"], ["history", "w2", "--json"], ["comments", "list", "--json"], ["check"],
    ):  # fmt: skip
        main(["--site", root, *argv])
    site = Site.open(root)
    LeaseStore(site).acquire("w")
    DraftStore(site, "x").save("w", "t")


def as_user(user: str, umask: int, work: Callable[[], int], out: Path) -> int:
    """Run `work` in a child process with the user's ids and umask; its exit code."""
    entry = pwd.getpwnam(user)
    pid = os.fork()
    if pid == 0:
        code = 99
        try:
            fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            sys.stdout = sys.stderr = open(fd, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
            groups = [g.gr_gid for g in grp.getgrall() if user in g.gr_mem]
            os.setgroups(groups)
            os.setgid(entry.pw_gid)
            os.setuid(entry.pw_uid)
            os.umask(umask)
            os.environ.pop("HKCMS_USER", None)
            os.environ.pop("SUDO_USER", None)
            os.environ.update(USER="root", LOGNAME="root", HOME=str(out.parent))  # not trusted
            code = work()
        except BaseException as exc:  # report, never let the child run pytest's code
            os.write(2, f"{type(exc).__name__}: {exc}\n".encode())
        finally:
            sys.stdout.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_two_members_with_any_umask_share_a_site(accounts: Accounts, base: Path) -> None:
    ada, bo = accounts.users
    warm_up(base)
    root = base / "site"
    out = base / "out.txt"

    def cli(user: str, umask: int, *argv: str) -> str:
        code = as_user(user, umask, lambda: main(["--site", str(root), *argv]), out)
        text = out.read_text()
        assert code == 0, f"{user} {argv}: {text}"
        return text

    init = as_user(ada, 0o022, lambda: main(["init", str(root), "--group", accounts.group]), out)
    assert init == 0, out.read_text()
    cli(ada, 0o022, "new", "Ada writes", "--slug", "ada")
    cli(bo, 0o077, "new", "Bo writes", "--slug", "bo")  # a strict umask changes nothing
    cli(bo, 0o077, "comments", "add", "ada", "--author", "Reader", "--body", "Hello")
    cli(ada, 0o022, "views", "set", "bo", "12")
    cli(ada, 0o077, "rename", "bo", "bo-renamed")
    cli(bo, 0o022, "trash", "bo-renamed")
    entry = json.loads(cli(ada, 0o077, "trash", "--json"))[0]["id"]
    cli(ada, 0o077, "untrash", entry)
    cli(bo, 0o077, "export")
    cli(ada, 0o022, "export", "--full")  # the other member can export over it
    site = Site.open(root)
    assert as_user(ada, 0o077, lambda: LeaseStore(site).acquire("ada") and 0, out) == 0
    assert as_user(bo, 0o022, lambda: DraftStore(site, bo).save("ada", "draft") or 0, out) == 0
    cli(bo, 0o077, "check")

    gid = grp.getgrnam(accounts.group).gr_gid
    public = root / "public"
    for path in [root, *root.rglob("*")]:
        info = path.lstat()
        mode = stat.S_IMODE(info.st_mode)
        is_dir = stat.S_ISDIR(info.st_mode)
        assert info.st_gid == gid, path  # the site's group, whoever made it
        assert mode & (0o2070 if is_dir else 0o060) == (0o2070 if is_dir else 0o060), path
        if path == root:
            assert mode == 0o2771  # others may only pass through, to reach public/
        elif path.is_relative_to(public):
            assert mode & 0o004 and not mode & 0o002, path  # a web server reads it
        elif _reachable_by_others(root, path):
            assert not mode & 0o007, path  # nothing readable by other users
    for path in [*(root / "posts").iterdir(), *(root / ".hkcms" / "meta").rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        assert mode == (0o2770 if path.is_dir() else 0o660), path
    history = json.loads(cli(bo, 0o077, "history", "bo-renamed", "--json"))
    assert {h["editor"] for h in history} == {bo}
    comments = json.loads(cli(ada, 0o077, "comments", "list", "--json"))
    assert [c["post"] for c in comments] == ["ada"]


def _reachable_by_others(root: Path, path: Path) -> bool:
    """Whether a user outside the group can get to `path` (every folder above it lets them)."""
    folder = path.parent
    while folder != root:
        if not folder.stat().st_mode & 0o001:
            return False
        folder = folder.parent
    return True


def test_init_group_refuses_an_unknown_group(base: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["init", str(base / "site"), "--group", "no-such-group-hk"]) == 1
    assert "there is no group 'no-such-group-hk'" in capsys.readouterr().err
    assert not (base / "site" / "hkcms.toml").exists()
    assert hkcms.cli is not None
