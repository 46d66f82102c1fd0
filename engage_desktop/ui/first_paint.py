"""Start-up times for the benchmarks (benchmarks/responsiveness.py, benchmarks/bundle.py).

With ``ENGAGE_DESKTOP_PAINT_TIME=1`` in the environment, the window prints two lines
to stderr: ``first-paint-epoch: SECONDS`` when Qt first paints it (its frame, with
"Opening <file>…" while the workspace opens), and ``inbox-rows-epoch: SECONDS`` once
the inbox has painted its first rows (or, for an empty workspace, its first load).
Both are wall-clock times (``time.time()``), so the process that started the app can
subtract the moment it started it, start-up of the interpreter or the bundle's loader
included. ``=quit`` also closes the window after the rows are shown, so a benchmark
times the real start-up (no ``--screenshot``) and the app ends by itself.
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject

ENV = "ENGAGE_DESKTOP_PAINT_TIME"
PREFIX = "first-paint-epoch: "
ROWS_PREFIX = "inbox-rows-epoch: "


def _say(prefix: str) -> None:
    sys.stderr.write(f"{prefix}{time.time():.6f}\n")
    sys.stderr.flush()


class FirstPaintReporter(QObject):
    """Event filter on the main window that reports its first paint, then the inbox's
    first painted rows (``ui/inbox/first_rows.py``), each once."""

    def __init__(self, window, quit_after_rows: bool) -> None:
        super().__init__(window)
        self.window = window
        self.quit_after_rows = quit_after_rows

    def watch_rows(self) -> None:
        """The workspace is open: wait for the inbox to paint its first rows."""
        self.window.inbox.first_rows.painted.connect(self._rows_painted)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and watched is self.window:
            watched.removeEventFilter(self)
            _say(PREFIX)
        return False

    def _rows_painted(self) -> None:
        _say(ROWS_PREFIX)
        if self.quit_after_rows:
            self.window.close()


def watch_first_paint(window) -> FirstPaintReporter | None:
    """Report ``window``'s first paint and first inbox rows when the environment asks."""
    mode = os.environ.get(ENV)
    if mode not in ("1", "quit"):
        return None
    reporter = FirstPaintReporter(window, quit_after_rows=mode == "quit")
    window.installEventFilter(reporter)
    if window.ws is not None:
        reporter.watch_rows()
    else:
        window.opened.connect(reporter.watch_rows)
    return reporter
