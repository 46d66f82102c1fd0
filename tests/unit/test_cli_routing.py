"""The window's start-up skips the command modules only when no command can be meant."""

from __future__ import annotations

import subprocess
import sys

import pytest

from engage_desktop.cli import _parse, _surely_the_window, run_gui_command


@pytest.mark.parametrize(
    ("argv", "window"),
    [
        ([], True),
        (["client.engage"], True),
        (["--read-only", "/tmp/a"], True),
        (["-w", "client.engage", "--view", "inbox"], True),
        (["fetch"], False),  # a command
        (["fecth"], False),  # a misspelt one: argparse says so
        (["--help"], False),
        (["client.engage", "--version"], False),
    ],
)
def test_the_window_is_routed_without_the_commands_only_when_sure(argv, window):
    assert _surely_the_window(argv) is window


def test_both_routes_give_the_window_the_same_options():
    quick = _parse(["--read-only", "--view", "dashboard", "c.engage"])
    full = _parse(["gui", "--read-only", "--view", "dashboard", "c.engage"])
    assert quick.func is full.func is run_gui_command
    for name in ("path", "view", "screenshot", "size", "read_only"):
        assert getattr(quick, name) == getattr(full, name)


def test_opening_the_window_imports_no_command_and_no_duckdb_before_qt():
    code = (
        "import sys\n"
        "from engage_desktop.cli import _parse\n"
        "_parse(['client.engage'])\n"
        "print(sorted(m for m in sys.modules if m == 'duckdb' or m.startswith("
        "'engage_desktop.cli.') and m not in ('engage_desktop.cli.common', "
        "'engage_desktop.cli.errors')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
