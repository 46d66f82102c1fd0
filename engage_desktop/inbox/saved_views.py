"""Saved inbox views: named filters in the sidebar, with live counts.

A workspace starts with :data:`DEFAULT_VIEWS` (seeded once; a user who deletes them
does not get them back). Counts for every view come from ONE scan of the mentions
table (``count(*) FILTER (WHERE ...)`` per view), so a sidebar of ten views costs
about as much as one count.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engage_desktop.archive.views import mention_source
from engage_desktop.core.errors import UsageError
from engage_desktop.inbox.filters import ME, TOP_TIER, InboxFilter, to_sql
from engage_desktop.workspace import settings as S
from engage_desktop.workspace.database import Workspace, log_event


@dataclass(frozen=True)
class SavedView:
    """One named filter.

    Attributes:
        id: Row id (0 for a default not stored, e.g. in a read-only workspace).
        name: Shown in the sidebar.
        filter: What it shows.
        position: Order in the sidebar.
    """

    id: int
    name: str
    filter: InboxFilter
    position: int = 0


DEFAULT_VIEWS: tuple[tuple[str, InboxFilter], ...] = (
    ("Needs a reply", InboxFilter(statuses=("new", "open"), has_reply=False)),
    (
        "Negative & unanswered this week",
        InboxFilter(sentiments=("negative",), has_reply=False, within_days=7),
    ),
    (
        "High reach, waiting",
        InboxFilter(statuses=("new", "open"), min_reach=10_000, sort="reach"),
    ),
    ("Assigned to me", InboxFilter(owners=(ME,), statuses=("new", "open", "pending"))),
    ("Starred", InboxFilter(starred=True)),
    ("Competitor: Orbit", InboxFilter(topics=("Orbit",))),
    ("Competitor: Skylink", InboxFilter(topics=("Skylink",))),
    ("Outage", InboxFilter(topics=("Outage",))),
    ("Resolved this week", InboxFilter(statuses=("resolved",), within_days=7)),
    (
        "Negative, unanswered, top-tier customers",
        InboxFilter(sentiments=("negative",), has_reply=False, customer_tiers=(TOP_TIER,)),
    ),
)


def _defaults() -> list[SavedView]:
    return [SavedView(0, name, flt, i) for i, (name, flt) in enumerate(DEFAULT_VIEWS)]


def seed_default_views(ws: Workspace) -> bool:
    """Store the default views once per workspace; True when they were added."""
    if ws.read_only or S.get(ws, S.VIEWS_SEEDED):
        return False
    with ws.write() as cur:
        have = cur.execute("SELECT count(*) FROM saved_views").fetchone()[0]
        if not have:
            for i, (name, flt) in enumerate(DEFAULT_VIEWS):
                cur.execute(
                    "INSERT INTO saved_views (name, filters, position) VALUES (?, ?, ?)",
                    [name, json.dumps(flt.to_dict()), i],
                )
        cur.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?, 'true')", [S.VIEWS_SEEDED.key]
        )
    return not have


def list_views(ws: Workspace) -> list[SavedView]:
    """Saved views in sidebar order.

    A workspace whose views were never seeded (new, or opened only read-only or by the
    CLI so far) shows the defaults without storing them.
    """
    cur = ws.cursor()
    try:
        rows = cur.execute(
            "SELECT id, name, filters, position FROM saved_views ORDER BY position, id"
        ).fetchall()
    finally:
        cur.close()
    if not rows and not S.get(ws, S.VIEWS_SEEDED):
        return _defaults()
    return [
        SavedView(int(i), name, InboxFilter.from_dict(json.loads(filters)), int(pos))
        for i, name, filters, pos in rows
    ]


def save_view(ws: Workspace, name: str, flt: InboxFilter) -> SavedView:
    """Save ``flt`` under ``name``; an existing view of that name is replaced."""
    name = (name or "").strip()
    if not name:
        raise UsageError("a saved view needs a name; type one and save again")
    encoded = json.dumps(flt.to_dict())
    with ws.write() as cur:
        found = cur.execute("SELECT id FROM saved_views WHERE name = ?", [name]).fetchone()
        if found:
            view_id = int(found[0])
            cur.execute("UPDATE saved_views SET filters = ? WHERE id = ?", [encoded, view_id])
        else:
            pos = cur.execute("SELECT coalesce(max(position) + 1, 0) FROM saved_views").fetchone()
            view_id = int(
                cur.execute(
                    "INSERT INTO saved_views (name, filters, position) VALUES (?, ?, ?) "
                    "RETURNING id",
                    [name, encoded, int(pos[0])],
                ).fetchone()[0]
            )
        log_event(cur, ws.actor, "saved_view", view_id, "save", None, name, flt.to_dict())
    return SavedView(view_id, name, flt)


def delete_view(ws: Workspace, view_id: int) -> None:
    """Remove a saved view."""
    with ws.write() as cur:
        found = cur.execute("SELECT name FROM saved_views WHERE id = ?", [view_id]).fetchone()
        cur.execute("DELETE FROM saved_views WHERE id = ?", [view_id])
        if found:
            log_event(cur, ws.actor, "saved_view", view_id, "delete", found[0], None)


def view_counts(
    ws: Workspace, filters: list[InboxFilter], now: datetime | None = None
) -> list[int]:
    """How many mentions each filter shows, in one scan.

    Thread-safe: uses its own cursor, so it can run on a worker thread.
    """
    if not filters:
        return []
    selects: list[str] = []
    params: list[Any] = []
    for flt in filters:
        where, values = to_sql(flt, ws.actor, now)
        selects.append(f"count(*) FILTER (WHERE {where})")
        params.extend(values)
    cur = ws.cursor()
    try:
        # Counted over the attached archive too, so a view's count is what it shows.
        source = mention_source(ws).sql
        row = cur.execute(f"SELECT {', '.join(selects)} FROM {source}", params).fetchone()
    finally:
        cur.close()
    return [int(v) for v in row]
