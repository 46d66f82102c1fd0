"""Bulk writes into DuckDB without pyarrow: are numpy columns as fast as Arrow?

The app hands bulk rows to DuckDB as numpy columns it scans natively
(:class:`engage_desktop.workspace.columns.ColumnTable`, no pandas, no pyarrow);
pyarrow was how it did so before (and how ``cluster/`` still may). This measures
the three ways of writing the same mention-like rows into a workspace-like table of
a DuckDB file, each in a fresh process (so the others' imports are not loaded):

- ``arrow``: ``pa.table`` of typed arrays, registered, ``INSERT ... SELECT``;
- ``numpy``: the app's path: a ``ColumnTable`` (object arrays for text and NULLs,
  NaN for a NULL number, ``datetime64[us]`` for times, lists as JSON text read back
  with ``list_sql``), registered the same way, in a process where importing pyarrow
  or pandas fails;
- ``executemany``: the parameterised INSERT, on a hundredth of the rows (it is slow).

Columns: BIGINT id, VARCHAR text, nullable VARCHAR, nullable DOUBLE, TIMESTAMPTZ,
VARCHAR[] tags, INTEGER[] matched. Figures: rows per second of wall time and CPU
seconds (``time.process_time``) of building the table plus the INSERT, medians of
``--runs``. The load average is printed beside them; the last line is one JSON object.

Usage: python benchmarks/bulk_paths.py [--rows 200000] [--runs 3]   (~1 minute)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import sys, time
way, rows, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if way == "numpy":
    sys.modules["pyarrow"] = None  # any import of them fails: the path must not need them
    sys.modules["pandas"] = None
import duckdb
con = duckdb.connect(path)
con.execute("SET TimeZone = 'UTC'")
con.execute(
    "CREATE TABLE m (id BIGINT, text VARCHAR, author VARCHAR, score DOUBLE, "
    "published TIMESTAMPTZ, tags VARCHAR[], matched INTEGER[])"
)
ids = list(range(rows))
text = [f"mention {i}: the new release is great, support was slow" for i in ids]
author = [None if i % 7 == 0 else f"user{i % 997}" for i in ids]
score = [None if i % 5 == 0 else (i % 200) / 100 - 1 for i in ids]
micros = [1_700_000_000_000_000 + i * 1_000_000 for i in ids]
tags = [["pricing", "support"] if i % 3 == 0 else [] for i in ids]
matched = [[1, 2] if i % 4 == 0 else [] for i in ids]
if way == "arrow":
    import pyarrow as pa
elif way == "numpy":
    import numpy as np
    from engage_desktop.workspace.columns import ColumnTable, json_lists, list_sql
wall, cpu = time.perf_counter(), time.process_time()  # imports are not counted
if way == "arrow":
    table = pa.table({
        "id": pa.array(ids, pa.int64()), "text": pa.array(text, pa.string()),
        "author": pa.array(author, pa.string()), "score": pa.array(score, pa.float64()),
        "published": pa.array(micros, pa.timestamp("us", tz="UTC")),
        "tags": pa.array(tags, pa.list_(pa.string())),
        "matched": pa.array(matched, pa.list_(pa.int32())),
    })
    con.register("incoming", table)
    con.execute("INSERT INTO m SELECT * FROM incoming")
elif way == "numpy":
    table = ColumnTable(
        id=np.array(ids, dtype=np.int64), text=text, author=author,
        score=np.array([np.nan if s is None else s for s in score], dtype=np.float64),
        published=np.array(micros, dtype=np.int64).astype("datetime64[us]"),
        tags=json_lists(tags, rows), matched=json_lists(matched, rows),
    )
    con.register("incoming", table)
    con.execute(
        f"INSERT INTO m SELECT id, text, author, score, published, {list_sql('tags')}, "
        f"{list_sql('matched', 'INTEGER')} FROM incoming"
    )
else:
    import datetime as dt
    stamps = [dt.datetime.fromtimestamp(u / 1e6, dt.UTC) for u in micros]
    con.executemany(
        "INSERT INTO m VALUES (?, ?, ?, ?, ?, ?, ?)",
        list(zip(ids, text, author, score, stamps, tags, matched)),
    )
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
check = con.execute(
    "SELECT count(*), count(author), count(score), max(published), sum(len(tags)), "
    "sum(len(matched)) FROM m"
).fetchone()
expect = (rows, rows - len(range(0, rows, 7)), rows - len(range(0, rows, 5)))
assert check[:3] == expect, (check, expect)
assert check[3].timestamp() == micros[-1] / 1e6, check[3]
assert check[4] == 2 * len(range(0, rows, 3)) and check[5] == 2 * len(range(0, rows, 4))
print(f"{wall} {cpu}")
"""


def run(way: str, rows: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, way, str(rows), str(Path(tmp) / "bulk.duckdb")],
            capture_output=True,
            text=True,
            timeout=900,
        )
    if out.returncode != 0:
        raise SystemExit(f"{way}: {out.stderr.strip()[-800:]}")
    wall, cpu = map(float, out.stdout.split())
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"load average at the start: {os.getloadavg()} on {os.cpu_count()} CPUs")
    figures: dict[str, object] = {"rows": args.rows, "runs": args.runs}
    ways = (("arrow", args.rows), ("numpy", args.rows), ("executemany", args.rows // 100))
    for way, rows in ways:
        walls, cpus = zip(*(run(way, rows) for _ in range(args.runs)), strict=True)
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        figures[way] = {
            "rows": rows,
            "rows_per_s": round(rows / wall),
            "cpu_s": round(cpu, 3),
            "cpu_us_per_row": round(cpu / rows * 1e6, 2),
        }
        print(f"{way:12} {rows:>8,} rows: {rows / wall:>10,.0f} rows/s, CPU {cpu:.2f} s")
    arrow, numpy = figures["arrow"], figures["numpy"]
    figures["numpy_over_arrow_cpu"] = round(numpy["cpu_us_per_row"] / arrow["cpu_us_per_row"], 2)
    figures["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    print(f"load average at the end: {os.getloadavg()}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
