"""Faults of the machine, put in words: permissions, read-only folders, full disks.

DuckDB reports these as ``IOException``/``TransactionException`` texts and Python as
``OSError`` numbers; the user needs one line that names the file and says what to
do. :func:`explain_fault` is the one place that turns either into that line, for
the CLI and the window alike (it returns None for anything it does not recognise,
which stays a bug to report).
"""

from __future__ import annotations

import errno
from pathlib import Path

# Phrases in DuckDB's and the C library's messages, lower case, with what to do.
_FULL = ("no space left on device", "disk full", "file too large", "disk quota exceeded")
_DENIED = ("permission denied", "operation not permitted", "access is denied")
_READ_ONLY = ("read-only file system", "read only file system")
_DAMAGED = (
    "not a valid duckdb database",
    "could not read enough bytes",
    "corrupt",
    "checksum",
    "the file was truncated",
    "serialization error",
    "failed to read database header",
)
_FULL_ERRNOS = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", -1)}
_DENIED_ERRNOS = {errno.EACCES, errno.EPERM}


def explain_fault(exc: BaseException, path: str | Path | None = None) -> str | None:
    """One line saying what went wrong with the machine and what to do, or None.

    Args:
        exc: The exception raised.
        path: The file to name when the error itself names none (the workspace).

    Returns:
        The sentence, or None when ``exc`` is not an environment fault.
    """
    where = _where(exc, path)
    number = getattr(exc, "errno", None) if isinstance(exc, OSError) else None
    text = str(exc).lower()
    if number in _FULL_ERRNOS or any(p in text for p in _FULL):
        return (
            f"the disk is full: could not write {where}; free some space "
            "(or choose a folder on another disk) and try again — nothing half-written was kept"
        )
    if number == errno.EROFS or any(p in text for p in _READ_ONLY):
        return (
            f"{where} is on a read-only disk or folder; copy it to a folder you can "
            "write to, or open it with --read-only"
        )
    if number in _DENIED_ERRNOS or any(p in text for p in _DENIED):
        return (
            f"permission denied: cannot use {where}; check that you may read and write "
            "it (and its folder), or choose another file"
        )
    if isinstance(exc, RecursionError):
        return "the input is nested too deeply to read; simplify it"
    if _is_duckdb(exc) and any(p in text for p in _DAMAGED):
        return (
            f"{where} is damaged or incomplete (truncated or corrupted); restore it "
            "from a backup or an export, or ask whoever sent it for a new copy"
        )
    if type(exc).__name__ == "InvalidURL":
        return f"the address is not valid ({str(exc)[:120]}); check it"
    return None


def _is_duckdb(exc: BaseException) -> bool:
    return type(exc).__module__.startswith(("duckdb", "_duckdb"))


def _where(exc: BaseException, path: str | Path | None) -> str:
    """The file to name: the one the error names, else the caller's, else none."""
    name = getattr(exc, "filename", None)
    if name:
        return str(name)
    return str(path) if path is not None else "the file"
