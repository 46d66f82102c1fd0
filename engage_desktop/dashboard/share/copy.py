"""The executive copy: a new, compact, read-only workspace file for readers.

:func:`export_workspace` creates a fresh workspace (every migration, every table
empty) and copies into it only what :mod:`.allowlist` lists, for the mentions in a
date range and topics, optionally with authors replaced by pseudonyms. The copy is
written insert-only into a new file inside one transaction, so it holds no deleted
rows and no free pages; it is written under a temporary name and renamed into place
only when complete, so a cancelled or failed share leaves nothing behind. Its
``share_manifest`` table (:mod:`engage_desktop.workspace.shared`) makes every later
open read-only.

A writable source attaches the copy and DuckDB copies table to table; a read-only
one (which cannot attach a file for writing) writes each table's rows to a Parquet
file that the copy's own connection reads in batches. Pseudonyms rewrite texts
through a SQL function either way.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from duckdb.sqltypes import VARCHAR

from engage_desktop import __version__
from engage_desktop.core.errors import Conflict, EngageError, InvalidInput
from engage_desktop.dashboard.share import allowlist
from engage_desktop.dashboard.share.learned_copy import copy_models
from engage_desktop.dashboard.share.pseudonyms import Pseudonyms, watched_handles
from engage_desktop.workspace import settings as settings_registry
from engage_desktop.workspace.database import SUFFIX, Workspace
from engage_desktop.workspace.shared import MANIFEST_DDL, MANIFEST_TABLE

BATCH_ROWS = 100_000
ATTACHED = "share_dst"  # the copy's name while attached to the source's connection
# Text columns where @handles are rewritten under --pseudonymize.
_REWRITTEN = {"mentions": ("title", "text", "text_norm"), "replies": ("body",)}


class ShareCancelled(EngageError):
    """The user stopped the share; nothing was written."""


@dataclass(frozen=True)
class ShareOptions:
    """What to share.

    Attributes:
        start: First instant kept (UTC), or None for the beginning.
        end: First instant not kept (UTC), or None for the end.
        topics: Keep mentions of any of these topics (empty: all).
        pseudonymize: Replace authors by stable pseudonyms, drop their links.
        shared_by: The name in the manifest and the reader's banner.
        keep_segments: Keep each mention's customer segment (tier, top-tier flag),
            never the customer records themselves.
    """

    start: datetime | None = None
    end: datetime | None = None
    topics: tuple[str, ...] = ()
    pseudonymize: bool = False
    shared_by: str | None = None
    keep_segments: bool = False

    def where(self, alias: str = "m") -> tuple[str, list[Any]]:
        """The mentions kept, as SQL over ``mentions`` aliased ``alias``."""
        parts, params = ["true"], []
        if self.start is not None:
            parts.append(f"{alias}.published >= ?")
            params.append(self.start)
        if self.end is not None:
            parts.append(f"{alias}.published < ?")
            params.append(self.end)
        if self.topics:
            parts.append(f"list_has_any({alias}.topics, ?::VARCHAR[])")
            params.append(list(self.topics))
        return " AND ".join(parts), params


@dataclass(frozen=True)
class ShareSummary:
    """What a share wrote."""

    path: Path
    mentions: int
    authors: int
    replies: int
    source_bytes: int
    shared_bytes: int
    seconds: float
    pseudonymized: bool
    segments: bool = False

    def line(self) -> str:
        """The one-line summary the CLI prints and the window shows."""
        pseudo = ", authors pseudonymised" if self.pseudonymized else ""
        pseudo += ", customer segments kept" if self.segments else ""
        return (
            f"shared {self.mentions:,} mentions by {self.authors:,} authors to {self.path} "
            f"({self.shared_bytes / 1e6:,.1f} MB, source {self.source_bytes / 1e6:,.1f} MB"
            f"{pseudo}) in {self.seconds:.1f} s; it opens read-only"
        )


def _progress(state: Any, done: int, total: int) -> None:
    if state is not None:
        if state.is_cancelled():
            raise ShareCancelled("sharing cancelled; no file was written")
        state.progress(done, total)


def export_workspace(
    state: Any, ws: Workspace, out: str | Path, options: ShareOptions, *, overwrite: bool = False
) -> ShareSummary:
    """Write the shared copy of ``ws`` to ``out``.

    Args:
        state: Progress and cancellation (``progress(done, total)``,
            ``is_cancelled()``), or None.
        ws: The source workspace (open for writing or read-only).
        out: The new file; must end in ``.engage``.
        options: Range, topics, pseudonyms, who shares.
        overwrite: Replace an existing ``out``.

    Raises:
        InvalidInput: ``out`` is not an ``.engage`` file, or is the source itself.
        Conflict: ``out`` exists and ``force`` is off.
        ShareCancelled: ``state`` was cancelled; nothing was written.
    """
    started = time.perf_counter()
    out = Path(out)
    if out.suffix != SUFFIX:
        raise InvalidInput(f"{out} must end in {SUFFIX}; shared copies are workspace files")
    if out.exists() and out.resolve() == Path(ws.path).resolve():
        raise InvalidInput("the shared copy cannot replace its own source; choose another name")
    if out.exists() and not overwrite:
        raise Conflict(f"{out} already exists; choose another name or pass --force")
    partial = out.with_name(out.name + ".partial")
    src = ws.cursor()
    where, params = options.where()
    total_mentions = int(
        src.execute(f"SELECT count(*) FROM mentions m WHERE {where}", params).fetchall()[0][0]
    )
    steps = 8 + max(1, -(-total_mentions // BATCH_ROWS))
    _progress(state, 0, steps)
    dst_ws = Workspace.create(partial, overwrite=True)
    try:
        pseudo = _pseudonyms(src, where, params) if options.pseudonymize else None
        if ws.read_only:
            # A read-only connection cannot attach a file for writing: rows travel
            # through a Parquet file beside the copy into the copy's own connection.
            with dst_ws.write() as dst:
                copied = _copy_all(
                    src, _ParquetSink(dst, partial, pseudo), options, pseudo, where, params,
                    state, steps,
                )  # fmt: skip
            dst_ws.close()
        else:
            # DuckDB copies from table to table itself: about twice as fast.
            dst_ws.close()
            copied = _copy_attached(src, partial, options, pseudo, where, params, state, steps)
        _write_manifest(partial, ws, options, copied["mentions"])
        os.replace(partial, out)
    except BaseException:
        dst_ws.close()
        for leftover in (partial, partial.with_name(partial.name + ".wal")):
            leftover.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    if state is not None:  # done: a late Cancel no longer undoes the written file
        state.progress(steps, steps)
    return ShareSummary(
        out,
        copied["mentions"],
        copied["authors"],
        copied["replies"],
        Path(ws.path).stat().st_size,
        out.stat().st_size,
        time.perf_counter() - started,
        options.pseudonymize,
        options.keep_segments,
    )


def _pseudonyms(src, where: str, params: list[Any]) -> Pseudonyms:
    """Number every author of the kept mentions; register the table for the joins."""
    found = src.execute("SELECT value FROM settings WHERE key = 'brand.handle'").fetchall()
    brand_handle = found[0] if found else None
    queries = [q for (q,) in src.execute("SELECT query FROM watch_queries").fetchall()]
    keep = watched_handles(json.loads(brand_handle[0]) if brand_handle else None, queries)
    pseudo = Pseudonyms(keep)
    pairs = src.execute(
        f"SELECT DISTINCT m.channel, m.author_handle FROM mentions m "
        f"WHERE {where} AND m.author_handle IS NOT NULL "
        f"UNION SELECT a.channel, a.handle FROM authors a WHERE a.id IN "
        f"(SELECT m.author_id FROM mentions m WHERE {where})",
        params + params,
    ).fetchall()
    src.register("share_pseudonyms", pseudo.table(pairs))
    return pseudo


def _select(
    table: str, alias: str, pseudonymize: bool, segments: bool = False
) -> tuple[list[str], str]:
    names, exprs = allowlist.columns_sql(table, alias, pseudonymize, segments)
    return names, ", ".join(f"{e} AS {n}" for e, n in zip(exprs, names, strict=True))


def _rewriting(con, pseudo) -> None:
    """Give ``con`` the SQL function ``share_rewrite`` (handles to pseudonyms)."""
    if pseudo is not None:
        con.create_function(
            "share_rewrite", pseudo.rewrite_shared, [VARCHAR], VARCHAR, side_effects=False
        )


def _rewritten(table: str, names: list[str], pseudo) -> str:
    """The select list of ``names`` with the texts of ``table`` rewritten if asked.

    Only values with an '@' reach Python; NULL stays NULL.
    """
    rewrite = _REWRITTEN.get(table, ()) if pseudo is not None else ()
    return ", ".join(
        f"CASE WHEN contains({n}, '@') THEN share_rewrite({n}) ELSE {n} END AS {n}"
        if n in rewrite
        else n
        for n in names
    )


class _ParquetSink:
    """Rows written by the source to a Parquet file, read by the copy's own connection.

    For a read-only source, which cannot attach the copy for writing. DuckDB writes
    and reads the file itself, and the copy reads it in batches of
    :data:`BATCH_ROWS` (progress and cancel between them).
    """

    def __init__(self, dst, partial: Path, pseudo) -> None:
        self.dst = dst
        self.staged = partial.with_name(partial.name + ".rows.parquet")
        _rewriting(dst, pseudo)

    def insert(self, src, table: str, sql: str, params, names: list[str], pseudo, on_batch) -> int:
        literal = "'" + str(self.staged).replace("'", "''") + "'"
        try:
            src.execute(f"COPY ({sql}) TO {literal} (FORMAT parquet)", params)
            total = int(
                self.dst.execute(
                    f"SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata({literal})"
                ).fetchall()[0][0]
            )
            outer = _rewritten(table, names, pseudo)
            for start in range(0, total, BATCH_ROWS):
                self.dst.execute(
                    f"INSERT INTO {table} ({', '.join(names)}) SELECT {outer} FROM "
                    f"read_parquet({literal}, file_row_number = true) "
                    f"WHERE file_row_number >= {start} AND file_row_number < {start + BATCH_ROWS} "
                    "ORDER BY file_row_number"
                )
                if on_batch is not None:
                    on_batch()
        finally:
            self.staged.unlink(missing_ok=True)
        return total

    def keys(self) -> set[str]:
        return {k for (k,) in self.dst.execute("SELECT key FROM settings").fetchall()}


class _AttachedSink:
    """Rows inserted by DuckDB into the copy attached to the source's connection."""

    def __init__(self, src, pseudo) -> None:
        self.src = src
        _rewriting(src, pseudo)

    def insert(self, src, table: str, sql: str, params, names: list[str], pseudo, on_batch) -> int:
        rows = src.execute(
            f"INSERT INTO {ATTACHED}.{table} ({', '.join(names)}) "
            f"SELECT {_rewritten(table, names, pseudo)} FROM ({sql})",
            params,
        ).fetchall()[0][0]
        if on_batch is not None:
            on_batch()
        return int(rows)

    def keys(self) -> set[str]:
        return {k for (k,) in self.src.execute(f"SELECT key FROM {ATTACHED}.settings").fetchall()}


