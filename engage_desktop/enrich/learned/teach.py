"""The teaching queue: the mentions whose correction would teach the model most.

Active learning by uncertainty, spread out: a mention is worth correcting when the
model (or, before there is one, VADER) is least sure of it. Taken purely by
uncertainty, the queue fills with near-duplicates from one busy channel, so
candidates are ranked within each (channel, first topic) group and the groups take
turns: the first of every group, then the second of every group, and so on.

VADER's certainty is its distance from a decision threshold (±0.05 on the
compound), mapped onto the learned model's scale (the probability of its label,
1/3 to 1) so a workspace with domain models for some topics ranks all alike.
"""

from __future__ import annotations

from engage_desktop.workspace.database import Workspace

#: Mentions kept in the queue (a session of corrections, not the whole workspace).
QUEUE_SIZE = 500

CERTAINTY_SQL = (
    "coalesce(learned_confidence, least(1.0, 1.0 / 3 + 2 * abs(abs(model_sentiment) - 0.05)))"
)


def refresh_teaching_queue(ws: Workspace, size: int = QUEUE_SIZE) -> int:
    """Recompute the queue; returns how many mentions it holds.

    Candidates are scored mentions (English) that nobody has corrected yet.
    """
    if ws.read_only:
        return int(ws.scalar("SELECT count(*) FROM teaching_queue"))
    with ws.write() as cur:
        cur.execute("DELETE FROM teaching_queue")
        cur.execute(
            f"""
            INSERT INTO teaching_queue (mention_id, rank)
            SELECT id, row_number() OVER (ORDER BY turn, certainty, id) FROM (
                SELECT id, certainty,
                       row_number() OVER (PARTITION BY channel, coalesce(topics[1], '')
                                          ORDER BY certainty, id) AS turn
                FROM (SELECT id, channel, topics, {CERTAINTY_SQL} AS certainty
                      FROM mentions
                      WHERE model_label IN ('positive', 'neutral', 'negative')
                        AND model_sentiment IS NOT NULL
                        AND id NOT IN (SELECT mention_id FROM sentiment_corrections))
            )
            ORDER BY turn, certainty, id
            LIMIT {int(size)}
            """
        )
        return int(cur.execute("SELECT count(*) FROM teaching_queue").fetchall()[0][0])
