"""The storing half of listening: write mentions and authors, record health.

Called by :mod:`engage_desktop.listen.fetch` on the thread that runs the fetch. The
rows arrive as JSON texts of columns encoded by :mod:`engage_desktop.listen.worker`;
:class:`MentionBatch` gathers them and DuckDB parses them into a temporary table in
the write transaction (no numpy, no pyarrow, no Python object per cell). Every write
goes through ``Workspace.write()`` in bulk, one transaction per batch.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from engage_desktop.core.untrusted import strip_controls
from engage_desktop.listen.worker import (
    ROW_TYPES,
    EncodedRows,
    RowConfig,
    Rows,
    RowSource,
    encode_rows,
    prepare_rows,
)
from engage_desktop.sources.base import SourceSpec
from engage_desktop.sources.item import FeedItem
from engage_desktop.workspace.database import Workspace

if TYPE_CHECKING:
    from engage_desktop.listen.insert import InsertRules, JsonRows

MAX_BACKOFF_S = 6 * 3600
#: No wait, whatever a server asks, is longer than this (see http.MAX_RETRY_AFTER_S).
MAX_WAIT_S = 24 * 3600


def load_matchers(ws: Workspace, *, score: bool = True) -> tuple[RowConfig, list[str]]:
    """The run's row configuration: every enabled watch query that parses, and scoring.

    Args:
        ws: The workspace.
        score: Score rows as they are built (with the workspace's lexicon
            adjustments); False leaves sentiment to the enrichment hook.

    Returns:
        The configuration, and one line per query that does not parse (it is skipped).
    """
    from engage_desktop.core.query import QuerySyntaxError, parse
    from engage_desktop.enrich.store import lexicon_adjustments

    cur = ws.cursor()
    try:
        rows = cur.execute(
            "SELECT id, name, topic, query FROM watch_queries WHERE enabled ORDER BY id"
        ).fetchall()
    finally:
        cur.close()
    queries, topics, problems = [], [], []
    for qid, name, topic, text in rows:
        try:
            parse(text)
        except QuerySyntaxError as exc:
            problems.append(f"watch query {name!r} skipped: {exc}")
            continue
        queries.append((int(qid), text))
        topics.append((int(qid), topic))
    adjustments = tuple(sorted(lexicon_adjustments(ws).items())) if score else None
    run = time.monotonic_ns()
    return RowConfig(tuple(queries), tuple(topics), adjustments, run), problems


class MentionBatch:
    """Rows waiting to be stored, deduplicated by item key within the run.

    Each document's rows are kept as the JSON text a worker encoded (rows built on
    this process's threads are encoded here), so :meth:`take` hands DuckDB a list of
    strings and this process never holds a Python object per cell.
    """

    def __init__(self, config: RowConfig) -> None:
        self.config = config
        self.documents: list[str] = []
        self.rows = 0
        self.seen: set[str] = set()
        self.kept_by_source: dict[int, int] = {}

    def __len__(self) -> int:
        return self.rows

    def add(self, spec: SourceSpec, items: list[FeedItem], keep_all: bool) -> int:
        """Build and queue the rows of items fetched on this thread (JSON APIs)."""
        source = RowSource(spec.id, spec.name, spec.channel, keep_all)
        return self.add_rows(spec.id, prepare_rows(items, source, self.config))

    def add_rows(self, source_id: int, rows: Rows | EncodedRows | None) -> int:
        """Queue one document's rows; items already queued in this run are dropped."""
        kept = 0
        keys = (rows.keys if isinstance(rows, EncodedRows) else rows["item_key"]) if rows else []
        if rows and keys:
            seen = self.seen
            if len(set(keys)) != len(keys) or not seen.isdisjoint(keys):
                first = [i for i, k in enumerate(keys) if not (k in seen or seen.add(k))]  # type: ignore[func-returns-value]
                if isinstance(rows, EncodedRows):  # rare: decoded here, only to drop repeats
                    rows = json.loads(rows.text)
                rows = {name: [values[i] for i in first] for name, values in rows.items()}
            else:
                seen.update(keys)
            kept = len(rows.keys if isinstance(rows, EncodedRows) else rows["item_key"])
            if kept:
                encoded = rows if isinstance(rows, EncodedRows) else encode_rows(rows)
                self.documents.append(encoded.text)
                self.rows += kept
        self.kept_by_source[source_id] = self.kept_by_source.get(source_id, 0) + kept
        return kept

    def take(self) -> JsonRows | None:
        """The queued rows (None when empty); the batch is empty afterwards."""
        if not self.rows:
            return None
        from engage_desktop.listen.insert import JsonRows

        documents, count = self.documents, self.rows
        self.documents, self.rows = [], 0
        return JsonRows(documents, count, ROW_TYPES)


