"""Applying the learned model: re-scoring mentions, chunk by chunk.

The model reads VADER's stored scores and the text, so re-scoring never re-runs
VADER. Each chunk of :data:`CHUNK_SIZE` mentions is predicted (in a process pool
for big backlogs: tokenizing is pure Python) and stored in one transaction, so a
cancel keeps whole chunks and loses none half-written.

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

from engage_desktop.enrich.learned.model import CLASSES, LearnedModel
from engage_desktop.enrich.learned.store import StoredModel, active_models
from engage_desktop.enrich.sentiment.columns import text_to_score
from engage_desktop.workspace.database import Workspace

Progress = Callable[[int, int], None]
IsCancelled = Callable[[], bool]

#: Mentions per transaction.
CHUNK_SIZE = 10_000
#: Mentions read from the workspace at a time.
WINDOW = 100_000
#: From this many mentions on, predictions run in a process pool.
POOL_THRESHOLD = 50_000

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

_worker_models: list[tuple[str | None, str, LearnedModel]] = []


def _init_worker(blobs: list[tuple[str | None, str, bytes]]) -> None:
    global _worker_models
    _worker_models = [(d, v, LearnedModel.from_bytes(b)) for d, v, b in blobs]


def predict_rows(
    models: Sequence[tuple[str | None, str, LearnedModel]], rows: Sequence[tuple[Any, ...]]
) -> dict[str, list[Any]]:
    """Predictions for rows ``(id, title, text, compound, pos, neu, neg, topics)``.

    Returns:
        Columns ``id, learned_sentiment, learned_label, learned_confidence,
        learned_version``; rows no model covers are left out.
    """
    out: dict[str, list[Any]] = {
        "id": [],
        "learned_sentiment": [],
        "learned_label": [],
        "learned_confidence": [],
        "learned_version": [],
    }
    groups: dict[int, list[int]] = {}
    domain_models = [(k, m) for k, m in enumerate(models) if m[0] is not None]
    whole = next((k for k, m in enumerate(models) if m[0] is None), None)
    for i, row in enumerate(rows):
        topics = row[7] or ()
        chosen = next((k for k, m in domain_models if m[0] in topics), whole)
        if chosen is not None:
            groups.setdefault(chosen, []).append(i)
    for k, members in groups.items():
        _, version, model = models[k]
        texts = [text_to_score(rows[i][1], rows[i][2]) for i in members]
        vader = np.array(
            [[rows[i][3], rows[i][4] or 0.0, rows[i][5] or 0.0, rows[i][6] or 0.0] for i in members]
        )
        proba = model.predict_proba(texts, vader)
        best = proba.argmax(axis=1)
        out["id"].extend(int(rows[i][0]) for i in members)
        out["learned_sentiment"].extend(np.round(proba[:, 2] - proba[:, 0], 4).tolist())
        out["learned_label"].extend(CLASSES[b] for b in best)
        out["learned_confidence"].extend(np.round(proba.max(axis=1), 4).tolist())
        out["learned_version"].extend([version] * len(members))
    return out


def _predict_task(rows: list[tuple[Any, ...]]) -> dict[str, list[Any]]:
    return predict_rows(_worker_models, rows)


def _model_tuples(stored: Sequence[StoredModel]) -> list[tuple[str | None, str, LearnedModel]]:
    return [(s.domain, s.version, s.model) for s in stored]


# -- storage -----------------------------------------------------------------------------


def write_learned(cur: Any, columns: dict[str, list[Any]]) -> int:
    """Store one chunk of predictions (inside the caller's transaction).

    Returns:
        How many of them differ from VADER's label.
    """
    import pyarrow as pa

    if not columns["id"]:
        return 0
    table = pa.table(
        {
            "id": pa.array(columns["id"], pa.int64()),
            "learned_sentiment": pa.array(columns["learned_sentiment"], pa.float64()),
            "learned_label": pa.array(columns["learned_label"], pa.string()),
            "learned_confidence": pa.array(columns["learned_confidence"], pa.float64()),
            "learned_version": pa.array(columns["learned_version"], pa.string()),
        }
    )
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


def _read_rows(cur: Any, where: str, params: Sequence[Any], limit: int | None = None) -> list:
    tail = f" ORDER BY mentions.id LIMIT {int(limit)}" if limit else ""
    return cur.execute(
        "SELECT mentions.id, title, text, model_sentiment, sentiment_pos, sentiment_neu, "
        f"sentiment_neg, topics FROM mentions WHERE {_SELECTABLE} AND ({where}){tail}",
        list(params),
    ).fetchall()


def apply_in_transaction(
    cur: Any, models: Sequence[StoredModel], where: str, params: Sequence[Any] = ()
) -> int:
    """Score the mentions ``where`` selects with ``models``, inside a writer transaction.

    Used by enrichment, so a freshly scored chunk gets VADER and the model in the
    same transaction. Returns the number of mentions scored.
    """
    if not models:
        return 0
    rows = _read_rows(cur, where, params)
    columns = predict_rows(_model_tuples(models), rows)
    write_learned(cur, columns)
    return len(columns["id"])


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
                    initargs=(blobs,),
                )
            )
        for columns in _predicted_chunks(ws, where, params, models, pool, chunk_size, cancelled):
            with ws.write() as cur:
                summary.changed += write_learned(cur, columns)
            summary.done += len(columns["id"])
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
) -> Iterator[dict[str, list[Any]]]:
    """Predictions chunk by chunk, in id order; the pool works ahead of the writer."""
    last_id = -(2**63)
    pending: list[Future] = []
    while not cancelled():
        cur = ws.cursor()
        try:
            rows = _read_rows(cur, f"({where}) AND mentions.id > ?", [*params, last_id], WINDOW)
        finally:
            cur.close()
        if not rows:
            break
        last_id = int(rows[-1][0])
        chunks = [rows[s : s + chunk_size] for s in range(0, len(rows), chunk_size)]
        if pool is None:
            for chunk in chunks:
                if cancelled():
                    return
                yield predict_rows(models, chunk)
        else:
            pending.extend(pool.submit(_predict_task, chunk) for chunk in chunks)
            # Keep this window in flight while the writer stores the previous one.
            while len(pending) > len(chunks):
                if cancelled():
                    return
                yield pending.pop(0).result()
        if len(rows) < WINDOW:
            break
    for future in pending:
        if cancelled():
            return
        yield future.result()


def after_insert(ws: Workspace, mention_ids: Sequence[int], state: Any = None) -> None:
    """The after-insert hook: new mentions get the model's label too (when there is one)."""
    if ws.read_only or not mention_ids:
        return
    from engage_desktop.enrich.learned.store import has_model_table

    if not has_model_table(ws) or not ws.scalar("SELECT count(*) FROM sentiment_models"):
        return
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
