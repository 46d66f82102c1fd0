"""Storage of enrichment results: scores, corrections, lexicon, intent rules, profiles.

Bulk writes take a table of numpy columns registered on the writer's cursor and run one
``UPDATE ... FROM`` per chunk, inside the caller's :meth:`Workspace.write`
transaction, so a chunk is stored whole or not at all.

Formulas kept here because SQL computes them over many rows at once:

* **Effective sentiment**: an analyst's correction (``sentiment_corrections``)
  wins over the model; otherwise the model's compound and label.
* **Priority** (:data:`PRIORITY_SQL`, 0-100, higher first)::

      40 * negativity  + 25 * reach  + 25 * waiting  + 10 * urgent

  negativity = max(0, -sentiment) (unscored counts 0); reach =
  min(1, log10(1 + followers) / 6), so 1M followers is full reach; waiting = 1
  when nobody answered yet and the status is new or open; urgent = 1 when the
  intents include complaint or churn risk.
* **Author flags** (:func:`refresh_authors`): with weight = log10(10 + reach),
  an *advocate* has at least 3 positive mentions, positives are at least 60% of
  their scored mentions, an average sentiment >= 0.2 and positives x weight >= 9; a
  *detractor* is the mirror image. So 3 posts make a flag only for authors with
  ~1,000 followers, 5 posts from ~50 followers, 9 posts from anyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb

from engage_desktop.workspace import settings as S
from engage_desktop.workspace.database import Workspace, log_event

URGENT_INTENTS = ("complaint", "churn risk")
PRIORITY_SQL = (
    "round(40 * greatest(0.0, -coalesce(sentiment, 0.0))"
    # 1.0 +: a count clamped to the INTEGER maximum must not overflow the sum.
    " + 25 * least(1.0, log10(1.0 + greatest(coalesce(followers, 0), 0)) / 6.0)"
    " + 25 * CASE WHEN first_reply_at IS NULL AND status IN ('new', 'open') THEN 1 ELSE 0 END"
    " + 10 * CASE WHEN list_has_any(intents, ['complaint', 'churn risk']) THEN 1 ELSE 0 END"
    ", 2)"
)
ADVOCATE_MIN_MENTIONS = 3
FLAG_MIN_SHARE = 0.6
FLAG_MIN_AVG = 0.2
FLAG_MIN_WEIGHTED = 9.0
#: Compound stored for a correction given as a label only, when the model disagrees.
CANONICAL_COMPOUND = {"positive": 0.5, "neutral": 0.0, "negative": -0.5}
CORRECTABLE_LABELS = tuple(CANONICAL_COMPOUND)


def write_scores(cur: duckdb.DuckDBPyConnection, scored: Any, version: str) -> None:
    """Store one chunk of model scores; a correction keeps winning.

    Args:
        cur: The writer's cursor, inside a transaction.
        scored: A table (numpy columns) with ``id, language, compound, pos, neu, neg, label``
            (label ``unscored`` and NULL scores for posts not scored).
        version: The scorer version that produced them.
    """
    # The registration lives as long as the writer's cursor, so the caller can
    # select the chunk's ids with ``mentions.id IN (SELECT id FROM scored_chunk)``.
    cur.register("scored_chunk", scored)
    cur.execute(
        """
        UPDATE mentions SET
            language = s.language,
            model_sentiment = s.compound,
            model_label = s.label,
            sentiment_pos = s.pos,
            sentiment_neu = s.neu,
            sentiment_neg = s.neg,
            sentiment = CASE WHEN s.c_label IS NOT NULL THEN s.c_compound ELSE s.compound END,
            sentiment_label = coalesce(s.c_label, s.label),
            scorer_version = ?,
            scored_at = now()
        FROM (SELECT sc.*, c.label AS c_label, c.compound AS c_compound
              FROM scored_chunk sc
              LEFT JOIN sentiment_corrections c ON c.mention_id = sc.id) s
        WHERE mentions.id = s.id
        """,
        [version],
    )


def apply_intents_and_priority(
    cur: duckdb.DuckDBPyConnection, intents_expr: str, where: str, params: Sequence[Any] = ()
) -> None:
    """Re-tag intents, then recompute priority, for the mentions ``where`` selects.

    Only rows whose intents actually change are written: DuckDB rewrites the whole
    (wide, indexed) row when a LIST column changes, ~1 s per 10,000 rows, while the
    regular expressions themselves cost milliseconds. New mentions get their intents
    as they are inserted, so a backfill usually rewrites none.
    """
    cur.execute(
        f"UPDATE mentions SET intents = {intents_expr} "
        f"WHERE ({where}) AND intents IS DISTINCT FROM ({intents_expr})",
        list(params),
    )
    update_priority(cur, where, params)


CUSTOMER_WEIGHT_SETTING = S.CUSTOMER_VALUE_WEIGHT.key
MAX_CUSTOMER_WEIGHT = 50.0


def customer_weight(cur: duckdb.DuckDBPyConnection) -> float:
    """The points priority gives customer value (setting; 0, the default, is off)."""
    row = cur.execute(
        "SELECT value FROM settings WHERE key = ?", [CUSTOMER_WEIGHT_SETTING]
    ).fetchone()
    try:
        return max(0.0, min(MAX_CUSTOMER_WEIGHT, float(row[0]))) if row else 0.0
    except (TypeError, ValueError):
        return 0.0


def priority_sql(weight: float) -> str:
    """The priority expression over ``mentions`` columns, weighing customer value.

    With weight W > 0: ``(100 - W) / 100 x base + W x customer_value``, where
    customer_value is the value rank of the author's customer (``customer_rank``, kept
    on each mention by ``engage_desktop.crm.segments``; 0 for authors who are not
    customers); so priority stays within 0-100.
    """
    if weight <= 0:
        return PRIORITY_SQL
    value = "coalesce(customer_rank, 0.0)"
    return f"round({(100 - weight) / 100:.4f} * {PRIORITY_SQL} + {weight:.4f} * {value}, 2)"


def update_priority(
    cur: duckdb.DuckDBPyConnection, where: str = "true", params: Sequence[Any] = ()
) -> None:
    """Recompute the priority (call after a status, reply, sentiment or link change)."""
    expr = priority_sql(customer_weight(cur))
    cur.execute(f"UPDATE mentions SET priority = {expr} WHERE {where}", list(params))


def link_authors(cur: duckdb.DuckDBPyConnection, where: str, params: Sequence[Any] = ()) -> None:
    """Give mentions without an author id one, creating authors by (channel, handle)."""
    cur.execute(
        f"""
        INSERT INTO authors (channel, handle, name, followers)
        SELECT channel, author_handle, any_value(author_name), max(followers)
        FROM mentions
        WHERE author_id IS NULL AND author_handle IS NOT NULL AND ({where})
        GROUP BY channel, author_handle
        ON CONFLICT DO NOTHING
        """,
        list(params),
    )
    cur.execute(
        f"""
        UPDATE mentions SET author_id = a.id FROM authors a
        WHERE mentions.author_id IS NULL AND a.channel = mentions.channel
          AND a.handle = mentions.author_handle AND ({where})
        """,
        list(params),
    )


def refresh_authors(
    cur: duckdb.DuckDBPyConnection, author_ids: Sequence[int] | None = None
) -> None:
    """Recompute author profiles (all, or only ``author_ids``) and their flags."""
    scope = "true" if author_ids is None else "author_id IN (SELECT unnest(?::BIGINT[]))"
    params: list[Any] = [] if author_ids is None else [list(author_ids)]
    cur.execute(
        f"""
        UPDATE authors SET
            mention_count = s.n,
            first_seen = s.first_seen,
            last_seen = s.last_seen,
            avg_sentiment = s.avg_sentiment,
            followers = greatest(coalesce(authors.followers, 0), coalesce(s.reach, 0)),
            flag = CASE
                WHEN s.n_pos >= {ADVOCATE_MIN_MENTIONS} AND s.n_pos >= {FLAG_MIN_SHARE} * s.n_scored
                     AND s.avg_sentiment >= {FLAG_MIN_AVG}
                     AND s.n_pos * log10(10 + greatest(coalesce(authors.followers, 0),
                                                       coalesce(s.reach, 0)))
                         >= {FLAG_MIN_WEIGHTED}
                THEN 'advocate'
                WHEN s.n_neg >= {ADVOCATE_MIN_MENTIONS} AND s.n_neg >= {FLAG_MIN_SHARE} * s.n_scored
                     AND s.avg_sentiment <= -{FLAG_MIN_AVG}
                     AND s.n_neg * log10(10 + greatest(coalesce(authors.followers, 0),
                                                       coalesce(s.reach, 0)))
                         >= {FLAG_MIN_WEIGHTED}
                THEN 'detractor'
                ELSE NULL END
        FROM (
            SELECT author_id, count(*) AS n, min(published) AS first_seen,
                   max(published) AS last_seen, max(followers) AS reach,
                   round(avg(sentiment) FILTER (sentiment_label <> 'unscored'), 4)
                       AS avg_sentiment,
                   count(*) FILTER (sentiment_label <> 'unscored') AS n_scored,
                   count(*) FILTER (sentiment_label = 'positive') AS n_pos,
                   count(*) FILTER (sentiment_label = 'negative') AS n_neg
            FROM mentions WHERE author_id IS NOT NULL AND {scope}
            GROUP BY author_id
        ) s
        WHERE authors.id = s.author_id
        """,
        params,
    )


# -- corrections ---------------------------------------------------------------------


def set_correction(
    ws: Workspace, mention_id: int, label: str, compound: float | None = None
) -> dict[str, Any]:
    """Record an analyst's sentiment for a mention; it wins over the model from now on.

    Args:
        ws: Writable workspace.
        mention_id: The mention.
        label: positive, neutral or negative.
        compound: The analyst's compound; by default the model's when it has the
            same label, else :data:`CANONICAL_COMPOUND`.

    Returns:
        The stored correction (label, compound, corrected_by, corrected_at).

    Raises:
        KeyError: No such mention.
        ValueError: Bad label or compound.
    """
    if label not in CORRECTABLE_LABELS:
        raise ValueError(f"label must be one of {', '.join(CORRECTABLE_LABELS)}")
    if compound is not None and not -1.0 <= float(compound) <= 1.0:
        raise ValueError("compound must be between -1 and 1")
    with ws.write() as cur:
        row = cur.execute(
            "SELECT model_sentiment, model_label, sentiment_label FROM mentions WHERE id = ?",
            [mention_id],
        ).fetchone()
        if row is None:
            raise KeyError(mention_id)
        model_compound, model_label, old_label = row
        if compound is None:
            compound = (
                model_compound
                if model_label == label and model_compound is not None
                else CANONICAL_COMPOUND[label]
            )
        cur.execute(
            "INSERT OR REPLACE INTO sentiment_corrections "
            "(mention_id, label, compound, corrected_by, corrected_at) VALUES (?, ?, ?, ?, now())",
            [mention_id, label, float(compound), ws.actor],
        )
        cur.execute(
            "UPDATE mentions SET sentiment = ?, sentiment_label = ? WHERE id = ?",
            [float(compound), label, mention_id],
        )
        update_priority(cur, "id = ?", [mention_id])
        log_event(
            cur,
            ws.actor,
            "mention",
            mention_id,
            "correct_sentiment",
            old_label,
            label,
            {"compound": float(compound), "model_label": model_label},
        )
        stored = cur.execute(
            "SELECT label, compound, corrected_by, corrected_at FROM sentiment_corrections "
            "WHERE mention_id = ?",
            [mention_id],
        ).fetchone()
    return dict(zip(("label", "compound", "corrected_by", "corrected_at"), stored, strict=True))


def clear_correction(ws: Workspace, mention_id: int) -> bool:
    """Drop an analyst's correction; the model's score applies again.

    Returns:
        Whether there was a correction.
    """
    with ws.write() as cur:
        old = cur.execute(
            "SELECT label FROM sentiment_corrections WHERE mention_id = ?", [mention_id]
        ).fetchone()
        if old is None:
            return False
        cur.execute("DELETE FROM sentiment_corrections WHERE mention_id = ?", [mention_id])
        cur.execute(
            # The learned model's score, else VADER's, applies again.
            "UPDATE mentions SET sentiment = coalesce(learned_sentiment, model_sentiment), "
            "sentiment_label = coalesce(learned_label, model_label) WHERE id = ?",
            [mention_id],
        )
        update_priority(cur, "id = ?", [mention_id])
        log_event(cur, ws.actor, "mention", mention_id, "clear_sentiment_correction", old[0])
    return True


def get_correction(ws: Workspace, mention_id: int) -> dict[str, Any] | None:
    """The analyst's correction of a mention, or None."""
    cur = ws.cursor()
    try:
        row = cur.execute(
            "SELECT label, compound, corrected_by, corrected_at FROM sentiment_corrections "
            "WHERE mention_id = ?",
            [mention_id],
        ).fetchone()
    finally:
        cur.close()
    keys = ("label", "compound", "corrected_by", "corrected_at")
    return dict(zip(keys, row, strict=True)) if row else None


