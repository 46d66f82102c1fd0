"""The workspace file: schema, migrations, locking, foreign files, read-only."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from engage_desktop.core.errors import (
    NotAWorkspaceError,
    ReadOnlyError,
    WorkspaceError,
    WorkspaceLockedError,
    WorkspaceTooNewError,
)
from engage_desktop.inbox.pager import insert_mentions
from engage_desktop.workspace import schema
from engage_desktop.workspace.database import Workspace

EXPECTED_TABLES = {
    "schema_version",
    "settings",
    "sources",
    "topics",
    "watch_queries",
    "authors",
    "mentions",
    "sentiment_corrections",
    "lexicon_adjustments",
    "intent_rules",
    "notes",
    "accounts",
    "saved_replies",
    "drafts",
    "outbox",
    "replies",
    "events",
    "saved_views",
    "alert_rules",
    "alerts",
}


def digest(path: Path) -> str:
    """Hash of a file and its write-ahead log, if any."""
    h = hashlib.sha256(path.read_bytes())
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        h.update(wal.read_bytes())
    return h.hexdigest()


def test_create_applies_every_migration(tmp_path):
    with Workspace.create(tmp_path / "a.engage") as ws:
        assert ws.schema_version() == schema.LATEST_VERSION
        tables = {
            r[0]
            for r in ws.cursor()
            .execute("SELECT table_name FROM information_schema.tables")
            .fetchall()
        }
    assert tables >= EXPECTED_TABLES


def test_no_table_can_hold_a_secret(tmp_path):
    with Workspace.create(tmp_path / "a.engage") as ws:
        cols = {
            r[0]
            for r in ws.cursor()
            .execute("SELECT column_name FROM information_schema.columns")
            .fetchall()
        }
    assert not {c for c in cols if any(w in c for w in ("token", "password", "secret"))}


def test_opens_a_file_written_by_the_first_schema(tmp_path):
    path = tmp_path / "v1.engage"
    con = duckdb.connect(str(path))
    assert schema.migrate(con, target=1) == [1]
    con.execute(
        "INSERT INTO sources (kind, url, name, channel) VALUES "
        "('rss', 'https://blog.example/feed', 'Blog', 'blog')"
    )
    con.close()
    with Workspace.open(path) as ws:
        assert ws.schema_version() == schema.LATEST_VERSION
        assert ws.scalar("SELECT name FROM sources") == "Blog"
        versions = [
            r[0]
            for r in ws.cursor()
            .execute("SELECT version FROM schema_version ORDER BY version")
            .fetchall()
        ]
    assert versions == [m.version for m in schema.MIGRATIONS]


def test_version_4_notes_and_replaces_impossible_dates_of_a_version_3_file(tmp_path):
    path = tmp_path / "v2.engage"
    con = duckdb.connect(str(path))
    assert schema.migrate(con, target=3) == [1, 2, 3]
    for i, stamp in enumerate(
        ("9999-12-31 00:00:00", "0001-01-01 00:00:00", "2026-01-01 00:00:00")
    ):
        con.execute(
            "INSERT INTO mentions (id, item_key, source_name, channel, text, text_norm, "
            "published) VALUES (?, ?, 's', 'blog', 't', 't', ?::TIMESTAMPTZ)",
            [i + 1, f"k{i}", stamp + "+00"],
        )
    con.close()
    with Workspace.open(path) as ws:
        rows = (
            ws.cursor()
            .execute("SELECT id, published, published_note FROM mentions ORDER BY id")
            .fetchall()
        )
    assert rows[2][1].year == 2026 and rows[2][2] is None
    for _id, published, note in rows[:2]:
        assert 2025 <= published.year <= 2100
        assert note.startswith("the source dated it ") and "upgraded" in note
    assert "9999-12-31" in rows[0][2] and "0001-01-01" in rows[1][2]


def test_migrations_are_ordered_and_unique():
    versions = [m.version for m in schema.MIGRATIONS]
    assert versions == sorted(set(versions))
    assert versions[0] == 1


def test_create_refuses_to_overwrite(tmp_path):
    Workspace.create(tmp_path / "a.engage").close()
    with pytest.raises(WorkspaceError, match="already exists"):
        Workspace.create(tmp_path / "a.engage")


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(WorkspaceError, match="does not exist"):
        Workspace.open(tmp_path / "nope.engage")


@pytest.mark.parametrize("content", [b"hello, not a database\n", b"", b"x" * 5000])
def test_not_a_workspace_and_nothing_changes(tmp_path, content):
    folder = tmp_path / "w"
    folder.mkdir()
    path = folder / "notes.engage"
    path.write_bytes(content)
    before = digest(path)
    with pytest.raises(NotAWorkspaceError, match=r"notes\.engage is not an engage-desktop"):
        Workspace.open(path)
    assert digest(path) == before
    assert sorted(p.name for p in folder.iterdir()) == ["notes.engage"]


def test_foreign_duckdb_file_is_refused_untouched(tmp_path):
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t AS SELECT 42 AS answer")
    con.close()
    before = digest(path)
    with pytest.raises(NotAWorkspaceError, match="DuckDB database but not an engage-desktop"):
        Workspace.open(path)
    assert digest(path) == before


def test_newer_schema_is_refused_untouched(tmp_path):
    path = tmp_path / "future.engage"
    Workspace.create(path).close()
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_version (version, name) VALUES (999, 'from the future')")
    con.close()
    before = digest(path)
    with pytest.raises(WorkspaceTooNewError, match="newer engage-desktop"):
        Workspace.open(path)
    with pytest.raises(WorkspaceTooNewError):
        Workspace.open(path, read_only=True)
    assert digest(path) == before


CRASHED_WRITER = textwrap.dedent("""
    import os, sys, duckdb
    con = duckdb.connect(sys.argv[1])
    con.execute("INSERT INTO schema_version (version, name) VALUES (999, 'from the future')")
    os._exit(0)  # no close, no checkpoint: the row stays in the write-ahead log