def _copy_attached(src, partial: Path, options, pseudo, where, params, state, steps):
    """Copy through the source's connection with the new file attached to it."""
    literal = str(partial).replace("'", "''")
    src.execute(f"ATTACH '{literal}' AS {ATTACHED}")
    try:
        src.execute("BEGIN TRANSACTION")
        try:
            sink = _AttachedSink(src, pseudo)
            copied = _copy_all(src, sink, options, pseudo, where, params, state, steps)
        except BaseException:
            src.execute("ROLLBACK")
            raise
        src.execute("COMMIT")
    finally:
        src.execute(f"DETACH {ATTACHED}")
    return copied


def _insert(src, sink, table: str, sql: str, params, names: list[str], pseudo, on_batch=None):
    """Copy ``sql``'s rows into ``table`` of the copy, rewriting handles if asked."""
    return sink.insert(src, table, sql, params, names, pseudo, on_batch)


def _copy_all(
    src, dst, options: ShareOptions, pseudo, where, params, state, steps
) -> dict[str, int]:
    p = pseudo is not None
    done = [0]

    def step() -> None:
        done[0] += 1
        _progress(state, done[0], steps)

    kept_ids = f"(SELECT m.id FROM mentions m WHERE {where})"
    names, cols = _select("mentions", "m", p, options.keep_segments)
    join = (
        " LEFT JOIN share_pseudonyms p ON p.channel = m.channel AND p.handle = m.author_handle"
        if p
        else ""
    )
    copied = {
        "mentions": _insert(
            src,
            dst,
            "mentions",
            f"SELECT {cols} FROM mentions m{join} WHERE {where} ORDER BY m.id",
            params,
            names,
            pseudo,
            step,
        )
    }
    # Authors with their aggregates over the kept mentions only.
    names, cols = _select("authors", "a", p)
    join = " JOIN share_pseudonyms p ON p.channel = a.channel AND p.handle = a.handle" if p else ""
    copied["authors"] = _insert(
        src,
        dst,
        "authors",
        f"SELECT {cols}, g.first_seen, g.last_seen, g.n AS mention_count, g.s AS avg_sentiment "
        f"FROM authors a{join} JOIN (SELECT m.author_id, min(m.published) AS first_seen, "
        f"max(m.published) AS last_seen, count(*)::INTEGER AS n, avg(m.sentiment) AS s "
        f"FROM mentions m WHERE {where} GROUP BY m.author_id) g ON g.author_id = a.id "
        "ORDER BY a.id",
        params,
        [*names, "first_seen", "last_seen", "mention_count", "avg_sentiment"],
        None,
    )
    step()
    names, cols = _select("sources", "s", p)
    _insert(
        src,
        dst,
        "sources",
        f"SELECT {cols} FROM sources s WHERE s.id IN (SELECT m.source_id FROM mentions m "
        f"WHERE {where}) ORDER BY s.id",
        params,
        names,
        None,
    )
    step()
    names, cols = _select("topics", "t", p)
    _insert(src, dst, "topics", f"SELECT {cols} FROM topics t ORDER BY t.name", [], names, None)
    names, cols = _select("replies", "r", p)
    copied["replies"] = _insert(
        src,
        dst,
        "replies",
        f"SELECT {cols} FROM replies r WHERE r.mention_id IN {kept_ids} ORDER BY r.id",
        params,
        names,
        pseudo,
    )
    step()
    names, cols = _select("sentiment_corrections", "c", p)
    _insert(
        src,
        dst,
        "sentiment_corrections",
        f"SELECT {cols} FROM sentiment_corrections c WHERE c.mention_id IN {kept_ids}",
        params,
        names,
        None,
    )
    copy_models(src, dst, pseudo, _insert)
    step()
    _copy_alerts(src, dst, options, p)
    step()
    _copy_settings(src, dst)
    step()
    return copied


