"""Reply drafts: one working draft per mention, autosaved, with an approval step.

States: ``draft`` → (when the workspace requires approval) ``needs_approval`` →
``approved`` or ``rejected`` (sent back with a comment) → ``sent`` once queued in
the outbox. ``discarded`` drafts are kept for the record. A draft waiting for
approval, or approved, cannot change silently: it must be withdrawn to ``draft``
first, so what an approver approved is exactly what is sent. Every step is an event.
"""

from __future__ import annotations

from typing import Any

from engage_desktop.core.errors import EngageError
from engage_desktop.workspace import settings as S
from engage_desktop.workspace.database import Workspace, log_event

OPEN_STATES = ("draft", "needs_approval", "approved", "rejected")
LOCKED_STATES = ("needs_approval", "approved")
_UNSET: Any = object()


def approval_required(ws: Workspace) -> bool:
    """True when this workspace requires a reply to be approved before it is sent."""
    return bool(S.get(ws, S.APPROVAL_REQUIRED))


def _row(cur, sql: str, params: list[Any]) -> dict[str, Any] | None:
    res = cur.execute(sql, params)
    names = [d[0] for d in res.description]
    row = res.fetchone()
    return dict(zip(names, row, strict=True)) if row else None


def get_draft(ws: Workspace, mention_id: int) -> dict[str, Any] | None:
    """The working (not yet sent or discarded) draft of a mention, or None."""
    cur = ws.cursor()
    try:
        return _row(
            cur,
            "SELECT * FROM drafts WHERE mention_id = ? AND state IN "
            "('draft', 'needs_approval', 'approved', 'rejected') "
            "ORDER BY updated_at DESC, id DESC LIMIT 1",
            [mention_id],
        )
    finally:
        cur.close()


def get_draft_by_id(ws: Workspace, draft_id: int) -> dict[str, Any] | None:
    """A draft by its id, or None."""
    cur = ws.cursor()
    try:
        return _row(cur, "SELECT * FROM drafts WHERE id = ?", [draft_id])
    finally:
        cur.close()


def save_draft(
    ws: Workspace,
    mention_id: int,
    body: str,
    channel: str | None = None,
    *,
    account_id: int | None = _UNSET,
    visibility: str | None = _UNSET,
) -> int:
    """Create or update the working draft of a mention; log the change.

    Args:
        ws: The workspace.
        mention_id: The mention answered.
        body: The reply text.
        channel: The reply channel (mastodon, bluesky, email, manual).
        account_id: The account to send from (unchanged when not given).
        visibility: Mastodon visibility (unchanged when not given).

    Returns:
        The draft's id.

    Raises:
        EngageError: The draft waits for approval or is approved and the text changed.
    """
    with ws.write() as cur:
        row = cur.execute(
            "SELECT id, body, state, channel, account_id, visibility FROM drafts "
            "WHERE mention_id = ? AND state IN ('draft', 'needs_approval', 'approved', "
            "'rejected') ORDER BY updated_at DESC, id DESC LIMIT 1",
            [mention_id],
        ).fetchone()
        if row:
            draft_id, old_body, state = int(row[0]), row[1], row[2]
            new_channel = channel if channel is not None else row[3]
            new_account = row[4] if account_id is _UNSET else account_id
            new_visibility = row[5] if visibility is _UNSET else visibility
            if (old_body, row[3], row[4], row[5]) == (
                body,
                new_channel,
                new_account,
                new_visibility,
            ):
                return draft_id
            if state in LOCKED_STATES and old_body != body:
                raise EngageError(
                    "this draft is waiting for approval or approved; withdraw it to edit it"
                )
            cur.execute(
                "UPDATE drafts SET body = ?, channel = ?, account_id = ?, visibility = ?, "
                "updated_at = now() WHERE id = ?",
                [body, new_channel, new_account, new_visibility, draft_id],
            )
            if old_body != body:
                log_event(
                    cur, ws.actor, "draft", draft_id, "edit", detail={"mention_id": mention_id}
                )
        else:
            draft_id = int(
                cur.execute(
                    "INSERT INTO drafts (mention_id, channel, body, account_id, visibility, "
                    "created_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                    [
                        mention_id,
                        channel,
                        body,
                        None if account_id is _UNSET else account_id,
                        None if visibility is _UNSET else visibility,
                        ws.actor,
                    ],
                ).fetchone()[0]
            )
            log_event(cur, ws.actor, "draft", draft_id, "create", detail={"mention_id": mention_id})
    return draft_id


