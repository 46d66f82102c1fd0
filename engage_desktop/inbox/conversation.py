"""What the composer shows above a draft beside the thread and notes: the author's history.

The thread is :func:`engage_desktop.inbox.threads.thread` and the notes are
:mod:`engage_desktop.inbox.notes`, as in the inbox.
"""

from __future__ import annotations

from typing import Any

from engage_desktop.inbox.people import linked_author_ids
from engage_desktop.workspace.database import Workspace

HISTORY_LIMIT = 6


def author_history(ws: Workspace, mention: dict[str, Any]) -> list[dict[str, Any]]:
    """The author's latest other mentions, newest first, each with our last reply.

    Every account of the same person counts (:func:`linked_author_ids`: a
    shared e-mail address or the same customer record).

    Items have ``id``, ``published``, ``channel``, ``text``, ``sentiment_label``,
    ``status``, ``reply`` (our reply's text or None), ``replied_at`` and ``sent_by``.
    """
    if mention.get("author_id") is None:
        return []
    return ws.rows(  # The author's few mentions are picked first; only their replies are grouped
        # (grouping the whole reply log first cost 170-370 ms per selection at 1M).
        "WITH h AS (SELECT id, published, channel, text, sentiment_label, status "
        "FROM mentions WHERE author_id IN (SELECT unnest(?::BIGINT[])) AND id <> ? "
        "ORDER BY published DESC LIMIT ?) "
        "SELECT h.*, r.body AS reply, r.sent_at AS replied_at, r.sent_by FROM h "
        "LEFT JOIN (SELECT mention_id, arg_max(body, sent_at) AS body, "
        "max(sent_at) AS sent_at, arg_max(sent_by, sent_at) AS sent_by FROM replies "
        "WHERE mention_id IN (SELECT id FROM h) GROUP BY mention_id) r "
        "ON r.mention_id = h.id ORDER BY h.published DESC",
        [linked_author_ids(ws, int(mention["author_id"])), mention["id"], HISTORY_LIMIT],
    )


def author_profile(ws: Workspace, author_id: int | None) -> dict[str, Any] | None:
    """The author row (followers, counts, flag, email), or None."""
    if author_id is None:
        return None
    rows = ws.rows("SELECT * FROM authors WHERE id = ?", [author_id])
    return rows[0] if rows else None
