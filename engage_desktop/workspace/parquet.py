"""Reading Parquet files through DuckDB, so nothing needs pyarrow.

The app leaves pyarrow out (only ``cluster/`` uses it, with Dask); DuckDB reads
Parquet by itself. Every Parquet read in the app goes through these three functions.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from engage_desktop.core.errors import InvalidInput

_GLOB = set("*?[]{}")


def _literal(path: str | Path) -> str:
    """The path as DuckDB must read it: one file, never a glob pattern."""
    text = str(path)
    if _GLOB & set(Path(text).name):
        raise InvalidInput(
            f"{Path(text).name}: a Parquet file name with * ? [ ] {{ }} can't be read; "
            "rename the file and try again"
        )
    return text


@contextmanager
def parquet_reader() -> Iterator[duckdb.DuckDBPyConnection]:
    """One in-memory DuckDB for many reads (passed as ``con``), closed at the end.

    Starting DuckDB costs 15-20 ms of CPU, more than reading a footer; none is kept
    running between operations (a process with DuckDB's threads must not fork).
    """
    with duckdb.connect() as con:
        yield con


def parquet_rows(path: str | Path, con: duckdb.DuckDBPyConnection | None = None) -> int:
    """The number of rows the file's footer records.

    Args:
        path: The Parquet file.
        con: The connection or cursor to read it with (the workspace's, or a
            :func:`parquet_reader`'s for many files); None starts one for this read.
    """
    if con is None:
        with parquet_reader() as own:
            return parquet_rows(path, own)
    rows = con.execute(
        "SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata(?)", [_literal(path)]
    ).fetchall()
    return int(rows[0][0]) if rows else 0


def parquet_columns(path: str | Path) -> list[str]:
    """The file's column names, in order."""
    with duckdb.connect() as con:
        rel = con.execute("SELECT * FROM read_parquet(?) LIMIT 0", [_literal(path)])
        return [d[0] for d in rel.description or ()]


def parquet_records(path: str | Path, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    """The named columns of every row, in the file's order, as Python values."""
    names = list(dict.fromkeys(columns))
    select = ", ".join('"' + c.replace('"', '""') + '"' for c in names) or "*"
    with duckdb.connect() as con:
        source = "'" + _literal(path).replace("'", "''") + "'"
        return con.sql(f"SELECT {select} FROM read_parquet({source})").fetchall()