def store_rows(ws: Workspace, table: Any, rules: InsertRules | None = None) -> list[int]:
    """Insert mentions (skipping known item keys), upsert their authors.

    Rows a worker scored go in with their sentiment, scorer version, intents and
    priority, so nothing rewrites them afterwards (an UPDATE rewrites DuckDB's wide
    rows); rows without scores are left for the enrichment hook.

    Args:
        ws: The workspace.
        table: The rows: :meth:`MentionBatch.take`'s dict of numpy arrays, or the
            plain columns :func:`~engage_desktop.listen.worker.prepare_rows` built.
        rules: The run's insert rules (:func:`insert_rules`), read once per run
            rather than once per batch; None reads them now.

    Returns:
        The ids of the mentions that were new.
    """
    from engage_desktop.listen.insert import row_count

    if not row_count(table):
        return []
    rules = rules or insert_rules(ws)
    with ws.write() as cur:
        return insert_fetched(cur, table, rules)


def insert_fetched(cur: Any, table: Any, rules: InsertRules) -> list[int]:
    """:func:`store_rows` inside the caller's write transaction (``cur``).

    Args:
        cur: The write transaction's cursor.
        table: :meth:`MentionBatch.take`'s rows (JSON, parsed here by DuckDB), the
            plain columns :func:`~engage_desktop.listen.worker.prepare_rows` built, or
            a dict of numpy arrays.
        rules: The run's insert rules.

    Returns:
        The ids of the mentions that were new.
    """
    from engage_desktop.listen.insert import JsonRows, column_table, stage_json

    if isinstance(table, JsonRows):
        # The rows' columns and the authors' profile links, in one temporary table
        # (on an error, the caller's write() rolls it back with the rest).
        ids = _insert_and_link(cur, stage_json(cur, table, "fetched_rows"), rules)
        cur.execute("DROP TABLE fetched_rows")
        return ids
    if isinstance(table.get("item_key"), list):  # plain columns, as a worker built them
        table = column_table(table)
    cur.register("fetched_rows", {k: table[k] for k in ("item_key", "author_url")})
    return _insert_and_link(cur, table, rules)


def _insert_and_link(cur: Any, table: Any, rules: InsertRules) -> list[int]:
    """Insert the rows, then upsert their authors (``fetched_rows`` holds their links)."""
    from engage_desktop.enrich.store import refresh_authors
    from engage_desktop.listen.insert import insert_mentions

    ids = insert_mentions(cur, table, rules, skip_known=True)
    if ids:
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE new_mention_ids AS SELECT unnest(?::BIGINT[]) AS id",
            [ids],
        )
        touched = _upsert_authors(cur)
        cur.execute("DROP TABLE new_mention_ids")
        if touched:
            refresh_authors(cur, touched)
    return ids


def insert_rules(ws: Workspace) -> InsertRules:
    """The rules fetched rows are stored with: intents and priority, not matching.

    Workers matched the watch queries in the pool already.
    """
    from engage_desktop.listen.insert import InsertRules

    return InsertRules.of(ws, match=False)


def _upsert_authors(cur: Any) -> list[int]:
    """Authors of the new mentions: insert or refresh, then link mentions to them.

    Returns:
        The ids of the authors of scored new mentions (their profiles need a refresh).
    """
    # One statement (no temporary table to create and drop: ~6 ms of every store).
    cur.execute(
        """
        INSERT INTO authors (channel, handle, name, profile_url, followers, first_seen,
                             last_seen, mention_count)
        SELECT m.channel, coalesce(m.author_handle, m.author_name) AS handle,
               any_value(m.author_name), any_value(i.author_url), max(m.followers),
               min(m.published), max(m.published), count(*)
        FROM mentions m JOIN new_mention_ids n ON n.id = m.id
        LEFT JOIN fetched_rows i ON i.item_key = m.item_key
        WHERE coalesce(m.author_handle, m.author_name) IS NOT NULL
        GROUP BY m.channel, coalesce(m.author_handle, m.author_name)
        ON CONFLICT (channel, handle) DO UPDATE SET
            name = coalesce(excluded.name, authors.name),
            profile_url = coalesce(excluded.profile_url, authors.profile_url),
            followers = coalesce(excluded.followers, authors.followers),
            first_seen = least(authors.first_seen, excluded.first_seen),
            last_seen = greatest(authors.last_seen, excluded.last_seen),
            mention_count = authors.mention_count + excluded.mention_count
        """
    )
    cur.execute(
        """
        UPDATE mentions SET author_id = a.id
        FROM authors a, new_mention_ids n
        WHERE mentions.id = n.id AND a.channel = mentions.channel
          AND a.handle = coalesce(mentions.author_handle, mentions.author_name)
        """
    )
    # fetchall, not fetchone: a result left unfinished on the cursor makes DuckDB refuse
    # the caller's next step in this transaction (registering the run's health).
    touched = cur.execute(
        "SELECT DISTINCT m.author_id FROM mentions m JOIN new_mention_ids n ON n.id = m.id "
        "WHERE m.author_id IS NOT NULL AND m.model_label IS NOT NULL"
    ).fetchall()
    return [int(a) for (a,) in touched]


