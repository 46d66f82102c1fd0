"""Watch queries: checking them and back-testing them over the stored history."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engage_desktop.workspace.database import Workspace

SAMPLE = 5
CONFIRM_CHUNK = 5000


@dataclass(frozen=True)
class Backtest:
    """How many stored mentions a query would have matched.

    Attributes:
        matched: Mentions the query matches.
        total: Mentions stored.
        samples: The newest few matches as (published, source, title or text).
    """

    matched: int
    total: int
    samples: list[tuple[Any, str, str]] = field(default_factory=list)

    @property
    def share(self) -> float:
        """Matched share of all stored mentions (0..1)."""
        return self.matched / self.total if self.total else 0.0


def backtest(ws: Workspace, text: str, *, samples: int = SAMPLE) -> Backtest:
    """Run a query over every stored mention without saving anything.

    The SQL from ``to_sql`` does the work in DuckDB; when it is only a pre-filter
    (``exact`` false), each candidate is confirmed with the Python matcher.

    Raises:
        QuerySyntaxError: The query does not parse (with the failing position).
    """
    from engage_desktop.core.query import MatchDoc, parse, prepare

    query = parse(text)
    sql, params = query.to_sql()
    exact = getattr(query.to_sql(), "exact", True)
    cur = ws.cursor()
    try:
        total = int(cur.execute("SELECT count(*) FROM mentions").fetchone()[0])
        if exact:
            matched = int(
                cur.execute(f"SELECT count(*) FROM mentions WHERE {sql}", params).fetchone()[0]
            )
            rows = cur.execute(
                "SELECT published, source_name, coalesce(title, left(text, 140)) "
                f"FROM mentions WHERE {sql} ORDER BY published DESC LIMIT ?",
                [*params, samples],
            ).fetchall()
            return Backtest(matched, total, [tuple(r) for r in rows])
        res = cur.execute(
            "SELECT published, source_name, coalesce(title, left(text, 140)), text, title, "
            "author_name, author_handle, language, url, text_norm "
            f"FROM mentions WHERE {sql} ORDER BY published DESC",
            params,
        )
        matched = 0
        found: list[tuple[Any, str, str]] = []
        while True:
            chunk = res.fetchmany(CONFIRM_CHUNK)
            if not chunk:
                break
            for pub, src, head, body, title, author, handle, lang, url, norm in chunk:
                doc = MatchDoc(
                    text=body or "", title=title or "", author=author or "",
                    author_handle=handle or "", source=src or "", lang=lang or "",
                    url=url or "",
                )  # fmt: skip
                if query.matches_prepared(prepare(doc, text_norm=norm)):
                    matched += 1
                    if len(found) < samples:
                        found.append((pub, src, head))
        return Backtest(matched, total, found)
    finally:
        cur.close()


# -- applying watch queries: to imported rows, and to the stored history ----------------

_MENTION_COLUMNS = (
    "SELECT id AS k, text, title, author_name, author_handle, source_name, language, url, "
    "text_norm FROM mentions"
)


@dataclass(frozen=True)
class EnabledQuery:
    """A watch query that is on and parses."""

    id: int
    topic: str
    text: str


def enabled_queries(ws: Workspace) -> list[EnabledQuery]:
    """Every enabled watch query that parses, by id (a broken one is skipped)."""
    from engage_desktop.core.query import QuerySyntaxError, parse

    cur = ws.cursor()
    try:
        rows = cur.execute(
            "SELECT id, topic, query FROM watch_queries WHERE enabled ORDER BY id"
        ).fetchall()
    finally:
        cur.close()
    found = []
    for qid, topic, text in rows:
        try:
            parse(text)
        except QuerySyntaxError:
            continue
        found.append(EnabledQuery(int(qid), str(topic), str(text)))
    return found


def matching_keys(cur: Any, relation: str, text: str) -> list[int]:
    """The ``k`` of each row of ``relation`` the query matches (exactly, as fetches do).

    ``relation`` is a SELECT giving ``k`` and the columns the query SQL reads; when
    the SQL is only a pre-filter each candidate is confirmed with the Python matcher.
    """
    from engage_desktop.core.query import MatchDoc, parse, prepare

    query = parse(text)
    compiled = query.to_sql()
    sql, params = compiled
    if getattr(compiled, "exact", True):
        rows = cur.execute(f"SELECT k FROM ({relation}) WHERE {sql}", params).fetchall()
        return [int(r[0]) for r in rows]
    res = cur.execute(
        "SELECT k, text, title, author_name, author_handle, source_name, language, url, "
        f"text_norm FROM ({relation}) WHERE {sql}",
        params,
    )
    keys: list[int] = []
    while chunk := res.fetchmany(CONFIRM_CHUNK):
        for k, body, title, author, handle, src, lang, url, norm in chunk:
            doc = MatchDoc(
                text=body or "", title=title or "", author=author or "",
                author_handle=handle or "", source=src or "", lang=lang or "", url=url or "",
            )  # fmt: skip
            if query.matches_prepared(prepare(doc, text_norm=norm)):
                keys.append(int(k))
    return keys


def match_table(
    cur: Any, relation: str, queries: list[EnabledQuery]
) -> tuple[list[list[str]], list[list[int]]]:
    """Topics and matched query ids of each row of rows about to be stored.

    Args:
        cur: A cursor.
        relation: A SELECT giving ``k`` (the row's position, ``0..n-1``) and the
            columns the query SQL reads (``text``, ``title``, ``author_name``, ...).
        queries: The enabled watch queries.

    Returns:
        Per row, its topics and its matched query ids.
    """
    rows = int(cur.execute(f"SELECT count(*) FROM ({relation})").fetchone()[0])
    topics: list[list[str]] = [[] for _ in range(rows)]
    matched: list[list[int]] = [[] for _ in range(rows)]
    for q in queries:
        for k in matching_keys(cur, relation, q.text):
            matched[k].append(q.id)
            if q.topic not in topics[k]:
                topics[k].append(q.topic)
    return topics, matched


@dataclass
class ApplySummary:
    """What re-applying a watch query to the stored history changed."""

    query_id: int
    matched: int = 0
    added: int = 0
    removed: int = 0
    cancelled: bool = False

    def line(self) -> str:
        """One line for the CLI and the status bar."""
        return (
            f"watch query {self.query_id} matches {self.matched:,} stored mentions "
            f"({self.added:,} newly tagged, {self.removed:,} no longer)"
        )


def apply_watch_query(
    ws: Workspace,
    query_id: int,
    *,
    old_topic: str | None = None,
    progress: Any = None,
    is_cancelled: Any = None,
) -> ApplySummary:
    """(Re-)apply one watch query to every stored mention: a back-test that writes.

    Mentions it matches get its id in ``matched_queries`` and its topic; mentions it
    no longer matches (after an edit, or when it is disabled or deleted) lose them.
    Other topics of a mention are kept. One transaction: a cancel writes nothing.

    Args:
        ws: Writable workspace.
        query_id: The query (a deleted or disabled one is removed from every mention).
        old_topic: Its topic before an edit, so the old topic is taken off too.
        progress: ``progress(done, total)`` in steps.
        is_cancelled: Polled between steps.
    """
    summary = ApplySummary(query_id)
    cancelled = is_cancelled or (lambda: False)
    row = (
        ws.cursor()
        .execute("SELECT topic, query, enabled FROM watch_queries WHERE id = ?", [query_id])
        .fetchone()
    )
    steps = 3
    if progress is not None:
        progress(0, steps)
    cur = ws.cursor()
    try:
        hits = matching_keys(cur, _MENTION_COLUMNS, row[1]) if row and row[2] else []
    finally:
        cur.close()
    summary.matched = len(hits)
    if progress is not None:
        progress(1, steps)
    if cancelled():
        summary.cancelled = True
        return summary
    topic = row[0] if row else None
    affected = {t for t in (topic, old_topic) if t}
    topic_of = dict(
        ws.cursor().execute("SELECT id, topic FROM watch_queries WHERE enabled").fetchall()
    )
    try:
        _retag(ws, query_id, hits, topic, affected, topic_of, summary, progress, cancelled)
    except _Rollback:
        summary.added = summary.removed = 0
        summary.cancelled = True
        return summary
    if progress is not None:
        progress(3, 3)
    return summary


def _retag(
    ws: Workspace,
    query_id: int,
    hits: list[int],
    topic: str | None,
    affected: set[str],
    topic_of: dict[int, str],
    summary: ApplySummary,
    progress: Any,
    cancelled: Any,
) -> None:
    import numpy as np

    from engage_desktop.workspace.columns import objects

    with ws.write() as cur:
        cur.register("hits", {"id": np.array(hits, dtype=np.int64)})
        changed = cur.execute(
            """SELECT m.id, m.topics, m.matched_queries, h.id IS NOT NULL AS hit
            FROM mentions m LEFT JOIN hits h ON h.id = m.id
            WHERE (h.id IS NOT NULL) <> list_contains(m.matched_queries, ?)
               OR (h.id IS NOT NULL AND NOT list_has_all(m.topics, ?::VARCHAR[]))
               OR (h.id IS NULL AND list_has_any(m.topics, ?::VARCHAR[]))""",
            [query_id, [topic] if topic else [], sorted(affected)],
        ).fetchall()
        if progress is not None:
            progress(2, 3)
        ids, new_topics, new_matched = [], [], []
        for mid, old_topics, old_matched, hit in changed:
            matched = [q for q in old_matched if q != query_id] + ([query_id] if hit else [])
            if hit and query_id not in old_matched:
                summary.added += 1
            if not hit and query_id in old_matched:
                summary.removed += 1
            kept = [t for t in old_topics if t not in affected]
            for q in matched:
                t = topic_of.get(q)
                if t and t not in kept:
                    kept.append(t)
            ids.append(mid)
            new_topics.append(kept)
            new_matched.append(matched)
        cur.unregister("hits")
        if ids and not cancelled():
            # Lists travel as object arrays; DuckDB reads each cell's list (typed by the
            # casts below even when every list is empty).
            cur.register(
                "retagged",
                {
                    "id": np.array(ids, dtype=np.int64),
                    "topics": objects(new_topics, len(ids)),
                    "matched_queries": objects(new_matched, len(ids)),
                },
            )
            cur.execute(
                "UPDATE mentions SET topics = r.topics::VARCHAR[], "
                "matched_queries = r.matched_queries::INTEGER[] "
                "FROM retagged r WHERE mentions.id = r.id"
            )
            cur.unregister("retagged")
        if cancelled():
            raise _Rollback


class _Rollback(Exception):
    """Raised inside the write to undo it when the user cancels."""
