"""Sources and watch queries: the rows behind the feed-watch pane."""

from __future__ import annotations

import json
from typing import Any

from engage_desktop.workspace.database import Workspace, log_event

# Here, not in listen/fetch.py, so showing sources' health (the window's first
# paint, `sources list`) does not import the HTTP stack.
FAILING_AFTER = 3  # consecutive failures before a source is flagged as failing


def list_sources(ws: Workspace) -> list[dict[str, Any]]:
    """Every source with its health fields and stored item count, by name."""
    return ws.rows(
        "SELECT s.*, coalesce(m.n, 0) AS items FROM sources s LEFT JOIN "
        "(SELECT source_id, count(*) AS n FROM mentions GROUP BY source_id) m "
        "ON m.source_id = s.id ORDER BY s.name",
    )


def list_watch_queries(ws: Workspace) -> list[dict[str, Any]]:
    """Every watch query with its topic's kind and how many mentions it matched."""
    return ws.rows(  # One pass over the mentions for every query's count (a count per query
        # scanned the table once per query: 167 ms at 1M mentions).
        "WITH counts AS (SELECT q AS query_id, count(*) AS matched "
        "FROM (SELECT unnest(list_distinct(matched_queries)) AS q FROM mentions) GROUP BY q) "
        "SELECT w.*, t.kind AS topic_kind, coalesce(c.matched, 0) AS matched "
        "FROM watch_queries w LEFT JOIN topics t ON t.name = w.topic "
        "LEFT JOIN counts c ON c.query_id = w.id ORDER BY w.topic, w.name",
    )


# -- changing sources ------------------------------------------------------------------

SOURCE_FIELDS = ("name", "url", "kind", "channel", "tags", "keep_all", "paused", "interval_s",
                 "config")  # fmt: skip


def get_source(ws: Workspace, source_id: int) -> dict[str, Any] | None:
    """One source row, or None."""
    rows = ws.rows("SELECT * FROM sources WHERE id = ?", [source_id])
    return rows[0] if rows else None


def add_source(
    ws: Workspace,
    *,
    kind: str,
    url: str,
    name: str,
    channel: str,
    tags: list[str] | None = None,
    keep_all: bool = False,
    interval_s: int = 900,
    config: dict[str, Any] | None = None,
) -> int:
    """Add a source; return its id.

    Raises:
        EngageError: A source with this address exists.
    """
    from engage_desktop.core.errors import EngageError

    existing = ws.scalar("SELECT id FROM sources WHERE url = ?", [url])
    if existing is not None:
        raise EngageError(f"{url} is already a source (id {existing}); edit that one instead")
    with ws.write() as cur:
        row = cur.execute(
            "INSERT INTO sources (kind, url, name, channel, tags, keep_all, interval_s, config) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [
                kind,
                url,
                name,
                channel,
                tags or [],
                keep_all,
                interval_s,
                json.dumps(config) if config else None,
            ],
        ).fetchone()
        log_event(cur, ws.actor, "source", row[0], "add", None, url)
    return int(row[0])


def update_source(ws: Workspace, source_id: int, **changes: Any) -> None:
    """Change some of :data:`SOURCE_FIELDS` of a source (logged)."""
    unknown = set(changes) - set(SOURCE_FIELDS)
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)} of a source")
    if not changes:
        return
    if "config" in changes and changes["config"] is not None:
        changes["config"] = json.dumps(changes["config"])
    sets = ", ".join(f"{k} = ?" for k in changes)
    with ws.write() as cur:
        cur.execute(f"UPDATE sources SET {sets} WHERE id = ?", [*changes.values(), source_id])
        log_event(
            cur,
            ws.actor,
            "source",
            source_id,
            "edit",
            None,
            json.dumps({k: str(v) for k, v in changes.items()}),
        )
    if "url" in changes:
        reset_validators(ws, source_id)


def reset_validators(ws: Workspace, source_id: int) -> None:
    """Forget ETag, Last-Modified and cursor, so the next fetch is a full one."""
    with ws.write() as cur:
        cur.execute(
            "UPDATE sources SET etag = NULL, last_modified = NULL, cursor = NULL, "
            "next_run_at = NULL WHERE id = ?",
            [source_id],
        )


def deletion_impact(ws: Workspace, source_id: int) -> dict[str, int]:
    """What deleting a source would remove: its mentions, and those that must stay.

    Mentions that were answered, drafted or annotated are kept even when the user
    asks to delete the source's mentions; the dialog says so.
    """
    cur = ws.cursor()
    try:
        total, kept = cur.execute(
            f"SELECT count(*), count(*) FILTER (WHERE {_KEEP}) FROM mentions m "
            "WHERE m.source_id = ?",
            [source_id],
        ).fetchone()
    finally:
        cur.close()
    return {"mentions": int(total), "kept": int(kept), "removed": int(total - kept)}


