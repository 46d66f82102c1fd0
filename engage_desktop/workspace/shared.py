"""Shared copies: the manifest that marks a workspace file as written for readers.

``engage-desktop export workspace`` (see :mod:`engage_desktop.dashboard.share.copy`)
writes a new workspace with one extra table, ``share_manifest``: who shared it, when,
which range and topics, and what was left out. Its presence is what makes every way
of opening the file (the window, the command line) open it read-only by itself, so
the file an executive received stays byte-identical. The manifest is part of the
shared-copy format, not of the workspace schema, so it is not a migration: ordinary
workspaces never have the table.

A shared copy is untrusted input: every value read here is checked and turned into
plain, bounded text before anyone shows it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb

MANIFEST_TABLE = "share_manifest"
MANIFEST_DDL = f"""
CREATE TABLE {MANIFEST_TABLE} (
    shared_by    VARCHAR NOT NULL,
    shared_at    TIMESTAMPTZ NOT NULL,
    app_version  VARCHAR,
    range_start  TIMESTAMPTZ,
    range_end    TIMESTAMPTZ,
    topics       VARCHAR[] NOT NULL DEFAULT [],
    pseudonymized BOOLEAN NOT NULL,
    mentions     BIGINT NOT NULL,
    kept         JSON NOT NULL,   -- table -> copied columns
    left_out     JSON NOT NULL    -- what was deliberately not copied, in words
)
"""
# Text from a shared file is shown in a banner: keep it short and on one line.
_MAX_TEXT = 80


def _plain(value: Any, limit: int = _MAX_TEXT) -> str:
    text = " ".join(str(value or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _when(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError, OSError):  # absurd dates in a crafted file
        return None


@dataclass(frozen=True)
class Manifest:
    """What a shared copy says about itself (values already made safe to show).

    Attributes:
        shared_by: Who shared it (plain text, one line, at most 80 characters).
        shared_at: When (UTC), or None when the file's value is unusable.
        range_start: First instant of the shared range, or None (from the beginning).
        range_end: First instant after it, or None (to the end).
        topics: The topics the copy was limited to (empty: all).
        pseudonymized: Whether authors were replaced by pseudonyms.
        mentions: Mentions in the copy, as the manifest states it.
        left_out: What was deliberately not copied, in words.
    """

    shared_by: str
    shared_at: datetime | None
    range_start: datetime | None = None
    range_end: datetime | None = None
    topics: tuple[str, ...] = ()
    pseudonymized: bool = False
    mentions: int = 0
    left_out: tuple[str, ...] = field(default_factory=tuple)

    def banner(self) -> str:
        """The one-line banner of a window showing the copy."""
        when = f"{self.shared_at:%d %b %Y}" if self.shared_at else "an unknown date"
        extra = ", authors pseudonymised" if self.pseudonymized else ""
        return f"Shared by {self.shared_by or 'someone'} on {when}, read-only{extra}"


def has_manifest(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the open database is a shared copy (it has the manifest table).

    Read to the end (``fetchall``): a result left open would keep a read transaction
    open on ``con``, which may be the workspace's connection for the whole session.
    """
    rows = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? "
        "AND schema_name = 'main' AND database_name = current_database()",
        [MANIFEST_TABLE],
    ).fetchall()
    return bool(rows and rows[0][0])


def read_manifest(con: duckdb.DuckDBPyConnection) -> Manifest | None:
    """The copy's manifest, or None for an ordinary workspace.

    A manifest table that is empty or malformed still marks a shared copy (it is
    opened read-only all the same); its description then says little.
    """
    if not has_manifest(con):
        return None
    try:
        row = con.execute(
            f"SELECT shared_by, shared_at, range_start, range_end, topics, pseudonymized, "
            f"mentions, left_out FROM {MANIFEST_TABLE} LIMIT 1"
        ).fetchone()
    except duckdb.Error:
        row = None
    if row is None:
        return Manifest("someone", None)
    by, at, lo, hi, topics, pseudo, mentions, left_out = row
    try:
        left = json.loads(left_out) if isinstance(left_out, str) else []
    except ValueError:
        left = []
    try:
        count = int(mentions or 0)
    except (TypeError, ValueError):
        count = 0
    return Manifest(
        _plain(by),
        _when(at),
        _when(lo),
        _when(hi),
        tuple(_plain(t, 40) for t in (topics or [])[:20]),
        bool(pseudo),
        count,
        tuple(_plain(x, 120) for x in (left if isinstance(left, list) else [])[:30]),
    )
