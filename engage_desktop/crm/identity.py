"""Identity: which author accounts belong to which customer (one person, many authors).

**Automatic links** (:func:`link_all`, after every import) come from exact evidence:

* ``email`` — the author's e-mail address equals one of the customer's (case-blind);
* ``handle`` — the author's handle on a channel equals the customer's handle in that
  channel's column (case-blind, a leading ``@`` ignored).

The rule and the evidence are stored with each link and shown. An author whose exact
evidence points at two customers is not linked: both links wait as suggestions
(rule ``ambiguous email`` / ``ambiguous handle``).

**Suggested links** come from weaker evidence and wait for a person to confirm:

* ``name and profile URL`` — the author's display name equals the customer's name
  (case and accents ignored) and the author's profile URL is in the customer's
  record, or equals the profile URL of an account already linked to that customer
  under the same display name;
* ``handle = e-mail local part`` — the author's handle (without an ``@server``) is
  the part before ``@`` of exactly one customer's e-mail, at least 3 characters.

Accounts already linked are never re-linked automatically, and a pair someone
unlinked or rejected is never suggested or linked again by the machine.

**By hand**: :func:`link` (merge an author into a customer), :func:`unlink` (split it
off), :func:`confirm` / :func:`reject` a suggestion. Every change, automatic or not,
is an ``events`` row (entity ``author``) with the state before and after, and
:func:`undo` puts the state before back (logged too).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engage_desktop.core.errors import Conflict, InvalidInput, NotFound
from engage_desktop.crm.segments import sync_customer_columns
from engage_desktop.workspace.database import Workspace, log_event

LINK_ACTIONS = ("link", "unlink", "confirm", "reject")
AUTO_RULES = ("email", "handle", "email+handle")
Progress = Callable[[int, int], None]

_NORM_HANDLE = "lower(ltrim(trim({0}), '@'))"
_NORM_NAME = "lower(strip_accents(trim({0})))"
_NORM_URL = (
    "regexp_replace(regexp_replace(rtrim(lower(trim({0})), '/'), '^https?://', ''), '^www\\.', '')"
)


@dataclass(frozen=True)
class LinkSummary:
    """What :func:`link_all` did."""

    linked: int
    by_email: int
    by_handle: int
    suggested: int
    ambiguous: int


def _one(cur: Any, sql: str, params: list[Any]) -> Any:
    row = cur.execute(sql, params).fetchone()
    return row[0] if row else None


def link_all(ws: Workspace, *, progress: Progress | None = None) -> LinkSummary:
    """Make the automatic links and the suggestions for every unlinked author."""
    report = progress or (lambda done, total: None)
    with ws.write() as cur:
        before_sugg = _one(cur, "SELECT count(*) FROM customer_suggestions", [])
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE crm_authors AS SELECT id, channel, "
            f"{_NORM_HANDLE.format('handle')} AS h, lower(trim(email)) AS email, "
            f"{_NORM_NAME.format('name')} AS fname, {_NORM_URL.format('profile_url')} AS url "
            "FROM authors WHERE id NOT IN (SELECT author_id FROM customer_links)"
        )
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE crm_strong AS SELECT * FROM ("
            "SELECT a.id AS author_id, e.customer_id, 'email' AS rule, a.email AS evidence "
            "FROM crm_authors a JOIN customer_emails e ON e.email = a.email "
            "WHERE a.email IS NOT NULL AND a.email <> '' "
            "UNION ALL "
            "SELECT a.id, h.customer_id, 'handle', a.channel || ':' || a.h "
            "FROM crm_authors a JOIN customer_handles h ON h.channel = a.channel AND h.handle = a.h"
            ") s WHERE NOT EXISTS (SELECT 1 FROM customer_suggestions r WHERE r.state = 'rejected' "
            "AND r.author_id = s.author_id AND r.customer_id = s.customer_id)"
        )
        report(1, 3)
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE crm_new AS SELECT author_id, any_value(customer_id) "
            "AS customer_id, string_agg(DISTINCT rule, '+' ORDER BY rule) AS rule, "
            "string_agg(DISTINCT evidence, '; ') AS evidence FROM crm_strong "
            "GROUP BY author_id HAVING count(DISTINCT customer_id) = 1"
        )
        cur.execute(
            "INSERT INTO customer_links (author_id, customer_id, rule, evidence, linked_by) "
            "SELECT author_id, customer_id, rule, evidence, 'auto' FROM crm_new"
        )
        cur.execute(
            "INSERT INTO events (actor, entity, entity_id, action, new_value, detail) "
            "SELECT 'auto', 'author', n.author_id::VARCHAR, 'link', c.external_id, "
            "json_object('before', NULL, 'after', json_object('customer_id', n.customer_id, "
            "'rule', n.rule, 'evidence', n.evidence)) FROM crm_new n "
            "JOIN customers c ON c.id = n.customer_id"
        )
        counts = cur.execute(
            "SELECT count(*), count(*) FILTER (rule LIKE '%email%'), "
            "count(*) FILTER (rule LIKE '%handle%') FROM crm_new"
        ).fetchone()
        report(2, 3)
        ambiguous = _one(
            cur,
            "SELECT count(DISTINCT author_id) FROM crm_strong "
            "WHERE author_id NOT IN (SELECT author_id FROM crm_new)",
            [],
        )
        _suggest(cur)
        after_sugg = _one(cur, "SELECT count(*) FROM customer_suggestions", [])
        # Only the mentions of authors linked now can change (links are only added).
        sync_customer_columns(cur, "SELECT author_id FROM crm_new")
        for name in ("crm_authors", "crm_strong", "crm_new"):
            cur.execute(f"DROP TABLE {name}")
    report(3, 3)
    return LinkSummary(
        linked=int(counts[0]),
        by_email=int(counts[1]),
        by_handle=int(counts[2]),
        suggested=int(after_sugg) - int(before_sugg),
        ambiguous=int(ambiguous or 0),
    )


def _suggest(cur: Any) -> None:
    """Store suggestions from weaker evidence (and ambiguous exact evidence)."""
    weak = (
        "SELECT author_id, customer_id, 'ambiguous ' || rule AS rule, evidence FROM crm_strong "
        "WHERE author_id NOT IN (SELECT author_id FROM crm_new) "
        "UNION ALL "
        "SELECT a.id, c.id, 'name and profile URL', a.url FROM crm_authors a "
        "JOIN customer_handles h ON h.channel = 'url' AND h.handle = a.url "
        f"JOIN customers c ON c.id = h.customer_id AND {_NORM_NAME.format('c.name')} = a.fname "
        "WHERE a.url <> '' AND a.fname <> '' "
        "UNION ALL "
        "SELECT a.id, l.customer_id, 'name and profile URL', a.url FROM crm_authors a "
        f"JOIN authors b ON b.id <> a.id AND {_NORM_URL.format('b.profile_url')} = a.url "
        f"AND {_NORM_NAME.format('b.name')} = a.fname "
        "JOIN customer_links l ON l.author_id = b.id WHERE a.url <> '' AND a.fname <> '' "
        "UNION ALL "
        "SELECT a.id, m.customer_id, 'handle = e-mail local part', "
        "a.channel || ':' || a.h || ' ~ ' || m.email FROM crm_authors a JOIN ("
        "SELECT split_part(email, '@', 1) AS local, any_value(customer_id) AS customer_id, "
        "any_value(email) AS email FROM customer_emails GROUP BY 1 "
        "HAVING count(DISTINCT customer_id) = 1 AND length(split_part(email, '@', 1)) >= 3"
        ") m ON m.local = split_part(a.h, '@', 1)"
    )
    cur.execute(
        "INSERT INTO customer_suggestions (author_id, customer_id, rule, evidence) "
        "SELECT author_id, customer_id, min(rule), min(evidence) FROM (" + weak + ") w "
        "WHERE author_id NOT IN (SELECT author_id FROM customer_links) "
        "GROUP BY author_id, customer_id "
        "ON CONFLICT (author_id, customer_id) DO NOTHING"
    )


# -- lookups --------------------------------------------------------------------------


def find_author(ws: Workspace, ref: str | int) -> int:
    """An author id from an id, ``channel:handle`` or a handle used on one channel only.

    Raises:
        NotFound: No such author.
        InvalidInput: The handle is on several channels.
    """
    text = str(ref).strip()
    cur = ws.cursor()
    try:
        if text.isdigit() and _one(cur, "SELECT count(*) FROM authors WHERE id = ?", [int(text)]):
            return int(text)
        channel, sep, handle = text.partition(":")
        if sep:
            found = cur.execute(
                f"SELECT id FROM authors WHERE channel = ? AND {_NORM_HANDLE.format('handle')} = ?",
                [channel.strip().lower(), handle.strip().lstrip("@").lower()],
            ).fetchall()
        else:
            found = cur.execute(
                f"SELECT id FROM authors WHERE {_NORM_HANDLE.format('handle')} = ?",
                [text.lstrip("@").lower()],
            ).fetchall()
    finally:
        cur.close()
    if len(found) == 1:
        return int(found[0][0])
    if not found:
        raise NotFound(
            f"no author {text!r}; give an author id or CHANNEL:HANDLE (e.g. mastodon:ana)"
        )
    raise InvalidInput(f"{text!r} is a handle on several channels; write it as CHANNEL:HANDLE")


def find_customer(ws: Workspace, ref: str | int) -> int:
    """A customer's row id from the CRM's external id (else the row id).

    Raises:
        NotFound: No such customer.
    """
    text = str(ref).strip()
    found = ws.scalar("SELECT id FROM customers WHERE external_id = ?", [text])
    if found is None and text.isdigit():
        found = ws.scalar("SELECT id FROM customers WHERE id = ?", [int(text)])
    if found is None:
        raise NotFound(
            f"no customer {text!r}; give the customer_id of the CRM export "
            "('engage-desktop customers list' shows them)"
        )
    return int(found)


# -- changes by hand ----------------------------------------------------------------


def _link_row(cur: Any, author_id: int) -> dict[str, Any] | None:
    row = cur.execute(
        "SELECT customer_id, rule, evidence FROM customer_links WHERE author_id = ?", [author_id]
    ).fetchone()
    return None if row is None else {"customer_id": row[0], "rule": row[1], "evidence": row[2]}


def _pair_state(cur: Any, author_id: int, customer_id: int) -> str | None:
    return _one(
        cur,
        "SELECT state FROM customer_suggestions WHERE author_id = ? AND customer_id = ?",
        [author_id, customer_id],
    )


def _set_link(cur: Any, actor: str, author_id: int, target: dict[str, Any] | None) -> None:
    cur.execute("DELETE FROM customer_links WHERE author_id = ?", [author_id])
    if target is not None:
        cur.execute(
            "INSERT INTO customer_links (author_id, customer_id, rule, evidence, linked_by) "
            "VALUES (?, ?, ?, ?, ?)",
            [author_id, target["customer_id"], target["rule"], target.get("evidence"), actor],
        )


def _set_pair(cur: Any, actor: str, author_id: int, customer_id: int, state: str | None) -> None:
    if state is None:
        cur.execute(
            "DELETE FROM customer_suggestions WHERE author_id = ? AND customer_id = ?",
            [author_id, customer_id],
        )
        return
    cur.execute(
        "INSERT INTO customer_suggestions (author_id, customer_id, rule, state, decided_by, "
        "decided_at) VALUES (?, ?, 'by hand', ?, ?, now()) ON CONFLICT (author_id, customer_id) "
        "DO UPDATE SET state = excluded.state, decided_by = excluded.decided_by, "
        "decided_at = excluded.decided_at",
        [author_id, customer_id, state, actor],
    )


def _external(cur: Any, customer_id: int | None) -> str | None:
    if customer_id is None:
        return None
    return _one(cur, "SELECT external_id FROM customers WHERE id = ?", [customer_id])


def _change(
    ws: Workspace,
    author_id: int,
    target: dict[str, Any] | None,
    action: str,
    pair: tuple[int, str | None] | None,
) -> str:
    """Set an author's link (and one pair's suggestion state), logging both for undo."""
    with ws.write() as cur:
        if not _one(cur, "SELECT count(*) FROM authors WHERE id = ?", [author_id]):
            raise NotFound(f"no author with id {author_id}")
        before = _link_row(cur, author_id)
        pair_before = None if pair is None else _pair_state(cur, author_id, pair[0])
        _set_link(cur, ws.actor, author_id, target)
        if pair is not None:
            _set_pair(cur, ws.actor, author_id, pair[0], pair[1])
        old = _external(cur, before["customer_id"] if before else None)
        new = _external(cur, target["customer_id"] if target else None)
        detail = {
            "before": before,
            "after": target,
            "pair": None if pair is None else {"customer_id": pair[0], "before": pair_before},
        }
        log_event(cur, ws.actor, "author", author_id, action, old, new, detail)
        sync_customer_columns(cur, "SELECT ?::BIGINT", [author_id])
    return new or old or ""


def link(ws: Workspace, author_id: int, customer_id: int, *, rule: str = "manual") -> str:
    """Merge an author into a customer by hand; returns the customer's external id."""
    return _change(
        ws,
        author_id,
        {"customer_id": customer_id, "rule": rule, "evidence": None},
        "link",
        (customer_id, "confirmed"),
    )


