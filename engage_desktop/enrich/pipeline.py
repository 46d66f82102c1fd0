"""Enrichment: language, sentiment, intent tags, priority and author profiles.

:func:`enrich` is the one pipeline; the after-insert hook (new mentions), the
backfill (the backlog, in the window's status bar) and ``engage-desktop score``
all run it. It reads the mentions that need work in id order, a window at a
time, detects a language where none is known, scores English (and undetermined)
text with VADER (a process pool for big backlogs), and stores each chunk of
results -- scores, intents, priority -- in one transaction, so a cancel or a
crash never leaves a half-written chunk. Author profiles are refreshed at the
end, for the authors it touched, even when cancelled.

What is scored is what the customer wrote: the plain ``text``, or the title when
there is no body. Posts in other languages get the label ``unscored`` and no
score, not a misleading "neutral". An analyst's correction always wins over the
model, and re-scoring never removes one.

Sentence-level scores are computed on demand (:func:`sentence_breakdown`) for the
detail pane rather than stored: a post is split and scored in well under a
millisecond, a table of sentences for a million mentions would roughly double
the file, and on-demand scores always follow the current lexicon adjustments.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from engage_desktop.core.intents import IntentRule, intents_sql
from engage_desktop.enrich import store as store
from engage_desktop.enrich.language import detect_language, is_scored_language
from engage_desktop.enrich.learned.store import StoredModel, active_models
from engage_desktop.enrich.learned.teach import refresh_teaching_queue
from engage_desktop.enrich.sentiment import (
    UNSCORED,
    ScoredChunk,
    ScoringPool,
    SentimentScore,
    VaderScorer,
    score_sentences,
    scorer_version,
)
from engage_desktop.enrich.sentiment.columns import score_columns, text_to_score
from engage_desktop.enrich.sentiment.window_pool import scoring_pool
from engage_desktop.workspace.database import Workspace

Progress = Callable[[int, int], None]
IsCancelled = Callable[[], bool]

#: Mentions read from the workspace at a time (bounds memory on big backlogs).
WINDOW = 100_000
#: Mentions per transaction: a cancel loses at most one chunk of work, never half.
CHUNK_SIZE = 10_000
#: The window's background tasks read fewer at a time: the Python work on each window
#: read (languages, texts to score) is one burst holding the GIL in 1 ms slices, and
#: every one the window's GUI thread needs meanwhile waits for the next slice. Small
#: windows make small bursts, each after a pause for the user's keys to rest.
TASK_WINDOW = 20_000
#: Sentence scores are shown for posts with at least this many sentences.
MIN_SENTENCES = 2

_scorers: dict[str, VaderScorer] = {}


@dataclass
class EnrichSummary:
    """What one :func:`enrich` run did.

    Attributes:
        total: Mentions that needed work when the run started.
        done: Mentions stored (scored or marked unscored).
        scored: Of those, mentions the model scored (English or undetermined).
        unscored: Mentions in other languages, labelled ``unscored``.
        corrected: Mentions whose analyst correction was kept.
        labels: Model labels of the scored mentions.
        cancelled: The run stopped early on request.
        seconds: Wall time.
        version: The scorer version stored.
    """

    total: int = 0
    done: int = 0
    scored: int = 0
    unscored: int = 0
    corrected: int = 0
    labels: Counter = field(default_factory=Counter)
    cancelled: bool = False
    seconds: float = 0.0
    version: str = ""

    def line(self) -> str:
        """One summary line for the CLI and the status bar."""
        verb = "cancelled after" if self.cancelled else "enriched"
        parts = ", ".join(
            f"{self.labels.get(k, 0):,} {k}" for k in ("positive", "neutral", "negative")
        )
        return (
            f"{verb} {self.done:,} of {self.total:,} mentions in {self.seconds:.1f} s: "
            f"{parts}; {self.unscored:,} not English (unscored); "
            f"{self.corrected:,} analyst corrections kept"
        )


# -- configuration of a workspace --------------------------------------------------------


def workspace_scorer(ws: Workspace) -> VaderScorer:
    """The scorer with this workspace's lexicon adjustments (shared per configuration)."""
    adjustments = store.lexicon_adjustments(ws)
    version = scorer_version(adjustments)
    scorer = _scorers.get(version)
    if scorer is None:
        if len(_scorers) > 8:  # adjustments changed many times in one session
            _scorers.clear()
        scorer = _scorers[version] = VaderScorer(adjustments)
    return scorer


