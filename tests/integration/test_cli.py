"""The command-line frame: options, exit codes, one-line failures."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from engage_desktop import __version__
from engage_desktop.cli import main


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "engage_desktop", *args],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )


def test_version_and_help():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"engage-desktop {__version__}"
    for args in (["--help"], ["demo", "--help"], ["sources", "list", "--help"], ["gui", "--help"]):
        result = run(*args)
        assert result.returncode == 0, args
        assert "usage: engage-desktop" in result.stdout


def test_workspace_option_before_and_after_the_command(demo_path, capsys):
    assert main(["-w", str(demo_path), "info"]) == 0
    before = capsys.readouterr().out
    assert main(["info", "-w", str(demo_path)]) == 0
    after = capsys.readouterr().out
    assert before == after
    assert "mentions:  3,000" in before or "mentions:  3000" in before


def test_workspace_from_environment(demo_path, capsys, monkeypatch):
    monkeypatch.setenv("ENGAGE_DESKTOP_WORKSPACE", str(demo_path))
    assert main(["sources", "list"]) == 0
    assert "Mastodon #nimbus (demo)" in capsys.readouterr().out


def test_usage_errors_exit_2(capsys):
    assert main(["info"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pass -w PATH" in err
    assert main(["frobnicate"]) == 2
    assert main(["demo"]) == 2
    assert main(["demo", "x.engage", "--mentions", "0"]) == 2


@pytest.mark.parametrize("content", [b"plain text", b""])
def test_failures_exit_1_with_one_line(tmp_path, content):
    bad = tmp_path / "bad.engage"
    bad.write_bytes(content)
    result = run("info", "-w", str(bad))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "not an engage-desktop workspace" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_refuses_to_overwrite_without_force(tmp_path, capsys):
    path = tmp_path / "d.engage"
    assert main(["demo", str(path), "--mentions", "300"]) == 0
    assert "created" in capsys.readouterr().out
    assert main(["demo", str(path), "--mentions", "300"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["demo", str(path), "--mentions", "300", "--force", "--seed", "2"]) == 0


def test_read_only_commands_refuse_to_write(demo_path, capsys):
    assert main(["info", "--read-only", "-w", str(demo_path)]) == 0
    assert "(read-only)" in capsys.readouterr().out


def test_unexpected_errors_are_one_line_unless_debug(tmp_path, monkeypatch, capsys):
    import engage_desktop.cli.workspace as ws_cli

    def boom(args):
        raise RuntimeError("kaput\nsecond line of a long driver message")

    monkeypatch.setattr(ws_cli, "cmd_info", boom)
    monkeypatch.setattr("engage_desktop.cli.workspace.cmd_info", boom)
    # register() binds the function at parse time, so patch before parsing.
    assert main(["info", "-w", str(tmp_path / "x.engage")]) == 1
    err = capsys.readouterr().err
    assert "unexpected error: RuntimeError: kaput" in err and "--debug" in err
    assert err.count("\n") == 1 and "second line" not in err
    with pytest.raises(RuntimeError):
        main(["info", "--debug", "-w", str(tmp_path / "x.engage")])