def _copy_alerts(src, dst, options: ShareOptions, p: bool) -> None:
    """Spike rules and their firings that overlap the range."""
    names, cols = _select("alert_rules", "r", p)
    _insert(
        src,
        dst,
        "alert_rules",
        f"SELECT {cols} FROM alert_rules r WHERE r.kind IN ('volume_spike', 'negative_spike') "
        "ORDER BY r.id",
        [],
        names,
        None,
    )
    parts, params = (
        [
            "a.rule_id IN (SELECT id FROM alert_rules "
            "WHERE kind IN ('volume_spike', 'negative_spike'))"
        ],
        [],
    )
    if options.start is not None:
        parts.append("coalesce(a.window_end, a.fired_at) > ?")
        params.append(options.start)
    if options.end is not None:
        parts.append("coalesce(a.window_start, a.fired_at) < ?")
        params.append(options.end)
    if options.topics:
        parts.append("(a.topic IS NULL OR a.topic IN (SELECT unnest(?::VARCHAR[])))")
        params.append(list(options.topics))
    names, cols = _select("alerts", "a", p)
    _insert(
        src,
        dst,
        "alerts",
        f"SELECT {cols} FROM alerts a WHERE {' AND '.join(parts)} ORDER BY a.id",
        params,
        names,
        None,
    )


