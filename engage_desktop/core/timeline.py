"""Timestamps of a run's phases, for finding what in it is serial.

Off unless ``ENGAGE_DESKTOP_TIMELINE`` is set in the environment (then
``engage-desktop fetch`` prints the marks to stderr when it ends): :func:`mark` is one
dictionary lookup when off. Each mark keeps the wall clock (``perf_counter``) and
this process's CPU time, so a gap between two marks reads as "busy here" or
"waiting on something". Only the first mark of a name is kept, so a call on every
request records "the first request" and :func:`mark_last` records "the last one".
"""

from __future__ import annotations

import os
import time

ENABLED = bool(os.environ.get("ENGAGE_DESKTOP_TIMELINE"))

#: name -> (perf_counter seconds, process CPU seconds), in the order first marked.
MARKS: dict[str, tuple[float, float]] = {}


def mark(name: str) -> None:
    """Record ``name`` now, unless it was recorded before (first occurrence wins)."""
    if ENABLED and name not in MARKS:
        MARKS[name] = (time.perf_counter(), time.process_time())


def mark_last(name: str) -> None:
    """Record ``name`` now, replacing an earlier mark of it (last occurrence wins)."""
    if ENABLED:
        MARKS.pop(name, None)
        MARKS[name] = (time.perf_counter(), time.process_time())


def report(started: float) -> list[str]:
    """The marks as lines: seconds since ``started`` (a ``perf_counter`` value), CPU.

    Sorted by time; each line also says the wall time since the previous mark.
    """
    lines, before = [], started
    for name, (at, cpu) in sorted(MARKS.items(), key=lambda kv: kv[1][0]):
        lines.append(f"{at - started:7.3f} s (+{at - before:6.3f})  cpu {cpu:6.3f} s  {name}")
        before = at
    return lines
