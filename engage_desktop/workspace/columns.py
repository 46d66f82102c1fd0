"""Named numpy columns that DuckDB scans as a table: the app's bulk currency.

DuckDB reads a ``dict`` of one-dimensional numpy arrays natively (as it reads a
pandas DataFrame, without pandas), so bulk rows reach it without pyarrow, which
the app no longer needs (about 90 MB of the bundle; ``cluster/`` alone uses it,
with Dask). Reads come back the same way: :func:`fetch_columns` is DuckDB's
``fetchnumpy()`` with NULLs as ``None`` (object columns) or NaN (float columns),
never numpy masked arrays (NaT for timestamps), so a result can be handed straight
back to DuckDB.

How DuckDB maps the arrays: ``int64``/``int32``/``float64``/``bool`` as such (a
float NaN is NULL); ``datetime64[us]`` as TIMESTAMP (a workspace's session is in
UTC, so it casts to TIMESTAMPTZ unchanged); an ``object`` array by its values
(``str`` to VARCHAR, ``None`` to NULL, timezone-aware ``datetime`` to TIMESTAMPTZ);
an all-``None`` column is of type NULL, which an INSERT casts to the column's type.

**Lists travel as JSON text** (:func:`json_lists`, read back with :func:`list_sql`).
DuckDB types an ``object`` column from a sample of its rows (1,000): when every
sampled list is empty it settles on ``"NULL"[]`` and then fails on the first
non-empty list ("Failed to cast value ... VARCHAR -> NULL"), which the tags or
topics of a few rows among thousands trigger. Text has no such trap.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np


def objects(values: Iterable[Any], count: int | None = None) -> np.ndarray:
    """A one-dimensional ``object`` array of ``values`` (lists stay single cells).

    ``np.array`` of equal-length lists would make a two-dimensional array instead.
    """
    if count is None:
        values = list(values)
        count = len(values)
    return np.fromiter(values, dtype=object, count=count)


def json_lists(values: Iterable[Sequence[Any] | None], count: int | None = None) -> np.ndarray:
    """Each list as JSON text (``None`` stays NULL); read it in SQL with :func:`list_sql`."""
    dumps = json.dumps
    return objects(
        (None if v is None else "[]" if not len(v) else dumps(list(v)) for v in values), count
    )


def list_sql(column: str, element: str = "VARCHAR") -> str:
    """SQL turning a :func:`json_lists` column back into a list of ``element``."""
    return f"CAST(CAST({column} AS JSON) AS {element}[])"


def as_column(values: Any) -> np.ndarray:
    """``values`` as one column: numpy arrays as they are, anything else as objects."""
    if isinstance(values, np.ma.MaskedArray):
        return unmask(values)
    if isinstance(values, np.ndarray):
        return values
    return objects(values)


def unmask(array: np.ndarray) -> np.ndarray:
    """A masked array as a plain one, NULLs as NaN, NaT or ``None`` (the rest)."""
    if not isinstance(array, np.ma.MaskedArray):
        return array
    if not array.mask.any():
        return array.data
    if array.dtype.kind == "f":
        return array.filled(np.nan)
    if array.dtype.kind == "M":
        return array.filled(np.datetime64("NaT"))
    out = array.data.astype(object)
    out[array.mask] = None
    return out


class ColumnTable(dict):
    """Column name -> one-dimensional numpy array, all of one length.

    A ``dict``, so ``cursor.register(name, table)`` and a replacement scan of a local
    variable read it directly; :attr:`column_names` and :attr:`num_rows` are named as
    on the tables the callers used before.
    """

    def __init__(self, columns: Mapping[str, Any] | None = None, **more: Any) -> None:
        super().__init__()
        for name, values in {**(columns or {}), **more}.items():
            self[name] = as_column(values)

    @property
    def column_names(self) -> list[str]:
        """The column names, in order."""
        return list(self.keys())

    @property
    def num_rows(self) -> int:
        """The number of rows (0 without columns)."""
        return len(next(iter(self.values()))) if dict.__len__(self) else 0

    def column(self, name: str) -> np.ndarray:
        """One column."""
        return self[name]

    def with_column(self, name: str, values: Any) -> ColumnTable:
        """A new table with ``name`` added (or replaced)."""
        return ColumnTable({**self, name: values})

    def select(self, names: Iterable[str]) -> ColumnTable:
        """A new table of the named columns, in that order."""
        return ColumnTable({n: self[n] for n in names})

    def take(self, rows: Any) -> ColumnTable:
        """A new table of the given rows (a slice, indices or a boolean mask), in that order."""
        index = rows if isinstance(rows, slice) else np.asarray(rows)
        return ColumnTable({n: v[index] for n, v in self.items()})


def fetch_columns(relation: Any) -> ColumnTable:
    """A DuckDB result (relation or executed cursor) as a :class:`ColumnTable`."""
    return ColumnTable({n: unmask(v) for n, v in relation.fetchnumpy().items()})