@dataclass
class Health:
    """The health fields of one source after a run."""

    id: int
    name: str
    ok: bool
    not_modified: bool = False
    items_found: int = 0
    new_mentions: int = 0
    error: str | None = None
    retry_after: float | None = None
    etag: str | None = None
    last_modified: str | None = None
    cursor: str | None = None
    feed_title: str | None = None
    next_run_at: datetime | None = None
    failures: int = 0
    moved_to: str | None = None
    note: str | None = None  # words beside a run that worked (quota left, paging cut)
    wait_s: float | None = None  # a pause the service asked for although the run worked


def backoff_seconds(interval_s: int, failures: int, retry_after: float | None) -> float:
    """Delay before the next try after ``failures`` failures in a row.

    Doubles from the source's own interval, capped at six hours, and never sooner
    than the server's Retry-After; never more than a day in all.
    """
    # min() before the power: 2 ** 5000 failures would not fit in a float.
    doublings = min(max(failures - 1, 0), 32)
    delay = min(max(interval_s, 60) * 2**doublings, MAX_BACKOFF_S)
    return float(min(max(delay, _finite(retry_after)), MAX_WAIT_S))


def _finite(value: float | None) -> float:
    """A server's wait as a usable number of seconds (nan, inf and negatives become 0)."""
    if value is None or value != value or value < 0:  # value != value: NaN
        return 0.0
    return min(value, float(MAX_WAIT_S))


def record_health(
    ws: Workspace, results: list[Health], state: dict[int, dict[str, Any]], now: datetime
) -> list[str]:
    """Write every source's health in one bulk UPDATE, in a transaction of its own.

    Args:
        ws: The workspace.
        results: One entry per source fetched.
        state: Stored fields per source id (interval_s, failures, config, name, ...).
        now: The run's clock.

    Returns:
        Lines for the run's warnings (a permanent move that could not be followed).
    """
    if not results:
        return []
    with ws.write() as cur:
        return write_health(ws, cur, results, state, now)


