"""Importing mentions exported by another tool (CSV, JSON Lines, XLSX, Parquet).

The flow: :class:`~engage_desktop.inbox.import_read.TableFile` reads the header,
:func:`~engage_desktop.inbox.import_map.auto_map` proposes which column is which
field (``--map`` or the preview dialog can change it), :func:`import_mentions`
reads the mapped columns, checks every row in one DuckDB pass over numpy columns,
matches the enabled watch queries, and inserts everything in ONE transaction: an
interrupted import (cancel, crash, full disk) writes nothing.

**Ids.** Whatever id a row carries (an integer, ``rid-00017-x``, a URL, a UUID) is
kept as the mention's ``external_id`` and comes back in every export beside our
``id``. A positive integer id not yet used in the workspace also becomes our id,
so importing our own export keeps the ids every command takes.

**Their sentiment** (a number on their scale, or a label) is kept in
``their_sentiment``/``their_label``; it never replaces our score or an analyst's
correction. The dashboard compares the two.

**Dates** with a zone (``Z``, ``+02:00``, epoch seconds or milliseconds) are taken
as written; dates without one are taken in ``assume_zone`` (UTC by default), and
the summary says so. Besides ISO 8601, the formats listening tools commonly export
are understood (``14-Mar-2020 09:36PM``, ``03/14/2020 21:36``, ``14.03.2020 21:36``).

**Bad rows** (no text, a date that is not a date, an unknown status, broken JSON,
a CSV row with the wrong number of fields) are reported with their line and not
imported; the good rows are. Rows already in the workspace (same url, or same
source and id, or same content) are skipped as duplicates.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from engage_desktop.core.errors import InvalidInput
from engage_desktop.core.text import mention_norm
from engage_desktop.core.untrusted import cell_text
from engage_desktop.inbox.import_map import ColumnMap, auto_map
from engage_desktop.inbox.import_read import ImportCancelled, TableFile
from engage_desktop.workspace.database import Workspace, log_event

STATUSES = ("new", "open", "pending", "resolved", "ignored", "spam")
IMPORT_CHANNEL = "import"
#: An imported integer id is kept only this far above the highest id in use: the
#: id sequence must be moved past it, one step at a time.
MAX_ID_JUMP = 10_000_000
#: Date formats tried after ISO 8601 (DuckDB strptime), for times without a zone.
DATE_FORMATS = (
    "%d-%b-%Y %I:%M%p", "%d-%b-%Y %H:%M", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M", "%m/%d/%Y", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y",
    "%b %d, %Y %I:%M %p", "%b %d, %Y %H:%M", "%B %d, %Y",
)  # fmt: skip
_ZONED = r"([Zz]|[+-]\d\d(:?\d\d)?| UTC| GMT)$"
Progress = Callable[[int, int], None]


@dataclass
class BadRow:
    """A row that was not imported: its line in the file and why."""

    line: int
    reason: str


@dataclass
class ImportSummary:
    """What :func:`import_mentions` did."""

    rows: int = 0
    imported: int = 0
    duplicates: int = 0
    bad: list[BadRow] = field(default_factory=list)
    kept_ids: int = 0
    #: Integer ids that could not become ours (taken, too far): (line, original, new).
    new_ids: list[tuple[int, str, int]] = field(default_factory=list)
    external_ids: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    undated: int = 0
    zoned: int = 0
    unzoned: int = 0
    assumed_zone: str = "UTC"
    their_sentiment: int = 0
    matched: int = 0
    mapping: ColumnMap | None = None
    mention_ids: list[int] = field(default_factory=list)
    #: Rows kept, but changed (cut, link dropped, date replaced) or skipped as repeats.
    warnings: list[BadRow] = field(default_factory=list)

    def line(self) -> str:
        """The one-line summary the CLI prints and the window shows."""
        parts = [
            f"imported {self.imported:,} of {self.rows:,} rows",
            f"{len(self.bad):,} bad",
            f"{self.duplicates:,} already present",
            f"{self.kept_ids:,} ids kept",
            f"{len(self.new_ids):,} given new ids",
            f"{self.external_ids:,} external ids",
            f"{self.matched:,} matched a watch query",
        ]
        if self.their_sentiment:
            parts.append(f"{self.their_sentiment:,} with the other tool's sentiment")
        parts.append(
            f"times: {self.zoned:,} with a zone, {self.unzoned:,} without, "
            f"taken as {self.assumed_zone}"
        )
        if self.undated:
            parts.append(f"{self.undated:,} without a date stamped with the import time")
        return "; ".join(parts)


def propose_mapping(path: str | Path, overrides: Mapping[str, str] | None = None) -> ColumnMap:
    """The mapping an import of ``path`` would use (for ``--map`` errors and the preview)."""
    return auto_map(TableFile(path).headers, overrides)


def import_mentions(
    ws: Workspace,
    path: str | Path,
    *,
    mapping: Mapping[str, str] | None = None,
    assume_zone: str = "UTC",
    enrich: bool = True,
    progress: Progress | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> ImportSummary:
    """Import a file of mentions; see the module docstring.

    Args:
        ws: Writable workspace.
        path: A .csv, .jsonl, .xlsx or .parquet file.
        mapping: ``{field: header}`` overrides of the automatic mapping.
        assume_zone: Time zone of dates written without one (an IANA name).
        enrich: Score sentiment before the insert (in the process pool for big
            files), so rows go in scored; False leaves that to ``score`` or the
            window's backfill. Undeclared languages are detected either way, before
            the watch queries are matched.
        progress: ``progress(done, total)`` over reading, scoring and storing
            (three equal parts of 1,000 steps).
        is_cancelled: Polled while reading and before writing; True stops the
            import with :class:`ImportCancelled` and nothing written.

    Raises:
        InvalidInput: Unsupported file, no text column, a bad ``--map``, unknown zone.
        EngageError: The file cannot be read.
        ImportCancelled: Stopped on request; nothing was written.
    """
    import numpy as np

    from engage_desktop.workspace.columns import ColumnTable

    cancelled = is_cancelled or (lambda: False)
    table_file = TableFile(path)
    cmap = auto_map(table_file.headers, mapping)
    if "text" not in cmap.fields:
        found = ", ".join(table_file.headers) or "none"
        raise InvalidInput(
            f"{table_file.path.name} has no 'text' column (found: {found}); name the column "
            "of the post's text with --map text=HEADER"
        )
    _check_zone(ws, assume_zone)
    summary = ImportSummary(mapping=cmap, assumed_zone=assume_zone)
    summary.ignored_columns = list(cmap.unused)
    fields = list(cmap.fields)
    phases = _Phases(progress)
    read = table_file.read(
        [cmap.fields[f] for f in fields], progress=phases.part(0), is_cancelled=cancelled
    )
    summary.rows = len(read.lines) + len(read.bad)
    summary.bad = [BadRow(line, reason) for line, reason in read.bad]
    raw = {f: read.columns[cmap.fields[f]] for f in fields}
    if table_file.kind != ".csv":
        raw = {f: [cell_text(v) for v in values] for f, values in raw.items()}
    n = len(read.lines)
    empty: list[str | None] = [None] * n
    col = {f: raw.get(f, empty) for f in (
        "text", "title", "author", "published", "url", "id", "external_id", "sentiment",
        "sentiment_label", "source", "status", "tags", "language", "followers",
    )}  # fmt: skip
    staged = ColumnTable(
        {
            "line": np.array(read.lines, dtype=np.int64),
            **{f"raw_{k}": v for k, v in col.items()},
        }
    )
    del raw, read, col
    if cancelled():
        raise ImportCancelled("import cancelled; nothing was written")
    checked = _check_rows(ws, staged, assume_zone, table_file.path.name)
    del staged
    reasons = checked.column("reason")
    is_bad = np.array([r is not None for r in reasons.tolist()], dtype=bool)
    summary.bad.extend(
        BadRow(int(line), str(reason))
        for line, reason in zip(
            checked.column("line")[is_bad].tolist(), reasons[is_bad].tolist(), strict=True
        )
    )
    summary.bad.sort(key=lambda b: b.line)
    good = checked.select(n for n in checked.column_names if n != "reason").take(~is_bad)
    del checked, reasons
    good = _harden(good, summary)
    good = _with_item_keys(good)
    good = _with_scores(ws, good, enrich, phases.part(1), cancelled)
    if cancelled():
        raise ImportCancelled("import cancelled; nothing was written")
    phases.part(2)(0, 1)
    _store(ws, good, table_file.path, summary)
    phases.part(2)(1, 1)
    return summary


class _Phases:
    """Progress over reading, scoring and storing, as one bar of 3,000 steps."""

    STEPS = 1000

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress

    def part(self, index: int) -> Progress:
        def report(done: int, total: int) -> None:
            if self.progress is not None:
                share = min(1.0, done / total) if total else 1.0
                self.progress(index * self.STEPS + int(share * self.STEPS), 3 * self.STEPS)

        return report


def _with_scores(
    ws: Workspace, good: Any, enrich: bool, progress: Progress, cancelled: Callable[[], bool]
) -> Any:
    """Add languages and model scores (NULL scores when not enriching) to the good rows.

    Undeclared languages are detected either way, before the watch queries are
    matched (``lang:fr`` must match an imported French post without a language
    column); ``enrich=False`` skips only the scoring.
    """
    import numpy as np

    from engage_desktop.enrich.sentiment import ScoringCancelled
    from engage_desktop.workspace.columns import ColumnTable

    names = ("model_sentiment", "model_label", "sentiment_pos", "sentiment_neu", "sentiment_neg")
    if not good.num_rows:
        for name in names:
            good = good.with_column(name, np.zeros(0, object if name == "model_label" else float))
        progress(1, 1)
        return good
    from engage_desktop.enrich.pipeline import score_before_insert

    try:
        cols = score_before_insert(
            ws,
            good.column("title").tolist(),
            good.column("text").tolist(),
            good.column("language").tolist(),
            progress=progress,
            is_cancelled=cancelled,
            score=enrich,
        )
    except ScoringCancelled:
        raise ImportCancelled("import cancelled; nothing was written") from None
    return ColumnTable({**good, "language": cols["language"], **{n: cols[n] for n in names}})


def _check_zone(ws: Workspace, zone: str) -> None:
    cur = ws.cursor()
    try:
        cur.execute("SELECT timezone(?, TIMESTAMP '2020-01-01 00:00')", [zone]).fetchone()
    except Exception:  # DuckDB's error for an unknown zone name
        raise InvalidInput(
            f"unknown time zone {zone!r}; use an IANA name such as UTC or Europe/Berlin"
        ) from None
    finally:
        cur.close()


def _check_rows(ws: Workspace, staged: Any, zone: str, default_source: str) -> Any:
    """Parse and check every row in one DuckDB pass; each row gets a ``reason`` or NULL.

    ``flagged`` marks the rows :func:`_harden` must look at: a field too long or with
    control characters, a link that is not http(s), a date before 1990 or in the future.
    """
    from engage_desktop.inbox.import_guard import MAX_FIELD_CHARS
    from engage_desktop.workspace.columns import fetch_columns

    formats = "[" + ", ".join(f"'{f}'" for f in DATE_FORMATS) + "]"
    label_of = """CASE
        WHEN lower(trim({x})) IN ('positive', 'pos', 'very positive') THEN 'positive'
        WHEN lower(trim({x})) IN ('negative', 'neg', 'very negative') THEN 'negative'
        WHEN lower(trim({x})) IN ('neutral', 'neu', 'mixed') THEN 'neutral' END"""
    sql = f"""
    WITH s AS (
        SELECT *, nullif(trim(raw_published), '') AS pub, try_cast(raw_sentiment AS DOUBLE) AS num,
               nullif(lower(trim(raw_status)), '') AS st
        FROM staged
    ), p AS (
        SELECT *,
            CASE
                WHEN pub IS NULL THEN NULL
                WHEN regexp_full_match(pub, '\\d{{13}}') THEN to_timestamp(pub::DOUBLE / 1000)
                WHEN regexp_full_match(pub, '\\d{{9,10}}(\\.\\d+)?') THEN to_timestamp(pub::DOUBLE)
                WHEN regexp_matches(pub, '{_ZONED}') THEN try_cast(pub AS TIMESTAMPTZ)
                ELSE timezone(?, coalesce(try_cast(pub AS TIMESTAMP),
                                          try_strptime(pub, {formats})))
            END AS published,
            pub IS NOT NULL AND NOT regexp_matches(pub, '{_ZONED}')
                AND NOT regexp_full_match(pub, '\\d{{9,13}}(\\.\\d+)?') AS unzoned
        FROM s
    )
    SELECT *, {_flagged_sql(MAX_FIELD_CHARS)} AS flagged FROM (SELECT line,
        CASE
            WHEN raw_text IS NULL OR trim(raw_text) = '' THEN 'no text'
            WHEN pub IS NOT NULL AND published IS NULL THEN
                'published ' || '''' || pub || '''' ||
                ' is not an ISO 8601 date/time or a known export date format'
            WHEN st IS NOT NULL AND st NOT IN {STATUSES} THEN
                'status ' || '''' || st || '''' || ' is not one of {", ".join(STATUSES)}'
        END AS reason,
        raw_text AS text, nullif(trim(raw_title), '') AS title,
        nullif(trim(raw_author), '') AS author, published, unzoned,
        nullif(trim(raw_url), '') AS url, nullif(trim(raw_id), '') AS id_text,
        coalesce(nullif(trim(raw_external_id), ''), nullif(trim(raw_id), '')) AS external_id,
        CASE WHEN num IS NOT NULL AND isfinite(num) THEN num END AS their_sentiment,
        coalesce({label_of.format(x="raw_sentiment_label")}, {label_of.format(x="raw_sentiment")},
                 CASE WHEN num > 0 THEN 'positive' WHEN num < 0 THEN 'negative'
                      WHEN num = 0 THEN 'neutral' END) AS their_label,
        coalesce(nullif(trim(raw_source), ''), ?) AS source, coalesce(st, 'new') AS status,
        to_json(list_filter(list_transform(
            string_split(replace(coalesce(raw_tags, ''), ';', ','), ','),
            lambda t: trim(t)), lambda t: t <> ''))::VARCHAR AS tags,
        nullif(split_part(replace(lower(trim(raw_language)), '_', '-'), '-', 1), '')
            AS language,
        try_cast(try_cast(raw_followers AS DOUBLE) AS INTEGER) AS followers
    FROM p) ORDER BY line
    """
    cur = ws.cursor()
    try:
        cur.register("staged", staged)
        now = datetime.now(UTC)
        table = fetch_columns(cur.sql(sql, params=[zone, now + timedelta(days=2), default_source]))
        cur.unregister("staged")
    finally:
        cur.close()
    return table


_CONTROLS = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]"
_HARDENED = (("text", "text"), ("title", "title"), ("author", "author"), ("source", "source"),
             ("external_id", "id"), ("url", "url"))  # fmt: skip


def _flagged_sql(max_chars: int) -> str:
    """True for a row :func:`_harden` must look at (see :func:`_check_rows`)."""
    tests = [
        f"length({c}) > {max_chars} OR regexp_matches({c}, '{_CONTROLS}')" for c, _ in _HARDENED
    ]
    tests.append("NOT regexp_matches(url, '^(?i)https?://\\S+$')")
    tests.append("published < TIMESTAMPTZ '1990-01-01 00:00:00+00' OR published > ?::TIMESTAMPTZ")
    return " OR ".join(f"coalesce({t}, false)" for t in tests)


def _harden(good: Any, summary: ImportSummary) -> Any:
    """A client's file is untrusted: cut huge fields, strip control characters, drop
    links that are not http(s), replace impossible dates; each change by line.

    The check's SQL flags the few rows that need it (``flagged``); those go through
    the same :func:`~engage_desktop.inbox.import_guard.harden_row` as every other
    import path.
    """
    import numpy as np

    from engage_desktop.inbox.import_guard import harden_row
    from engage_desktop.workspace.columns import ColumnTable, json_lists

    now = datetime.now(UTC)
    rows = np.flatnonzero(good.column("flagged") == True).tolist()  # noqa: E712 (NULL is None)
    good = good.select(n for n in good.column_names if n != "flagged")
    notes_col = np.full(good.num_rows, None, dtype=object)
    if not rows:
        return good.with_column("published_note", notes_col)
    columns = {c: good.column(c).copy() for c, _ in _HARDENED}
    published = good.column("published").copy()
    tags = good.column("tags").copy()
    lines = good.column("line")
    for i in rows:
        row = {name: columns[c][i] for c, name in _HARDENED}
        stamp = published[i]
        row["published"] = None if np.isnat(stamp) else stamp.item().replace(tzinfo=UTC)
        row["tags"] = json.loads(tags[i]) if tags[i] is not None else None
        for note in harden_row(row, now):
            summary.warnings.append(BadRow(int(lines[i]), note))
        for c, name in _HARDENED:
            columns[c][i] = row[name]
        when = row["published"]
        published[i] = np.datetime64("NaT") if when is None else _utc64(when)
        tags[i] = json_lists([row["tags"]])[0]
        notes_col[i] = row.get("published_note")
    return ColumnTable(
        {**good, **columns, "published": published, "tags": tags, "published_note": notes_col}
    )


def _utc64(when: datetime) -> Any:
    """An aware datetime as numpy's (naive, UTC) microseconds."""
    import numpy as np

    return np.datetime64(when.astimezone(UTC).replace(tzinfo=None), "us")


