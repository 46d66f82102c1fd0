"""Numpy columns DuckDB scans natively: the app's bulk currency instead of pyarrow."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pytest

from engage_desktop.workspace.columns import ColumnTable, fetch_columns, json_lists, list_sql

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        "CREATE TABLE m (id BIGINT, text VARCHAR, score DOUBLE, stamp TIMESTAMPTZ, "
        "tags VARCHAR[], matched INTEGER[])"
    )
    yield con
    con.close()


def test_rare_lists_among_many_rows_arrive_whole(con):
    """Lists as objects fail when DuckDB's 1,000-row type sample sees only empty ones."""
    n = 5000
    tags = [[] for _ in range(n)]
    tags[2501] = ["billing", 'say "hi", then']
    matched = [[] for _ in range(n)]
    matched[4999] = [7]
    con.register("raw", ColumnTable(tags=np.fromiter(tags, dtype=object, count=n)))
    with pytest.raises(duckdb.Error):  # the trap the JSON text avoids
        con.execute("CREATE TABLE t AS SELECT * FROM raw")
    table = ColumnTable(
        id=np.arange(n),
        text=[f"post {i}" if i % 3 else None for i in range(n)],
        score=np.where(np.arange(n) % 2 == 0, 0.5, np.nan),
        stamp=np.arange(n, dtype=np.int64).astype("datetime64[s]").astype("datetime64[us]"),
        tags=json_lists(tags, n),
        matched=json_lists(matched, n),
    )
    con.register("incoming", table)
    con.execute(
        f"INSERT INTO m SELECT id, text, score, stamp, {list_sql('tags')}, "
        f"{list_sql('matched', 'INTEGER')} FROM incoming"
    )
    got = con.execute(
        "SELECT count(*), count(text), count(score), max(epoch(stamp)), "
        "list(tags) FILTER (len(tags) > 0), list(matched) FILTER (len(matched) > 0) FROM m"
    ).fetchone()
    assert got == (
        n,
        n - len(range(0, n, 3)),
        n // 2,
        n - 1,
        [["billing", 'say "hi", then']],
        [[7]],
    )


def test_a_read_comes_back_without_masks_and_scans_again(con):
    con.execute(
        "INSERT INTO m VALUES (1, 'a', NULL, '2026-01-02 03:04:05+00', ['x'], [1]), "
        "(2, NULL, 0.25, NULL, [], [])"
    )
    table = fetch_columns(con.sql("SELECT * FROM m ORDER BY id"))
    assert table.column_names == ["id", "text", "score", "stamp", "tags", "matched"]
    assert table.num_rows == 2
    assert not any(isinstance(v, np.ma.MaskedArray) for v in table.values())
    assert table.column("text").tolist() == ["a", None]
    assert np.isnan(table.column("score")[0]) and np.isnat(table.column("stamp")[1])
    picked = table.take([1]).with_column("id", np.array([3]))
    assert picked.num_rows == 1 and picked.column("id").tolist() == [3]
    con.execute("INSERT INTO m SELECT * FROM picked")  # NaN, NaT and None are NULLs again
    assert con.execute("SELECT text, score, stamp FROM m WHERE id = 3").fetchone() == (
        None,
        0.25,
        None,
    )


def test_the_app_writes_in_bulk_where_pyarrow_cannot_be_imported():
    code = (
        "import sys; sys.modules['pyarrow'] = None; sys.modules['pandas'] = None\n"
        "from engage_desktop.enrich.learned.features import build_vocabulary, encode_terms\n"
        "v = build_vocabulary(['bad bad', 'bad service', 'fine'], min_count=2)\n"
        "print(list(v), encode_terms(['bad day'], v).indptr.tolist())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "['bad'] [0, 1]"
