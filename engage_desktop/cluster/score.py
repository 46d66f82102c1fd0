"""Re-scoring an archive on Dask with the app's own scorer.

The archive's mention files become a Dask DataFrame with one partition per file,
and ``map_partitions`` runs :func:`rescore_partition` on each: it reads the file,
scores what the customer wrote with the scorer the app uses (VADER with the
workspace's lexicon, or whatever ``workspace_scorer`` returns), applies analyst
corrections (they win, as in the app), recomputes priority with the app's SQL, and
writes a new file into the run's staging folder. Only when every partition is
written and checked does the main process move the new files beside the old ones
and swap the manifest, so a cancel (Ctrl+C), a failing partition or a lost client
leaves the old partitions and the old manifest in place.

A worker lost mid-job costs only its running tasks: the scheduler runs them again
elsewhere, and a task rewrites its staging file from scratch (written to a
temporary name, then renamed), so the result is complete and correct.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from engage_desktop.archive import manifest as mf
from engage_desktop.archive.export import sql_literal
from engage_desktop.cluster.runner import PartitionFailed, RunCancelled, run_partitions
from engage_desktop.workspace.columns import ColumnTable
from engage_desktop.workspace.parquet import parquet_rows

Progress = Callable[[int, int], None]
IsCancelled = Callable[[], bool]

RESULT_COLUMNS = ("source", "path", "rows", "sha256", "bytes", "labels")


class ScoringCancelled(Exception):
    """The run was cancelled; the archive is as it was."""


@dataclass
class ClusterScoreSummary:
    """What a ``cluster score`` run did.

    Attributes:
        run: The run id (it names the new files).
        rows: Mentions re-scored.
        files: Partitions written.
        labels: Mentions per model label.
        version: Scorer version stored with the scores.
        seconds: Wall time.
    """

    run: str
    rows: int = 0
    files: int = 0
    labels: Counter = field(default_factory=Counter)
    version: str = ""
    seconds: float = 0.0

    def line(self) -> str:
        """One summary line."""
        parts = ", ".join(
            f"{self.labels.get(k, 0):,} {k}" for k in ("positive", "neutral", "negative")
        )
        return (
            f"re-scored {self.rows:,} archived mentions in {self.files} partitions in "
            f"{self.seconds:.1f} s: {parts}; {self.labels.get('unscored', 0):,} unscored "
            f"(scorer {self.version})"
        )


def scorer_version_of(scorer: Any) -> str:
    """The version string the app stores with scores of ``scorer``."""
    from engage_desktop.enrich.sentiment import VaderScorer, scorer_version

    if isinstance(scorer, VaderScorer):
        return scorer_version(scorer.adjustments)  # as enrich.pipeline stores it
    return str(scorer.version)


def rescore_partition(part: Any, folder: str, run: str, scorer: Any, version: str) -> Any:
    """Re-score the files listed in one partition (a pandas DataFrame of file rows).

    Runs on a worker. Returns one result row per file (see :data:`RESULT_COLUMNS`).
    """
    import pandas as pd

    rows = [
        _rescore_file(Path(folder), run, r.path, json.loads(r.corrections), scorer, version)
        for r in part.itertuples()
    ]
    return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))


def _rescore_file(
    folder: Path, run: str, rel: str, corrections: list[str], scorer: Any, version: str
) -> tuple:
    """Score one file's rows and write them, in the same order, to the run's staging file."""
    import duckdb
    import numpy as np

    from engage_desktop.enrich.language import detect_language
    from engage_desktop.enrich.pipeline import score_new_rows
    from engage_desktop.enrich.sentiment.columns import text_to_score
    from engage_desktop.enrich.store import PRIORITY_SQL

    source = folder / rel
    # The partition is in the path (year=/month=), not in the rows: read the columns only.
    scan = f"{sql_literal(source)}, hive_partitioning = false"
    # One thread: the cluster's parallelism is one task per core, and a single-threaded
    # scan returns the rows in file order, which the positional join below relies on.
    con = duckdb.connect(config={"threads": 1, "memory_limit": "512MB"})
    try:
        con.execute("SET TimeZone = 'UTC'")
        got = con.execute(f"SELECT id, title, text, language FROM read_parquet({scan})").fetchall()
        languages = [
            lang if lang else detect_language(text_to_score(title, text))
            for _, title, text, lang in got
        ]
        cols = score_new_rows(
            [r[1] for r in got], [r[2] for r in got], languages, scorer=scorer, processes=1
        )
        ids = [r[0] for r in got]
        if corrections:  # an analyst's correction wins, as in the app
            _apply_corrections(con, folder, corrections, ids, cols)
        scored = ColumnTable(
            {
                "s_id": np.array(ids, dtype=np.int64),
                "s_language": languages,
                **{f"s_{k}": v for k, v in cols.items()},
            }
        )
        labels = Counter(scored.column("s_model_label").tolist())
        con.register("scored", scored)
        # One new file per old one: a partition may hold files of several runs.
        tag = hashlib.sha1(rel.encode()).hexdigest()[:8]
        new_rel = str(Path(rel).with_name(f"part-{run}-{tag}.parquet").as_posix())
        target = folder / f".staging-{run}" / new_rel
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + f".{os.getpid()}.tmp")
        replaced = ", ".join(
            f"s_{c} AS {c}"
            for c in ("language", "model_sentiment", "model_label", "sentiment_pos",
                      "sentiment_neu", "sentiment_neg", "sentiment", "sentiment_label")
        )  # fmt: skip
        # Rows keep their order (no join, no sort): the file stays sorted by publication.
        inner = (
            f"SELECT o.* REPLACE ({replaced}, ? AS scorer_version, now() AS scored_at) "
            f"FROM read_parquet({scan}) o POSITIONAL JOIN scored "
            "WHERE o.id = s_id"
        )
        con.execute(
            f"COPY (SELECT * REPLACE ({PRIORITY_SQL} AS priority) FROM ({inner})) "
            f"TO {sql_literal(tmp)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880, "
            f"KV_METADATA {{engage_archive_schema: '{mf.SCHEMA_VERSION}'}})",
            [version],
        )
    finally:
        con.close()
    written = parquet_rows(tmp)
    if written != len(got):  # a row out of step with its score was left out: refuse
        tmp.unlink(missing_ok=True)
        raise mf.ArchiveError(f"{new_rel}: wrote {written} of {len(got)} rows")
    os.replace(tmp, target)  # a re-run of this task after a lost worker starts over
    return (
        rel,
        new_rel,
        len(got),
        mf.sha256_of(target),
        target.stat().st_size,
        json.dumps(dict(labels)),
    )


def _apply_corrections(
    con: Any, folder: Path, corrections: list[str], ids: list[int], cols: dict[str, Any]
) -> None:
    """Replace the effective sentiment of corrected mentions (label and compound)."""
    listed = ", ".join(sql_literal(folder / c) for c in corrections)
    found = dict(
        (m, (lab, comp))
        for m, lab, comp in con.execute(
            "SELECT mention_id, label, compound "
            f"FROM read_parquet([{listed}], hive_partitioning = false)"
        ).fetchall()
    )
    if not found:
        return
    # Copies: the model's columns share these arrays.
    sentiment = cols["sentiment"].copy()
    label = cols["sentiment_label"].copy()
    for k, ident in enumerate(ids):
        hit = found.get(ident)
        if hit is not None:
            label[k], sentiment[k] = hit
    cols["sentiment"], cols["sentiment_label"] = sentiment, label


def cluster_score(
    folder: str | Path,
    client: Any,
    scorer: Any = None,
    *,
    progress: Progress | None = None,
    is_cancelled: IsCancelled | None = None,
    retries: int = 1,
) -> ClusterScoreSummary:
    """Re-score every archived mention on the client's cluster; swap in the new files.

    Args:
        folder: The archive (on storage every worker can read and write).
        client: A ``distributed.Client`` (see :func:`~engage_desktop.cluster.session.dask_client`).
        scorer: The app's scorer (``workspace_scorer(ws)`` for a workspace's lexicon or
            model); default: the shipped VADER.
        progress: ``progress(done, total)`` as the scheduler reports partitions done.
        is_cancelled: Polled while waiting; True cancels (the archive stays as it was).
        retries: Extra attempts of a partition whose task raised.

    Raises:
        ScoringCancelled: Cancelled; nothing changed.
        ArchiveError: A partition failed (its error is in the message); nothing changed.
    """
    import pandas as pd

    from engage_desktop.enrich.sentiment import default_scorer

    started = time.perf_counter()
    folder = Path(folder).resolve()
    scorer = scorer or default_scorer()
    version = scorer_version_of(scorer)
    with mf.archive_lock(folder):
        manifest = mf.load(folder)
        mf.drop_superseded(folder, manifest)
        mf.remove_strays(folder, manifest)
        summary = ClusterScoreSummary(mf.new_run_id(), version=version)
        files = manifest.files_of("mentions")
        if not files:
            return summary
        table = pd.DataFrame(
            {
                "path": [e.path for e in files],
                "corrections": [json.dumps(_corrections_of(manifest, e)) for e in files],
            }
        )
        staging = folder / f".staging-{summary.run}"
        meta = pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in RESULT_COLUMNS})
        # One copy of the scorer on each worker, not one per task.
        shared = client.scatter(scorer, broadcast=True, hash=False)
        try:
            results = run_partitions(
                client,
                table,
                rescore_partition,
                str(folder),
                summary.run,
                shared,
                version,
                meta=meta,
                progress=progress,
                is_cancelled=is_cancelled,
                retries=retries,
            )
            _publish(folder, manifest, summary, results)
        except RunCancelled:
            raise ScoringCancelled("cluster score cancelled; the archive is unchanged") from None
        except PartitionFailed as exc:
            raise mf.ArchiveError(
                f"a partition failed on the cluster: {exc}; the archive is unchanged"
            ) from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)  # published files have left it
    summary.seconds = time.perf_counter() - started
    return summary


def _dtype(column: str) -> str:
    return "int64" if column in ("rows", "bytes") else "object"


def _corrections_of(manifest: mf.Manifest, entry: mf.FileEntry) -> list[str]:
    """The correction files of the same partition as a mention file."""
    return [
        e.path
        for e in manifest.files_of("corrections")
        if (e.year, e.month) == (entry.year, entry.month)
    ]


def _publish(
    folder: Path, manifest: mf.Manifest, summary: ClusterScoreSummary, results: Any
) -> None:
    """Check the new files, move them beside the old ones and swap the manifest."""
    staging = folder / f".staging-{summary.run}"
    old = {e.path: e for e in manifest.files_of("mentions")}
    if sorted(results["source"]) != sorted(old):
        raise mf.ArchiveError(
            "the cluster did not return every partition; the archive is unchanged"
        )
    new_entries = []
    for r in results.itertuples():
        staged = staging / r.path
        if parquet_rows(staged) != old[r.source].rows or r.rows != old[r.source].rows:
            raise mf.ArchiveError(f"{r.path}: row count differs from {r.source}; unchanged")
        # Same rows, new scores: the partition, id and time ranges carry over.
        entry = old[r.source]
        new_entries.append(
            replace(entry, path=r.path, sha256=r.sha256, bytes=int(r.bytes), run=summary.run)
        )
        summary.labels.update(json.loads(r.labels))
    for entry in new_entries:
        os.replace(staging / entry.path, folder / entry.path)
    shutil.rmtree(staging, ignore_errors=True)
    manifest.files = [e for e in manifest.files if e.path not in old] + new_entries
    manifest.superseded = sorted(old)
    manifest.runs.append(
        {
            "id": summary.run,
            "kind": "score",
            "at": mf.now_iso(),
            "scorer_version": summary.version,
            "rows": {"mentions": int(results["rows"].sum())},
        }
    )
    mf.save(folder, manifest)  # the swap: readers now see only the new files
    summary.rows = int(results["rows"].sum())
    summary.files = len(new_entries)
