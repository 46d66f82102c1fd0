"""Writing an archive: mentions, their replies and corrections, as partitioned Parquet.

One run, under the archive's writer lock:

1. Finish what an interrupted ``--move`` left (see :func:`finish_pending_moves`) and
   remove files no manifest lists.
2. Pick the mentions: published before the cut-off, not already in the archive, and
   with ``move`` not in active work (an unsent draft or a queued reply keeps its
   mention in the workspace).
3. Write each dataset to a staging folder with one ``COPY ... PARTITION_BY (year,
   month)``: zstd Parquet files named after the run, ordered by publication so
   DuckDB skips row groups by their min/max. Read each file back, check its rows
   against the workspace's, and take its checksum.
4. Rename the files into place and replace the manifest: the archive's commit point.
5. With ``move``, delete exactly those rows (matched by id *and* item key) from the
   workspace in one transaction, then mark the run moved -- or, with
   ``delete=False``, leave that to :mod:`~engage_desktop.archive.compact`, which
   copies what stays into a fresh file (the CLI's way: far faster for big moves).

A crash before step 4 leaves the workspace untouched and only unlisted files, which
the next run removes. A crash between 4 and 5 leaves the rows in both places: an
attached archive shows them once (the workspace's copy wins), and the next export
finishes the move first. So an interrupted move loses nothing and duplicates nothing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from engage_desktop.archive import manifest as mf
from engage_desktop.core.errors import InvalidInput, ReadOnlyError
from engage_desktop.workspace.database import Workspace, log_event

Progress = Callable[[int, int], None]
IsCancelled = Callable[[], bool]

YEAR_SQL = "year(timezone('UTC', published))"
MONTH_SQL = "month(timezone('UTC', published))"
# Mentions somebody is still working on stay in the workspace when archiving moves.
IN_WORK_SQL = (
    "id IN (SELECT mention_id FROM outbox WHERE state IN ('pending', 'failed')) "
    "OR id IN (SELECT mention_id FROM drafts "
    "WHERE state IN ('draft', 'needs_approval', 'approved'))"
)
# dataset -> (table, how its rows join the archived mention ids, the mention's key)
_TABLES = {
    "mentions": ("mentions", "id", "m"),
    "replies": ("replies", "mention_id", "r"),
    "corrections": ("sentiment_corrections", "mention_id", "c"),
}


class ExportCancelled(Exception):
    """The export was cancelled before its commit point; nothing changed."""


@dataclass
class ExportSummary:
    """What one export run did.

    Attributes:
        folder: The archive folder.
        run: The run id (it names the run's files).
        rows: Rows written per dataset.
        files: Parquet files written.
        moved: The rows left the workspace.
        recovered: Mentions of an interrupted earlier move removed from the workspace.
        bytes: Bytes written.
        seconds: Wall time.
    """

    folder: Path
    run: str
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    moved: bool = False
    recovered: int = 0
    bytes: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        """One summary line for the CLI and the status bar."""
        n = self.rows.get("mentions", 0)
        verb = "moved" if self.moved else "copied"
        head = f"{verb} {n:,} mentions" if n else "no new mentions to archive"
        extra = (
            f" (and {self.rows.get('replies', 0):,} replies, "
            f"{self.rows.get('corrections', 0):,} corrections)"
            if n
            else ""
        )
        rec = (
            f"; finished an interrupted move of {self.recovered:,} mentions"
            if self.recovered
            else ""
        )
        return (
            f"{head}{extra} to {self.folder} in {self.files} files "
            f"({self.bytes / 1e6:.1f} MB, {self.seconds:.1f} s){rec}"
        )


def sql_literal(path: Path | str) -> str:
    """A path (or any text) as an SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"


def parquet_list(folder: Path, entries: list[mf.FileEntry]) -> str:
    """An SQL list literal of the entries' absolute paths."""
    return "[" + ", ".join(sql_literal(folder / e.path) for e in entries) + "]"


def export_archive(
    ws: Workspace,
    folder: str | Path,
    *,
    before: datetime | None = None,
    move: bool = False,
    delete: bool = True,
    progress: Progress | None = None,
    is_cancelled: IsCancelled | None = None,
) -> ExportSummary:
    """Write mentions published before ``before`` (all without it) to the archive.

    Args:
        ws: The workspace (writable when ``move``).
        folder: The archive folder; created (empty) or an existing archive.
        before: Cut-off (UTC); required with ``move``.
        move: Remove the archived rows from the workspace once the files are checked.
        delete: With ``move``, delete them here (one transaction). False stops at the
            archive's commit point (the run stays "written", as if interrupted there)
            and leaves them, with those of any earlier interrupted move, to
            :func:`~engage_desktop.archive.compact.compact_workspace` on the closed
            file: copying what stays is far faster than deleting what leaves.
        progress: Called as ``progress(done, total)`` per partition written.
        is_cancelled: Polled between partitions; True stops before the commit point.

    Raises:
        InvalidInput: ``move`` without ``before``.
        ExportCancelled: Cancelled before anything was committed.
        ArchiveError: The folder is not an archive, is locked, or a check failed.
    """
    if move and before is None:
        raise InvalidInput("say which mentions leave the workspace: --move needs --before DATE")
    if move and ws.read_only:
        raise ReadOnlyError(
            f"{ws.path.name} is open read-only; open it without --read-only to move rows out",
            ws.path,
        )
    started = time.perf_counter()
    folder = Path(folder).resolve()
    cancelled = is_cancelled or (lambda: False)
    report = progress or (lambda done, total: None)
    with mf.archive_lock(folder):
        manifest = mf.load(folder, create=True)
        mf.remove_strays(folder, manifest)
        summary = ExportSummary(folder, mf.new_run_id(), moved=move)
        if move and delete:
            summary.recovered = finish_pending_moves(ws, folder, manifest)
        cur = ws.cursor()
        try:
            ids = _pick(cur, folder, manifest, before, move)
            if ids.num_rows == 0:
                summary.rows = dict.fromkeys(mf.DATASETS, 0)
                summary.seconds = time.perf_counter() - started
                return summary
            cur.register("archive_ids", ids)
            entries = _write_staged(cur, folder, summary, report, cancelled)
            if cancelled():
                raise ExportCancelled("archive export cancelled; nothing was changed")
            _publish(folder, folder / f".staging-{summary.run}", entries)
        except BaseException:
            # Before the commit point: whatever was written is unlisted; remove it.
            mf.remove_strays(folder, manifest)
            raise
        finally:
            cur.close()
        manifest.files.extend(entries)
        run = {
            "id": summary.run,
            "kind": "export",
            "at": mf.now_iso(),
            "before": before.isoformat() if before else None,
            "move": move,
            "state": "written" if move else "done",
            "workspace": ws.path.name,
            "rows": summary.rows,
        }
        manifest.runs.append(run)
        mf.save(folder, manifest)  # the commit point of the archive
        if move and delete:
            _delete_from_workspace(ws, folder, [e for e in entries if e.dataset == "mentions"])
            run["state"] = "moved"
            mf.save(folder, manifest)
    summary.files = len(entries)
    summary.bytes = sum(e.bytes for e in entries)
    summary.seconds = time.perf_counter() - started
    return summary


def _pick(
    cur: Any, folder: Path, manifest: mf.Manifest, before: datetime | None, move: bool
) -> Any:
    """The ids to archive, as a :class:`ColumnTable` (column ``id``), in id order."""
    where = ["true"]
    params: list[Any] = []
    if before is not None:
        where.append("published < ?")
        params.append(before)
    if move:
        where.append(f"NOT ({IN_WORK_SQL})")
    archived = manifest.files_of("mentions")
    if archived:
        # Already archived (copied earlier without --move): never written twice.
        where.append(
            f"id NOT IN (SELECT id FROM read_parquet({parquet_list(folder, archived)}, "
            "hive_partitioning = false))"
        )
    from engage_desktop.workspace.columns import fetch_columns

    return fetch_columns(
        cur.execute(f"SELECT id FROM mentions WHERE {' AND '.join(where)} ORDER BY id", params)
    )


def _write_staged(
    cur: Any, folder: Path, summary: ExportSummary, report: Progress, cancelled: IsCancelled
) -> list[mf.FileEntry]:
    """Write every dataset to the staging folder, partitioned; check each file.

    One ``COPY ... (PARTITION_BY (year, month))`` per dataset: DuckDB reads the
    workspace once and writes every partition's file itself (a ``COPY`` per
    partition scanned the whole table each time). Each file is then read back (its
    row count, publication range and ids) and checked against the workspace.
    """
    staging = folder / f".staging-{summary.run}"
    parts = cur.execute(
        f"SELECT {YEAR_SQL} AS y, {MONTH_SQL} AS mo, count(*) FROM mentions "
        "WHERE id IN (SELECT id FROM archive_ids) GROUP BY ALL ORDER BY y, mo"
    ).fetchall()
    total = len(parts) * len(mf.DATASETS)
    done = 0
    report(done, total)
    entries: list[mf.FileEntry] = []
    summary.rows = dict.fromkeys(mf.DATASETS, 0)
    for dataset in mf.DATASETS:
        if cancelled():
            raise ExportCancelled("archive export cancelled; nothing was changed")
        expected = _copy_dataset(cur, staging, summary.run, dataset)
        files = _read_back(cur, staging, dataset)
        for year, month, _ in parts:
            if cancelled():
                raise ExportCancelled("archive export cancelled; nothing was changed")
            mine = [f for f in files if (f[1], f[2]) == (year, month)]
            written = sum(f[3] for f in mine)
            if written != expected.get((year, month), 0):
                raise mf.ArchiveError(
                    f"{dataset} {year}-{month:02d}: {written} rows in the files, "
                    f"{expected.get((year, month), 0)} in the workspace; nothing was changed "
                    "in the workspace, run the export again"
                )
            for path, y, mo, rows, low, high, first, last in mine:
                entries.append(
                    mf.describe_file(
                        staging,
                        Path(path),
                        cur,  # the footer read on this cursor: no DuckDB started per file
                        dataset=dataset,
                        rows=rows,
                        year=y,
                        month=mo,
                        run=summary.run,
                        min_published=low.isoformat(),
                        max_published=high.isoformat(),
                        min_id=first,
                        max_id=last,
                    )
                )
            summary.rows[dataset] += written
            done += 1
            report(done, total)
    expected_mentions = sum(n for _, _, n in parts)
    if summary.rows["mentions"] != expected_mentions:
        raise mf.ArchiveError(
            f"wrote {summary.rows['mentions']} of {expected_mentions} mentions; nothing was "
            "changed in the workspace, run the export again"
        )
    return entries


def _rows_sql(dataset: str) -> tuple[str, str, str]:
    """(FROM clause of the dataset's archived rows, its columns, its sort order)."""
    table, key, alias = _TABLES[dataset]
    if dataset == "mentions":
        return (
            "mentions m WHERE m.id IN (SELECT id FROM archive_ids)",
            "m.*",
            "m.published, m.id",
        )
    return (
        f"{table} {alias} JOIN mentions m ON m.id = {alias}.{key} "
        "WHERE m.id IN (SELECT id FROM archive_ids)",
        f"{alias}.*",
        f"{alias}.{key}",
    )


def _copy_dataset(cur: Any, staging: Path, run: str, dataset: str) -> dict[tuple[int, int], int]:
    """COPY one dataset's archived rows into hive partitions; rows per (year, month).

    The partition of a reply or a correction is its mention's month. Files are
    ordered by publication (mentions) or mention (the others), so DuckDB skips row
    groups by their min/max; the partition columns live in the folder names only.
    """
    rows_from, columns, order = _rows_sql(dataset)
    year = YEAR_SQL.replace("published", "m.published")
    month = MONTH_SQL.replace("published", "m.published")
    counts = cur.execute(
        f"SELECT {year}, {month}, count(*) FROM {rows_from} GROUP BY ALL"
    ).fetchall()
    if not counts:
        return {}
    target = staging / dataset
    target.mkdir(parents=True, exist_ok=True)
    cur.execute(
        f"COPY (SELECT {columns}, {year} AS year, lpad({month}::VARCHAR, 2, '0') AS month "
        f"FROM {rows_from} ORDER BY {order}) TO {sql_literal(target)} "
        "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880, "
        f"PARTITION_BY (year, month), FILENAME_PATTERN 'part-{run}-{{i}}', "
        f"KV_METADATA {{engage_archive_schema: '{mf.SCHEMA_VERSION}'}})"
    )
    return {(int(y), int(mo)): int(n) for y, mo, n in counts}


def _read_back(cur: Any, staging: Path, dataset: str) -> list[tuple]:
    """Per staged file of ``dataset``: (path, year, month, rows, published and id ranges).

    The ranges are those of the files' mentions (for replies and corrections, the
    mentions they belong to), read from the files themselves.
    """
    found = sorted((staging / dataset).glob("year=*/month=*/*.parquet"))
    if not found:
        return []
    listed = "[" + ", ".join(sql_literal(p) for p in found) + "]"
    scan = f"read_parquet({listed}, filename = true, hive_partitioning = false)"
    if dataset == "mentions":
        rows_from = f"{scan} m"
    else:
        _, key, _ = _TABLES[dataset]
        rows_from = f"{scan} f JOIN mentions m ON m.id = f.{key}"
    got = cur.execute(
        "SELECT filename, count(*), min(m.published), max(m.published), min(m.id), max(m.id) "
        f"FROM {rows_from} GROUP BY filename"
    ).fetchall()
    by_path = {Path(name): rest for name, *rest in got}
    out = []
    for path in found:
        year = int(path.parent.parent.name.split("=", 1)[1])
        month = int(path.parent.name.split("=", 1)[1])
        rows, low, high, first, last = by_path.get(path, (0, None, None, None, None))
        if rows:
            out.append((str(path), year, month, int(rows), low, high, int(first), int(last)))
    return out


def _publish(folder: Path, staging: Path, entries: list[mf.FileEntry]) -> None:
    """Rename the staged files into their partitions (same file system: atomic each)."""
    for entry in entries:
        final = folder / entry.path
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():  # run ids never repeat; a clash means a foreign file
            raise mf.ArchiveError(f"{final} already exists; the archive was changed by hand")
        os.replace(staging / entry.path, final)
    import shutil

    shutil.rmtree(staging, ignore_errors=True)


def _delete_from_workspace(ws: Workspace, folder: Path, entries: list[mf.FileEntry]) -> int:
    """Remove the archived mentions (id and item key both match) in one transaction."""
    if not entries:
        return 0
    files = parquet_list(folder, entries)
    with ws.write() as cur:
        cur.execute(
            "CREATE TEMP TABLE moving AS SELECT m.id FROM mentions m "
            f"JOIN read_parquet({files}, hive_partitioning = false) a "
            "ON a.id = m.id AND a.item_key = m.item_key"
        )
        try:
            n = int(cur.execute("SELECT count(*) FROM moving").fetchone()[0])
            cur.execute("DELETE FROM replies WHERE mention_id IN (SELECT id FROM moving)")
            cur.execute(
                "DELETE FROM sentiment_corrections WHERE mention_id IN (SELECT id FROM moving)"
            )
            cur.execute("DELETE FROM mentions WHERE id IN (SELECT id FROM moving)")
            log_event(
                cur, ws.actor, "archive", str(folder), "move", None, n, {"files": len(entries)}
            )
        finally:
            cur.execute("DROP TABLE moving")
    return n


def finish_pending_moves(ws: Workspace, folder: Path, manifest: mf.Manifest) -> int:
    """Finish moves that wrote their files but were stopped before the workspace delete.

    Returns:
        How many mentions left the workspace now.
    """
    done = 0
    for run in manifest.runs:
        if run.get("kind") != "export" or not run.get("move") or run.get("state") != "written":
            continue
        entries = [e for e in manifest.files if e.run == run["id"] and e.dataset == "mentions"]
        done += _delete_from_workspace(ws, folder, entries)
        run["state"] = "moved"
        mf.save(folder, manifest)
    return done