def intent_rules(ws: Workspace) -> list[IntentRule]:
    """The workspace's intent rules, by name."""
    return [IntentRule(n, p, e) for n, p, e in store.intent_rule_rows(ws)]


def _need_clause(rescore: bool) -> str:
    return "true" if rescore else "(scored_at IS NULL OR scorer_version IS DISTINCT FROM ?)"


def needs_enrichment(ws: Workspace) -> int:
    """How many mentions are not scored with the workspace's current scorer."""
    version = scorer_version(store.lexicon_adjustments(ws))
    return int(ws.scalar(f"SELECT count(*) FROM mentions WHERE {_need_clause(False)}", [version]))


# -- the pipeline ------------------------------------------------------------------------


def enrich(
    ws: Workspace,
    *,
    ids: Sequence[int] | None = None,
    rescore: bool = False,
    progress: Progress | None = None,
    is_cancelled: IsCancelled | None = None,
    processes: int | None = None,
    chunk_size: int = CHUNK_SIZE,
    window: int = WINDOW,
    pause: Callable[[], None] | None = None,
) -> EnrichSummary:
    """Enrich the mentions that need it (or ``ids``), chunk by chunk.

    Args:
        ws: Writable workspace.
        ids: Only these mentions (e.g. just inserted); None means the whole backlog.
        rescore: Also redo mentions already scored with the current scorer.
            Corrections are kept either way.
        progress: Called as ``progress(done, total)`` after each stored chunk.
        is_cancelled: Polled between chunks; True stops after the current one.
        processes: Scoring processes; None uses a pool on all cores for at least
            :data:`~engage_desktop.enrich.sentiment.POOL_THRESHOLD` mentions. In a
            window the window's own pool always scores (see ``window_pool.py``).
        chunk_size: Mentions per transaction.
        window: Mentions read from the workspace at a time.
        pause: Called between steps (windows, chunks, the authors' refresh); may
            wait, e.g. while the window's user moves through the inbox, so the
            scoring's reads and writes do not take the CPUs the keys need.

    Returns:
        An :class:`EnrichSummary`.
    """
    started = time.perf_counter()
    scorer = workspace_scorer(ws)
    version = scorer_version(scorer.adjustments)
    where = _need_clause(rescore)
    params: list[Any] = [] if rescore else [version]
    if ids is not None:
        where += " AND id IN (SELECT unnest(?::BIGINT[]))"
        params.append([int(i) for i in ids])
    summary = EnrichSummary(version=version)
    summary.total = int(ws.scalar(f"SELECT count(*) FROM mentions WHERE {where}", params))
    if not summary.total and ids is not None:
        # The after-insert hook on rows a fetch stored scored: nothing to read or
        # score, so none of the set-up below (~15-20 ms of every stored batch).
        if progress is not None:
            progress(0, 0)
        summary.seconds = time.perf_counter() - started
        return summary
    intents_expr = intents_sql(intent_rules(ws))
    # The learned model, if any, scores each chunk in the same transaction as VADER.
    learned_models = active_models(ws)
    cancelled = is_cancelled or (lambda: False)
    hold = pause or (lambda: None)
    if progress is not None:
        progress(0, summary.total)
    touched_authors: set[int] = set()
    # In a window every batch goes to child processes (window_pool.py); a CLI scores
    # small batches in-process and big ones in a temporary pool.
    with scoring_pool(scorer, summary.total, processes) as pool:
        try:
            last_id = -(2**63)
            while not cancelled():
                hold()
                rows = _read_window(ws, where, params, last_id, window)
                if not rows:
                    break
                last_id = int(rows[-1][0])
                if not _enrich_window(
                    ws,
                    rows,
                    scorer,
                    pool,
                    version,
                    intents_expr,
                    chunk_size,
                    cancelled,
                    summary,
                    touched_authors,
                    progress,
                    learned_models,
                    hold,
                ):
                    break
                if len(rows) < window:
                    break
        finally:
            summary.cancelled = cancelled() and summary.done < summary.total
            if touched_authors:
                hold()
                with ws.write() as cur:
                    big = len(touched_authors) > 50_000
                    store.refresh_authors(cur, None if big else sorted(touched_authors))
    if ids is None and summary.done:
        # New scores change which mentions the model is least sure of (a backlog run
        # only: the after-insert hook runs on every fetch and must stay cheap).
        refresh_teaching_queue(ws)
    summary.seconds = time.perf_counter() - started
    return summary


