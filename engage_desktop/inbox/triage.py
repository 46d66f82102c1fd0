"""Triage: status, owner, tags, star and read state of mentions, with undo.

Every change goes through :func:`_change`, which in ONE write transaction logs an
``events`` row per mention that actually changes (who, when, from what, to what) and
then updates them with one set-based statement, so 10,000 mentions take one round
trip, not 10,000. Each call returns a :class:`TriageAction` that remembers the old
values; :func:`undo` puts them back (and logs that too).

The status flow is new → open → pending (waiting on the customer) → resolved, with
ignored and spam beside it. Any status may follow any other: people correct mistakes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engage_desktop.core.errors import InvalidInput
from engage_desktop.inbox.filters import STATUSES
from engage_desktop.workspace.database import Workspace

# column -> DuckDB type of its values (for the undo table)
_COLUMNS = {
    "status": "VARCHAR",
    "owner": "VARCHAR",
    "tags": "VARCHAR[]",
    "starred": "BOOLEAN",
    "unread": "BOOLEAN",
}
_IDS = "id IN (SELECT unnest(?::BIGINT[]))"


@dataclass(frozen=True)
class TriageAction:
    """One change to many mentions, enough to undo it.

    Attributes:
        label: What happened, for the status line ("Resolved 3 mentions").
        column: The column changed.
        before: (mention id, old value) for every mention that changed.
    """

    label: str
    column: str
    before: tuple[tuple[int, Any], ...]

    @property
    def count(self) -> int:
        """How many mentions changed."""
        return len(self.before)

    @property
    def ids(self) -> list[int]:
        """The mentions that changed."""
        return [i for i, _ in self.before]


def _plural(n: int) -> str:
    return f"{n:,} mention" + ("" if n == 1 else "s")


def _change(
    ws: Workspace,
    ids: Sequence[int],
    column: str,
    new_sql: str,
    new_params: list[Any],
    action: str,
    label: str,
) -> TriageAction:
    """Set ``column = new_sql`` on ``ids`` where that changes something; log each."""
    ids = [int(i) for i in dict.fromkeys(ids)]
    if not ids:
        return TriageAction(label, column, ())
    changed = f"{_IDS} AND {column} IS DISTINCT FROM ({new_sql})"
    with ws.write() as cur:
        before = cur.execute(
            f"SELECT id, {column} FROM mentions WHERE {changed} ORDER BY id",
            [ids, *new_params],
        ).fetchall()
        if before:
            cur.execute(
                "INSERT INTO events (actor, entity, entity_id, action, old_value, new_value) "
                f"SELECT ?, 'mention', id::VARCHAR, ?, {column}::VARCHAR, ({new_sql})::VARCHAR "
                f"FROM mentions WHERE {changed}",
                [ws.actor, action, *new_params, ids, *new_params],
            )
            cur.execute(
                f"UPDATE mentions SET {column} = ({new_sql}) WHERE {changed}",
                [*new_params, ids, *new_params],
            )
    return TriageAction(label.format(n=_plural(len(before))), column, tuple(before))


def set_status(ws: Workspace, ids: Sequence[int], status: str) -> TriageAction:
    """Move mentions to ``status`` (one of :data:`STATUSES`)."""
    if status not in STATUSES:
        raise InvalidInput(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
    verb = {"new": "Marked {n} new", "open": "Opened {n}", "pending": "Marked {n} pending"}
    label = verb.get(status, status.title() + " {n}")
    if status in ("resolved", "ignored"):
        label = status.title() + " {n}"
    elif status == "spam":
        label = "Marked {n} as spam"
    return _change(ws, ids, "status", "?::VARCHAR", [status], "status", label)


def assign(ws: Workspace, ids: Sequence[int], owner: str | None) -> TriageAction:
    """Give mentions to ``owner`` (None or "" unassigns)."""
    owner = (owner or "").strip() or None
    label = f"Assigned {{n}} to {owner}" if owner else "Unassigned {n}"
    return _change(ws, ids, "owner", "?::VARCHAR", [owner], "assign", label)


def add_tag(ws: Workspace, ids: Sequence[int], tag: str) -> TriageAction:
    """Add ``tag`` to mentions that do not have it yet."""
    tag = _clean_tag(tag)
    new_sql = "CASE WHEN list_contains(tags, ?) THEN tags ELSE list_append(tags, ?) END"
    return _change(ws, ids, "tags", new_sql, [tag, tag], "tag", f"Tagged {{n}} “{tag}”")


def remove_tag(ws: Workspace, ids: Sequence[int], tag: str) -> TriageAction:
    """Remove ``tag`` from mentions that have it."""
    tag = _clean_tag(tag)
    new_sql = "list_filter(tags, lambda t: t <> ?)"
    return _change(ws, ids, "tags", new_sql, [tag], "untag", f"Removed “{tag}” from {{n}}")


def set_starred(ws: Workspace, ids: Sequence[int], starred: bool) -> TriageAction:
    """Star or unstar mentions."""
    label = "Starred {n}" if starred else "Unstarred {n}"
    return _change(ws, ids, "starred", "?::BOOLEAN", [bool(starred)], "star", label)


def set_unread(ws: Workspace, ids: Sequence[int], unread: bool) -> TriageAction:
    """Mark mentions unread (True) or read (False)."""
    label = "Marked {n} unread" if unread else "Marked {n} read"
    return _change(ws, ids, "unread", "?::BOOLEAN", [bool(unread)], "read", label)


def open_mention(ws: Workspace, mention_id: int) -> list[TriageAction]:
    """Opening a mention reads it, and a new one becomes open (someone is on it)."""
    actions = [set_unread(ws, [mention_id], False)]
    cur = ws.cursor()
    try:
        row = cur.execute("SELECT status FROM mentions WHERE id = ?", [mention_id]).fetchone()
    finally:
        cur.close()
    if row and row[0] == "new":
        actions.append(set_status(ws, [mention_id], "open"))
    return [a for a in actions if a.count]


def undo(ws: Workspace, action: TriageAction) -> int:
    """Put back the values ``action`` replaced; returns how many mentions changed back.

    Like a mail client's undo, it restores the remembered values even if the same
    field changed again meanwhile; each restored value is logged as an event.
    """
    if not action.before:
        return 0
    kind = _COLUMNS[action.column]
    # Two parallel lists unnested side by side: no numpy columns to build for what
    # is at most a few hundred thousand small values.
    values = f"SELECT unnest(?::BIGINT[]) AS id, unnest(?::{kind}[]) AS old"
    ids = [i for i, _ in action.before]
    olds = [v for _, v in action.before]
    col = action.column
    with ws.write() as cur:
        cur.execute(f"CREATE OR REPLACE TEMP TABLE undo_values AS {values}", [ids, olds])
        cur.execute(
            "INSERT INTO events (actor, entity, entity_id, action, old_value, new_value) "
            f"SELECT ?, 'mention', m.id::VARCHAR, ?, m.{col}::VARCHAR, u.old::VARCHAR "
            f"FROM mentions m JOIN undo_values u ON m.id = u.id "
            f"WHERE m.{col} IS DISTINCT FROM u.old",
            [ws.actor, f"undo {col}"],
        )
        cur.execute(
            f"UPDATE mentions SET {col} = u.old FROM undo_values u "
            f"WHERE mentions.id = u.id AND mentions.{col} IS DISTINCT FROM u.old"
        )
        cur.execute("DROP TABLE undo_values")
    return len(action.before)


def _clean_tag(tag: str) -> str:
    tag = (tag or "").strip()
    if not tag:
        raise InvalidInput("a tag cannot be empty; type a word such as 'outage-0612'")
    if len(tag) > 64:
        raise InvalidInput("a tag has at most 64 characters; shorten it")
    return tag


EXPORT_FORMATS = ("csv", "jsonl", "xlsx", "parquet")


def export_mentions(ws: Workspace, ids: Sequence[int], path: str | Path) -> int:
    """Write the given mentions with the shared export columns; returns the row count.

    The format follows the extension (.csv, .jsonl, .xlsx or .parquet); see
    :mod:`engage_desktop.inbox.mention_export`, which also makes formula cells inert.
    """
    from engage_desktop.inbox.mention_export import export_mentions as write

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write(ws, path, ids=ids, order="published DESC, id DESC")
