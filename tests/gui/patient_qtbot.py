"""A qtbot whose waits, when a test names no timeout, are long enough for a busy machine.

pytest-qt's waits give up after 5 s unless told otherwise. A wait is for an event,
and the bound only matters when the event never comes, but 5 s is well within what a
window's first read takes on a 2-core CI machine at load 10: the test then fails for
no reason in the code. Here the default is the suite's event bound instead.
"""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.gui.waiting import TIMEOUT_MS


class PatientQtBot(QtBot):
    """``QtBot`` with ``TIMEOUT_MS`` as the default of every wait for an event."""

    def waitUntil(self, callback, *, timeout: int = TIMEOUT_MS) -> None:
        super().waitUntil(callback, timeout=timeout)

    def waitSignal(self, signal, *, timeout: int = TIMEOUT_MS, **kwargs):
        return super().waitSignal(signal, timeout=timeout, **kwargs)

    def waitSignals(self, signals, *, timeout: int = TIMEOUT_MS, **kwargs):
        return super().waitSignals(signals, timeout=timeout, **kwargs)

    def waitCallback(self, *, timeout: int = TIMEOUT_MS, **kwargs):
        return super().waitCallback(timeout=timeout, **kwargs)

    def waitExposed(self, widget, *, timeout: int = TIMEOUT_MS):
        return super().waitExposed(widget, timeout=timeout)

    def waitActive(self, widget, *, timeout: int = TIMEOUT_MS):
        return super().waitActive(widget, timeout=timeout)
