"""Waiting for the window's work, which never happens on the GUI thread any more.

Views read in tasks and write through the window's writer; a test waits for the
results as events (``qtbot.waitUntil``), never for time.
"""

from __future__ import annotations

from typing import Any

#: Waits are for events; this bound only matters when an event never comes (a busy
#: CI machine can take minutes).
TIMEOUT_MS = 180_000
#: The same bound in seconds, for the window's own waits (``settle``, ``wait_until_ready``).
TIMEOUT_S = TIMEOUT_MS / 1000


def settle(qtbot, widget) -> None:
    """Until no view read or write of ``widget``'s window is on its way."""
    qtbot.waitUntil(widget.window().is_settled, timeout=TIMEOUT_MS)


def result_of(qtbot, task) -> Any:
    """The result of a task started just now (its end is delivered by the event loop)."""
    got: list[Any] = []
    failed: list[str] = []
    task.succeeded.connect(got.append)
    task.failed.connect(failed.append)
    qtbot.waitUntil(lambda: bool(got or failed), timeout=TIMEOUT_MS)
    assert not failed, failed
    return got[0]