def unlink(ws: Workspace, author_id: int) -> str:
    """Split an author off their customer; the machine will not re-make that link.

    Raises:
        Conflict: The author is not linked.
    """
    current = _link_row(ws.cursor(), author_id)
    if current is None:
        raise Conflict(f"author {author_id} is not linked to a customer")
    return _change(ws, author_id, None, "unlink", (int(current["customer_id"]), "rejected"))


def _suggestion(ws: Workspace, author_id: int, customer_id: int) -> dict[str, Any]:
    cur = ws.cursor()
    try:
        row = cur.execute(
            "SELECT rule, evidence, state FROM customer_suggestions "
            "WHERE author_id = ? AND customer_id = ?",
            [author_id, customer_id],
        ).fetchone()
    finally:
        cur.close()
    if row is None or row[2] != "pending":
        raise NotFound(f"no pending suggestion links author {author_id} to that customer")
    return {"rule": row[0], "evidence": row[1]}


def confirm(ws: Workspace, author_id: int, customer_id: int) -> str:
    """Accept a suggested link: the author joins the customer (rule ``confirmed: …``)."""
    found = _suggestion(ws, author_id, customer_id)
    target = {
        "customer_id": customer_id,
        "rule": f"confirmed: {found['rule']}",
        "evidence": found["evidence"],
    }
    return _change(ws, author_id, target, "confirm", (customer_id, "confirmed"))


