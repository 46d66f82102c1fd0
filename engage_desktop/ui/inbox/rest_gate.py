"""Hold re-reads of the inbox's rows back while the user moves through them.

A fetch stores mentions every few seconds. Re-reading the rows each time costs two
CPUs' worth of counting and paging on a million mentions, right when a triager holds
j: the keys stall behind it. Like a feed reader, the inbox counts what came in at
once (the banner) and moves the rows only once the keys rest.

Some held jobs nobody waits for: the jump anchors' scan (a sort of every row of the
view, ~0.5 s of two CPUs on a million mentions) is only a head start for a jump deep
into the list, which reads them itself when they are missing. Those are held as
``background`` jobs, which :meth:`RestGate.pending` does not report.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

#: How long the selection must rest before held re-reads run (a triager pressing j
#: or k moves every 30-300 ms; a reader stays on a mention for seconds).
REST_MS = 700


class RestGate(QObject):
    """Runs jobs once the user has not moved for :data:`REST_MS` (latest job per name)."""

    def __init__(self, parent: QObject | None = None, rest_ms: int = REST_MS) -> None:
        super().__init__(parent)
        self.rest_ms = rest_ms
        self._moved_at = -1e9
        # name -> (job, background): a background job is one nothing waits for.
        self._held: dict[str, tuple[Callable[[], object], bool]] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._release)

    def moved(self) -> None:
        """The user moved (a key, a click): held jobs wait for the next rest."""
        self._moved_at = time.monotonic()

    def busy_ms(self) -> float:
        """Milliseconds until the user counts as resting (0 when resting).

        Only reads a float: safe from a worker thread (a backfill's pause).
        """
        return self._still()

    def _still(self) -> float:
        """Milliseconds the user has yet to rest (0 when rested)."""
        return max(0.0, self.rest_ms - (time.monotonic() - self._moved_at) * 1000)

    def run(self, name: str, job: Callable[[], object], background: bool = False) -> None:
        """Run ``job`` now if the user rests, else once they do (replacing one held as ``name``).

        Args:
            name: What the job is; a later job of the same name replaces a held one.
            job: What to run.
            background: Nothing waits for it: :meth:`pending` does not report it.
        """
        if not self._held and self._still() == 0:
            job()
            return
        self._held[name] = (job, background)
        if not self._timer.isActive():
            self._timer.start(int(self._still()) + 1)

    def take(self, name: str) -> bool:
        """Drop the job held as ``name`` (the caller does it now); True if one was held."""
        return self._held.pop(name, None) is not None

    def pending(self, background: bool = False) -> bool:
        """True while jobs wait for the user to rest (background jobs too if asked)."""
        return any(background or not bg for _job, bg in self._held.values())

    def _release(self) -> None:
        wait = self._still()
        if wait > 0:
            self._timer.start(int(wait) + 1)
            return
        held, self._held = self._held, {}
        for job, _background in held.values():
            job()

    def stop(self) -> None:
        """Drop held jobs (the view is closing)."""
        self._timer.stop()
        self._held.clear()