def sentiment_agreement(ws: Workspace) -> dict[str, Any]:
    """Model-versus-analyst numbers for the dashboard.

    Returns:
        ``corrected`` (mentions with a correction and a model label),
        ``agreed`` (the model had the analyst's label), ``agreement`` (share, or
        None with no corrections), ``kappa`` (Cohen's kappa, or None) and
        ``matrix`` ``{model_label: {analyst_label: count}}``.
    """
    cur = ws.cursor()
    try:
        rows = cur.execute(
            "SELECT m.model_label, c.label, count(*) FROM sentiment_corrections c "
            "JOIN mentions m ON m.id = c.mention_id WHERE m.model_label IS NOT NULL "
            "GROUP BY 1, 2"
        ).fetchall()
    finally:
        cur.close()
    matrix: dict[str, dict[str, int]] = {}
    for model, analyst, n in rows:
        matrix.setdefault(model, {})[analyst] = int(n)
    total = sum(int(n) for *_, n in rows)
    agreed = sum(int(n) for model, analyst, n in rows if model == analyst)
    kappa = None
    if total:
        labels = {m for m, _, _ in rows} | {a for _, a, _ in rows}
        p_o = agreed / total
        p_e = sum(
            (sum(matrix.get(lab, {}).values()) / total)
            * (sum(r.get(lab, 0) for r in matrix.values()) / total)
            for lab in labels
        )
        kappa = None if p_e >= 1.0 else round((p_o - p_e) / (1.0 - p_e), 4)
    return {
        "corrected": total,
        "agreed": agreed,
        "agreement": round(agreed / total, 4) if total else None,
        "kappa": kappa,
        "matrix": matrix,
    }