def _read_window(
    ws: Workspace, where: str, params: list[Any], last_id: int, window: int
) -> list[tuple[Any, ...]]:
    # In batches (Workspace.tuples): one fetchall of a 100,000-row window held the
    # GIL for 150-250 ms, a stall of the window that runs the backfill.
    return ws.tuples(
        f"SELECT id, title, text, language FROM mentions WHERE {where} AND id > ? "
        f"ORDER BY id LIMIT {int(window)}",
        [*params, last_id],
    )


def _enrich_window(
    ws: Workspace,
    rows: list[tuple[Any, ...]],
    scorer: VaderScorer,
    pool: ScoringPool | None,
    version: str,
    intents_expr: str,
    chunk_size: int,
    cancelled: IsCancelled,
    summary: EnrichSummary,
    touched_authors: set[int],
    progress: Progress | None,
    learned_models: list[StoredModel],
    hold: Callable[[], None],
) -> bool:
    """Score and store one window; False when cancelled part-way."""
    ids = [int(r[0]) for r in rows]
    languages = _languages(rows, pool)
    scored_mask = [is_scored_language(lang) for lang in languages]
    # Posts not scored send an empty text: it costs nothing and keeps chunks
    # aligned with rows.
    texts = [
        text_to_score(title, text) if keep else ""
        for (_, title, text, _), keep in zip(rows, scored_mask, strict=True)
    ]
    chunks: Iterator[ScoredChunk]
    if pool is not None:
        chunks = pool.iter_chunks(texts, chunk_size=chunk_size, is_cancelled=cancelled)
    else:
        chunks = (
            ScoredChunk(s, scorer.score_many(texts[s : s + chunk_size]))
            for s in range(0, len(texts), chunk_size)
            if not cancelled()
        )
    stored = 0
    with contextlib.closing(chunks) if hasattr(chunks, "close") else contextlib.nullcontext():
        for chunk in chunks:
            table = _chunk_table(
                ids[chunk.start : chunk.stop],
                languages[chunk.start : chunk.stop],
                scored_mask[chunk.start : chunk.stop],
                chunk.scores,
                summary,
            )
            with ws.write() as cur:
                store.write_scores(cur, table, version)
                in_chunk = "mentions.id IN (SELECT id FROM scored_chunk)"
                store.link_authors(cur, in_chunk)
                store.apply_intents_and_priority(cur, intents_expr, in_chunk)
                if learned_models:  # numpy is imported only when a model is in use
                    from engage_desktop.enrich.learned.apply import apply_in_transaction

                    apply_in_transaction(cur, learned_models, in_chunk)
                corrected, authors = cur.execute(
                    "SELECT count(c.mention_id), list(DISTINCT m.author_id) "
                    "FILTER (m.author_id IS NOT NULL) FROM scored_chunk e "
                    "JOIN mentions m ON m.id = e.id "
                    "LEFT JOIN sentiment_corrections c ON c.mention_id = e.id"
                ).fetchone()
            summary.corrected += int(corrected or 0)
            touched_authors.update(int(a) for a in authors or [])
            stored += len(chunk.scores)
            summary.done += len(chunk.scores)
            if progress is not None:
                progress(summary.done, summary.total)
            hold()
    return stored == len(rows)


#: Fewer posts without a language than this are detected in-process (no round trip).
POOL_LANGUAGE_MIN = 2_000


