"""Background threads make way for a window's GUI thread while it paints.

A window's process runs its reads, the backfill and the fetch on threads that share
the GIL with the GUI thread. Each of their steps that holds the GIL (a batch of rows
turned into Python objects, a burst of Python over them) makes the GUI thread wait
when it comes in the middle of a paint: a C call that holds the GIL cannot be asked
to let go, and every hand-over on a busy machine waits for the other thread to get a
CPU. The stall profiler of ``benchmarks/responsiveness.py`` found the GUI thread
waiting for the GIL for most of its longest stalls, between the callbacks of a paint.

So the GUI thread says when it is busy (:func:`foreground_busy`, around the inbox
table's paint and the delivery of a task's result), and
background work calls :func:`make_way` between its steps (the batches of a big read,
the backfill's pauses): while the GUI thread is busy the step waits,
without the GIL, at most :data:`MOST_WAIT_S`, so the work never stops under a window
that never rests; a busy spell older than :data:`MOST_BUSY_S` (a dialog's own event
loop opened from a paint or a result) holds nothing back. Without a window nothing
is ever busy and :func:`make_way` returns at once (the command line keeps its speed).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

#: The longest one background step waits for the GUI thread (a full repaint of the
#: inbox takes 10-20 ms of CPU; a result's delivery a few).
MOST_WAIT_S = 0.05
#: A busy spell holds background steps back only this long after it began.
MOST_BUSY_S = 0.1

_idle = threading.Event()
_idle.set()
_depth = 0
_owner: int | None = None
_since = 0.0


@contextmanager
def foreground_busy() -> Iterator[None]:
    """Around GUI-thread work that must not wait for background threads (may nest)."""
    global _depth, _owner, _since
    if _depth == 0:
        _owner = threading.get_ident()
        _since = time.monotonic()
        _idle.clear()
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0:
            _owner = None
            _idle.set()


def foreground_is_busy() -> bool:
    """True while the GUI thread is inside :func:`foreground_busy`."""
    return not _idle.is_set()


def make_way() -> None:
    """Between two steps of background work: wait while the GUI thread is busy.

    Returns at once when it is not, on the GUI thread itself, and after at most
    :data:`MOST_WAIT_S`, or once the busy spell is :data:`MOST_BUSY_S` old.
    """
    if _idle.is_set() or threading.get_ident() == _owner:
        return
    left = _since + MOST_BUSY_S - time.monotonic()
    if left > 0:
        _idle.wait(min(left, MOST_WAIT_S))
