"""Timestamps of a run's phases, for finding what in it is serial.

Off unless ``ENGAGE_DESKTOP_TIMELINE`` is set in the environment (then
``engage-desktop fetch`` prints the marks to stderr when it ends): :func:`mark` is one
dictionary lookup when off. Each mark keeps the wall clock (``perf_counter``) and
this process's CPU time, so a gap between two marks reads as "busy here" or
"waiting on something". Only the first mark of a name is kept, so a call on every
request records "the first request" and :func:`mark_last` records "the last one".
"""

from __future__ import annotations

import itertools
import os
import time

ENABLED = bool(os.environ.get("ENGAGE_DESKTOP_TIMELINE"))

#: name -> (perf_counter seconds, process CPU seconds), in the order first marked.
MARKS: dict[str, tuple[float, float]] = {}
#: Work done in other processes (the parse workers), by worker: (start, end, CPU
#: seconds) of each job on the shared monotonic clock (``perf_counter`` is
#: CLOCK_MONOTONIC on Linux, so a worker's times line up with this process's marks).
SPANS: dict[str, list[tuple[float, float, float]]] = {}


def mark(name: str) -> None:
    """Record ``name`` now, unless it was recorded before (first occurrence wins)."""
    if ENABLED and name not in MARKS:
        MARKS[name] = (time.perf_counter(), time.process_time())


def mark_last(name: str) -> None:
    """Record ``name`` now, replacing an earlier mark of it (last occurrence wins)."""
    if ENABLED:
        MARKS.pop(name, None)
        MARKS[name] = (time.perf_counter(), time.process_time())


def span(worker: str, start: float, end: float, cpu: float) -> None:
    """Record one job a worker ran from ``start`` to ``end`` (``perf_counter``), using ``cpu``."""
    if ENABLED:
        SPANS.setdefault(worker, []).append((start, end, cpu))


def report(started: float) -> list[str]:
    """The marks as lines: seconds since ``started`` (a ``perf_counter`` value), CPU.

    Sorted by time; each line also says the wall time since the previous mark.
    """
    lines, before = [], started
    for name, (at, cpu) in sorted(MARKS.items(), key=lambda kv: kv[1][0]):
        lines.append(f"{at - started:7.3f} s (+{at - before:6.3f})  cpu {cpu:6.3f} s  {name}")
        before = at
    return lines + [_worker_line(name, jobs, started) for name, jobs in SPANS.items()]


def _worker_line(name: str, jobs: list[tuple[float, float, float]], started: float) -> str:
    """When a worker was busy: its first and last job, time in jobs, CPU, idle gaps."""
    jobs = sorted(jobs)
    first, last = jobs[0][0], max(end for _start, end, _cpu in jobs)
    busy = sum(end - start for start, end, _cpu in jobs)
    gaps = [b[0] - a[1] for a, b in itertools.pairwise(jobs) if b[0] > a[1]]
    return (
        f"worker {name}: {len(jobs)} jobs from {first - started:.3f} s to {last - started:.3f} s, "
        f"{busy:.3f} s in jobs ({sum(c for _s, _e, c in jobs):.3f} s CPU), idle between jobs "
        f"{sum(gaps):.3f} s (longest {max(gaps, default=0.0):.3f} s)"
    )
