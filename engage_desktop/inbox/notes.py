"""Private notes: the team's remarks on a mention or a person, never sent to anyone.

One API for the inbox, the person panel and the composer: the same checks, the same
error and the same audit row wherever a note is written.
"""

from __future__ import annotations

from typing import Any

from engage_desktop.core.errors import InvalidInput
from engage_desktop.workspace.database import Workspace, log_event

#: How much of a note's text the audit log keeps.
AUDIT_CHARS = 200


def add_note(
    ws: Workspace, body: str, *, mention_id: int | None = None, author_id: int | None = None
) -> int:
    """Write a private note on a mention or on a person.

    Args:
        ws: Writable workspace.
        body: The note's text (surrounding blanks are dropped).
        mention_id: The mention it is about, or
        author_id: the person it is about (exactly one of the two).

    Returns:
        The note's id.

    Raises:
        InvalidInput: The note is empty.
        ValueError: Neither or both of ``mention_id`` and ``author_id`` (a bug).
    """
    if (mention_id is None) == (author_id is None):
        raise ValueError("a note is on a mention or on a person: give exactly one")
    body = (body or "").strip()
    if not body:
        raise InvalidInput("a note cannot be empty; type something first")
    with ws.write() as cur:
        note_id = int(
            cur.execute(
                "INSERT INTO notes (mention_id, author_id, body, created_by) VALUES (?, ?, ?, ?) "
                "RETURNING id",
                [mention_id, author_id, body, ws.actor],
            ).fetchone()[0]
        )
        entity, ident = ("mention", mention_id) if mention_id is not None else ("author", author_id)
        log_event(
            cur, ws.actor, entity, ident, "note", None, body[:AUDIT_CHARS], {"note_id": note_id}
        )
    return note_id


def mention_notes(ws: Workspace, mention_id: int) -> list[dict[str, Any]]:
    """Notes on a mention, oldest first (they read as a conversation)."""
    return ws.rows(
        "SELECT id, body, created_by, created_at FROM notes WHERE mention_id = ? "
        "ORDER BY created_at, id",
        [mention_id],
    )


def author_notes(ws: Workspace, author_id: int) -> list[dict[str, Any]]:
    """Notes on a person, newest first."""
    return ws.rows(
        "SELECT id, body, created_by, created_at FROM notes WHERE author_id = ? "
        "ORDER BY created_at DESC, id DESC",
        [author_id],
    )