# -- lexicon adjustments and intent rules ----------------------------------------------


def lexicon_adjustments(ws: Workspace) -> dict[str, float]:
    """The workspace's ``{word: valence}`` overrides."""
    cur = ws.cursor()
    try:
        rows = cur.execute("SELECT word, valence FROM lexicon_adjustments ORDER BY word").fetchall()
    finally:
        cur.close()
    return {str(w): float(v) for w, v in rows}


def set_lexicon_adjustment(ws: Workspace, word: str, valence: float) -> None:
    """Add or change a word's valence for this workspace."""
    with ws.write() as cur:
        old = cur.execute(
            "SELECT valence FROM lexicon_adjustments WHERE word = ?", [word]
        ).fetchone()
        cur.execute(
            "INSERT OR REPLACE INTO lexicon_adjustments (word, valence, added_by, added_at) "
            "VALUES (?, ?, ?, now())",
            [word, float(valence), ws.actor],
        )
        log_event(cur, ws.actor, "lexicon", word, "set", old[0] if old else None, valence)


def remove_lexicon_adjustment(ws: Workspace, word: str) -> bool:
    """Remove a word's override; returns whether it existed."""
    with ws.write() as cur:
        old = cur.execute(
            "SELECT valence FROM lexicon_adjustments WHERE word = ?", [word]
        ).fetchone()
        if old is None:
            return False
        cur.execute("DELETE FROM lexicon_adjustments WHERE word = ?", [word])
        log_event(cur, ws.actor, "lexicon", word, "remove", old[0])
    return True


def intent_rule_rows(ws: Workspace) -> list[tuple[str, str, bool]]:
    """``(name, pattern, enabled)`` of every intent rule, by name."""
    cur = ws.cursor()
    try:
        return [
            (str(n), str(p), bool(e))
            for n, p, e in cur.execute(
                "SELECT name, pattern, enabled FROM intent_rules ORDER BY name"
            ).fetchall()
        ]
    finally:
        cur.close()
