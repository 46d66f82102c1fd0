"""Shared pieces of the command line: workspace options, opening, output."""

from __future__ import annotations

import argparse
import os
import sys
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING

from engage_desktop.cli.errors import UsageError
from engage_desktop.core.errors import EngageError, WorkspaceLockedError
from engage_desktop.core.untrusted import strip_controls

if TYPE_CHECKING:  # imported when a command opens one: the window starts without DuckDB
    from engage_desktop.workspace.database import Workspace

WORKSPACE_ENV = "ENGAGE_DESKTOP_WORKSPACE"
#: The arguments of the command being run (handed to a window holding the workspace).
ARGV: ContextVar[tuple[str, ...]] = ContextVar("ARGV", default=())
#: Set by a command whose process may end without Python's teardown (see
#: :func:`engage_desktop.cli.run`); a context variable, so a command a window runs
#: for another process (``cli/handover.py``) never marks the window's own process.
ENDS_QUICKLY: ContextVar[bool] = ContextVar("ENDS_QUICKLY", default=False)


def may_end_quickly() -> None:
    """Say this command left nothing to tear down: its workspace is closed, its
    worker processes have ended, and all it had to say is written."""
    ENDS_QUICKLY.set(True)


def workspace_options() -> argparse.ArgumentParser:
    """Options accepted both before and after the subcommand.

    ``default=SUPPRESS`` keeps a value given before the subcommand from being reset
    by the subcommand's own parser.
    """
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("workspace options")
    group.add_argument(
        "-w",
        "--workspace",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help=f"the workspace file (default: ${WORKSPACE_ENV})",
    )
    group.add_argument(
        "--read-only",
        action="store_true",
        default=argparse.SUPPRESS,
        help="open the workspace read-only; nothing is written",
    )
    group.add_argument(
        "--snapshot",
        action="store_true",
        default=argparse.SUPPRESS,
        help="open a read-only copy (when another window has it open)",
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show tracebacks of unexpected errors",
    )
    return parent


def workspace_path(args: argparse.Namespace) -> Path:
    """The workspace named by -w or the environment.

    Raises:
        UsageError: No workspace was named.
    """
    value = getattr(args, "workspace", None) or os.environ.get(WORKSPACE_ENV)
    if not value:
        raise UsageError(
            f"no workspace given; pass -w PATH (or set {WORKSPACE_ENV}), "
            "or create one with 'engage-desktop new PATH'"
        )
    return Path(value)


def open_workspace(args: argparse.Namespace, *, write: bool = False) -> Workspace:
    """Open the workspace the way the options ask.

    Args:
        args: Parsed options.
        write: The command changes the workspace, so read-only modes are refused.
    """
    from engage_desktop.workspace.database import Workspace

    path = workspace_path(args)
    snapshot = getattr(args, "snapshot", False)
    read_only = getattr(args, "read_only", False)
    if write and (snapshot or read_only):
        raise UsageError("this command changes the workspace; drop --read-only/--snapshot")
    if snapshot:
        return Workspace.open_snapshot(path)
    from engage_desktop.cli import handover

    hosted = handover.borrow(path)  # this process is the window, running a handed command
    if hosted is not None:
        if write and hosted.read_only:
            raise EngageError(
                f"{path} is open read-only in the window; reopen it there for writing"
            )
        return hosted
    try:
        return Workspace.open(path, read_only=read_only)
    except WorkspaceLockedError:
        # A window holds it: run the whole command there, with the same output and status.
        status = handover.forward(path, list(ARGV.get()))
        if status is None:
            raise
        raise handover.HandedOver(status) from None


def out(line: str = "") -> None:
    """Print one line of results to stdout.

    Control characters are dropped: names and texts come from feeds and files, and
    an ESC or BEL in them would drive the user's terminal.
    """
    sys.stdout.write(strip_controls(line) + "\n")


def err(line: str) -> None:
    """Print one line of diagnostics to stderr (control characters dropped)."""
    sys.stderr.write(strip_controls(line) + "\n")
    sys.stderr.flush()


class ProgressLine:
    """A progress bar on stderr: redrawn in place on a terminal, sparse lines otherwise."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.tty = sys.stderr.isatty()
        self._last_pct = -1

    def __call__(self, done: int, total: int) -> None:
        pct = int(100 * done / total) if total else 100
        if pct == self._last_pct:
            return
        if self.tty:
            bar = "#" * (pct // 4)
            sys.stderr.write(f"\r{self.label} [{bar:<25}] {pct:3d}% ({done}/{total})")
            if done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()
        elif pct // 25 != self._last_pct // 25 or done >= total:
            err(f"{self.label}: {pct}% ({done}/{total})")
        self._last_pct = pct
