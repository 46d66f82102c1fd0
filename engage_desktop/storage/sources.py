"""Sources and watch queries: the rows behind the feed-watch pane."""

from __future__ import annotations

from typing import Any

from engage_desktop.storage.workspace import Workspace


def _dicts(ws: Workspace, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cur = ws.cursor()
    try:
        res = cur.execute(sql, params or [])
        names = [d[0] for d in res.description]
        return [dict(zip(names, row, strict=True)) for row in res.fetchall()]
    finally:
        cur.close()


def list_sources(ws: Workspace) -> list[dict[str, Any]]:
    """Every source with its health fields and stored item count, by name."""
    return _dicts(
        ws,
        "SELECT s.*, coalesce(m.n, 0) AS items FROM sources s LEFT JOIN "
        "(SELECT source_id, count(*) AS n FROM mentions GROUP BY source_id) m "
        "ON m.source_id = s.id ORDER BY s.name",
    )


def list_watch_queries(ws: Workspace) -> list[dict[str, Any]]:
    """Every watch query with its topic's kind and how many mentions it matched."""
    return _dicts(
        ws,
        "SELECT w.*, t.kind AS topic_kind, (SELECT count(*) FROM mentions m "
        "WHERE list_contains(m.matched_queries, w.id)) AS matched "
        "FROM watch_queries w LEFT JOIN topics t ON t.name = w.topic ORDER BY w.topic, w.name",
    )
