"""Reading a CRM export into one Arrow table of text columns, fast and literally.

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
from pathlib import Path
from typing import Any

from engage_desktop.core.errors import EngageError, InvalidInput
from engage_desktop.core.untrusted import cell_text

LINE = "__line"
JSON_PREFIX = "__json__"
SUFFIXES = (".csv", ".jsonl", ".ndjson", ".xlsx")


def read_export(path: Path) -> tuple[Any, list[tuple[int, str]]]:
    """(Arrow table of text columns plus ``__line``, unreadable rows) of a CRM export.

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


def _read_csv(path: Path) -> tuple[Any, list[tuple[int, str]]]:
    import pyarrow as pa
    from pyarrow import csv as pacsv

    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            header = next(csv.reader(fh), [])
    except UnicodeDecodeError:
        raise EngageError(
            f"{path.name} is not UTF-8 text; save it as UTF-8 and import again"
        ) from None
    names = [h.strip().lower() for h in header]
    if not names:
        return pa.table({LINE: pa.array([], pa.int64())}), []
    # Unique names for the reader; a repeated header keeps its first column.
    unique = [n if n not in names[:i] else f"{n}__{i}" for i, n in enumerate(names)]
    invalid: list[Any] = []

    def skip(row: Any) -> str:
        invalid.append(row)
        return "skip"

    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=unique, skip_rows=1),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=skip),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(unique, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        text = str(exc).splitlines()[0]
        if "UTF8" in text or "utf8" in text.lower():
            raise EngageError(
                f"{path.name} is not UTF-8 text; save it as UTF-8 and import again"
            ) from None
        raise EngageError(
            f"{path.name} is not a readable CSV file ({text}); check its quoting"
        ) from None
    keep = [i for i, n in enumerate(unique) if n == names[i]]
    table = table.select(keep)
    if not invalid:
        lines = pa.array(range(2, table.num_rows + 2), pa.int64())
        return table.append_column(LINE, lines), []
    # Arrow does not say where the rows it skipped were: find them (and the lines of
    # the good rows) with the csv module, only in this rare case.
    good: list[int] = []
    bad: list[tuple[int, str]] = []
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        start = reader.line_num + 1
        for record in reader:
            line, start = start, reader.line_num + 1
            if not record:
                continue
            if len(record) == len(names):
                good.append(line)
            else:
                bad.append((line, f"{len(record)} fields where the header has {len(names)}"))
    if len(good) != table.num_rows:  # the two readers disagree: count records instead
        good = list(range(2, table.num_rows + 2))
    lines = pa.array(good, pa.int64())
    return table.append_column(LINE, lines), bad


def _simple_json(value: Any) -> str | None:
    """A number or true/false as JSON; None for anything else (kept as text)."""
    if isinstance(value, bool | int | float) and not (
        isinstance(value, float) and value != value  # NaN is not JSON
    ):
        return json.dumps(value)
    return None


def _read_jsonl(path: Path) -> tuple[Any, list[tuple[int, str]]]:
    import pyarrow as pa

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
    data = {k: pa.array(v, pa.string()) for k, v in columns.items()}
    data.update({JSON_PREFIX + k: pa.array(v, pa.string()) for k, v in typed.items()})
    data[LINE] = pa.array(lines, pa.int64())
    return pa.table(data), bad


def _read_xlsx(path: Path) -> tuple[Any, list[tuple[int, str]]]:
    """The first sheet: its first row is the header, each later row a record."""
    import pyarrow as pa

    from engage_desktop.inbox.import_read import TableFile

    table = TableFile(path)
    # Lower-case names; a repeated header keeps its first column, as in a CSV.
    first: dict[str, str] = {}
    for header in table.headers:
        first.setdefault(header.strip().lower(), header)
    result = table.read(list(first.values()))
    data = {
        name: pa.array([cell_text(v, ";") for v in result.columns[header]], pa.string())
        for name, header in first.items()
    }
    data[LINE] = pa.array(result.lines, pa.int64())
    return pa.table(data), list(result.bad)


def harden(table: Any) -> tuple[Any, list[tuple[int, str]]]:
    """Strip control characters and cut huge cells; (table, (line, note) per change).

    Cheap Arrow tests find the few cells that need it (as the mention import does);
    only those go through :func:`~engage_desktop.core.untrusted.strip_controls` and
    :func:`~engage_desktop.core.untrusted.cap_text`.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from engage_desktop.core.untrusted import MAX_FIELD_CHARS, cap_text, strip_controls

    notes: list[tuple[int, str]] = []
    lines = None
    for name in table.column_names:
        if name == LINE or name.startswith(JSON_PREFIX):
            continue
        values = table.column(name)
        flagged = pc.fill_null(
            pc.or_(
                pc.greater(pc.utf8_length(values), MAX_FIELD_CHARS),
                pc.match_substring_regex(values, _CONTROLS),
            ),
            False,
        )
        rows = pc.indices_nonzero(flagged).to_pylist()
        if not rows:
            continue
        if lines is None:
            lines = table.column(LINE).to_pylist()
        cells = values.to_pylist()
        for i in rows:
            text, cut = cap_text(strip_controls(cells[i]))
            if cut:
                notes.append((int(lines[i]), f"{name} cut to {MAX_FIELD_CHARS:,} characters"))
            elif text != cells[i]:
                notes.append((int(lines[i]), f"control characters removed from {name}"))
            cells[i] = text
        table = table.set_column(
            table.schema.get_field_index(name), name, pa.array(cells, pa.string())
        )
    notes.sort()
    return table, notes


#: The controls the mention import looks for (a carriage return alone is a line end).
_CONTROLS = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]"
