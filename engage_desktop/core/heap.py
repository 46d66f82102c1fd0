"""The window's long-lived objects stay out of the garbage collector's full passes.

A full (generation 2) collection walks every container object the process holds and
holds the GIL the whole time: in the window that is every module, class, function
and widget wrapper built at start-up, plus VADER's lexicon once the composer has
loaded it. ``benchmarks/responsiveness.py`` recorded such passes of 26-236 ms
(started on whichever thread allocated last, a pool thread as often as the GUI
thread), each one a stall of the window. :func:`freeze_long_lived` moves everything
alive now into the collector's permanent generation (:func:`gc.freeze`), so later
passes walk only what was made since: the pages, details and rows of the session.

Objects frozen are never collected, so each moment freezes once per process: a
process that opens window after window (the test suite) keeps only the first
window's start-up, not every closed window's leftovers. A one-shot ``fetch`` calls it
too, before it forks its parse workers and once its modules are loaded (the rows it
stores are not frozen).
"""

from __future__ import annotations

import gc

_done: set[str] = set()


def freeze_long_lived(moment: str) -> None:
    """Keep every object alive now out of later collections, once per ``moment``.

    Cheap: it moves the collector's lists, no pass runs.

    Args:
        moment: What just ended (``"start-up"``, ``"tone warm-up"``); a moment
            already frozen in this process is not frozen again.
    """
    if moment in _done:
        return
    _done.add(moment)
    gc.freeze()