def _languages(rows: list[tuple[Any, ...]], pool: ScoringPool | None) -> list[str]:
    """Each row's language: the declared one, else detected (in the pool for many)."""
    languages: list[str] = [lang for _, _, _, lang in rows]
    unknown = [i for i, lang in enumerate(languages) if not lang]
    if not unknown:
        return languages
    texts = [text_to_score(rows[i][1], rows[i][2]) for i in unknown]
    # A window's pool (min_task_size 1) takes every batch: the GIL stays with the GUI.
    if pool is not None and (len(unknown) >= POOL_LANGUAGE_MIN or pool.min_task_size <= 1):
        found = pool.detect_languages(texts)
    else:
        found = [detect_language(t) for t in texts]
    for i, code in zip(unknown, found, strict=True):
        languages[i] = code
    return languages


def _chunk_table(
    ids: list[int],
    languages: list[str],
    scored_mask: list[bool],
    scores: list[SentimentScore],
    summary: EnrichSummary,
) -> Any:
    import numpy as np

    from engage_desktop.workspace.columns import ColumnTable

    columns = score_columns(scores, scored_mask)
    n_scored = sum(scored_mask)
    summary.scored += n_scored
    summary.unscored += len(ids) - n_scored
    summary.labels.update(
        lab for lab, keep in zip(columns["label"], scored_mask, strict=True) if keep
    )
    return ColumnTable(
        {
            "id": np.array(ids, dtype=np.int64),
            "language": languages,
            **{k: _floats(v) for k, v in columns.items() if k != "label"},
            "label": columns["label"],
        }
    )


def _floats(values: Sequence[float | None]) -> Any:
    """A float column; None becomes NaN, which DuckDB reads as NULL."""
    import numpy as np

    return np.array(values, dtype=np.float64)


# -- entry points for the hook, the backfill and the CLI --------------------------------


def after_insert(ws: Workspace, mention_ids: Sequence[int], state: Any = None) -> EnrichSummary:
    """The after-insert hook: enrich mentions as soon as they are stored."""
    return enrich(
        ws,
        ids=mention_ids,
        progress=getattr(state, "progress", None),
        is_cancelled=getattr(state, "is_cancelled", None),
    )


def backfill(state: Any, ws: Workspace) -> EnrichSummary:
    """The backlog, as a background task (``TaskRunner.start('enrich', backfill, ws)``)."""
    return enrich(
        ws,
        progress=state.progress,
        is_cancelled=state.is_cancelled,
        pause=getattr(state, "pause", None),
        window=TASK_WINDOW,
    )


def rescore_all(state: Any, ws: Workspace) -> EnrichSummary:
    """Every mention again (File › Re-score), as a background task; corrections win."""
    return enrich(
        ws,
        rescore=True,
        progress=state.progress,
        is_cancelled=state.is_cancelled,
        pause=getattr(state, "pause", None),
        window=TASK_WINDOW,
    )


def retag_intents(ws: Workspace) -> int:
    """Re-apply the intent rules (and priority) to every mention; returns the count."""
    expr = intents_sql(intent_rules(ws))
    with ws.write() as cur:
        store.apply_intents_and_priority(cur, expr, "true")
        return int(cur.execute("SELECT count(*) FROM mentions").fetchone()[0])


def sentence_breakdown(ws: Workspace, mention: dict[str, Any]) -> list[tuple[str, SentimentScore]]:
    """Per-sentence scores of a long, scored post for the detail pane; else ``[]``."""
    if mention.get("model_label") == UNSCORED or not is_scored_language(mention.get("language")):
        return []
    text = text_to_score(mention.get("title"), mention.get("text"))
    pairs = score_sentences(text, workspace_scorer(ws))
    return pairs if len(pairs) >= MIN_SENTENCES else []


# -- bulk enrichment before an insert (the demo generator) -------------------------------


