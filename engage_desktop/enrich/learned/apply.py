"""Applying the learned model: re-scoring mentions, chunk by chunk.

The model reads VADER's stored scores and the text, so re-scoring never re-runs
VADER. Mentions are read, predicted and written as numpy columns (the features
work once per distinct word and on integer arrays, the text choice and the
domain-model routing are SQL). Each chunk of :data:`CHUNK_SIZE` mentions is stored
in one transaction, so a cancel keeps whole chunks and loses none half-written.
From :data:`POOL_THRESHOLD` mentions on, worker processes predict while this one
writes; below it, starting them costs more CPU than it saves.

What is stored per mention: ``learned_label``, ``learned_confidence`` (probability
of that label), ``learned_sentiment`` (P(positive) - P(negative), on VADER's -1..1
scale so averages and charts keep their meaning) and ``learned_version``. The
effective ``sentiment``/``sentiment_label`` follow the model, except where an
analyst's correction exists: corrections always win (the model's label is still
stored for a corrected mention, so dropping the correction shows it at once). VADER's own columns
(``model_sentiment``, ``model_label``, pos/neu/neg) are never touched.

A mention whose topics include a domain model's topic is scored by that model;
every other one by the whole-workspace model (when there is one).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from engage_desktop.core.priority import lower_priority, worker_nice
from engage_desktop.enrich.learned.model import CLASSES, LearnedModel
from engage_desktop.enrich.learned.store import StoredModel, active_models
from engage_desktop.workspace.columns import ColumnTable, fetch_columns
from engage_desktop.workspace.database import Workspace

Progress = Callable[[int, int], None]
IsCancelled = Callable[[], bool]

#: Mentions per transaction.
CHUNK_SIZE = 10_000
#: Mentions read from the workspace at a time.
WINDOW = 100_000
#: From this many mentions on, predictions run in a process pool.
POOL_THRESHOLD = 200_000

_SELECTABLE = (
    "mentions.model_label IS NOT NULL AND mentions.model_label <> 'unscored' "
    "AND mentions.model_sentiment IS NOT NULL"
)


@dataclass
class ApplySummary:
    """What one re-scoring run did.

    Attributes:
        total: Mentions to re-score when the run started.
        done: Mentions stored.
        changed: Of those, mentions whose label differs from VADER's.
        cancelled: Stopped early on request.
        seconds: Wall time.
    """

    total: int = 0
    done: int = 0
    changed: int = 0
    cancelled: bool = False
    seconds: float = 0.0

    def line(self) -> str:
        """One summary line."""
        verb = "cancelled after re-scoring" if self.cancelled else "re-scored"
        return (
            f"{verb} {self.done:,} of {self.total:,} mentions with the learned model in "
            f"{self.seconds:.1f} s; {self.changed:,} now differ from VADER; "
            "corrected mentions keep the analyst's label"
        )


# -- prediction (also run inside pool workers) -----------------------------------------

Models = Sequence[tuple[str | None, str, LearnedModel]]
_worker_models: list[tuple[str | None, str, LearnedModel]] = []
#: What the prediction of a chunk returns (and :func:`write_learned` stores).
LEARNED_COLUMNS = (
    "id",
    "learned_sentiment",
    "learned_label",
    "learned_confidence",
    "learned_version",
)


def _init_worker(blobs: list[tuple[str | None, str, bytes]], nice: int = 0) -> None:
    global _worker_models
    lower_priority(nice)  # yield to a window (engage_desktop.core.priority)
    _worker_models = [(d, v, LearnedModel.from_bytes(b)) for d, v, b in blobs]


def predict_table(models: Models, rows: ColumnTable) -> ColumnTable:
    """Predictions for the rows read by :func:`_read_rows`.

    Args:
        models: ``(domain, version, model)`` in the order :func:`_read_rows` numbered them.
        rows: Columns ``id, body, compound, pos, neu, neg, model_index``.

    Returns:
        A table of :data:`LEARNED_COLUMNS`; rows no model covers are left out.
    """
    which = rows.column("model_index")
    vader_all = np.column_stack([rows.column(c) for c in ("compound", "pos", "neu", "neg")]).astype(
        np.float64
    )
    labels = np.array(CLASSES, dtype=object)
    parts = []
    for k in np.unique(which[which >= 0]):
        members = np.flatnonzero(which == k)
        _, version, model = models[int(k)]
        proba = model.predict_proba(rows.column("body")[members], vader_all[members])
        parts.append(
            {
                "id": rows.column("id")[members],
                "learned_sentiment": np.round(proba[:, 2] - proba[:, 0], 4),
                "learned_label": labels[proba.argmax(axis=1)],
                "learned_confidence": np.round(proba.max(axis=1), 4),
                "learned_version": np.full(len(members), version, dtype=object),
            }
        )
    if not parts:
        return _empty_predictions()
    return ColumnTable({c: np.concatenate([p[c] for p in parts]) for c in LEARNED_COLUMNS})


def _empty_predictions() -> ColumnTable:
    kinds = (np.int64, np.float64, object, np.float64, object)
    return ColumnTable({c: np.zeros(0, k) for c, k in zip(LEARNED_COLUMNS, kinds, strict=True)})


def _predict_task(rows: ColumnTable) -> ColumnTable:
    return predict_table(_worker_models, rows)


def _model_tuples(stored: Sequence[StoredModel]) -> list[tuple[str | None, str, LearnedModel]]:
    return [(s.domain, s.version, s.model) for s in stored]


# -- storage -----------------------------------------------------------------------------


def write_learned(cur: Any, table: Any) -> int:
    """Store one chunk of predictions (inside the caller's transaction).

    Returns:
        How many of them differ from VADER's label.
    """
    if not table.num_rows:
        return 0
    cur.register("learned_chunk", table)
    try:
        # A correction made since the rows were read still wins.
        cur.execute(
            """
            UPDATE mentions SET
                learned_sentiment = s.learned_sentiment,
                learned_label = s.learned_label,
                learned_confidence = s.learned_confidence,
                learned_version = s.learned_version,
                sentiment = CASE WHEN s.c_label IS NULL THEN s.learned_sentiment
                                 ELSE mentions.sentiment END,
                sentiment_label = coalesce(s.c_label, s.learned_label)
            FROM (SELECT l.*, c.label AS c_label FROM learned_chunk l
                  LEFT JOIN sentiment_corrections c ON c.mention_id = l.id) s
            WHERE mentions.id = s.id
            """
        )
        from engage_desktop.enrich.store import update_priority

        update_priority(cur, "id IN (SELECT id FROM learned_chunk)")
        changed = cur.execute(
            "SELECT count(*) FROM learned_chunk l JOIN mentions m ON m.id = l.id "
            "WHERE m.model_label IS DISTINCT FROM l.learned_label"
        ).fetchall()[0][0]
    finally:
        cur.unregister("learned_chunk")
    return int(changed)


def _read_rows(
    cur: Any, models: Models, where: str, params: Sequence[Any], limit: int | None = None
) -> ColumnTable:
    """The mentions to score, each with the index of its model.

    A mention goes to the first domain model whose topic it has, else to the
    whole-workspace model (-1: none). The text is chosen as
    :func:`~engage_desktop.enrich.sentiment.columns.text_to_score` does: the body,
    else the title.
    """
    cases = [(k, d) for k, (d, _v, _m) in enumerate(models) if d is not None]
    whole = next((k for k, (d, _v, _m) in enumerate(models) if d is None), -1)
    model_index = (
        "CASE "
        + " ".join(f"WHEN list_contains(topics, ?) THEN {k}" for k, _d in cases)
        + f" ELSE {whole} END"
        if cases
        else str(whole)
    )
    tail = f" ORDER BY mentions.id LIMIT {int(limit)}" if limit else ""
    relation = cur.sql(
        "SELECT mentions.id AS id, "
        "CASE WHEN regexp_matches(coalesce(text, ''), '\\S') THEN text "
        "ELSE coalesce(title, '') END AS body, "
        "model_sentiment AS compound, coalesce(sentiment_pos, 0.0) AS pos, "
        "coalesce(sentiment_neu, 0.0) AS neu, coalesce(sentiment_neg, 0.0) AS neg, "
        f"{model_index} AS model_index "
        f"FROM mentions WHERE {_SELECTABLE} AND ({where}){tail}",
        params=[d for _k, d in cases] + list(params),
    )
    return fetch_columns(relation)


def apply_in_transaction(
    cur: Any, models: Sequence[StoredModel], where: str, params: Sequence[Any] = ()
) -> int:
    """Score the mentions ``where`` selects with ``models``, inside a writer transaction.

    Used by enrichment, so a freshly scored chunk gets VADER and the model in the
    same transaction. Returns the number of mentions scored.
    """
    if not models:
        return 0
    tuples = _model_tuples(models)
    table = predict_table(tuples, _read_rows(cur, tuples, where, params))
    write_learned(cur, table)
    return int(table.num_rows)


def rescore(
    ws: Workspace,
    *,
    ids: Sequence[int] | None = None,
    progress: Progress | None = None,
    is_cancelled: IsCancelled | None = None,
    processes: int | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> ApplySummary:
    """Re-score every scored mention (or only ``ids``) with the model; corrections win.

    Args:
        ws: Writable workspace.
        ids: Only these mentions; None for all.
        progress: ``progress(done, total)`` after each stored chunk.
        is_cancelled: Polled between chunks; True keeps the chunks stored so far.
        processes: Prediction processes; None: a pool on all cores from
            :data:`POOL_THRESHOLD` mentions on, else in this process.
        chunk_size: Mentions per transaction.

    Returns:
        An :class:`ApplySummary` (total 0 when the workspace has no model).
    """
    started = time.perf_counter()
    summary = ApplySummary()
    stored = active_models(ws)
    if not stored:
        return summary
    models = _model_tuples(stored)
    where, params = "true", []
    if ids is not None:
        where, params = "mentions.id IN (SELECT unnest(?::BIGINT[]))", [[int(i) for i in ids]]
    summary.total = int(
        ws.scalar(f"SELECT count(*) FROM mentions WHERE {_SELECTABLE} AND ({where})", params)
    )
    cancelled = is_cancelled or (lambda: False)
    if progress is not None:
        progress(0, summary.total)
    workers = processes if processes is not None else (0 if summary.total >= POOL_THRESHOLD else 1)
    with contextlib.ExitStack() as stack:
        pool = None
        if workers != 1:
            blobs = [(s.domain, s.version, s.model.to_bytes()) for s in stored]
            pool = stack.enter_context(
                ProcessPoolExecutor(
                    max_workers=workers or None,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_init_worker,
                    initargs=(blobs, worker_nice()),
                )
            )
        for columns in _predicted_chunks(ws, where, params, models, pool, chunk_size, cancelled):
            with ws.write() as cur:
                summary.changed += write_learned(cur, columns)
            summary.done += columns.num_rows
            if progress is not None:
                progress(summary.done, summary.total)
        summary.cancelled = cancelled() and summary.done < summary.total
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    if summary.done and ids is None:
        from engage_desktop.enrich.learned.teach import refresh_teaching_queue

        refresh_teaching_queue(ws)
    summary.seconds = time.perf_counter() - started
    return summary


def _predicted_chunks(
    ws: Workspace,
    where: str,
    params: list[Any],
    models: list[tuple[str | None, str, LearnedModel]],
    pool: ProcessPoolExecutor | None,
    chunk_size: int,
    cancelled: IsCancelled,
) -> Iterator[Any]:
    """Predictions chunk by chunk, in id order; the pool works ahead of the writer."""
    last_id = -(2**63)
    pending: list[Future] = []
    while not cancelled():
        cur = ws.cursor()
        try:
            rows = _read_rows(
                cur, models, f"({where}) AND mentions.id > ?", [*params, last_id], WINDOW
            )
        finally:
            cur.close()
        if not rows.num_rows:
            break
        last_id = int(rows.column("id")[-1])
        chunks = [rows.take(slice(s, s + chunk_size)) for s in range(0, rows.num_rows, chunk_size)]
        if pool is None:
            for chunk in chunks:
                if cancelled():
                    return
                yield predict_table(models, chunk)
        else:
            pending.extend(pool.submit(_predict_task, chunk) for chunk in chunks)
            # Keep this window in flight while the writer stores the previous one.
            while len(pending) > len(chunks):
                if cancelled():
                    return
                yield pending.pop(0).result()
        if rows.num_rows < WINDOW:
            break
    for future in pending:
        if cancelled():
            return
        yield future.result()


def label_new(ws: Workspace, mention_ids: Sequence[int], state: Any = None) -> None:
    """New mentions get the model's label too (the after-insert hook,
    :mod:`engage_desktop.enrich.learned.hook`, calls this once it found a model)."""
    # Enrichment already scored the chunks it stored; only the rest are left.
    cur = ws.cursor()
    try:
        left = [
            int(r[0])
            for r in cur.execute(
                "SELECT id FROM mentions WHERE id IN (SELECT unnest(?::BIGINT[])) "
                "AND learned_version IS NULL",
                [[int(i) for i in mention_ids]],
            ).fetchall()
        ]
    finally:
        cur.close()
    if left:
        rescore(ws, ids=left, is_cancelled=getattr(state, "is_cancelled", None))
