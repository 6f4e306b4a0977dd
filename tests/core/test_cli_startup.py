"""Start-up: a command imports only its own command module; `--help` still lists them all."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import hkcms.commands
from hkcms import cli


def imported_commands(*args: str) -> set[str]:
    """The hkcms.commands modules a real `hkcms ARGS` process imported before it exited."""
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print(sorted(m for m in sys.modules "
        "if m.startswith('hkcms.commands.')), file=sys.__stderr__))\n"
        "from hkcms.cli import main\n"
        "raise SystemExit(main())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60
    )
    last = done.stderr.strip().splitlines()[-1]
    return {name.removeprefix("hkcms.commands.") for name in eval(last)}  # a list literal


def test_version_imports_no_command_module() -> None:
    assert imported_commands("--version") == set()


def test_list_imports_only_the_posts_commands(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "posts").mkdir(parents=True)
    assert imported_commands("--site", str(site), "list") == {"common", "posts"}


def test_an_unknown_command_still_gets_the_full_usage_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hkcms", "lisst"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "invalid choice: 'lisst'" in done.stderr and "comments" in done.stderr


def all_registered() -> dict[str, str]:
    """Every command each module registers, found the slow way (importing them all)."""
    found: dict[str, str] = {}
    for info in pkgutil.iter_modules(hkcms.commands.__path__):
        module = importlib.import_module(f"hkcms.commands.{info.name}")
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers()
        module.register(sub)
        for name in sub.choices:
            found[name] = info.name
    return found


def test_the_table_names_the_module_that_registers_each_command() -> None:
    registered = all_registered()
    for command, module in cli.COMMANDS.items():
        assert registered.get(command) == module, command


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    for command in all_registered():
        assert f"    {command} " in out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--site", "list", "show", "x"], "show"),  # a site folder called "list"
        (["--site=here", "export", "--full"], "export"),
        (["-h"], None),
        ([], None),
        (["--", "list"], "list"),
    ],
)
def test_command_word(argv: list[str], expected: str | None) -> None:
    assert cli.command_word(argv) == expected
