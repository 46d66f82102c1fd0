"""The command line's index of commands matches what the command modules register."""

from __future__ import annotations

import argparse
import importlib

from engage_desktop.cli import COMMAND_INDEX, COMMAND_MODULES, build_parser, main
from engage_desktop.cli.common import workspace_options


def test_the_index_names_every_command_and_only_its_modules():
    registered: dict[str, list[str]] = {}
    for name in COMMAND_MODULES:
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers()
        importlib.import_module(name).register(sub, workspace_options())
        for command in sub.choices:
            registered.setdefault(command, []).append(name)
    assert {k: list(v) for k, v in COMMAND_INDEX.items()} == registered


def test_one_command_parses_as_with_the_whole_parser(tmp_path):
    argv = ["fetch", "--force", "--quiet", "-w", str(tmp_path / "w.engage")]
    lean = build_parser("fetch")[0].parse_args(argv)
    full = build_parser()[0].parse_args(argv)
    assert vars(lean) == vars(full)
    assert "fetch" in build_parser("fetch")[1] and len(build_parser("fetch")[1]) == 2  # and gui


def test_help_before_a_command_still_lists_every_command(capsys):
    assert main(["--help", "fetch"]) == 0
    words = capsys.readouterr().out.split()
    assert {"fetch", "locate", "settings", "customers"} <= set(words)
