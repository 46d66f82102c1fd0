"""The social CRM side of the inbox: authors and the context around a mention.

An author is one account on one channel (``authors``: channel + handle). The same
person on several channels is recognised by the e-mail address recorded on their
accounts, or by a link to the same customer record (:func:`linked_author_ids`), so
the author panel can show everything they said, across channels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engage_desktop.core.errors import InvalidInput
from engage_desktop.inbox.notes import author_notes
from engage_desktop.workspace.database import Workspace, log_event

FLAGS = ("advocate", "detractor")


def _of_authors(ids: list[int]) -> str:
    """A filter on ``author_id`` for ``ids``, as literal integers.

    ``author_id IN (SELECT unnest(?))`` is planned as a join and cost 8-15 ms per
    query on a million mentions; a literal list is a pushed-down filter (2-3 ms).
    """
    ints = sorted({int(i) for i in ids})
    if len(ints) == 1:
        return f"author_id = {ints[0]}"
    return f"author_id IN ({', '.join(map(str, ints))})"


def author_id_of(ws: Workspace, mention: dict[str, Any]) -> int | None:
    """The author row of a mention (by id, else by channel and handle)."""
    if mention.get("author_id") is not None:
        return int(mention["author_id"])
    if not mention.get("author_handle"):
        return None
    value = ws.scalar(
        "SELECT id FROM authors WHERE channel = ? AND handle = ?",
        [mention["channel"], mention["author_handle"]],
    )
    return None if value is None else int(value)


def linked_author_ids(ws: Workspace, author_id: int) -> list[int]:
    """This account and the person's other accounts.

    The same person: accounts sharing an e-mail address, and accounts linked to the
    same customer record (``customer_links``, see ``engage_desktop.crm.identity``).
    """
    # The e-mail is looked up first: a self-join on ``lower(email)`` OR id compared
    # every pair of authors (12-15 ms on 50,000 authors, on every j/k).
    found = ws.values(
        "SELECT ?::BIGINT AS id UNION "
        "SELECT id FROM authors WHERE email IS NOT NULL AND email <> '' "
        "AND lower(email) = (SELECT lower(email) FROM authors WHERE id = ?) "
        "UNION SELECT l2.author_id FROM customer_links l1 "
        "JOIN customer_links l2 ON l2.customer_id = l1.customer_id WHERE l1.author_id = ? "
        "ORDER BY 1",
        [author_id, author_id, author_id],
    )
    return [int(i) for i in found]


@dataclass(frozen=True)
class AuthorProfile:
    """Everything the author panel shows about one person.

    Attributes:
        author: The ``authors`` row.
        accounts: Their accounts (this one and linked ones), as author rows.
        mentions: Counts: total, by sentiment label, answered.
        channels: Mentions per channel.
        first_seen: First mention.
        last_seen: Latest mention.
        avg_sentiment: Mean compound score of their scored mentions.
        notes: Private notes on the person, newest first.
    """

    author: dict[str, Any]
    accounts: list[dict[str, Any]]
    mentions: dict[str, int]
    channels: dict[str, int]
    first_seen: Any
    last_seen: Any
    avg_sentiment: float | None
    notes: list[dict[str, Any]]

    @property
    def reach(self) -> int:
        """The largest follower count of their accounts."""
        return max((int(a.get("followers") or 0) for a in self.accounts), default=0)


def author_profile(ws: Workspace, author_id: int) -> AuthorProfile | None:
    """The author panel's data, or None for an unknown author."""
    ids = linked_author_ids(ws, author_id)
    accounts = ws.rows(
        "SELECT * FROM authors WHERE id IN (SELECT unnest(?::BIGINT[])) ORDER BY id", [ids]
    )
    author = next((a for a in accounts if a["id"] == author_id), None)
    if author is None:
        return None
    stats = ws.rows(
        "SELECT count(*) AS total, "
        "count(*) FILTER (sentiment_label = 'positive') AS positive, "
        "count(*) FILTER (sentiment_label = 'neutral') AS neutral, "
        "count(*) FILTER (sentiment_label = 'negative') AS negative, "
        "count(*) FILTER (first_reply_at IS NOT NULL) AS answered, "
        "min(published) AS first_seen, max(published) AS last_seen, "
        "avg(sentiment) AS avg_sentiment "
        f"FROM mentions WHERE {_of_authors(ids)}"
    )[0]
    channels = ws.rows(
        f"SELECT channel, count(*) AS n FROM mentions WHERE {_of_authors(ids)} "
        "GROUP BY 1 ORDER BY 2 DESC"
    )
    return AuthorProfile(
        author=author,
        accounts=accounts,
        mentions={
            k: int(stats[k] or 0) for k in ("total", "positive", "neutral", "negative", "answered")
        },
        channels={r["channel"]: int(r["n"]) for r in channels},
        first_seen=stats["first_seen"],
        last_seen=stats["last_seen"],
        avg_sentiment=stats["avg_sentiment"],
        notes=author_notes(ws, author_id),
    )


