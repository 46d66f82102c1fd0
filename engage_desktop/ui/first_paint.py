"""Time to the window's first paint, for the start-up benchmark (benchmarks/bundle.py).

With ``ENGAGE_DESKTOP_PAINT_TIME=1`` in the environment, the window prints one line
``first-paint-epoch: SECONDS`` to stderr when Qt first paints it: the wall clock
(``time.time()``), so the process that started the app can subtract the moment it
started it, start-up of the interpreter or the bundle's loader included.
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject

ENV = "ENGAGE_DESKTOP_PAINT_TIME"
PREFIX = "first-paint-epoch: "


class FirstPaintReporter(QObject):
    """Event filter on the main window that reports its first paint once."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            sys.stderr.write(f"{PREFIX}{time.time():.6f}\n")
            sys.stderr.flush()
        return False


def watch_first_paint(window: QObject) -> FirstPaintReporter | None:
    """Report ``window``'s first paint when the environment asks; keep the result alive."""
    if os.environ.get(ENV) != "1":
        return None
    reporter = FirstPaintReporter(window)
    window.installEventFilter(reporter)
    return reporter
