"""Background work yields the CPU and the GIL to a window in the same session.

The scoring and parsing pools start one worker process per core. While a window is
open they compete for the same two cores as its GUI thread, which then waits,
runnable, for a CPU: the stall profiler of ``benchmarks/responsiveness.py`` found
the GUI thread runnable but off the CPU for half of its stall time during a
backfill. A process that shows a window says so (:func:`serve_window`); the pools
it starts then pass :func:`worker_nice` to their workers, which lower their own
scheduling priority (:func:`lower_priority`) before any work. A command-line run
opens no window, so its workers keep the normal priority and their full speed.

Only worker *processes* are lowered: a thread of the window's own process that
held the GIL while descheduled would make the GUI thread wait for it instead. For
those threads the window's process hands the GIL over sooner instead
(:data:`WINDOW_SWITCH_INTERVAL_S`).
"""

from __future__ import annotations

import os
import sys

#: How much lower than the window a worker runs (Unix niceness, 0-19). At 10 a
#: busy worker gets about a tenth of a core the GUI thread also wants.
WORKER_NICE = 10

#: How long a thread that wants the GIL waits before the holder must let go, in a
#: process with a window (Python's default is 5 ms). Measured with a GUI-thread
#: timer every 10 ms and one thread scoring with VADER: at 5 ms the ticks came a
#: median 2 ms late and at worst 100-116 ms; at 1 ms a median 0 ms, at worst 45-56.
WINDOW_SWITCH_INTERVAL_S = 0.001

_window = False


def serve_window() -> None:
    """Say that this process shows a window: workers it starts from now yield, and
    its own threads hand the GIL to the GUI thread sooner."""
    global _window
    _window = True
    sys.setswitchinterval(min(sys.getswitchinterval(), WINDOW_SWITCH_INTERVAL_S))


def serves_window() -> bool:
    """Whether this process shows a window (then scoring never runs on its threads)."""
    return _window


def worker_nice() -> int:
    """The niceness a new worker process should add to its own (0 without a window)."""
    return WORKER_NICE if _window else 0


def lower_priority(nice: int) -> None:
    """Lower the calling process's scheduling priority by ``nice`` (a worker calls it).

    Never fails: where the platform has no ``os.nice`` or refuses, the worker simply
    runs at the normal priority.
    """
    if nice <= 0 or not hasattr(os, "nice"):
        return
    try:
        os.nice(nice)
    except OSError:  # a sandbox may refuse; the work still runs, only not yielding
        return
