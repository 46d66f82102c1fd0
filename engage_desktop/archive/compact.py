"""Shrinking a workspace file, and finishing ``--move`` by copying what stays.

DuckDB reuses the blocks of deleted rows but never shrinks its file, so after a move
the workspace is rewritten into a fresh file that atomically replaces the old one.
That copy is also the fast way to take the moved rows out: deleting a million wide
rows (with list columns, a primary key and a unique item key) costs minutes of index
maintenance and checkpointing, while copying the rows that stay costs what they
weigh. So ``archive export --move`` stops at the archive's commit point (the run is
"written", see :mod:`~engage_desktop.archive.export`) and this module finishes it:

1. under the archive's writer lock, list the runs still "written" and their files;
2. copy the closed workspace's schema (sequences keep their positions, so archived
   ids are never handed out again) and every table's rows into a temporary file
   beside it, leaving out the mentions those files hold (id *and* item key match)
   with their replies and corrections, and append one audit event;
3. rename the temporary file over the workspace: the move's commit point;
4. mark the runs "moved".

Killed before 3, the workspace is as it was and the rows are in both places (an
attached archive shows them once); the next ``--move`` finishes the job. Killed
between 3 and 4, the next run finds none of the rows left and only marks the runs.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engage_desktop.archive import manifest as mf
from engage_desktop.archive.export import parquet_list, sql_literal
from engage_desktop.workspace.database import current_user, log_event

_ALIAS = "engage_compact"
# The workspace's tables whose rows belong to a mention and leave with it.
_BELONGS_TO_MENTION = ("replies", "sentiment_corrections")


@dataclass
class Compaction:
    """What one compaction did.

    Attributes:
        size_before: Bytes of the workspace file before.
        size_after: Bytes after.
        moved: Mentions that left the workspace, per export run id.
        seconds: Wall time.
    """

    size_before: int
    size_after: int
    moved: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def line(self) -> str:
        """One line for the CLI."""
        return (
            f"workspace file: {self.size_before / 1e6:.1f} MB -> {self.size_after / 1e6:.1f} MB "
            f"({self.seconds:.1f} s)"
        )


def pending_moves(manifest: mf.Manifest) -> list[dict[str, Any]]:
    """The export runs that wrote their files but did not take the rows out yet."""
    return [
        run
        for run in manifest.runs
        if run.get("kind") == "export" and run.get("move") and run.get("state") == "written"
    ]


def finish_moves(path: str | Path, folder: str | Path) -> Compaction | None:
    """Finish the archive's pending moves out of the closed workspace at ``path``.

    Returns:
        What was done, or None when no move was pending (the file is left alone).

    Raises:
        ArchiveError: The archive is locked by another run or cannot be read.
    """
    folder = Path(folder).resolve()
    with mf.archive_lock(folder):
        manifest = mf.load(folder)
        runs = pending_moves(manifest)
        if not runs:
            return None
        files = {
            run["id"]: [e for e in manifest.files_of("mentions") if e.run == run["id"]]
            for run in runs
        }
        done = compact_workspace(path, folder, files)
        for run in runs:  # the workspace no longer holds them: the move is complete
            run["state"] = "moved"
        mf.save(folder, manifest)
    return done


def compact_workspace(
    path: str | Path,
    folder: Path | None = None,
    leaving: dict[str, list[mf.FileEntry]] | None = None,
) -> Compaction:
    """Rewrite a closed workspace file without free blocks (and without moved rows).

    Args:
        path: The workspace file (closed: no other connection may hold it).
        folder: The archive the ``leaving`` files belong to.
        leaving: Per export run, the archive's mention files whose rows are left out.
    """
    import duckdb

    started = time.perf_counter()
    path = Path(path)
    before = path.stat().st_size
    tmp = path.with_name(f".{path.name}.compact")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        source = con.execute("SELECT current_database()").fetchone()[0]
        con.execute(f"ATTACH {sql_literal(tmp)} AS {_ALIAS}")
        con.execute(f'COPY FROM DATABASE "{source}" TO {_ALIAS} (SCHEMA)')
        moved = _mark_leaving(con, folder, leaving or {})
        for schema, table in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            "WHERE database_name = ? AND NOT temporary",
            [source],
        ).fetchall():
            con.execute(
                f'INSERT INTO {_ALIAS}."{schema}"."{table}" '
                f'SELECT * FROM "{source}"."{schema}"."{table}" t{_kept(table, moved)}'
            )
        if moved:
            con.execute(f"USE {_ALIAS}")
            log_event(
                con,
                current_user(),
                "archive",
                str(folder),
                "move",
                None,
                sum(moved.values()),
                {"runs": sorted(moved), "by": "compaction"},
            )
            con.execute(f'USE "{source}"')
        con.execute(f"DETACH {_ALIAS}")
        _fsync(tmp)
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    os.replace(tmp, path)  # the commit point: the rows left, the file shrank
    return Compaction(before, path.stat().st_size, moved, time.perf_counter() - started)


def _mark_leaving(con: Any, folder: Path | None, leaving: dict[str, list[mf.FileEntry]]) -> dict:
    """Fill the temporary table ``moving`` (id, run); returns mentions per run."""
    parts = [
        f"SELECT id, item_key, {sql_literal(run)} AS run "
        f"FROM read_parquet({parquet_list(folder, entries)}, hive_partitioning = false)"
        for run, entries in leaving.items()
        if entries and folder is not None
    ]
    if not parts:
        return {}
    con.execute(
        "CREATE TEMP TABLE moving AS SELECT m.id, a.run FROM main.mentions m "
        f"JOIN ({' UNION ALL '.join(parts)}) a ON a.id = m.id AND a.item_key = m.item_key"
    )
    counts = dict(con.execute("SELECT run, count(*) FROM moving GROUP BY run").fetchall())
    return {run: int(counts.get(run, 0)) for run in leaving}


def _kept(table: str, moved: dict[str, int]) -> str:
    """The WHERE clause that keeps ``table``'s rows of mentions that stay."""
    if not sum(moved.values()):
        return ""
    if table == "mentions":
        return " WHERE NOT EXISTS (SELECT 1 FROM moving WHERE moving.id = t.id)"
    if table in _BELONGS_TO_MENTION:
        return " WHERE NOT EXISTS (SELECT 1 FROM moving WHERE moving.id = t.mention_id)"
    return ""


def _fsync(path: Path) -> None:
    """Make the new file durable before it replaces the old one."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
