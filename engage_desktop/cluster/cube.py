"""The dashboard's daily cube over an archive, computed on Dask and stored with it.

Each task runs the dashboard's own grouping (:func:`~engage_desktop.dashboard.cube.cube_sql`)
over one Parquet partition with DuckDB; the partial rows add up, so the main process
sums them by key and writes ``cube/cube-RUN.parquet``. The manifest records which
mention files and which SLA rules the cube was computed from; the dashboard uses it
only while both still hold (see :func:`~engage_desktop.archive.views.precomputed_cube`),
so a workspace with a 100M-row archive attached opens its dashboard from a few
thousand rows instead of a scan.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engage_desktop.archive import manifest as mf
from engage_desktop.archive.export import sql_literal
from engage_desktop.archive.views import cube_context
from engage_desktop.cluster.runner import PartitionFailed, run_partitions
from engage_desktop.dashboard.analytics import AnalyticsContext
from engage_desktop.dashboard.cube import CUBE_COLUMNS, cube_sql

Progress = Callable[[int, int], None]
IsCancelled = Callable[[], bool]


@dataclass
class ClusterCubeSummary:
    """What a ``cluster cube`` run did.

    Attributes:
        path: The stored cube.
        mentions: Archived mentions it covers.
        rows: Cube rows.
        partitions: Partitions read.
        seconds: Wall time.
    """

    path: Path
    mentions: int = 0
    rows: int = 0
    partitions: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        """One summary line."""
        return (
            f"cube of {self.mentions:,} archived mentions ({self.partitions} partitions) "
            f"in {self.rows:,} rows, {self.seconds:.1f} s: {self.path}"
        )


def cube_partition(part: Any, folder: str, ctx: AnalyticsContext) -> Any:
    """The cube rows of each archive file in one partition (runs on a worker)."""
    import duckdb
    import pandas as pd

    frames = []
    con = duckdb.connect(config={"threads": 1, "memory_limit": "512MB"})
    try:
        con.execute("SET TimeZone = 'UTC'")
        for r in part.itertuples():
            relation = (
                f"read_parquet({sql_literal(Path(folder) / r.path)}, hive_partitioning = false)"
            )
            frames.append(con.execute(cube_sql(ctx, relation)).df())
    finally:
        con.close()
    return pd.concat(frames, ignore_index=True) if frames else _meta()


def _meta() -> Any:
    import pandas as pd

    kinds = {"t": "object", "s_sum": "float64", "h": "uint64"}
    return pd.DataFrame(
        {c: pd.Series(dtype=kinds.get(c, "int64")) for c in CUBE_COLUMNS.split(", ")}
    )


def cluster_cube(
    folder: str | Path,
    client: Any,
    ctx: AnalyticsContext | None = None,
    *,
    progress: Progress | None = None,
    is_cancelled: IsCancelled | None = None,
) -> ClusterCubeSummary:
    """Compute and store the cube of an archive's mentions.

    Args:
        folder: The archive.
        client: A ``distributed.Client``.
        ctx: The workspace's analytics context (its SLA rules decide the SLA counts);
            default: the app's defaults.
        progress: ``progress(done, total)`` per partition.
        is_cancelled: Polled while waiting; True stops (the old cube stays).

    Raises:
        ArchiveError: A partition failed; nothing changed.
    """
    import duckdb

    started = time.perf_counter()
    folder = Path(folder).resolve()
    ctx = ctx or AnalyticsContext()
    with mf.archive_lock(folder):
        manifest = mf.load(folder)
        files = manifest.files_of("mentions")
        import pandas as pd

        table = pd.DataFrame({"path": [e.path for e in files]})
        run = mf.new_run_id()
        rel = f"cube/cube-{run}.parquet"
        summary = ClusterCubeSummary(folder / rel, manifest.rows(), partitions=len(files))
        if files:
            try:
                partial = run_partitions(
                    client,
                    table,
                    cube_partition,
                    str(folder),
                    ctx,
                    meta=_meta(),
                    progress=progress,
                    is_cancelled=is_cancelled,
                )
            except PartitionFailed as exc:
                raise mf.ArchiveError(f"a partition failed: {exc}; the cube is unchanged") from None
        else:
            partial = _meta()
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        con = duckdb.connect()
        try:
            con.register("partial", partial)
            # Partial rows add up: one row per key, the topic list carried along.
            con.execute(
                "COPY (SELECT day, label, h, any_value(t) AS t, reply_day, bin, "
                "sum(n)::BIGINT AS n, sum(s_sum)::DOUBLE AS s_sum, sum(s_n)::BIGINT AS s_n, "
                "sum(awaiting)::BIGINT AS awaiting, sum(within)::BIGINT AS within "
                "FROM partial GROUP BY day, label, h, reply_day, bin ORDER BY day) "
                f"TO {sql_literal(tmp)} (FORMAT parquet, COMPRESSION zstd)"
            )
            summary.rows = int(
                con.execute(f"SELECT count(*) FROM read_parquet({sql_literal(tmp)})").fetchone()[0]
            )
        finally:
            con.close()
        tmp.replace(target)
        old = manifest.cube
        manifest.cube = {
            "path": rel,
            "sha256": mf.sha256_of(target),
            "rows": summary.rows,
            "mentions": summary.mentions,
            "context": cube_context(ctx.hours.within_sla_sql(ctx.sla_s)),
            "sources": sorted(e.path for e in files),
            "run": run,
        }
        if old and old.get("path") != rel:
            manifest.superseded = sorted({*manifest.superseded, old["path"]})
        manifest.runs.append({"id": run, "kind": "cube", "at": mf.now_iso()})
        mf.save(folder, manifest)
    summary.seconds = time.perf_counter() - started
    return summary
