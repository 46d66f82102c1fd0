"""Saved inbox views: named filters in the sidebar, with live counts.

A workspace starts with the generic :data:`DEFAULT_VIEWS` (seeded once; a user who
deletes them does not get them back), plus one "Competitor: NAME" view per
competitor topic, added once per topic as competitors appear
(:func:`sync_topic_views`). Counts for every view come from ONE scan of the mentions
table (``count(*) FILTER (WHERE ...)`` per view), so a sidebar of ten views costs
about as much as one count.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engage_desktop.archive.views import mention_source
from engage_desktop.core.errors import InvalidInput
from engage_desktop.inbox.filters import ME, TOP_TIER, InboxFilter, to_sql
from engage_desktop.workspace import settings as S
from engage_desktop.workspace.database import Workspace, log_event

#: A view added after the first release, seeded once into workspaces that exist.
TEACH_VIEW = "Teach the model"


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
    ("Resolved this week", InboxFilter(statuses=("resolved",), within_days=7)),
    (
        "Negative, unanswered, top-tier customers",
        InboxFilter(sentiments=("negative",), has_reply=False, customer_tiers=(TOP_TIER,)),
    ),
    # Mentions whose correction teaches the learned sentiment model most; 1/2/3 label.
    (TEACH_VIEW, InboxFilter(teach=True, sort="teach")),
)


def competitor_view_name(topic: str) -> str:
    """The sidebar name of a competitor topic's view."""
    return f"Competitor: {topic}"


def _competitor_topics(ws: Workspace) -> list[str]:
    cur = ws.cursor()
    try:
        rows = cur.execute(
            "SELECT name FROM topics WHERE kind = 'competitor' ORDER BY name"
        ).fetchall()
    finally:
        cur.close()
    return [str(r[0]) for r in rows]


def _defaults(ws: Workspace) -> list[SavedView]:
    views = [(name, flt) for name, flt in DEFAULT_VIEWS]
    views += [(competitor_view_name(t), InboxFilter(topics=(t,))) for t in _competitor_topics(ws)]
    return [SavedView(0, name, flt, i) for i, (name, flt) in enumerate(views)]


def sync_topic_views(ws: Workspace) -> list[str]:
    """Add a view for each competitor topic that never had one; returns the names added."""
    if ws.read_only or not S.get(ws, S.VIEWS_SEEDED):
        return []  # not seeded yet: seeding adds them
    done = set(S.get(ws, S.TOPIC_VIEWS_ADDED) or [])
    todo = [t for t in _competitor_topics(ws) if t not in done]
    if not todo:
        return []
    added = []
    with ws.write() as cur:
        pos = int(
            cur.execute("SELECT coalesce(max(position) + 1, 0) FROM saved_views").fetchall()[0][0]
        )
        for topic in todo:
            name = competitor_view_name(topic)
            if cur.execute("SELECT 1 FROM saved_views WHERE name = ?", [name]).fetchall():
                continue
            cur.execute(
                "INSERT INTO saved_views (name, filters, position) VALUES (?, ?, ?)",
                [name, json.dumps(InboxFilter(topics=(topic,)).to_dict()), pos],
            )
            pos += 1
            added.append(name)
        cur.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
            [S.TOPIC_VIEWS_ADDED.key, json.dumps(sorted(done | set(todo)))],
        )
    return added


def seed_default_views(ws: Workspace) -> bool:
    """Store the default views once per workspace; True when they were added.

    Competitor topics get their views here too, and later as they appear.
    """
    if ws.read_only:
        return False
    if S.get(ws, S.VIEWS_SEEDED):
        _seed_teach_view(ws)
        sync_topic_views(ws)
        return False
    with ws.write() as cur:
        have = cur.execute("SELECT count(*) FROM saved_views").fetchone()[0]
        if not have:
            for i, (name, flt) in enumerate(DEFAULT_VIEWS):
                cur.execute(
                    "INSERT INTO saved_views (name, filters, position) VALUES (?, ?, ?)",
                    [name, json.dumps(flt.to_dict()), i],
                )
        for decl in (S.VIEWS_SEEDED, S.TEACH_VIEW_SEEDED):
            cur.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?, 'true')", [decl.key]
            )
    sync_topic_views(ws)
    return not have


def _seed_teach_view(ws: Workspace) -> None:
    """Give a workspace seeded before the learned model its "Teach the model" view, once."""
    if S.get(ws, S.TEACH_VIEW_SEEDED):
        return
    flt = dict(DEFAULT_VIEWS)[TEACH_VIEW]
    with ws.write() as cur:
        cur.execute(
            "INSERT INTO saved_views (name, filters, position) "
            "SELECT ?, ?, coalesce(max(position) + 1, 0) FROM saved_views "
            "WHERE NOT EXISTS (SELECT 1 FROM saved_views WHERE name = ?)",
            [TEACH_VIEW, json.dumps(flt.to_dict()), TEACH_VIEW],
        )
        cur.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?, 'true')",
            [S.TEACH_VIEW_SEEDED.key],
        )


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
        return _defaults(ws)
    return [
        SavedView(int(i), name, InboxFilter.from_dict(json.loads(filters)), int(pos))
        for i, name, filters, pos in rows
    ]


def save_view(ws: Workspace, name: str, flt: InboxFilter) -> SavedView:
    """Save ``flt`` under ``name``; an existing view of that name is replaced."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput("a saved view needs a name; type one and save again")
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