def write_health(
    ws: Workspace,
    cur: Any,
    results: list[Health],
    state: dict[int, dict[str, Any]],
    now: datetime,
) -> list[str]:
    """:func:`record_health` inside the caller's write transaction (``cur``).

    A fetch writes its last rows and the health in one transaction, so a source's
    new validators (ETag, cursor) are never stored without its rows.
    """
    if not results:
        return []
    cols: dict[str, list[Any]] = {k: [] for k in (
        "id", "ok", "last_error", "failures", "items_last_run", "next_run_at", "etag",
        "last_modified", "cursor", "config", "name")}  # fmt: skip
    problems: list[str] = []
    for h in results:
        before = state[h.id]
        config = dict(before.get("config") or {})
        name = before["name"]
        try:
            failures, next_run, name = _next_state(h, before, config, name, now)
        except (ArithmeticError, ValueError, TypeError) as exc:
            # One source's odd bookkeeping (a corrupt interval, a wild date) must not
            # lose the health of every other source: retry this one in a day.
            problems.append(f"{h.name}: its schedule could not be computed ({exc}); retry in a day")
            failures = 0 if h.ok else int(before.get("failures") or 0) + 1
            next_run = now + timedelta(seconds=MAX_WAIT_S)
            config.pop("retry_after_until", None)
        h.failures = failures
        h.next_run_at = next_run
        for key, value in (
            ("id", h.id), ("ok", h.ok),
            ("last_error", None if h.ok else strip_controls(h.error or "")),
            ("failures", failures), ("items_last_run", h.items_found if h.ok else 0),
            ("next_run_at", next_run),
            ("etag", h.etag if h.ok else before.get("etag")),
            ("last_modified", h.last_modified if h.ok else before.get("last_modified")),
            ("cursor", h.cursor if h.ok else before.get("cursor")),
            ("config", json.dumps(config) if config else None), ("name", name),
        ):  # fmt: skip
            cols[key].append(value)
    # Epoch microseconds (the workspace's session is in UTC), as lists DuckDB reads
    # as parameters: a few hundred rows, no numpy needed.
    cols["next_run_at"] = [int(t.timestamp() * 1_000_000) for t in cols["next_run_at"]]
    types = {
        "id": "BIGINT", "ok": "BOOLEAN", "last_error": "VARCHAR", "failures": "BIGINT",
        "items_last_run": "BIGINT", "next_run_at": "BIGINT", "etag": "VARCHAR",
        "last_modified": "VARCHAR", "cursor": "VARCHAR", "config": "VARCHAR", "name": "VARCHAR",
    }  # fmt: skip
    select = ", ".join(
        f"make_timestamp(unnest(?::{t}[])) AS {k}"
        if k == "next_run_at"
        else f"unnest(?::{t}[]) AS {k}"
        for k, t in types.items()
    )
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE run_health AS SELECT {select}", [cols[k] for k in types]
    )
    cur.execute(
        """
        UPDATE sources SET
            last_fetch_at = ?,
            last_success_at = CASE WHEN h.ok THEN ? ELSE sources.last_success_at END,
            last_error = h.last_error::VARCHAR, failures = h.failures,
            items_last_run = h.items_last_run, next_run_at = h.next_run_at,
            etag = h.etag::VARCHAR, last_modified = h.last_modified::VARCHAR,
            cursor = h.cursor::VARCHAR, config = h.config::VARCHAR, name = h.name::VARCHAR
        FROM run_health h WHERE sources.id = h.id
        """,
        [now, now],
    )
    cur.execute("DROP TABLE run_health")
    return problems + _follow_moves(ws, cur, results, state)


def _next_state(
    h: Health, before: dict[str, Any], config: dict[str, Any], name: str, now: datetime
) -> tuple[int, datetime, str]:
    """Failures, next run and name of one source after a run (``config`` is updated)."""
    if h.ok:
        config.pop("retry_after_until", None)
        if h.note:
            config["note"] = strip_controls(h.note)[:300]
        else:
            config.pop("note", None)
        if config.pop("auto_name", False) and h.feed_title:
            name = strip_controls(h.feed_title).strip()[:120] or name
        interval = min(max(int(before["interval_s"]), 0), MAX_WAIT_S)
        pause = _finite(h.wait_s)
        if pause > interval:  # the service asked for a longer pause (SE backoff, spent quota)
            config["retry_after_until"] = (now + timedelta(seconds=pause)).isoformat()
        return 0, now + timedelta(seconds=max(interval, pause)), name
    failures = int(before.get("failures") or 0) + 1
    next_run = now + timedelta(
        seconds=backoff_seconds(int(before["interval_s"]), failures, h.retry_after)
    )
    wait = _finite(h.retry_after)
    if wait:
        config["retry_after_until"] = (now + timedelta(seconds=wait)).isoformat()
    return failures, next_run, name


def _follow_moves(
    ws: Workspace, cur: Any, results: list[Health], state: dict[int, dict[str, Any]]
) -> list[str]:
    """Store the new address of feeds that moved permanently (301/308), as readers do.

    Returns:
        One line per move that could not be followed (another source has the address).
    """
    from engage_desktop.workspace.database import log_event

    problems = []
    for h in results:
        old = state[h.id].get("url")
        if not h.ok or not h.moved_to or h.moved_to == old:
            continue
        taken = cur.execute(
            "SELECT name FROM sources WHERE url = ? AND id <> ?", [h.moved_to, h.id]
        ).fetchone()
        if taken is not None:
            problems.append(
                f"{h.name}: the feed moved permanently to {h.moved_to}, which source "
                f"{taken[0]!r} already reads; delete one of the two"
            )
            continue
        cur.execute("UPDATE sources SET url = ? WHERE id = ?", [h.moved_to, h.id])
        log_event(cur, ws.actor, "source", h.id, "moved", old, h.moved_to, "permanent redirect")
    return problems
