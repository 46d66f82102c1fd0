"""Alert rules that match single new mentions, grouped for one notification per fetch.

A ``mention_match`` rule's params are an :class:`InboxFilter` (as JSON), so anything
the inbox can filter on can raise a desktop notification. The default rule catches
negative mentions from authors with a large audience. :func:`match_new_mentions`
looks only at mentions with an id above the last one seen and returns one
:class:`AlertGroup` per rule that matched, never one per mention; each group is also
recorded in the ``alerts`` table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from engage_desktop.inbox.filters import InboxFilter, to_sql
from engage_desktop.workspace import settings as S
from engage_desktop.workspace.database import Workspace

KIND = "mention_match"
DEFAULT_REACH = 5_000
DEFAULT_RULE_NAME = "Negative from a large audience"
DEFAULT_RULE = InboxFilter(sentiments=("negative",), min_reach=DEFAULT_REACH)
EXAMPLES = 3


@dataclass(frozen=True)
class AlertGroup:
    """The new mentions one rule matched in one fetch.

    Attributes:
        rule_id: The ``alert_rules`` row.
        rule_name: Its name, the notification's title.
        count: How many new mentions matched.
        mention_ids: Their ids (newest first).
        examples: Up to three (author, snippet) pairs for the message body.
    """

    rule_id: int
    rule_name: str
    count: int
    mention_ids: tuple[int, ...]
    examples: tuple[tuple[str, str], ...]

    def message(self) -> str:
        """The notification body: the count, then a few examples."""
        head = f"{self.count} new mention" + ("" if self.count == 1 else "s")
        lines = [head] + [f"{who}: {text}" for who, text in self.examples]
        if self.count > len(self.examples):
            lines.append(f"… and {self.count - len(self.examples)} more in the inbox")
        return "\n".join(lines)


def ensure_default_rule(ws: Workspace) -> None:
    """Create the default rule once (a user who deletes it keeps it deleted)."""
    if ws.read_only or S.get(ws, S.DEFAULT_MENTION_RULE):
        return
    with ws.write() as cur:
        cur.execute(
            "INSERT OR IGNORE INTO alert_rules (name, kind, params) VALUES (?, ?, ?)",
            [DEFAULT_RULE_NAME, KIND, json.dumps(DEFAULT_RULE.to_dict())],
        )
        cur.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?, 'true')",
            [S.DEFAULT_MENTION_RULE.key],
        )


def mention_rules(ws: Workspace) -> list[tuple[int, str, InboxFilter]]:
    """Enabled ``mention_match`` rules as (id, name, filter)."""
    cur = ws.cursor()
    try:
        rows = cur.execute(
            "SELECT id, name, params FROM alert_rules WHERE kind = ? AND enabled ORDER BY id",
            [KIND],
        ).fetchall()
    finally:
        cur.close()
    return [(int(i), n, InboxFilter.from_dict(json.loads(p))) for i, n, p in rows]


def match_new_mentions(ws: Workspace, after_id: int, *, record: bool = True) -> list[AlertGroup]:
    """Groups of mentions above ``after_id`` that match each enabled rule.

    Args:
        ws: The workspace.
        after_id: The highest mention id already seen; only newer ones count.
        record: Also write one ``alerts`` row per group (not in a read-only file).
    """
    groups: list[AlertGroup] = []
    cur = ws.cursor()
    try:
        for rule_id, name, flt in mention_rules(ws):
            where, params = to_sql(flt, ws.actor)
            rows = cur.execute(
                "SELECT id, coalesce(author_name, author_handle, 'someone'), "
                "left(coalesce(title, text), 120) "
                f"FROM mentions WHERE id > ? AND ({where}) ORDER BY published DESC, id DESC",
                [after_id, *params],
            ).fetchall()
            if rows:
                groups.append(
                    AlertGroup(
                        rule_id,
                        name,
                        len(rows),
                        tuple(int(r[0]) for r in rows),
                        tuple((r[1], r[2].replace("\n", " ")) for r in rows[:EXAMPLES]),
                    )
                )
    finally:
        cur.close()
    if record and groups and not ws.read_only:
        _record(ws, groups)
    return groups


def _record(ws: Workspace, groups: list[AlertGroup]) -> None:
    with ws.write() as cur:
        for g in groups:
            detail: dict[str, Any] = {"mention_ids": list(g.mention_ids[:500]), "count": g.count}
            cur.execute(
                "INSERT INTO alerts (rule_id, value, detail) VALUES (?, ?, ?)",
                [g.rule_id, float(g.count), json.dumps(detail)],
            )