def author_mentions(
    ws: Workspace, author_id: int, limit: int = 200, ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """Their latest mentions on every linked account (``ids`` when known), newest first."""
    accounts = ids if ids is not None else linked_author_ids(ws, author_id)
    return ws.rows(
        "SELECT id, published, channel, title, left(text, 240) AS snippet, sentiment, "
        f"sentiment_label, status FROM mentions WHERE {_of_authors(accounts)} "
        f"ORDER BY published DESC, id DESC LIMIT {int(limit)}"
    )


def author_timeline(
    ws: Workspace, author_id: int, ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """Their mentions per month (on ``ids`` when known): counts by label, mean score."""
    accounts = ids if ids is not None else linked_author_ids(ws, author_id)
    return ws.rows(
        "SELECT date_trunc('month', published) AS month, count(*) AS total, "
        "count(*) FILTER (sentiment_label = 'positive') AS positive, "
        "count(*) FILTER (sentiment_label = 'neutral') AS neutral, "
        "count(*) FILTER (sentiment_label = 'negative') AS negative, "
        f"avg(sentiment) AS avg_sentiment FROM mentions WHERE {_of_authors(accounts)} "
        "GROUP BY 1 ORDER BY 1"
    )


def set_author_flag(ws: Workspace, author_id: int, flag: str | None) -> None:
    """Mark a person as advocate or detractor (None clears the flag)."""
    if flag is not None and flag not in FLAGS:
        raise InvalidInput(f"unknown flag {flag!r}; use advocate or detractor")
    with ws.write() as cur:
        old = cur.execute("SELECT flag FROM authors WHERE id = ?", [author_id]).fetchone()
        cur.execute("UPDATE authors SET flag = ? WHERE id = ?", [flag, author_id])
        log_event(cur, ws.actor, "author", author_id, "flag", old[0] if old else None, flag)


def set_author_tags(ws: Workspace, author_id: int, tags: list[str]) -> list[str]:
    """Replace the tags on a person; returns them cleaned (trimmed, unique)."""
    clean = list(dict.fromkeys(t.strip() for t in tags if t and t.strip()))
    with ws.write() as cur:
        old = cur.execute("SELECT tags FROM authors WHERE id = ?", [author_id]).fetchone()
        cur.execute("UPDATE authors SET tags = ? WHERE id = ?", [clean, author_id])
        log_event(cur, ws.actor, "author", author_id, "tags", old[0] if old else None, clean)
    return clean


def our_replies(ws: Workspace, mention_id: int) -> list[dict[str, Any]]:
    """What we answered to a mention, oldest first."""
    return ws.rows(
        "SELECT body, sent_by, sent_at, response_time_s, remote_url FROM replies "
        "WHERE mention_id = ? ORDER BY sent_at",
        [mention_id],
    )


def matched_query_names(ws: Workspace, query_ids: list[int]) -> list[tuple[str, str]]:
    """(name, query text) of the watch queries that matched a mention."""
    if not query_ids:
        return []
    found = ws.rows(
        "SELECT name, query FROM watch_queries WHERE id IN (SELECT unnest(?::INTEGER[])) "
        "ORDER BY id",
        [list(query_ids)],
    )
    return [(r["name"], r["query"]) for r in found]
