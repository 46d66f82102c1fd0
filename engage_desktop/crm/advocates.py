"""Advocates ranked by influence: how far their positive word travels.

Candidates are authors with at least :data:`MIN_POSITIVE` positive mentions in the
period. For each, over their positive mentions only::

    reach      = sum of log10(1 + followers at the time of the post)
    engagement = sum of log2(1 + replies + 2 x reposts)
    echo       = distinct OTHER authors who replied to them, or named their @handle,
                 in a positive post
    influence  = reach + engagement + 3 x echo

Logarithms keep one viral post or one celebrity account from drowning steady
advocates; reposts count twice because they carry the post to a new audience; each
person who answers positively counts three points because advocacy is the value a
person's influence brings to others "like them". The list is exported (CSV) for a
referral programme, with the customer record when the author is linked to one.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from engage_desktop.workspace.database import Workspace

MIN_POSITIVE = 3
ECHO_WEIGHT = 3.0
EXPORT_COLUMNS = (
    "rank", "author_id", "channel", "handle", "name", "profile_url", "flag",
    "positive_posts", "reach", "engagement", "echo", "influence",
    "customer_id", "customer_name", "tier", "email",
)  # fmt: skip


@dataclass(frozen=True)
class Advocate:
    """One ranked advocate (fields as in :data:`EXPORT_COLUMNS`)."""

    rank: int
    author_id: int
    channel: str
    handle: str
    name: str | None
    profile_url: str | None
    flag: str | None
    positive_posts: int
    reach: float
    engagement: float
    echo: int
    influence: float
    customer_id: str | None
    customer_name: str | None
    tier: str | None
    email: str | None


def rank_advocates(ws: Workspace, limit: int = 100, days: int | None = None) -> list[Advocate]:
    """The top advocates by influence (see the module docstring), highest first."""
    since = None
    if days:
        newest = ws.scalar("SELECT max(published) FROM mentions") or datetime.now(UTC)
        since = newest - timedelta(days=int(days))
    period = "published >= ?" if since is not None else "true"
    params: list[Any] = [since] if since is not None else []
    sql = f"""
    WITH pos AS (
        SELECT author_id, channel, remote_id, parent_id, followers, replies, reposts, text
        FROM mentions WHERE sentiment_label = 'positive' AND author_id IS NOT NULL AND {period}
    ),
    cand AS (
        SELECT author_id, count(*) AS positive_posts,
               sum(log10(1.0 + greatest(coalesce(followers, 0), 0))) AS reach,
               sum(log2(1 + greatest(coalesce(replies, 0), 0)
                       + 2 * greatest(coalesce(reposts, 0), 0))) AS engagement
        FROM pos GROUP BY author_id HAVING count(*) >= {MIN_POSITIVE}
    ),
    cand_handles AS (
        SELECT a.id, lower(ltrim(a.handle, '@')) AS h
        FROM cand JOIN authors a ON a.id = cand.author_id
    ),
    replied AS (
        SELECT DISTINCT c.author_id AS target, r.author_id AS who
        FROM pos r JOIN mentions p ON p.channel = r.channel AND p.remote_id = r.parent_id
        JOIN cand c ON c.author_id = p.author_id
        WHERE r.author_id <> p.author_id
    ),
    named AS (
        SELECT DISTINCT t.id AS target, x.author_id AS who FROM (
            SELECT author_id, lower(unnest(regexp_extract_all(text, '@([A-Za-z0-9_.]+)', 1))) AS h
            FROM pos WHERE contains(text, '@')
        ) x JOIN cand_handles t ON t.h = x.h
        WHERE x.author_id <> t.id
    ),
    echo AS (
        SELECT target, count(DISTINCT who) AS echo
        FROM (SELECT * FROM replied UNION ALL SELECT * FROM named) GROUP BY target
    )
    SELECT cand.author_id, a.channel, a.handle, a.name, a.profile_url, a.flag,
           cand.positive_posts, cand.reach, cand.engagement, coalesce(echo.echo, 0) AS echo,
           cand.reach + cand.engagement + {ECHO_WEIGHT} * coalesce(echo.echo, 0) AS influence,
           c.external_id, c.name AS customer_name, c.tier,
           coalesce(a.email, (SELECT min(email) FROM customer_emails e
                              WHERE e.customer_id = c.id)) AS email
    FROM cand JOIN authors a ON a.id = cand.author_id
    LEFT JOIN echo ON echo.target = cand.author_id
    LEFT JOIN customer_links l ON l.author_id = cand.author_id
    LEFT JOIN customers c ON c.id = l.customer_id
    ORDER BY influence DESC, cand.author_id LIMIT {int(limit)}
    """
    cur = ws.cursor()
    try:
        rows = cur.execute(sql, params).fetchall()
    finally:
        cur.close()
    return [
        Advocate(
            rank=i + 1,
            author_id=int(r[0]),
            channel=r[1],
            handle=r[2],
            name=r[3],
            profile_url=r[4],
            flag=r[5],
            positive_posts=int(r[6]),
            reach=round(float(r[7]), 2),
            engagement=round(float(r[8]), 2),
            echo=int(r[9]),
            influence=round(float(r[10]), 2),
            customer_id=r[11],
            customer_name=r[12],
            tier=r[13],
            email=r[14],
        )
        for i, r in enumerate(rows)
    ]


def _cell(value: Any) -> Any:
    """A CSV cell a spreadsheet will not run: text starting like a formula is quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def export_advocates(advocates: list[Advocate], path: str | Path) -> int:
    """Write the ranked list as CSV (:data:`EXPORT_COLUMNS`); returns rows written."""
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(EXPORT_COLUMNS)
        for adv in advocates:
            writer.writerow([_cell(getattr(adv, name)) for name in EXPORT_COLUMNS])
    return len(advocates)
