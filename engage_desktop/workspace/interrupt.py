"""Stopping a workspace that is being opened, from another thread.

Opening a workspace may migrate it, which on a big file runs long queries. When the
window that asked for it closes meanwhile, it must not wait for them: it calls
:meth:`OpenInterrupt.stop`, and the opening thread ends at once with
:class:`~engage_desktop.core.errors.OpenStoppedError`, its connection closed (the
file's lock released) and the migration in progress rolled back.

DuckDB's ``interrupt()`` only stops a query that is running when it is called; one
that starts a moment later would run to its end. So once stopped, the connection is
interrupted again every few milliseconds until the opening thread says it is done
(:meth:`OpenInterrupt.finish`), and the opening checks :meth:`OpenInterrupt.check`
between its steps.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import duckdb

from engage_desktop.core.errors import OpenStoppedError

#: How often a stopped opening's connection is interrupted again.
REPEAT_S = 0.01


class OpenInterrupt:
    """A handle on one opening: the opener attaches its connection, anyone may stop it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._stopped = threading.Event()
        self._finished = threading.Event()

    @property
    def stopped(self) -> bool:
        """True once :meth:`stop` was called."""
        return self._stopped.is_set()

    def check(self, path: Path) -> None:
        """Raise :class:`OpenStoppedError` if the opening of ``path`` was stopped."""
        if self._stopped.is_set():
            raise OpenStoppedError(f"opening {path} was stopped (the window closed)", path)

    def attach(self, con: duckdb.DuckDBPyConnection | None) -> None:
        """The connection whose queries :meth:`stop` interrupts (None: no longer any)."""
        with self._lock:  # not while the interrupting thread is using the old one
            self._con = con

    def stop(self) -> None:
        """Stop the opening (any thread): interrupt its queries until it has ended."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        if not self._finished.is_set():
            threading.Thread(
                target=self._keep_interrupting, name="open-interrupt", daemon=True
            ).start()

    def finish(self) -> None:
        """The opening thread has ended (opened, failed or stopped)."""
        self._finished.set()

    def _keep_interrupting(self) -> None:
        while not self._finished.is_set():
            with self._lock:
                if self._con is not None:
                    # Closed meanwhile: nothing is left to stop.
                    with contextlib.suppress(duckdb.Error):
                        self._con.interrupt()
            self._finished.wait(REPEAT_S)
