"""The storing half of listening: match items, write mentions and authors, record health.

Called by :mod:`engage_desktop.services.listen` on the thread that runs the fetch; every
write goes through ``Workspace.write()`` in bulk (Arrow tables), one transaction per
batch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from engage_desktop.sources.base import SourceSpec
from engage_desktop.sources.item import FeedItem
from engage_desktop.storage.workspace import Workspace

MAX_BACKOFF_S = 6 * 3600
MENTION_COLUMNS = (
    "item_key", "source_id", "source_name", "channel", "remote_id", "remote_cid", "url",
    "author_name", "author_handle", "author_url", "title", "text", "html", "text_norm",
    "published", "language", "thread_id", "parent_id", "followers", "likes", "reposts",
    "replies", "score", "topics", "matched_queries",
)  # fmt: skip


@dataclass(frozen=True)
class WatchSet:
    """The enabled watch queries of a run: ids with text (for workers) and topics."""

    queries: tuple[tuple[int, str], ...]
    topics: dict[int, str]


def load_matchers(ws: Workspace) -> tuple[WatchSet, list[str]]:
    """Every enabled watch query that parses.

    Returns:
        The watch set, and one line per query that does not parse (it is skipped).
    """
    from engage_desktop.core.query import QuerySyntaxError, parse

    cur = ws.cursor()
    try:
        rows = cur.execute(
            "SELECT id, name, topic, query FROM watch_queries WHERE enabled ORDER BY id"
        ).fetchall()
    finally:
        cur.close()
    queries, topics, problems = [], {}, []
    for qid, name, topic, text in rows:
        try:
            parse(text)
        except QuerySyntaxError as exc:
            problems.append(f"watch query {name!r} skipped: {exc}")
            continue
        queries.append((int(qid), text))
        topics[int(qid)] = topic
    return WatchSet(tuple(queries), topics), problems


class MentionBatch:
    """Rows waiting to be stored, deduplicated by item key within the run."""

    def __init__(self, watch: WatchSet) -> None:
        self.watch = watch
        self.rows: dict[str, list[Any]] = {c: [] for c in MENTION_COLUMNS}
        self.seen: set[str] = set()
        self.kept_by_source: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.rows["item_key"])

    def add(
        self,
        spec: SourceSpec,
        items: list[FeedItem],
        keep_all: bool,
        matches: list[tuple[str, list[int]]] | None = None,
    ) -> int:
        """Queue the items to keep (matched, or all for keep-all sources).

        Args:
            spec: The source they came from.
            items: Its items.
            keep_all: Keep items that match no query too.
            matches: Folded text and matching query ids per item, when a worker
                computed them already; matched here otherwise.
        """
        if matches is None:
            from engage_desktop.services.listen_worker import match_items

            matches = match_items(items, spec.name, self.watch.queries)
        kept = 0
        cols = self.rows
        topic_of = self.watch.topics
        for it, (norm, matched) in zip(items, matches, strict=True):
            if it.item_key in self.seen or (not matched and not keep_all):
                continue
            self.seen.add(it.item_key)
            kept += 1
            topics: list[str] = []
            for qid in matched:
                if topic_of[qid] not in topics:
                    topics.append(topic_of[qid])
            for name, value in (
                ("item_key", it.item_key), ("source_id", spec.id), ("source_name", spec.name),
                ("channel", spec.channel), ("remote_id", it.remote_id),
                ("remote_cid", it.remote_cid), ("url", it.url),
                ("author_name", it.author_name), ("author_handle", it.author_handle),
                ("author_url", it.author_url), ("title", it.title), ("text", it.text),
                ("html", it.html), ("text_norm", norm),
                ("published", int(it.published.timestamp() * 1_000_000)),
                ("language", it.language), ("thread_id", it.thread_id),
                ("parent_id", it.parent_id), ("followers", it.followers), ("likes", it.likes),
                ("reposts", it.reposts), ("replies", it.replies), ("score", it.score),
                ("topics", topics), ("matched_queries", matched),
            ):  # fmt: skip
                cols[name].append(value)
        self.kept_by_source[spec.id] = self.kept_by_source.get(spec.id, 0) + kept
        return kept

    def take(self) -> dict[str, list[Any]]:
        """The queued rows; the batch is empty afterwards (the seen-set stays)."""
        rows = self.rows
        self.rows = {c: [] for c in MENTION_COLUMNS}
        return rows


def _arrow(rows: dict[str, list[Any]]) -> Any:
    import pyarrow as pa

    ints = ("source_id", "followers", "likes", "reposts", "replies", "score")
    fields = []
    for name in MENTION_COLUMNS:
        if name in ints:
            t = pa.int64()
        elif name == "published":
            t = pa.timestamp("us", tz="UTC")  # filled with epoch microseconds
        elif name == "topics":
            t = pa.list_(pa.string())
        elif name == "matched_queries":
            t = pa.list_(pa.int32())
        else:
            t = pa.string()
        fields.append(pa.field(name, t))
    arrays = []
    for f in fields:
        values = rows[f.name]
        if f.name == "published":
            arrays.append(pa.array(values, pa.int64()).cast(f.type))
        else:
            arrays.append(pa.array(values, f.type))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def store_rows(ws: Workspace, rows: dict[str, list[Any]]) -> list[int]:
    """Insert mentions (skipping known item keys), upsert their authors.

    Returns:
        The ids of the mentions that were new.
    """
    if not rows["item_key"]:
        return []
    table = _arrow(rows)
    cols = ", ".join(c for c in MENTION_COLUMNS if c != "author_url")
    from engage_desktop.core.intents import intents_sql
    from engage_desktop.services.enrich import intent_rules

    # Intent tags go in with the row: updating a LIST column later rewrites the row.
    intents = intents_sql(intent_rules(ws))
    with ws.write() as cur:
        cur.register("incoming_mentions", table)
        ids = [
            r[0]
            for r in cur.execute(
                f"INSERT OR IGNORE INTO mentions BY NAME SELECT nextval('mention_ids') AS id, "
                f"{cols}, {intents} AS intents FROM incoming_mentions RETURNING id"
            ).fetchall()
        ]
        if ids:
            import pyarrow as pa

            cur.register("new_mention_ids", pa.table({"id": pa.array(ids, pa.int64())}))
            _upsert_authors(cur)
    return ids


def _upsert_authors(cur: Any) -> None:
    """Authors of the new mentions: insert or refresh, then link mentions to them."""
    cur.execute(
        """
        CREATE OR REPLACE TEMP TABLE new_authors AS
        SELECT m.channel, coalesce(m.author_handle, m.author_name) AS handle,
               any_value(m.author_name) AS name, any_value(i.author_url) AS profile_url,
               max(m.followers) AS followers, min(m.published) AS first_seen,
               max(m.published) AS last_seen, count(*) AS n
        FROM mentions m JOIN new_mention_ids n ON n.id = m.id
        LEFT JOIN incoming_mentions i ON i.item_key = m.item_key
        WHERE coalesce(m.author_handle, m.author_name) IS NOT NULL
        GROUP BY ALL
        """
    )
    cur.execute(
        """
        INSERT INTO authors (channel, handle, name, profile_url, followers, first_seen,
                             last_seen, mention_count)
        SELECT channel, handle, name, profile_url, followers, first_seen, last_seen, n
        FROM new_authors
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
    cur.execute("DROP TABLE new_authors")


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


