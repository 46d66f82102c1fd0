"""The outbox table: replies waiting to go out, and what happened to them.

A row is written, with its idempotency key, *before* any network call; its state is
``pending`` until a send succeeds (``sent``), fails for good (``failed``) or the user
throws it away (``discarded``). See :mod:`engage_desktop.outbox.send`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engage_desktop.core.errors import EngageError
from engage_desktop.core.ids import new_tid
from engage_desktop.workspace.database import Workspace, log_event

STATES = ("pending", "sent", "failed", "discarded")


@dataclass(frozen=True)
class OutboxRow:
    """One reply in the outbox."""

    id: int
    mention_id: int
    draft_id: int | None
    account_id: int | None
    channel: str
    body: str
    visibility: str | None
    idempotency_key: str
    state: str
    attempts: int
    next_attempt_at: datetime | None
    scheduled_at: datetime | None
    last_error: str | None
    remote_id: str | None
    remote_url: str | None
    created_at: datetime
    sent_at: datetime | None

    def outcome(self, when: str = "%d %b %Y %H:%M") -> str:
        """What became of the reply, in words: the outbox's result column.

        Args:
            when: ``strftime`` format of the sending and scheduled times.
        """
        if self.state == "sent" and self.sent_at is not None:
            return f"sent {self.sent_at:{when}} {self.remote_url or self.remote_id or ''}".rstrip()
        if self.state == "pending" and self.scheduled_at and not self.attempts:
            return f"scheduled for {self.scheduled_at:{when}} UTC"
        if self.last_error:
            retry = f"retry at {self.next_attempt_at:%H:%M:%S} — " if self.next_attempt_at else ""
            return retry + self.last_error
        return "waiting to be sent"


_COLUMNS = (
    "id, mention_id, draft_id, account_id, channel, body, visibility, idempotency_key, state, "
    "attempts, next_attempt_at, scheduled_at, last_error, remote_id, remote_url, created_at, "
    "sent_at"
)


def _fetch(
    ws: Workspace, where: str, params: list[Any], limit: int | None = None
) -> list[OutboxRow]:
    sql = f"SELECT {_COLUMNS} FROM outbox WHERE {where} ORDER BY id"
    if limit:
        sql = f"SELECT * FROM ({sql} DESC LIMIT {int(limit)}) ORDER BY id"
    cur = ws.cursor()
    try:
        rows = cur.execute(sql, params).fetchall()
    finally:
        cur.close()
    return [OutboxRow(*r) for r in rows]


def insert_outbox_row(
    cur,
    actor: str,
    *,
    mention_id: int,
    channel: str,
    body: str,
    account_id: int | None,
    visibility: str | None,
    draft_id: int | None,
    scheduled_at: datetime | None,
) -> tuple[int, str]:
    """Write a pending row inside the caller's transaction; returns (id, key)."""
    key = new_tid()
    while cur.execute("SELECT 1 FROM outbox WHERE idempotency_key = ?", [key]).fetchone():
        key = new_tid()  # a clash needs the same microsecond and clock id: redraw
    outbox_id = int(
        cur.execute(
            "INSERT INTO outbox (mention_id, draft_id, account_id, channel, body, visibility, "
            "idempotency_key, scheduled_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "RETURNING id",
            [
                mention_id,
                draft_id,
                account_id,
                channel,
                body,
                visibility,
                key,
                scheduled_at,
                scheduled_at,
            ],
        ).fetchone()[0]
    )
    log_event(
        cur,
        actor,
        "outbox",
        outbox_id,
        "queue",
        None,
        "pending",
        {
            "mention_id": mention_id,
            "channel": channel,
            "key": key,
            "scheduled_at": scheduled_at.isoformat() if scheduled_at else None,
        },
    )
    return outbox_id, key


def get_outbox_row(ws: Workspace, outbox_id: int) -> OutboxRow | None:
    """One row, or None."""
    rows = _fetch(ws, "id = ?", [outbox_id])
    return rows[0] if rows else None


def list_outbox(
    ws: Workspace, states: tuple[str, ...] | None = None, limit: int = 500
) -> list[OutboxRow]:
    """The newest ``limit`` rows (optionally in some states), oldest first."""
    if states:
        return _fetch(ws, "list_contains(?, state)", [list(states)], limit)
    return _fetch(ws, "true", [], limit)


def due_rows(ws: Workspace, now: datetime, *, ignore_backoff: bool = False) -> list[OutboxRow]:
    """Pending rows whose time has come (scheduled rows wait for their time).

    Args:
        ws: The workspace.
        now: The current time (UTC).
        ignore_backoff: Try rows waiting for a retry now too (``outbox send``); a
            scheduled time is still respected.
    """
    if ignore_backoff:
        return _fetch(
            ws, "state = 'pending' AND (scheduled_at IS NULL OR scheduled_at <= ?)", [now]
        )
    return _fetch(
        ws, "state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)", [now]
    )


def failures_for(ws: Workspace, mention_id: int) -> list[OutboxRow]:
    """Rows of a mention that failed or are waiting to retry after an error."""
    return _fetch(
        ws,
        "mention_id = ? AND (state = 'failed' OR (state = 'pending' AND last_error IS NOT NULL))",
        [mention_id],
    )


def pending_for(ws: Workspace, mention_id: int) -> list[OutboxRow]:
    """Pending rows of a mention."""
    return _fetch(ws, "mention_id = ? AND state = 'pending'", [mention_id])


def outbox_counts(ws: Workspace) -> dict[str, int]:
    """Rows per state."""
    cur = ws.cursor()
    try:
        rows = cur.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall()
    finally:
        cur.close()
    counts = dict.fromkeys(STATES, 0)
    counts.update({state: int(n) for state, n in rows})
    return counts


def set_row_state(
    ws: Workspace, outbox_id: int, allowed: tuple[str, ...], state: str, action: str
) -> OutboxRow:
    """Move a row between states by the user's hand (retry, discard), logged.

    Raises:
        EngageError: There is no such row, or it is in a state that does not allow it.
    """
    with ws.write() as cur:
        row = cur.execute("SELECT state FROM outbox WHERE id = ?", [outbox_id]).fetchone()
        if row is None:
            raise EngageError(f"there is no outbox entry {outbox_id}; see 'outbox list'")
        if row[0] not in allowed:
            raise EngageError(f"outbox entry {outbox_id} is {row[0]}; it cannot be {action}")
        cur.execute(
            "UPDATE outbox SET state = ?, next_attempt_at = NULL WHERE id = ?", [state, outbox_id]
        )
        log_event(cur, ws.actor, "outbox", outbox_id, action, row[0], state)
    found = get_outbox_row(ws, outbox_id)
    assert found is not None
    return found
