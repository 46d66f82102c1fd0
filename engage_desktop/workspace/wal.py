"""Folding DuckDB's write-ahead log into the workspace file when a big write ends.

DuckDB writes a committed transaction to the log (``<file>.wal``) and folds the log
into the file (a checkpoint) once the log passes its ``checkpoint_threshold`` (16
MiB unless set): but it decides *before* writing a commit, from the log's size so
far, so the commit that carries the log past the threshold leaves it there and the
*next* commit pays for the checkpoint, whatever it is. After a cold fetch of 10,000
entries (benchmarks/ingest.py) the log holds ~18 MB, and the next write, a triage
click or an unchanged refresh that stores nothing but its sources' health, took
0.1-0.2 s longer for it (measured: an unchanged refresh in the window 0.60 s
against 0.36-0.40 s once the log was folded). :func:`fold_log_if_due` lets the
writer that grew the log pay for it, when the threshold says so.
"""

from __future__ import annotations

import os
import re
from typing import Any

import duckdb

#: DuckDB's default ``checkpoint_threshold``, used when its setting cannot be read.
DEFAULT_THRESHOLD = 16 * 1024 * 1024
_UNITS = {
    "bytes": 1, "b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "tb": 1000**4,
    "kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4,
}  # fmt: skip
_SIZE = re.compile(r"\s*([0-9.]+)\s*([a-zA-Z]*)\s*$")


def parse_size(text: str) -> int | None:
    """Bytes of a DuckDB size setting such as ``"16.0 MiB"`` or ``"1000 bytes"``."""
    found = _SIZE.match(text or "")
    if found is None:
        return None
    unit = _UNITS.get((found.group(2) or "bytes").lower())
    try:
        return None if unit is None else int(float(found.group(1)) * unit)
    except ValueError:
        return None


def fold_log_if_due(con: Any, share: float = 1.0) -> bool:
    """Checkpoint now if the log has passed DuckDB's threshold; whether it did.

    Call it outside any transaction, after a write that may have grown the log a lot
    (a fetch's last commit). A checkpoint that fails (a full disk) loses nothing: the
    log keeps every commit and DuckDB folds it at a later commit or on close.

    Args:
        con: A DuckDB connection or cursor on the workspace (not in a transaction).
        share: Fold once the log passes this share of the threshold (a fetch folds
            mid-run at half of it, while its workers still parse, so that its last
            commit leaves the log under the threshold and nothing to fold after it).
    """
    try:
        path, setting = con.execute(
            "SELECT path, current_setting('checkpoint_threshold') FROM duckdb_databases() "
            "WHERE database_name = current_database()"
        ).fetchone() or (None, None)
        if not path:
            return False  # in memory: no log
        threshold = parse_size(str(setting)) or DEFAULT_THRESHOLD
        try:
            size = os.path.getsize(f"{path}.wal")
        except OSError:
            return False  # no log: nothing to fold
        if size <= threshold * share:
            return False
        con.execute("CHECKPOINT")
    except (duckdb.Error, OSError):
        return False
    return True