def backoff_seconds(interval_s: int, failures: int, retry_after: float | None) -> float:
    """Delay before the next try after ``failures`` failures in a row.

    Doubles from the source's own interval, capped at six hours, and never sooner
    than the server's Retry-After.
    """
    delay = min(max(interval_s, 60) * 2 ** max(failures - 1, 0), MAX_BACKOFF_S)
    return max(delay, retry_after or 0.0)


def record_health(
    ws: Workspace, results: list[Health], state: dict[int, dict[str, Any]], now: datetime
) -> None:
    """Write every source's health in one bulk UPDATE.

    Args:
        ws: The workspace.
        results: One entry per source fetched.
        state: Stored fields per source id (interval_s, failures, config, name, ...).
        now: The run's clock.
    """
    if not results:
        return
    import pyarrow as pa

    cols: dict[str, list[Any]] = {k: [] for k in (
        "id", "ok", "last_error", "failures", "items_last_run", "next_run_at", "etag",
        "last_modified", "cursor", "config", "name")}  # fmt: skip
    for h in results:
        before = state[h.id]
        config = dict(before.get("config") or {})
        name = before["name"]
        if h.ok:
            failures = 0
            next_run = now + timedelta(seconds=int(before["interval_s"]))
            config.pop("retry_after_until", None)
            if config.pop("auto_name", False) and h.feed_title:
                name = h.feed_title.strip()[:120] or name
        else:
            failures = int(before.get("failures") or 0) + 1
            next_run = now + timedelta(
                seconds=backoff_seconds(int(before["interval_s"]), failures, h.retry_after)
            )
            if h.retry_after:
                config["retry_after_until"] = (now + timedelta(seconds=h.retry_after)).isoformat()
        h.failures = failures
        h.next_run_at = next_run
        for key, value in (
            ("id", h.id), ("ok", h.ok), ("last_error", None if h.ok else h.error),
            ("failures", failures), ("items_last_run", h.items_found if h.ok else 0),
            ("next_run_at", next_run),
            ("etag", h.etag if h.ok else before.get("etag")),
            ("last_modified", h.last_modified if h.ok else before.get("last_modified")),
            ("cursor", h.cursor if h.ok else before.get("cursor")),
            ("config", json.dumps(config) if config else None), ("name", name),
        ):  # fmt: skip
            cols[key].append(value)
    types = {
        "id": pa.int64(),
        "ok": pa.bool_(),
        "failures": pa.int64(),
        "items_last_run": pa.int64(),
        "next_run_at": pa.timestamp("us", tz="UTC"),
    }
    table = pa.table({k: pa.array(v, types.get(k, pa.string())) for k, v in cols.items()})
    with ws.write() as cur:
        cur.register("run_health", table)
        cur.execute(
            """
            UPDATE sources SET
                last_fetch_at = ?,
                last_success_at = CASE WHEN h.ok THEN ? ELSE sources.last_success_at END,
                last_error = h.last_error, failures = h.failures,
                items_last_run = h.items_last_run, next_run_at = h.next_run_at,
                etag = h.etag, last_modified = h.last_modified, cursor = h.cursor,
                config = h.config, name = h.name
            FROM run_health h WHERE sources.id = h.id
            """,
            [now, now],
        )