def reject(ws: Workspace, author_id: int, customer_id: int) -> str:
    """Turn a suggested link down; it is not suggested again."""
    _suggestion(ws, author_id, customer_id)
    cur = ws.cursor()
    current = _link_row(cur, author_id)
    cur.close()
    return _change(ws, author_id, current, "reject", (customer_id, "rejected"))


def undo(ws: Workspace, event_id: int | None = None) -> str:
    """Put back the state before a link change (the latest one not yet undone).

    Returns:
        What was undone, for the status line.

    Raises:
        Conflict: Nothing to undo, or the event is not a link change.
    """
    undone = (
        "SELECT TRY_CAST(json_extract_string(detail, '$.undoes') AS BIGINT) FROM events "
        "WHERE entity = 'author' AND action = 'undo'"
    )
    actions = ", ".join(f"'{a}'" for a in LINK_ACTIONS)
    sql = (
        "SELECT id, entity_id, action, detail FROM events WHERE entity = 'author' "
        f"AND action IN ({actions}) AND id NOT IN ({undone}) "
    )
    params: list[Any] = []
    if event_id is not None:
        sql += "AND id = ? "
        params.append(int(event_id))
    sql += "ORDER BY id DESC LIMIT 1"
    with ws.write() as cur:
        row = cur.execute(sql, params).fetchone()
        if row is None:
            raise Conflict(
                "nothing to undo"
                if event_id is None
                else f"event {event_id} is not a link change that can be undone"
            )
        ident, author_ref, action, raw = row
        author_id = int(author_ref)
        detail = json.loads(raw) if raw else {}
        before, after = detail.get("before"), detail.get("after")
        current = _link_row(cur, author_id)
        _set_link(cur, ws.actor, author_id, before)
        pair = detail.get("pair")
        if pair is not None:
            _set_pair(cur, ws.actor, author_id, int(pair["customer_id"]), pair.get("before"))
        if after is not None and before is None and after.get("rule") in AUTO_RULES:
            # An automatic link taken back must not come back with the next import.
            _set_pair(cur, ws.actor, author_id, int(after["customer_id"]), "rejected")
        log_event(
            cur,
            ws.actor,
            "author",
            author_id,
            "undo",
            _external(cur, current["customer_id"] if current else None),
            _external(cur, before["customer_id"] if before else None),
            {"undoes": int(ident), "action": action},
        )
        sync_customer_columns(cur, "SELECT ?::BIGINT", [author_id])
    return f"Undone: {action} of author {author_id}"
