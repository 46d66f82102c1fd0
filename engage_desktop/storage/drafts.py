"""Reply drafts: one working draft per mention, autosaved."""

from __future__ import annotations

from typing import Any

from engage_desktop.storage.workspace import Workspace, log_event


def get_draft(ws: Workspace, mention_id: int) -> dict[str, Any] | None:
    """The newest draft for a mention that has not been sent, or None."""
    cur = ws.cursor()
    try:
        res = cur.execute(
            "SELECT * FROM drafts WHERE mention_id = ? ORDER BY updated_at DESC, id DESC LIMIT 1",
            [mention_id],
        )
        names = [d[0] for d in res.description]
        row = res.fetchone()
    finally:
        cur.close()
    return dict(zip(names, row, strict=True)) if row else None


def save_draft(ws: Workspace, mention_id: int, body: str, channel: str | None = None) -> int:
    """Create or update the working draft of a mention; log the change.

    Returns:
        The draft's id.
    """
    with ws.write() as cur:
        row = cur.execute(
            "SELECT id, body FROM drafts WHERE mention_id = ? AND state = 'draft' "
            "ORDER BY id DESC LIMIT 1",
            [mention_id],
        ).fetchone()
        if row:
            draft_id, old = int(row[0]), row[1]
            if old == body:
                return draft_id
            cur.execute(
                "UPDATE drafts SET body = ?, updated_at = now() WHERE id = ?", [body, draft_id]
            )
            log_event(cur, ws.actor, "draft", draft_id, "edit", detail={"mention_id": mention_id})
        else:
            draft_id = int(
                cur.execute(
                    "INSERT INTO drafts (mention_id, channel, body, created_by) "
                    "VALUES (?, ?, ?, ?) RETURNING id",
                    [mention_id, channel, body, ws.actor],
                ).fetchone()[0]
            )
            log_event(cur, ws.actor, "draft", draft_id, "create", detail={"mention_id": mention_id})
    return draft_id
