"""The one progress-and-cancel protocol of long work (Orange3's TaskState shape).

Domain work is a plain function that takes a task state: it reports
``progress(done, total)`` and stops at its next check once ``is_cancelled()`` is
true. The window hands it ``ui.tasks.TaskState`` (progress as queued signals, Cancel
buttons); commands and scripts hand it :class:`PlainState`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol


class TaskState(Protocol):
    """What long work may ask of whoever runs it."""

    def progress(self, done: int, total: int) -> None:
        """Report that ``done`` of ``total`` steps are finished."""

    def is_cancelled(self) -> bool:
        """True once the user asked to stop; the work stops at a whole step."""


class PlainState:
    """A task state for commands and scripts: an optional progress callback, and a
    :meth:`cancel` for whoever holds it (a signal handler, a test)."""

    def __init__(self, on_progress: Callable[[int, int], None] | None = None) -> None:
        self._on_progress = on_progress
        self._cancel = threading.Event()

    def progress(self, done: int, total: int) -> None:
        """Forward progress to the callback, if any."""
        if self._on_progress is not None:
            self._on_progress(done, total)

    def is_cancelled(self) -> bool:
        """True once :meth:`cancel` was called."""
        return self._cancel.is_set()

    def cancel(self) -> None:
        """Ask the work to stop at its next check."""
        self._cancel.set()