def _copy_settings(src, dst) -> None:
    names, cols = _select("settings", "s", False)
    have = dst.keys()
    # The allow-list, and only what the settings registry lets travel in a shared copy.
    wanted = settings_registry.shared_keys(list(allowlist.SETTINGS_KEPT))
    _insert(
        src,
        dst,
        "settings",
        f"SELECT {cols} FROM settings s WHERE s.key IN (SELECT unnest(?::VARCHAR[])) "
        "AND NOT s.key IN (SELECT unnest(?::VARCHAR[])) ORDER BY s.key",
        [wanted, sorted(have)],
        names,
        None,
    )


def _write_manifest(partial: Path, ws: Workspace, options: ShareOptions, mentions: int) -> None:
    """Add the manifest to the finished copy (insert-only, then checkpointed)."""
    left_out = list(allowlist.LEFT_OUT)
    if not options.keep_segments:
        left_out += list(allowlist.LEFT_OUT_SEGMENTS)
    if options.pseudonymize:
        left_out += list(allowlist.LEFT_OUT_PSEUDONYMIZED)
    kept = {t: list(allowlist.kept_columns(t, options.keep_segments)) for t in allowlist.KEPT}
    con = duckdb.connect(str(partial))
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute(MANIFEST_DDL)
        con.execute(
            f"INSERT INTO {MANIFEST_TABLE} (shared_by, shared_at, app_version, range_start, "
            "range_end, topics, pseudonymized, mentions, kept, left_out) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                options.shared_by or ws.actor,
                datetime.now(UTC),
                __version__,
                options.start,
                options.end,
                list(options.topics),
                options.pseudonymize,
                mentions,
                json.dumps(kept),
                json.dumps(left_out),
            ],
        )
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
    finally:
        con.close()