def _with_item_keys(good: Any) -> Any:
    """Add the dedupe key: the url; else the source's own id; else a hash of the content.

    The content hash (blake2b, as earlier versions stored it) is computed only for
    the rows that have neither url nor id.
    """
    urls = good.column("url").tolist()
    ext = good.column("external_id").tolist()
    sources = good.column("source").tolist()
    keys: list[str] = []
    need = [i for i, (u, e) in enumerate(zip(urls, ext, strict=True)) if not u and not e]
    hashed: dict[int, str] = {}
    if need:
        authors = good.column("author").tolist()
        titles = good.column("title").tolist()
        texts = good.column("text").tolist()
        stamps = good.column("published").tolist()  # naive UTC datetimes, None for NaT
        for i in need:
            # Aware, as earlier versions hashed it ("...+00:00"): the same key again.
            stamp = stamps[i].replace(tzinfo=UTC).isoformat() if stamps[i] is not None else ""
            blob = "\x1f".join((sources[i], authors[i] or "", stamp, titles[i] or "", texts[i]))
            hashed[i] = "import:" + hashlib.blake2b(blob.encode(), digest_size=12).hexdigest()
    for i, (u, e, src) in enumerate(zip(urls, ext, sources, strict=True)):
        keys.append(u if u else f"import:{src}:{e}" if e else hashed[i])
    return good.with_column("item_key", keys)


