"""Saved replies (canned responses) with variables such as ``{first_name}``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engage_desktop.core.errors import EngageError
from engage_desktop.workspace.database import Workspace, log_event


@dataclass(frozen=True)
class SavedReply:
    """One saved reply."""

    id: int
    name: str
    body: str


@dataclass(frozen=True)
class SavedReplyChoices:
    """What the composer's saved-reply dialogs show for one mention, read in one go.

    Attributes:
        replies: Every saved reply, by name.
        values: The mention's values of the variables (``{first_name}``, …).
        agent: The workspace's name for ``{agent}`` ("" when none is set).
    """

    replies: tuple[SavedReply, ...]
    values: dict[str, str | None]
    agent: str

    def matching(self, search: str) -> list[SavedReply]:
        """The replies whose name or text contains every word of ``search``."""
        words = search.lower().split()
        return [r for r in self.replies if all(_has(r, w) for w in words)]

    def named(self, name: str) -> SavedReply | None:
        """The reply called ``name`` (case-insensitive), or None."""
        wanted = name.strip().lower()
        return next((r for r in self.replies if r.name.lower() == wanted), None)


def _has(reply: SavedReply, word: str) -> bool:
    return word in reply.name.lower() or word in reply.body.lower()


def load_choices(ws: Workspace, mention: dict[str, Any]) -> SavedReplyChoices:
    """The saved replies, ``mention``'s variable values and the agent name (a task's read)."""
    from engage_desktop.composer.compose import template_values
    from engage_desktop.workspace import settings as S

    return SavedReplyChoices(
        tuple(list_saved_replies(ws)),
        template_values(ws, mention),
        str(S.get(ws, S.AGENT_NAME) or ""),
    )


def list_saved_replies(ws: Workspace, search: str = "") -> list[SavedReply]:
    """Saved replies whose name or text contains every word of ``search``, by name."""
    where, params = [], []
    for word in search.lower().split():
        where.append("(contains(lower(name), ?) OR contains(lower(body), ?))")
        params += [word, word]
    sql = "SELECT id, name, body FROM saved_replies"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY lower(name)"
    cur = ws.cursor()
    try:
        rows = cur.execute(sql, params).fetchall()
    finally:
        cur.close()
    return [SavedReply(int(r[0]), r[1], r[2]) for r in rows]


def find_saved_reply(ws: Workspace, name: str) -> SavedReply | None:
    """The saved reply called ``name`` (case-insensitive), or None."""
    cur = ws.cursor()
    try:
        row = cur.execute(
            "SELECT id, name, body FROM saved_replies WHERE lower(name) = lower(?)", [name.strip()]
        ).fetchone()
    finally:
        cur.close()
    return SavedReply(int(row[0]), row[1], row[2]) if row else None


def save_saved_reply(ws: Workspace, name: str, body: str, *, replace: bool = False) -> SavedReply:
    """Create a saved reply (or replace the one with that name when ``replace``).

    Raises:
        EngageError: The name or text is empty, or the name is taken and not ``replace``.
    """
    name, body = name.strip(), body.strip()
    if not name or not body:
        raise EngageError("a saved reply needs a name and some text")
    existing = find_saved_reply(ws, name)
    if existing and not replace:
        raise EngageError(f"a saved reply called {existing.name!r} exists; choose another name")
    with ws.write() as cur:
        if existing:
            cur.execute(
                "UPDATE saved_replies SET body = ?, updated_at = now() WHERE id = ?",
                [body, existing.id],
            )
            reply_id = existing.id
            log_event(cur, ws.actor, "saved_reply", reply_id, "edit", existing.body, body)
        else:
            reply_id = int(
                cur.execute(
                    "INSERT INTO saved_replies (name, body) VALUES (?, ?) RETURNING id",
                    [name, body],
                ).fetchone()[0]
            )
            log_event(cur, ws.actor, "saved_reply", reply_id, "create", None, name)
    return SavedReply(reply_id, name, body)


def delete_saved_reply(ws: Workspace, reply_id: int) -> None:
    """Delete a saved reply."""
    with ws.write() as cur:
        cur.execute("DELETE FROM saved_replies WHERE id = ?", [reply_id])
        log_event(cur, ws.actor, "saved_reply", reply_id, "delete")
