"""The headless interface: ``engage-desktop`` (also ``python -m engage_desktop``).

Without a subcommand it opens the GUI. Every subcommand runs the same services the
GUI runs in the background. Exit status: 0 on success, 2 on a usage error, 1 on a
failure, each failure as one line on stderr (a traceback only with ``--debug``).

Each command group lives in its own module with a ``register(subparsers, parent)``
function, listed in :data:`COMMAND_MODULES`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from engage_desktop import __version__
from engage_desktop.cli.common import ARGV, ENDS_QUICKLY, err, workspace_options
from engage_desktop.cli.errors import USAGE_ERRORS, exit_status
from engage_desktop.core import timeline
from engage_desktop.core.errors import EngageError
from engage_desktop.workspace.faults import explain_fault

PROG = "engage-desktop"
COMMAND_MODULES = (
    "engage_desktop.cli.workspace",
    "engage_desktop.cli.sources",
    "engage_desktop.cli.locate",
    "engage_desktop.cli.accounts",
    "engage_desktop.cli.engage",
    "engage_desktop.cli.fetch",
    "engage_desktop.cli.inbox",
    "engage_desktop.cli.customers",
    "engage_desktop.cli.enrich",
    "engage_desktop.cli.learn",
    "engage_desktop.cli.share",
    "engage_desktop.cli.alerts",
    "engage_desktop.cli.archive",
    "engage_desktop.cli.settings",
)
VIEWS = ("feeds", "where", "inbox", "composer", "dashboard")  # "where": a tab of Feeds


#: The module(s) registering each command, so that running one command builds only its
#: parser: building all of them imports every command module, ~40 ms of a one-shot
#: ``fetch``'s start-up (measured). ``export`` is registered by two modules, the later
#: one winning, as in the full parser. tests/unit/test_cli_commands_index.py checks
#: that this index names every command the modules register.
COMMAND_INDEX: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("new", "demo", "info"), ("engage_desktop.cli.workspace",)),
    **dict.fromkeys(("sources", "watch"), ("engage_desktop.cli.sources",)),
    "locate": ("engage_desktop.cli.locate",),
    "accounts": ("engage_desktop.cli.accounts",),
    **dict.fromkeys(("reply", "outbox"), ("engage_desktop.cli.engage",)),
    "fetch": ("engage_desktop.cli.fetch",),
    "inbox": ("engage_desktop.cli.inbox",),
    "customers": ("engage_desktop.cli.customers",),
    **dict.fromkeys(
        ("import", "score", "lexicon", "intents", "correct"), ("engage_desktop.cli.enrich",)
    ),
    "export": ("engage_desktop.cli.enrich", "engage_desktop.cli.share"),
    "report": ("engage_desktop.cli.share",),
    "learn": ("engage_desktop.cli.learn",),
    "alerts": ("engage_desktop.cli.alerts",),
    **dict.fromkeys(("archive", "cluster"), ("engage_desktop.cli.archive",)),
    "settings": ("engage_desktop.cli.settings",),
}


def build_parser(command: str | None = None) -> tuple[argparse.ArgumentParser, set[str]]:
    """The subcommand parser and the names of its commands.

    Args:
        command: Build only what this command needs (a name of :data:`COMMAND_INDEX`);
            None builds every command (help, usage errors, the window's routing).
    """
    parent = workspace_options()
    parser = argparse.ArgumentParser(
        prog=PROG,
        parents=[parent],
        description="Offline-first customer engagement: listen, engage, measure.",
        epilog=f"Run '{PROG} [PATH]' with no command to open the window; "
        f"'{PROG} gui --help' lists the window's options.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    gui = sub.add_parser("gui", parents=[parent], help="open the window (the default)")
    add_gui_arguments(gui)
    gui.set_defaults(func=run_gui_command)
    for name in COMMAND_INDEX.get(command or "", COMMAND_MODULES):
        importlib.import_module(name).register(sub, parent)
    return parser, set(sub.choices)


def add_gui_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the window: a workspace to open and the screenshot mode."""
    parser.add_argument(
        "path",
        nargs="?",
        metavar="PATH",
        help="workspace to open (default: the last one, else the demo)",
    )
    parser.add_argument(
        "--screenshot",
        metavar="OUT.png",
        help="render the window to a PNG without a screen, then exit",
    )
    parser.add_argument(
        "--view",
        choices=VIEWS,
        help="the view to show (default: the inbox; a shared copy's dashboard)",
    )
    parser.add_argument(
        "--size",
        default="1440x900",
        metavar="WxH",
        help="window size for --screenshot (default: 1440x900)",
    )


def run_gui_command(args: argparse.Namespace) -> int:
    """Open the window (imports Qt only now, so the CLI starts fast)."""
    from engage_desktop.ui.app import run_gui

    path = args.path or getattr(args, "workspace", None)
    return run_gui(
        path,
        read_only=getattr(args, "read_only", False),
        snapshot=getattr(args, "snapshot", False),
        screenshot=args.screenshot,
        view=args.view,
        size=args.size,
    )


def _first_word(argv: list[str]) -> str | None:
    """The first word of ``argv`` that is neither an option nor an option's value."""
    takes_value = {"-w", "--workspace", "--screenshot", "--view", "--size"}
    skip = False
    for word in argv:
        if skip:
            skip = False
            continue
        if word in takes_value:
            skip = True
            continue
        if word.startswith("-"):
            continue
        return word
    return None


def _surely_the_window(argv: list[str]) -> bool:
    """True when ``argv`` opens the window whatever the commands are called.

    No word, or a first word with a dot or a slash (a file; no command has either),
    and no help or version asked for. The window then starts without importing the
    command modules (and DuckDB with them) before its first paint.
    """
    first = _first_word(argv)
    if any(w in ("-h", "--help", "--version") for w in argv):
        return False
    return first is None or "." in first or os.sep in first


def _window_parser() -> argparse.ArgumentParser:
    """The ``gui`` command's own options, for :func:`_surely_the_window` start-ups."""
    parser = argparse.ArgumentParser(prog=PROG, parents=[workspace_options()])
    add_gui_arguments(parser)
    parser.set_defaults(func=run_gui_command, command="gui")
    return parser


def _parse(argv: list[str]) -> argparse.Namespace:
    if _surely_the_window(argv):
        return _window_parser().parse_args(argv)
    first = _first_word(argv)
    if first in COMMAND_INDEX:
        before = argv[: argv.index(first)]
        if not any(w in ("-h", "--help", "--version") for w in before):
            # A command (maybe with its own --help): only its parser is built.
            return build_parser(first)[0].parse_args(argv)
    parser, commands = build_parser()
    # No subcommand means the GUI: argparse cannot mix an optional positional with
    # subcommands, so route on the first word that is not an option.
    looks_like_path = first is not None and (
        os.path.exists(first) or "." in first or os.sep in first
    )
    if first in commands or (first is not None and not looks_like_path):
        return parser.parse_args(argv)  # a command, or a misspelt one argparse reports
    if any(w in ("-h", "--help", "--version") for w in argv):
        return parser.parse_args(argv)
    return parser.parse_args(["gui", *argv])


def _first_line(exc: BaseException) -> str:
    """The first line of an exception's message: the promise is one line on stderr."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def run() -> NoReturn:
    """The ``engage-desktop`` script: :func:`main`, then end the process with its status.

    After a command that said it may (:func:`~engage_desktop.cli.common.may_end_quickly`:
    a one-shot ``fetch``), the output is flushed, the exit handlers run, and the
    process ends at once instead of tearing down numpy, DuckDB and ~400 modules one
    by one: 0.13-0.20 s of wall time at the end of every such command on the shared
    2-core machine (load 9), measured. The command has closed its workspace and
    waited for its worker processes, so nothing is lost and nothing outlives it.
    """
    status = main()
    if not ENDS_QUICKLY.get():
        sys.exit(status)
    import atexit
    import contextlib

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    # What a normal exit runs first (logging's flush, multiprocessing's finalizers):
    # only the module-by-module teardown after it is skipped.
    atexit._run_exitfuncs()
    os._exit(status)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    ENDS_QUICKLY.set(False)
    timeline.mark("cli imported")
    try:
        args = _parse(args_list)
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        return int(exc.code or 0)
    debug = getattr(args, "debug", False)
    func = getattr(args, "func", None)
    if func is None:
        build_parser()[0].print_help()
        return 2
    ARGV.set(tuple(args_list))
    # The window installs them itself, after its paint; a command may do so itself.
    if func is not run_gui_command and not getattr(args, "installs_plugins", False):
        from engage_desktop.cli.plugins import install_plugins

        install_plugins()
    timeline.mark("command parsed, plugins installed")
    try:
        return int(func(args) or 0)
    except EngageError as exc:  # in words: 2 when the caller gave something wrong, else 1
        if debug and not isinstance(exc, USAGE_ERRORS):
            raise
        err(f"{PROG}: {_first_line(exc)}")
        return exit_status(exc)
    except KeyboardInterrupt:
        err(f"{PROG}: interrupted; nothing half-written was kept")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: say so in one line unless asked for more
        from engage_desktop.cli.handover import HandedOver

        if isinstance(exc, HandedOver):  # the window holding the workspace ran it
            return exc.status
        if debug:
            raise
        fault = explain_fault(exc, getattr(args, "workspace", None))
        if fault is not None:  # the machine's fault (disk, permissions), not a bug
            err(f"{PROG}: {fault}")
            return 1
        err(
            f"{PROG}: unexpected error: {type(exc).__name__}: {_first_line(exc)} "
            "(run again with --debug for the details, and please report it)"
        )
        return 1