def _store(ws: Workspace, good: Any, path: Path, summary: ImportSummary) -> None:
    """Insert the new rows, with ids, topics and intents, in one transaction."""
    import numpy as np

    from engage_desktop.enrich.store import refresh_authors
    from engage_desktop.listen.insert import InsertRules, insert_mentions
    from engage_desktop.listen.watch import match_table
    from engage_desktop.workspace.columns import ColumnTable, json_lists, list_sql

    rules = InsertRules.of(ws)
    norms = [
        mention_norm(title, text)
        for title, text in zip(
            good.column("title").tolist(), good.column("text").tolist(), strict=True
        )
    ]
    good = good.with_column("text_norm", norms)
    total_good = good.num_rows
    # First of each key in the file (the file is in line order); a repeat is reported.
    first: dict[str, int] = {}
    lines = good.column("line").tolist()
    urls = good.column("url").tolist()
    ext = good.column("external_id").tolist()
    for i, key in enumerate(good.column("item_key").tolist()):
        seen = first.setdefault(key, i)
        if seen != i:
            what = "url" if urls[i] and urls[i] == urls[seen] else "id" if ext[i] else "content"
            summary.warnings.append(
                BadRow(int(lines[i]), f"same {what} as line {lines[seen]}; skipped as a duplicate")
            )
    summary.warnings.sort(key=lambda w: w.line)
    if len(first) < good.num_rows:
        good = good.take(sorted(first.values()))
    with ws.write() as cur:
        # Not already here: a row is here when its key is, or its url is a stored
        # mention's url (fetched mentions key on guids, not urls).
        cur.register("incoming_keys", good.select(["item_key", "url"]))
        known = {
            r[0]
            for r in cur.execute(
                "SELECT item_key FROM mentions WHERE item_key IN "
                "(SELECT item_key FROM incoming_keys) UNION ALL SELECT url FROM mentions "
                "WHERE url IN (SELECT url FROM incoming_keys WHERE url IS NOT NULL)"
            ).fetchall()
        }
        cur.unregister("incoming_keys")
        if known:
            keys = good.column("item_key").tolist()
            urls = good.column("url").tolist()
            keep = [k not in known and (u is None or u not in known) for k, u in zip(
                keys, urls, strict=True)]  # fmt: skip
            good = good.take(np.array(keep, dtype=bool))
        summary.duplicates += total_good - good.num_rows
        fresh = good.num_rows
        good = good.with_column("id", np.array(_assign_ids(cur, good, summary), dtype=np.int64))
        good = good.with_column("k", np.arange(fresh, dtype=np.int64))
        summary.undated = int(np.isnat(good.column("published")).sum())
        summary.unzoned = sum(1 for u in good.column("unzoned").tolist() if u)
        summary.external_ids = fresh - good.column("external_id").tolist().count(None)
        summary.their_sentiment = fresh - good.column("their_label").tolist().count(None)
        summary.zoned = fresh - summary.undated - summary.unzoned
        cur.register("fresh_rows", good)
        _upsert_authors(cur)
        # Topics as a fetch matches them (core.query), on the rows about to go in.
        if rules.queries:
            topics, matched = match_table(cur, _AS_MENTIONS, list(rules.queries))
        else:
            topics, matched = [[] for _ in range(fresh)], [[] for _ in range(fresh)]
        summary.matched = fresh - matched.count([])
        cur.register(
            "fresh_topics",
            ColumnTable(
                k=np.arange(fresh, dtype=np.int64),
                topics=json_lists(topics, fresh),
                matched_queries=json_lists(matched, fresh),
            ),
        )
        rows = cur.sql(
            f"SELECT m.* REPLACE ({list_sql('m.tags')} AS tags), "
            f"{list_sql('t.topics')} AS topics, "
            f"{list_sql('t.matched_queries', 'INTEGER')} AS matched_queries "
            f"FROM ({_AS_MENTIONS}) m JOIN fresh_topics t USING (k) ORDER BY k"
        )
        # Scores, intent tags, topics, author and priority go in with the row: an
        # UPDATE later would rewrite every wide row.
        insert_mentions(cur, rows, rules, return_ids=False)
        del rows
        cur.unregister("fresh_topics")
        touched = [
            int(r[0])
            for r in cur.execute(
                f"SELECT DISTINCT a.id FROM fresh_rows f JOIN authors a ON a.channel = "
                f"'{IMPORT_CHANNEL}' AND a.handle = f.author WHERE f.model_label IS NOT NULL"
            ).fetchall()
        ]
        if touched:
            refresh_authors(cur, touched)
        ids = good.column("id").tolist()
        cur.unregister("fresh_rows")
        log_event(
            cur, ws.actor, "mentions", None, "import", None, fresh,
            {"file": str(path), "bad": len(summary.bad), "duplicates": summary.duplicates,
             "mapping": dict(summary.mapping.fields) if summary.mapping else {}},
        )  # fmt: skip
    summary.imported = fresh
    summary.mention_ids = ids


