"""A debug check that no query runs on a thread that must never wait on the database.

The window's rule is that the GUI thread never touches the workspace: reads run as
tasks and writes go through the writer (``ui/ops.py``). This module lets the window
declare its thread as *guarded*; every :meth:`Workspace.cursor` and
:meth:`Workspace.write` then checks the calling thread. In ``record`` mode a query on
the guarded thread is remembered with the stack that made it (the GUI tests assert
none was); in ``raise`` mode it fails at once. Set ``ENGAGE_DESKTOP_DEBUG_GUI_DB=1``
(record and log) or ``=raise`` to switch it on in the app.

The check is one ``threading.get_ident()`` comparison, so it stays in place when off.
"""

from __future__ import annotations

import threading
import traceback
from dataclasses import dataclass

ENV = "ENGAGE_DESKTOP_DEBUG_GUI_DB"


class GuardedThreadQuery(RuntimeError):
    """The database was used on a thread that must not wait on it (a bug)."""


@dataclass(frozen=True)
class GuardedQuery:
    """One use of the database on the guarded thread, with where it came from."""

    what: str  # "cursor", "write" or "open"
    stack: str

    def origin(self) -> str:
        """The innermost frame outside the workspace package: who asked for the query."""
        for line in reversed(self.stack.splitlines()):
            text = line.strip()
            if text.startswith("File ") and "engage_desktop/workspace/" not in text:
                return text
        return self.stack.splitlines()[-1].strip() if self.stack else ""


class _Guard:
    def __init__(self) -> None:
        self.ident: int | None = None
        self.mode = "record"
        self.found: list[GuardedQuery] = []
        self._lock = threading.Lock()


_GUARD = _Guard()


def mode_from_env() -> str | None:
    """``record`` or ``raise`` when ``ENGAGE_DESKTOP_DEBUG_GUI_DB`` asks for the guard."""
    import os

    value = os.environ.get(ENV, "").strip().lower()
    if value in ("", "0", "no", "false"):
        return None
    return "raise" if value == "raise" else "record"


def guard_thread(ident: int | None = None, mode: str = "record") -> None:
    """Watch ``ident`` (default: the calling thread) for database use.

    Args:
        ident: A ``threading.get_ident()`` value.
        mode: ``record`` remembers each use (see :func:`found`); ``raise`` fails.
    """
    if mode not in ("record", "raise"):
        raise ValueError(f"unknown guard mode {mode!r}: use 'record' or 'raise'")
    _GUARD.ident = threading.get_ident() if ident is None else ident
    _GUARD.mode = mode
    _GUARD.found.clear()


def unguard() -> None:
    """Stop watching (and forget what was found)."""
    _GUARD.ident = None
    _GUARD.found.clear()


def found() -> list[GuardedQuery]:
    """Every database use seen on the guarded thread since :func:`guard_thread`."""
    with _GUARD._lock:
        return list(_GUARD.found)


def clear() -> None:
    """Forget what was found so far (keep watching)."""
    with _GUARD._lock:
        _GUARD.found.clear()


def check(what: str) -> None:
    """Called by the workspace before every cursor or write.

    Raises:
        GuardedThreadQuery: In ``raise`` mode, on the guarded thread.
    """
    if _GUARD.ident is None or threading.get_ident() != _GUARD.ident:
        return
    stack = "".join(traceback.format_stack()[:-2])
    if _GUARD.mode == "raise":
        raise GuardedThreadQuery(f"database {what} on the GUI thread:\n{stack}")
    with _GUARD._lock:
        _GUARD.found.append(GuardedQuery(what, stack))
