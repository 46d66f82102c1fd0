"""Reading a CRM export into one Arrow table of text columns, fast and literally.

Every cell stays text here (a CRM's "00123" id must not become 123); checking and
converting happen afterwards, in one SQL pass (:mod:`.records`). Column names are
trimmed and lower-cased. Each row carries ``__line``: its line in the file (for a
CSV, counted as one line per record, which is exact unless a quoted cell spans
lines). Rows that cannot be read at all come back as (line, reason).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from engage_desktop.core.errors import EngageError, InvalidInput

LINE = "__line"


def read_export(path: Path) -> tuple[Any, list[tuple[int, str]]]:
    """(Arrow table of text columns plus ``__line``, unreadable rows) of a CSV or JSONL.

    Raises:
        InvalidInput: Not a .csv or .jsonl file.
        EngageError: The file is not UTF-8 or not a readable CSV.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix in (".jsonl", ".ndjson"):
        return _read_jsonl(path)
    raise InvalidInput(f"cannot import {path.name}: use a .csv or .jsonl file")


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


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ";".join(str(v) for v in value if v is not None)
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def _read_jsonl(path: Path) -> tuple[Any, list[tuple[int, str]]]:
    import pyarrow as pa

    columns: dict[str, list[str | None]] = {}
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
                row = {str(k).strip().lower(): _cell(v) for k, v in obj.items()}
                for key in row.keys() - columns.keys():
                    columns[key] = [None] * len(lines)
                for key, values in columns.items():
                    values.append(row.get(key))
                lines.append(line)
    except UnicodeDecodeError:
        raise EngageError(
            f"{path.name} is not UTF-8 text; save it as UTF-8 and import again"
        ) from None
    data = {k: pa.array(v, pa.string()) for k, v in columns.items()}
    data[LINE] = pa.array(lines, pa.int64())
    return pa.table(data), bad
