"""Reading a CRM export into one table of text columns (numpy, for DuckDB), literally.

Every cell stays text here (a CRM's "00123" id must not become 123); checking and
converting happen afterwards, in one SQL pass (:mod:`.records`). Column names are
trimmed and lower-cased. Each row carries ``__line``: its line in the file (for a
CSV, counted as one line per record, which is exact unless a quoted cell spans
lines; for XLSX, the sheet's row). Rows that cannot be read at all come back as
(line, reason).

A CRM export is untrusted like any client file: XLSX goes through the share-in
reader (:class:`~engage_desktop.inbox.import_read.TableFile`: openpyxl read-only,
cached values only, so a formula never runs and one without a stored value is
empty), and :func:`harden` strips control characters and cuts huge cells the way
the mention import does, reporting each change by line.

JSON Lines keep the types of simple values (numbers, true/false) of the columns
that are kept as they are: such a column also gets a hidden ``__json__<name>``
column holding the value as JSON, which :mod:`.records` puts in ``extra``.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

from engage_desktop.core.errors import EngageError, InvalidInput
from engage_desktop.core.untrusted import allow_long_csv_fields, cell_text

LINE = "__line"
JSON_PREFIX = "__json__"
SUFFIXES = (".csv", ".jsonl", ".ndjson", ".xlsx")


def read_export(path: Path) -> tuple[Any, list[tuple[int, str]]]:
    """(:class:`ColumnTable` of text columns plus ``__line``, unreadable rows) of an export.

    Raises:
        InvalidInput: Not a .csv, .jsonl or .xlsx file.
        EngageError: The file is not UTF-8, not a readable CSV or not an XLSX workbook.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix in (".jsonl", ".ndjson"):
        return _read_jsonl(path)
    if suffix == ".xlsx":
        return _read_xlsx(path)
    raise InvalidInput(f"cannot import {path.name}: use a .csv, .jsonl or .xlsx file")


def _table(columns: dict[str, list[Any]], lines: list[int]) -> Any:
    import numpy as np

    from engage_desktop.workspace.columns import ColumnTable

    return ColumnTable({**columns, LINE: np.array(lines, dtype=np.int64)})


def _read_csv(path: Path) -> tuple[Any, list[tuple[int, str]]]:
    """Every record by the csv module: a record's line is where it starts."""
    columns: dict[str, list[Any]] = {}
    lines: list[int] = []
    bad: list[tuple[int, str]] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            allow_long_csv_fields()  # a huge cell is cut by harden(), not refused
            reader = csv.reader(fh)
            names = [h.strip().lower() for h in next(reader, [])]
            if not names:
                return _table({}, []), []
            # A repeated header keeps its first column.
            keep = {n: names.index(n) for n in names}
            columns = {n: [] for n in keep}
            start = reader.line_num + 1
            for record in reader:
                line, start = start, reader.line_num + 1
                if not record:
                    continue
                if len(record) != len(names):
                    bad.append((line, f"{len(record)} fields where the header has {len(names)}"))
                    continue
                for name, i in keep.items():
                    columns[name].append(record[i])
                lines.append(line)
    except UnicodeDecodeError:
        raise EngageError(
            f"{path.name} is not UTF-8 text; save it as UTF-8 and import again"
        ) from None
    except csv.Error as exc:
        raise EngageError(
            f"{path.name} is not a readable CSV file ({exc}); check its quoting"
        ) from None
    return _table(columns, lines), bad


def _simple_json(value: Any) -> str | None:
    """A number or true/false as JSON; None for anything else (kept as text)."""
    if isinstance(value, bool | int | float) and not (
        isinstance(value, float) and value != value  # NaN is not JSON
    ):
        return json.dumps(value)
    return None


def _read_jsonl(path: Path) -> tuple[Any, list[tuple[int, str]]]:
    columns: dict[str, list[str | None]] = {}
    typed: dict[str, list[str | None]] = {}
    lines: list[int] = []
    bad: list[tuple[int, str]] = []
    try:
        with path.open(encoding="utf-8-sig") as fh:
            for line, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                try:
                    obj = json.loads(raw)
                except json.JSONDecodeError as exc:
                    bad.append((line, f"not valid JSON ({exc.msg})"))
                    continue
                if not isinstance(obj, dict):
                    bad.append((line, "not a JSON object"))
                    continue
                obj = {str(k).strip().lower(): v for k, v in obj.items()}
                for key in obj.keys() - columns.keys():
                    columns[key] = [None] * len(lines)
                for key, values in columns.items():
                    values.append(cell_text(obj.get(key), ";"))
                for key, value in obj.items():
                    literal = _simple_json(value)
                    if literal is not None and key not in typed:
                        typed[key] = [None] * len(lines)
                for key, values in typed.items():
                    values.append(_simple_json(obj.get(key)))
                lines.append(line)
    except UnicodeDecodeError:
        raise EngageError(
            f"{path.name} is not UTF-8 text; save it as UTF-8 and import again"
        ) from None
    columns.update({JSON_PREFIX + k: v for k, v in typed.items()})
    return _table(columns, lines), bad


def _read_xlsx(path: Path) -> tuple[Any, list[tuple[int, str]]]:
    """The first sheet: its first row is the header, each later row a record."""
    from engage_desktop.inbox.import_read import TableFile

    table = TableFile(path)
    # Lower-case names; a repeated header keeps its first column, as in a CSV.
    first: dict[str, str] = {}
    for header in table.headers:
        first.setdefault(header.strip().lower(), header)
    result = table.read(list(first.values()))
    data = {
        name: [cell_text(v, ";") for v in result.columns[header]] for name, header in first.items()
    }
    return _table(data, list(result.lines)), list(result.bad)


def harden(table: Any) -> tuple[Any, list[tuple[int, str]]]:
    """Strip control characters and cut huge cells; (table, (line, note) per change).

    A cheap test per cell finds the few that need it (as the mention import does);
    only those go through :func:`~engage_desktop.core.untrusted.strip_controls` and
    :func:`~engage_desktop.core.untrusted.cap_text`.
    """
    from engage_desktop.core.untrusted import MAX_FIELD_CHARS, cap_text, strip_controls

    notes: list[tuple[int, str]] = []
    lines = table.column(LINE)
    for name in table.column_names:
        if name == LINE or name.startswith(JSON_PREFIX):
            continue
        values = table.column(name)
        rows = [
            i
            for i, v in enumerate(values.tolist())
            if v is not None and (len(v) > MAX_FIELD_CHARS or _CONTROLS.search(v))
        ]
        if not rows:
            continue
        cells = values.copy()
        for i in rows:
            text, cut = cap_text(strip_controls(cells[i]))
            if cut:
                notes.append((int(lines[i]), f"{name} cut to {MAX_FIELD_CHARS:,} characters"))
            elif text != cells[i]:
                notes.append((int(lines[i]), f"control characters removed from {name}"))
            cells[i] = text
        table = table.with_column(name, cells)
    notes.sort()
    return table, notes


#: The controls the mention import looks for (a carriage return alone is a line end).
_CONTROLS = re.compile("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]")