_KEEP = (
    "(m.id IN (SELECT mention_id FROM replies) OR m.id IN (SELECT mention_id FROM drafts) "
    "OR m.id IN (SELECT mention_id FROM outbox) "
    "OR m.id IN (SELECT mention_id FROM notes WHERE mention_id IS NOT NULL))"
)


def delete_source(ws: Workspace, source_id: int, *, with_mentions: bool) -> dict[str, int]:
    """Delete a source and, if asked, its mentions that nobody worked on.

    Returns:
        The :func:`deletion_impact` counts (``removed`` is 0 without ``with_mentions``).
    """
    impact = deletion_impact(ws, source_id)
    with ws.write() as cur:
        url = cur.execute("SELECT url FROM sources WHERE id = ?", [source_id]).fetchone()
        if with_mentions:
            cur.execute(
                f"DELETE FROM mentions m WHERE m.source_id = ? AND NOT {_KEEP}", [source_id]
            )
        cur.execute("DELETE FROM sources WHERE id = ?", [source_id])
        log_event(
            cur,
            ws.actor,
            "source",
            source_id,
            "delete",
            url[0] if url else None,
            None,
            {"mentions_removed": impact["removed"] if with_mentions else 0},
        )
    if not with_mentions:
        impact = {**impact, "removed": 0}
    return impact


# -- watch queries --------------------------------------------------------------------


def add_watch_query(
    ws: Workspace, name: str, query: str, topic: str | None = None, topic_kind: str = "other"
) -> int:
    """Add a watch query (and its topic when new); return its id.

    Raises:
        EngageError: The name is taken.
    """
    from engage_desktop.core.errors import EngageError

    topic = topic or name
    if ws.scalar("SELECT id FROM watch_queries WHERE name = ?", [name]) is not None:
        raise EngageError(f"a watch query named {name!r} exists; choose another name")
    with ws.write() as cur:
        cur.execute("INSERT OR IGNORE INTO topics (name, kind) VALUES (?, ?)", [topic, topic_kind])
        row = cur.execute(
            "INSERT INTO watch_queries (name, topic, query) VALUES (?, ?, ?) RETURNING id",
            [name, topic, query],
        ).fetchone()
        log_event(cur, ws.actor, "watch_query", row[0], "add", None, query)
    return int(row[0])


def update_watch_query(ws: Workspace, query_id: int, **changes: Any) -> None:
    """Change name, topic, query or enabled of a watch query (logged)."""
    allowed = {"name", "topic", "query", "enabled"}
    if set(changes) - allowed:
        raise ValueError(f"cannot change {sorted(set(changes) - allowed)} of a watch query")
    if not changes:
        return
    sets = ", ".join(f"{k} = ?" for k in changes)
    with ws.write() as cur:
        if "topic" in changes:
            cur.execute(
                "INSERT OR IGNORE INTO topics (name, kind) VALUES (?, 'other')", [changes["topic"]]
            )
        old = cur.execute("SELECT query FROM watch_queries WHERE id = ?", [query_id]).fetchone()
        cur.execute(
            f"UPDATE watch_queries SET {sets}, updated_at = now() WHERE id = ?",
            [*changes.values(), query_id],
        )
        log_event(
            cur,
            ws.actor,
            "watch_query",
            query_id,
            "edit",
            old[0] if old else None,
            changes.get("query"),
        )


def delete_watch_query(ws: Workspace, query_id: int) -> None:
    """Delete a watch query (mentions it matched stay)."""
    with ws.write() as cur:
        old = cur.execute("SELECT query FROM watch_queries WHERE id = ?", [query_id]).fetchone()
        cur.execute("DELETE FROM watch_queries WHERE id = ?", [query_id])
        log_event(cur, ws.actor, "watch_query", query_id, "delete", old[0] if old else None)


def list_topics(ws: Workspace) -> list[dict[str, Any]]:
    """Topics with their kind, by name."""
    return ws.rows("SELECT * FROM topics ORDER BY name")


def clear_failures(ws: Workspace, source_id: int) -> None:
    """Forget a source's error and back-off so it is fetched again soon (new credentials)."""
    with ws.write() as cur:
        cur.execute(
            "UPDATE sources SET last_error = NULL, failures = 0, next_run_at = NULL WHERE id = ?",
            [source_id],
        )


def watch_query_topic(ws: Workspace, query_id: int) -> str | None:
    """The topic a watch query files its matches under (None when it is gone)."""
    return ws.scalar("SELECT topic FROM watch_queries WHERE id = ?", [query_id])