#: The staged ``fresh_rows`` as mention columns, with their authors' ids, in file
#: order; ``k`` numbers them from 0 (what the watch queries' matching needs).
_AS_MENTIONS = f"""SELECT f.k, f.id, f.item_key, '{IMPORT_CHANNEL}' AS channel,
       f.source AS source_name, f.external_id, f.url, a.id AS author_id,
       f.author AS author_name, f.author AS author_handle, f.title, f.text, f.text_norm,
       coalesce(f.published, now()) AS published, f.published_note,
       f.language, f.followers, f.their_sentiment, f.their_label, f.status,
       f.status = 'new' AS unread, f.tags, f.model_sentiment, f.model_label,
       f.sentiment_pos, f.sentiment_neu, f.sentiment_neg
FROM fresh_rows f
LEFT JOIN authors a ON a.channel = '{IMPORT_CHANNEL}' AND a.handle = f.author
ORDER BY f.k"""


def _upsert_authors(cur: Any) -> None:
    """Create or refresh the authors of the new rows (before they are inserted)."""
    cur.execute(
        f"""INSERT INTO authors (channel, handle, name, followers, first_seen, last_seen,
                             mention_count)
        SELECT '{IMPORT_CHANNEL}', author, any_value(author), max(followers), min(published),
               max(published), count(*)
        FROM fresh_rows WHERE author IS NOT NULL GROUP BY author
        ON CONFLICT (channel, handle) DO UPDATE SET
            followers = coalesce(excluded.followers, authors.followers),
            first_seen = least(authors.first_seen, excluded.first_seen),
            last_seen = greatest(authors.last_seen, excluded.last_seen),
            mention_count = authors.mention_count + excluded.mention_count"""
    )


