"""Customer segments on the mentions: each mention carries its author's customer.

``mentions.customer_id``, ``customer_tier``, ``customer_value``, ``customer_rank``
(value rank, 0..1) and ``customer_top`` (the tier is the top tier: the one with the
highest mean value) are copies of the customer record linked to the mention's
author. Segment filters (:func:`engage_desktop.inbox.filters.segment_sql`) test
these columns as DuckDB scans, so the inbox's newest-first page keeps skipping row
groups; a join in the WHERE clause made the same page 20x slower on 1M mentions.

They are kept in step here: after every link change (:mod:`.identity`), every
import (tier and value may change) and, as an after-insert hook, for new mentions.
Only rows whose values differ are written; these are plain (not LIST) columns, so
the update does not rewrite the wide mention rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engage_desktop.enrich.store import customer_weight, update_priority

TOP_TIER_SQL = (
    "(SELECT tier FROM customers WHERE tier IS NOT NULL GROUP BY tier "
    "ORDER BY avg(value) DESC NULLS LAST, tier LIMIT 1)"
)
_COLUMNS = ("customer_id", "customer_tier", "customer_value", "customer_rank", "customer_top")


def sync_customer_columns(
    cur: Any,
    authors: str = "SELECT id FROM authors",
    params: Sequence[Any] = (),
    mention_ids: Sequence[int] | None = None,
) -> None:
    """Copy the customer of each author in ``authors`` onto their mentions.

    The customer values are worked out once per author (a few thousand rows), then
    one join on ``author_id`` writes the mentions whose values differ.

    Args:
        cur: The writer's cursor, inside a transaction.
        authors: SQL selecting author ids (e.g. ``SELECT ?`` for one author).
        params: Its parameters.
        mention_ids: Only these mentions (new ones) instead of all their mentions.
    """
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE crm_sync AS SELECT a.id AS author_id, l.customer_id, "
        "c.tier AS customer_tier, c.value AS customer_value, c.value_rank AS customer_rank, "
        f"CASE WHEN l.customer_id IS NULL THEN NULL ELSE coalesce(c.tier = {TOP_TIER_SQL}, false) "
        "END AS customer_top FROM authors a LEFT JOIN customer_links l ON l.author_id = a.id "
        f"LEFT JOIN customers c ON c.id = l.customer_id WHERE a.id IN ({authors})",
        list(params),
    )
    differs = " OR ".join(f"mentions.{c} IS DISTINCT FROM s.{c}" for c in _COLUMNS)
    only = "" if mention_ids is None else "AND mentions.id IN (SELECT unnest(?::BIGINT[])) "
    cur.execute(
        "UPDATE mentions SET "
        + ", ".join(f"{c} = s.{c}" for c in _COLUMNS)
        + f" FROM crm_sync s WHERE mentions.author_id = s.author_id {only}AND ({differs})",
        [] if mention_ids is None else [list(mention_ids)],
    )
    if customer_weight(cur) > 0:
        if mention_ids is None:
            update_priority(cur, "author_id IN (SELECT author_id FROM crm_sync)")
        else:
            update_priority(cur, "id IN (SELECT unnest(?::BIGINT[]))", [list(mention_ids)])
    cur.execute("DROP TABLE crm_sync")


def after_insert(ws: Any, mention_ids: Sequence[int], state: Any = None) -> int:
    """The after-insert hook: new mentions of known customers carry their customer."""
    if not mention_ids:
        return 0
    cur = ws.cursor()
    try:
        linked = cur.execute("SELECT count(*) FROM customer_links").fetchone()[0]
    finally:
        cur.close()
    if not linked and customer_weight(ws.cursor()) <= 0:
        return 0
    with ws.write() as cur:
        sync_customer_columns(
            cur,
            "SELECT DISTINCT author_id FROM mentions WHERE id IN (SELECT unnest(?::BIGINT[]))",
            [list(mention_ids)],
            mention_ids,
        )
    return len(mention_ids)