def _transition(
    ws: Workspace,
    draft_id: int,
    allowed: tuple[str, ...],
    new_state: str,
    action: str,
    comment: str | None = None,
) -> dict[str, Any]:
    with ws.write() as cur:
        row = cur.execute(
            "SELECT state, mention_id FROM drafts WHERE id = ?", [draft_id]
        ).fetchone()
        if row is None:
            raise EngageError(f"there is no draft {draft_id}; it may have been sent or discarded")
        state, mention_id = row
        if state not in allowed:
            raise EngageError(
                f"draft {draft_id} is {state.replace('_', ' ')}; "
                f"it cannot be {action.replace('_', ' ')}"
            )
        cur.execute(
            "UPDATE drafts SET state = ?, review_comment = coalesce(?, review_comment), "
            "updated_at = now() WHERE id = ?",
            [new_state, comment, draft_id],
        )
        detail: dict[str, Any] = {"mention_id": int(mention_id)}
        if comment:
            detail["comment"] = comment
        log_event(cur, ws.actor, "draft", draft_id, action, state, new_state, detail)
    return get_draft_by_id(ws, draft_id) or {}


def request_approval(ws: Workspace, draft_id: int) -> dict[str, Any]:
    """Ask for approval: ``draft``/``rejected`` → ``needs_approval``."""
    draft = get_draft_by_id(ws, draft_id)
    if draft and not (draft["body"] or "").strip():
        raise EngageError("the draft is empty; write the reply before asking for approval")
    return _transition(ws, draft_id, ("draft", "rejected"), "needs_approval", "request_approval")


def approve(ws: Workspace, draft_id: int) -> dict[str, Any]:
    """Approve: ``needs_approval`` → ``approved``."""
    return _transition(ws, draft_id, ("needs_approval",), "approved", "approve")


def send_back(ws: Workspace, draft_id: int, comment: str) -> dict[str, Any]:
    """Send back with a comment: ``needs_approval`` → ``rejected``.

    Raises:
        EngageError: The comment is empty (the writer needs to know what to change).
    """
    if not comment.strip():
        raise EngageError("say what should change: sending a draft back needs a comment")
    return _transition(ws, draft_id, ("needs_approval",), "rejected", "send_back", comment.strip())


def withdraw(ws: Workspace, draft_id: int) -> dict[str, Any]:
    """Take a draft back to edit it: ``needs_approval``/``approved`` → ``draft``."""
    return _transition(ws, draft_id, LOCKED_STATES, "draft", "withdraw")


def discard_draft(ws: Workspace, draft_id: int) -> None:
    """Throw a working draft away (kept as ``discarded`` for the record)."""
    _transition(ws, draft_id, OPEN_STATES, "discarded", "discard")


def draft_events(ws: Workspace, draft_id: int) -> list[dict[str, Any]]:
    """The approval steps of a draft (request, approve, send back, withdraw), oldest first."""
    cur = ws.cursor()
    try:
        rows = cur.execute(
            "SELECT actor, action, occurred_at, detail FROM events WHERE entity = 'draft' "
            "AND entity_id = ? AND action IN ('request_approval', 'approve', 'send_back', "
            "'withdraw') ORDER BY id",
            [str(draft_id)],
        ).fetchall()
    finally:
        cur.close()
    import json

    return [
        {"actor": r[0], "action": r[1], "at": r[2], "detail": json.loads(r[3]) if r[3] else {}}
        for r in rows
    ]