def _assign_ids(cur: Any, rows: Any, summary: ImportSummary) -> list[int]:
    """Our id of each row: its integer id when free and near, else a new one."""
    external = rows.column("id_text").tolist()
    lines = rows.column("line").tolist()
    wanted = [int(e) for e in external if e is not None and e.isdigit() and len(e) < 19]
    used = {
        int(r[0])
        for r in cur.execute(
            "SELECT id FROM mentions WHERE id IN (SELECT unnest(?::BIGINT[]))", [wanted]
        ).fetchall()
    }
    top = int(cur.execute("SELECT coalesce(max(id), 0) FROM mentions").fetchall()[0][0])
    ids: list[int | None] = []
    taken: set[int] = set()
    for value in external:
        number = int(value) if value is not None and value.isdigit() and len(value) < 19 else 0
        if 0 < number <= top + MAX_ID_JUMP and number not in used and number not in taken:
            taken.add(number)
            ids.append(number)
        else:
            ids.append(None)
    _advance_past(cur, max([top, *taken]))
    missing = sum(1 for i in ids if i is None)
    fresh = iter(
        int(r[0])
        for r in cur.execute(
            f"SELECT nextval('mention_ids') FROM range({missing}) ORDER BY 1"
        ).fetchall()
    )
    for k, value in enumerate(external):
        if ids[k] is None:
            ids[k] = next(fresh)
            if value is not None and value.isdigit():
                summary.new_ids.append((int(lines[k]), value, int(ids[k])))  # type: ignore[arg-type]
    summary.kept_ids = len(taken)
    return ids  # type: ignore[return-value]  # every None was filled


def _advance_past(cur: Any, value: int) -> None:
    """Move the mention id sequence past ``value`` (DuckDB has no setval)."""
    current = int(cur.execute("SELECT nextval('mention_ids')").fetchone()[0])
    if current < value:
        cur.execute(
            f"SELECT max(nextval('mention_ids')) FROM range({int(value - current)})"
        ).fetchall()
