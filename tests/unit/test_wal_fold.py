"""Folding DuckDB's log into the workspace file after a big write (workspace/wal.py)."""

from __future__ import annotations

import os

import duckdb

from engage_desktop.workspace.wal import fold_log_if_due, parse_size


def test_sizes_as_duckdb_writes_them():
    assert parse_size("16.0 MiB") == 16 * 1024 * 1024
    assert parse_size("1000 bytes") == 1000
    assert parse_size("100.0 KiB") == 102_400
    assert parse_size("2 GB") == 2_000_000_000
    assert parse_size("0 bytes") == 0
    assert parse_size("lots") is None
    assert parse_size("3 parsecs") is None


def _grown_log(tmp_path):
    path = tmp_path / "w.engage"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t (i INTEGER, s VARCHAR)")
    con.execute("CHECKPOINT")
    con.execute("INSERT INTO t SELECT range, repeat('x', 100) FROM range(2000)")
    wal = f"{path}.wal"
    assert os.path.getsize(wal) > 100_000  # the rows sit in the log, below the threshold
    return con, wal


def test_a_log_under_the_threshold_stays(tmp_path):
    con, wal = _grown_log(tmp_path)
    assert fold_log_if_due(con) is False
    assert os.path.getsize(wal) > 100_000
    con.close()


def test_a_log_past_the_threshold_is_folded_and_nothing_is_lost(tmp_path):
    con, wal = _grown_log(tmp_path)
    con.execute("SET checkpoint_threshold = '10KB'")  # lowered after the commit
    assert fold_log_if_due(con.cursor()) is True
    assert not os.path.exists(wal) or os.path.getsize(wal) == 0
    con.close()
    again = duckdb.connect(str(tmp_path / "w.engage"), read_only=True)
    assert again.execute("SELECT count(*) FROM t").fetchone()[0] == 2000
    again.close()


def test_in_memory_has_no_log():
    con = duckdb.connect()
    assert fold_log_if_due(con) is False


def test_an_opened_workspace_lets_duckdb_fold_its_log(tmp_path):
    """Opening reads the schema version to its end, so no read stays open for the session.

    The old ``fetchone()`` left its read transaction open on the workspace's own
    connection: DuckDB then refused every checkpoint ("other write transactions
    active") and never folded its log until the workspace was closed.
    """
    from engage_desktop.workspace.database import Workspace

    Workspace.create(tmp_path / "w.engage").close()
    ws = Workspace.open(tmp_path / "w.engage")
    try:
        with ws.write() as cur:
            cur.execute("CREATE TABLE wal_probe (s VARCHAR)")
            cur.execute("INSERT INTO wal_probe SELECT repeat('x', 100) FROM range(2000)")
        cur = ws.cursor()
        cur.execute("SET checkpoint_threshold = '10KB'")
        assert fold_log_if_due(cur) is True
        cur.close()
        wal = tmp_path / "w.engage.wal"
        assert not wal.exists() or wal.stat().st_size == 0
    finally:
        ws.close()