""")


def test_newer_schema_in_a_crashed_writers_log_is_refused_untouched(tmp_path):
    """A file with a write-ahead log beside it is probed read-only before anything.

    A connection for writing folds the log into the file as it opens, so the file of
    a newer engage-desktop that crashed would have changed before the check said no.
    """
    path = tmp_path / "crashed.engage"
    Workspace.create(path).close()
    subprocess.run([sys.executable, "-c", CRASHED_WRITER, str(path)], check=True, timeout=120)
    assert path.with_name(path.name + ".wal").stat().st_size > 0
    before = digest(path)
    with pytest.raises(WorkspaceTooNewError, match="newer engage-desktop"):
        Workspace.open(path)
    assert digest(path) == before


def test_opening_for_writing_starts_duckdb_once(tmp_path, monkeypatch):
    """An ordinary workspace is checked on the connection it keeps (no read-only probe)."""
    import engage_desktop.workspace.database as database

    path = tmp_path / "a.engage"
    Workspace.create(path).close()
    started: list[bool] = []
    connect = duckdb.connect

    def counted(target, read_only=False, **kw):
        started.append(read_only)
        return connect(target, read_only=read_only, **kw)

    monkeypatch.setattr(database.duckdb, "connect", counted)
    with Workspace.open(path) as ws:
        assert not ws.read_only
        ws.set_setting("brand.name", "Acme")
    assert started == [False]
    with Workspace.open(path, read_only=True) as ws:
        assert ws.get_setting("brand.name") == "Acme"
    assert started == [False, True]


def test_a_file_this_process_writes_is_not_opened_for_writing_again(tmp_path):
    """The single-start way must not hand a second workspace the open database."""
    path = tmp_path / "a.engage"
    Workspace.create(path).close()
    with Workspace.open(path) as first:
        with pytest.raises(duckdb.Error, match="different configuration"):
            Workspace.open(path)
        first.set_setting("brand.name", "Acme")
    with Workspace.open(path) as again:  # once closed, it opens as usual
        assert again.get_setting("brand.name") == "Acme"


HOLDER = textwrap.dedent("""
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])
    print("locked", flush=True)
    sys.stdin.readline()
""")


@pytest.fixture
def held_by_other_process(tmp_path):
    path = tmp_path / "busy.engage"
    Workspace.create(path).close()
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "locked"
    yield path, proc
    proc.stdin.close()
    proc.wait(timeout=120)
    proc.stdout.close()


def test_lock_held_by_another_process(held_by_other_process):
    path, proc = held_by_other_process
    with pytest.raises(WorkspaceLockedError) as info:
        Workspace.open(path)
    assert "open in another engage-desktop window" in str(info.value)
    assert f"process {proc.pid}" in str(info.value)
    assert info.value.pid == proc.pid
    with pytest.raises(WorkspaceLockedError):
        Workspace.open(path, read_only=True)


def test_snapshot_opens_a_locked_workspace_read_only(held_by_other_process):
    path, _ = held_by_other_process
    with Workspace.open_snapshot(path) as ws:
        assert ws.read_only
        assert ws.schema_version() == schema.LATEST_VERSION
        snapshot_dir = ws.path.parent
        assert snapshot_dir != path.parent
    assert not snapshot_dir.exists()


def test_read_only_never_writes(demo_path):
    before = digest(demo_path)
    with Workspace.open(demo_path, read_only=True) as ws:
        assert ws.scalar("SELECT count(*) FROM mentions") == 3000
        with pytest.raises(ReadOnlyError, match="read-only"):
            ws.set_setting("brand.name", "Changed")
        with pytest.raises(ReadOnlyError):
            insert_mentions(ws, None)
    assert digest(demo_path) == before


def test_settings_round_trip_and_audit_log(tmp_path):
    with Workspace.create(tmp_path / "a.engage") as ws:
        ws.set_setting("sla.first_response_hours", 4)
        ws.set_setting("sla.first_response_hours", 2)
        assert ws.get_setting("sla.first_response_hours") == 2
        assert ws.get_setting("missing", "default") == "default"
        events = (
            ws.cursor()
            .execute(
                "SELECT entity, entity_id, action, old_value, new_value, actor FROM events "
                "ORDER BY id"
            )
            .fetchall()
        )
    assert [e[:5] for e in events] == [
        ("setting", "sla.first_response_hours", "set", None, "4"),
        ("setting", "sla.first_response_hours", "set", "4", "2"),
    ]
    assert all(e[5] for e in events)


def test_failed_write_rolls_back(tmp_path):
    with Workspace.create(tmp_path / "a.engage") as ws:
        with pytest.raises(duckdb.Error), ws.write() as cur:
            cur.execute("INSERT INTO topics (name) VALUES ('Acme')")
            cur.execute("INSERT INTO topics (name) VALUES ('Acme')")  # duplicate key
        assert ws.scalar("SELECT count(*) FROM topics") == 0