def score_new_rows(
    titles: Sequence[str | None],
    texts: Sequence[str],
    languages: Sequence[str | None],
    *,
    scorer: VaderScorer | None = None,
    processes: int | None = None,
) -> dict[str, Any]:
    """Model sentiment columns for rows about to be inserted, as numpy arrays.

    The languages must be known (the demo generator knows them). The result's
    keys are ``mentions`` columns: sentiment, sentiment_label, sentiment_pos/neu/neg,
    model_sentiment, model_label; add ``scorer_version`` and ``scored_at`` in SQL.
    """
    from engage_desktop.enrich.sentiment import score_batch
    from engage_desktop.workspace.columns import objects

    mask = [is_scored_language(lang) for lang in languages]
    batch = [
        text_to_score(title, text) if keep else ""
        for title, text, keep in zip(titles, texts, mask, strict=True)
    ]
    scores = score_batch(batch, scorer=scorer, processes=processes)
    cols = score_columns(scores, mask)
    compound = _floats(cols["compound"])
    label = objects(cols["label"])
    return {
        "sentiment": compound,
        "sentiment_label": label,
        "model_sentiment": compound,
        "model_label": label,
        "sentiment_pos": _floats(cols["pos"]),
        "sentiment_neu": _floats(cols["neu"]),
        "sentiment_neg": _floats(cols["neg"]),
    }


_SHARES = ("sentiment_pos", "sentiment_neu", "sentiment_neg")


def score_before_insert(
    ws: Workspace,
    titles: Sequence[str | None],
    texts: Sequence[str],
    languages: Sequence[str | None],
    *,
    progress: Progress | None = None,
    is_cancelled: IsCancelled | None = None,
    score: bool = True,
) -> dict[str, Any]:
    """Languages and model scores of rows about to be inserted (an import), as numpy arrays.

    Scoring before the insert means the rows go in scored, and nothing rewrites
    them afterwards (an UPDATE rewrites DuckDB's wide rows). Undeclared languages
    are detected, and VADER runs, in the process pool for big batches. Languages
    are detected even when ``score`` is False (``import --no-enrich``): the watch
    queries are matched before the insert, and ``lang:`` needs them.

    Returns:
        ``language``, ``model_sentiment``, ``model_label``, ``sentiment_pos/neu/neg``
        arrays, one entry per row (the scores all NULL when ``score`` is False); add
        ``scorer_version`` and ``scored_at`` in SQL.

    Raises:
        ScoringCancelled: ``is_cancelled`` returned True.
    """
    import numpy as np

    from engage_desktop.enrich.sentiment import ScoringCancelled
    from engage_desktop.workspace.columns import objects

    scorer = workspace_scorer(ws)
    rows = list(zip(range(len(texts)), titles, texts, languages, strict=True))
    with scoring_pool(scorer, len(rows)) as pool:
        langs = _languages(rows, pool)
        if is_cancelled is not None and is_cancelled():
            raise ScoringCancelled([])
        if not score:
            if progress is not None:
                progress(1, 1)
            return {
                "language": objects(langs),
                "model_sentiment": np.full(len(langs), np.nan),
                "model_label": np.full(len(langs), None, dtype=object),
                **{k: np.full(len(langs), np.nan) for k in _SHARES},
            }
        mask = [is_scored_language(lang) for lang in langs]
        batch = [
            text_to_score(title, text) if keep else ""
            for title, text, keep in zip(titles, texts, mask, strict=True)
        ]
        if pool is not None:
            scores = pool.score_batch(batch, progress=progress, is_cancelled=is_cancelled)
        else:
            scores = []
            for start in range(0, len(batch), CHUNK_SIZE):
                if is_cancelled is not None and is_cancelled():
                    raise ScoringCancelled(scores)
                scores.extend(scorer.score_many(batch[start : start + CHUNK_SIZE]))
                if progress is not None:
                    progress(len(scores), len(batch))
    cols = score_columns(scores, mask)
    return {
        "language": objects(langs),
        "model_sentiment": _floats(cols["compound"]),
        "model_label": objects(cols["label"]),
        "sentiment_pos": _floats(cols["pos"]),
        "sentiment_neu": _floats(cols["neu"]),
        "sentiment_neg": _floats(cols["neg"]),
    }
