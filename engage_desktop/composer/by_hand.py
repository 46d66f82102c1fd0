"""Replies posted by hand: recorded only when the user says so, and undoable.

A blog, forum or review site has no reply API. The user copies the reply, opens the
original, posts it there, and then marks it as sent: only that explicit step writes
the reply log, the first-response time and the mention's status, because those feed
the response-time and SLA figures. A mistaken mark is taken back with
:func:`undo_mark_sent`, which restores exactly what the mark changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engage_desktop.composer.compose import queue_reply
from engage_desktop.core.errors import EngageError
from engage_desktop.outbox.channels.manual import ManualChannel
from engage_desktop.outbox.send import send_row
from engage_desktop.outbox.store import get_outbox_row
from engage_desktop.workspace.database import Workspace, log_event


@dataclass(frozen=True)
class MarkedSent:
    """What marking a reply as sent changed, so that it can be undone."""

    outbox_id: int
    mention_id: int
    draft_id: int | None
    old_status: str | None
    old_first_reply_at: datetime | None


def mark_sent_by_hand(
    ws: Workspace, mention_id: int, body: str, *, draft_id: int | None = None
) -> MarkedSent:
    """Record a reply the user posted by hand under the original post.

    Raises:
        EngageError: The reply is empty or too long, approval is missing, or the
            mention is gone (the same checks as any reply).
    """
    before = (
        ws.cursor()
        .execute("SELECT status, first_reply_at FROM mentions WHERE id = ?", [mention_id])
        .fetchone()
    )
    outbox_id = queue_reply(
        ws, mention_id, body, channel="manual", account_id=None, draft_id=draft_id
    )
    row = get_outbox_row(ws, outbox_id)
    assert row is not None  # just inserted
    # The outbox's own pass may claim the row first; either way it ends up sent.
    send_row(ws, row, ManualChannel())
    after = get_outbox_row(ws, outbox_id)
    if after is None or after.state != "sent":
        raise EngageError(f"the reply could not be recorded: {after.last_error if after else ''}")
    return MarkedSent(
        outbox_id=outbox_id,
        mention_id=mention_id,
        draft_id=draft_id,
        old_status=before[0] if before else None,
        old_first_reply_at=before[1] if before else None,
    )


def undo_mark_sent(ws: Workspace, marked: MarkedSent) -> None:
    """Take back a "Mark as sent": the reply log row, the first response and the status.

    The reply goes back to being a draft, so the user can post it and mark it again.

    Raises:
        EngageError: The entry is not a sent by-hand reply (already undone, or sent
            through a network channel, which cannot be unsent).
    """
    with ws.write() as cur:
        row = cur.execute(
            "SELECT state, channel FROM outbox WHERE id = ?", [marked.outbox_id]
        ).fetchone()
        if row is None or row[0] != "sent" or row[1] != "manual":
            raise EngageError(
                f"outbox entry {marked.outbox_id} is not a reply marked as sent by hand; "
                "nothing to undo"
            )
        cur.execute("DELETE FROM replies WHERE outbox_id = ?", [marked.outbox_id])
        cur.execute(
            "UPDATE outbox SET state = 'discarded', sent_at = NULL WHERE id = ?",
            [marked.outbox_id],
        )
        status = cur.execute(
            "SELECT status FROM mentions WHERE id = ?", [marked.mention_id]
        ).fetchone()
        cur.execute(
            "UPDATE mentions SET first_reply_at = ?, status = coalesce(?, status) WHERE id = ?",
            [marked.old_first_reply_at, marked.old_status, marked.mention_id],
        )
        if status and marked.old_status and status[0] != marked.old_status:
            log_event(
                cur,
                ws.actor,
                "mention",
                marked.mention_id,
                "status",
                status[0],
                marked.old_status,
                {"reason": "mark as sent undone"},
            )
        if marked.draft_id is not None:
            cur.execute(
                "UPDATE drafts SET state = 'draft', updated_at = now() WHERE id = ?",
                [marked.draft_id],
            )
        log_event(cur, ws.actor, "outbox", marked.outbox_id, "undo_sent", "sent", "discarded")
