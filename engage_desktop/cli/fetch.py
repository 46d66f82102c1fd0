"""``fetch``: one pass over the due sources, with a summary line."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from engage_desktop.cli.common import ProgressLine, err, may_end_quickly, open_workspace, out
from engage_desktop.core import timeline

if TYPE_CHECKING:
    from concurrent.futures import Future

    from engage_desktop.workspace.database import Workspace


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add the ``fetch`` command."""
    p = sub.add_parser("fetch", parents=[parent], help="fetch the sources that are due")
    p.add_argument(
        "--force",
        action="store_true",
        help="fetch every unpaused source now, whatever its interval",
    )
    p.add_argument(
        "--source",
        type=int,
        action="append",
        metavar="ID",
        help="fetch only this source (repeatable; paused ones too)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    # The command installs the after-insert plugins itself, once its workers are forked.
    p.set_defaults(func=cmd_fetch, installs_plugins=True)


def cmd_fetch(args: argparse.Namespace) -> int:
    """Fetch; exit 0 when the run completed, even if some sources failed."""
    from engage_desktop.listen.pool import default_parse_workers, fork_parse_pool

    # numpy (bulk columns, language detection) starts OpenBLAS's threads, which spin idle on the
    # CPU the parse workers need; nothing in a fetch multiplies matrices big enough to
    # use them (a user's own setting wins).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    timeline.mark("fetch imported")
    # First, while this process has one thread and has not loaded DuckDB or httpx (the
    # workers need neither): fork the parse workers.
    own_pool = fork_parse_pool(default_parse_workers())
    timeline.mark("parse pool forked")
    # Then the workspace opens on a thread while this one imports the fetch's modules:
    # DuckDB reads the file without the GIL (~0.07 s of a cold one-shot fetch).
    opening = _open_beside(args) if own_pool else None
    from engage_desktop.cli.plugins import install_plugins
    from engage_desktop.core.heap import freeze_long_lived
    from engage_desktop.core.progress import PlainState
    from engage_desktop.listen.fetch import run_fetch
    from engage_desktop.listen.pool import shutdown_parse_pool
    from engage_desktop.listen.source_store import FAILING_AFTER

    install_plugins()  # the command's own (see register): after its workers are forked
    if own_pool:  # a process of its own, not a command handed to a window
        # The modules loaded so far (DuckDB, httpx, the plugins: ~30,000 objects) live
        # as long as the process: the run's full collections need not walk them again.
        freeze_long_lived("fetch modules imported")
    timeline.mark("fetch modules imported")
    with opening.result() if opening else open_workspace(args, write=True) as ws:
        timeline.mark("workspace open")
        progress = None if args.quiet else ProgressLine("fetching")
        summary = run_fetch(PlainState(progress), ws, force=args.force, source_ids=args.source)
        if own_pool:  # not a window's pool (a command handed to it runs here too)
            # Nothing is left to parse: the workers end while the workspace writes
            # its checkpoint on close, instead of one after the other at exit.
            shutdown_parse_pool(wait=False)
    timeline.mark("workspace closed")
    if own_pool:
        shutdown_parse_pool(wait=True)  # they end with this command, their CPU counted
        timeline.mark("parse workers ended")
    if timeline.ENABLED:
        for line in timeline.report(_process_started()):
            err(f"timeline: {line}")
    for line in summary.warnings:
        err(f"warning: {line}")
    for line in summary.skipped:
        err(f"held back: {line}")
    if not summary.results and not summary.skipped:
        out("nothing is due; use --force to fetch every source now")
    for h in summary.failed:
        flag = f" (failed {h.failures} times in a row)" if h.failures >= FAILING_AFTER else ""
        out(f"failed: {h.name}: {h.error}{flag}")
    out(summary.line())
    if own_pool:  # the workspace is closed, the workers are gone: no teardown needed
        may_end_quickly()
    if summary.store_error:
        err(f"engage-desktop: {summary.store_error}")
        return 1
    return 0


def _open_beside(args: argparse.Namespace) -> Future[Workspace]:
    """The workspace, opened on a thread of its own while the caller goes on.

    The modules the opening needs are imported here first, so the thread runs DuckDB
    (which releases the GIL while it opens the file and reads its catalog) rather
    than imports of its own. An error opening it (a locked file handed to the
    window, a missing one) is raised by the future's ``result()``, as if opened there.
    """
    import contextvars
    from concurrent.futures import ThreadPoolExecutor

    import engage_desktop.cli.handover
    import engage_desktop.profile
    import engage_desktop.workspace.database  # noqa: F401

    context = contextvars.copy_context()  # ARGV, for a hand-over to the window
    executor = ThreadPoolExecutor(1, thread_name_prefix="open-workspace")
    try:
        return executor.submit(context.run, open_workspace, args, write=True)
    finally:
        executor.shutdown(wait=False)  # the thread ends with its one task


def _process_started() -> float:
    """When this process started, on the ``perf_counter`` clock (Linux; else now)."""
    import time

    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = int(fields[19])  # field 22, starttime: clock ticks after boot
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return time.perf_counter()
    return time.perf_counter() - age
