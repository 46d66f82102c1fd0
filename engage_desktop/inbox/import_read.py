"""Reading another tool's export: CSV, JSON Lines, XLSX or Parquet, as columns of cells.

A reader first gives the header and a few rows (for the mapping preview), then
reads only the columns the mapping uses, with each record's line number (the
file's line for CSV and JSON Lines, the sheet's row for XLSX, the row for
Parquet), so a bad row is reported where the user can find it. Nothing here
interprets the cells: validation is :mod:`engage_desktop.inbox.mention_import`'s.

Files are untrusted: CSV cells are only text; XLSX is read with openpyxl in
read-only mode (values, never formulas run; XML through defusedxml); nothing
in a file is followed, fetched or executed.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engage_desktop.core.errors import EngageError, InvalidInput, NotFound
from engage_desktop.core.untrusted import allow_long_csv_fields
from engage_desktop.inbox.import_map import score_header_row
from engage_desktop.workspace.parquet import parquet_columns, parquet_records, parquet_rows

SUFFIXES = (".csv", ".jsonl", ".ndjson", ".json", ".xlsx", ".parquet")
#: Lines searched for the header row (Brandwatch writes report details above it).
HEADER_SEARCH = 20
#: Records between progress reports and cancel checks while reading.
STEP = 50_000
Progress = Callable[[int, int], None]


@dataclass
class ReadResult:
    """The cells of the wanted columns, one list per column, with line numbers."""

    lines: list[int] = field(default_factory=list)
    columns: dict[str, list[Any]] = field(default_factory=dict)
    bad: list[tuple[int, str]] = field(default_factory=list)


class ImportCancelled(EngageError):
    """The user stopped the import; nothing was written."""


def _check_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInput(f"cannot import {path.name}: use a .csv, .jsonl, .xlsx or .parquet file")
    return ".jsonl" if suffix in (".ndjson", ".json") else suffix


class TableFile:
    """One file to import: its header, a preview, then the wanted columns.

    Raises:
        NotFound: The file does not exist.
        InvalidInput: An unsupported file type.
        EngageError: The file cannot be read (not UTF-8, broken CSV, not XLSX...).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise NotFound(
                f"{self.path} does not exist; give the path of a .csv, .jsonl, .xlsx or "
                ".parquet file"
            )
        self.kind = _check_suffix(self.path)
        self.header_line = 1  # the file's line (or sheet row) of the header
        self.headers: list[str] = []
        self.preview_lines: list[int] = []  # the lines of the rows :meth:`preview` gave
        with self._errors():
            self._read_header()

    # -- the header and a preview --------------------------------------------------

    def _read_header(self) -> None:
        if self.kind == ".csv":
            with self.path.open(newline="", encoding="utf-8-sig") as fh:
                allow_long_csv_fields()  # a huge cell is cut later, not refused
                reader = csv.reader(fh)
                candidates = []
                for _ in range(HEADER_SEARCH):
                    row = next(reader, None)
                    if row is None:
                        break
                    candidates.append((reader.line_num, row))
            self.header_line, self.headers = _best_header(candidates)
        elif self.kind == ".xlsx":
            rows = []
            for i, row in enumerate(self._xlsx_rows(), start=1):
                rows.append((i, ["" if c is None else str(c) for c in row]))
                if i >= HEADER_SEARCH:
                    break
            self.header_line, self.headers = _best_header(rows)
        elif self.kind == ".parquet":
            self.headers = parquet_columns(self.path)
        else:  # JSON Lines: the keys of the first objects, in order of appearance
            keys: dict[str, None] = {}
            for _, obj, _err in self._json_records(limit=50):
                if obj is not None:
                    keys.update(dict.fromkeys(str(k) for k in obj))
            self.headers = list(keys)

    def preview(self, rows: int = 20) -> list[list[str]]:
        """The first ``rows`` records as text cells, in header order."""
        wanted = self.headers
        with self._errors():
            result = self.read(wanted, limit=rows)
        self.preview_lines = result.lines[:rows]
        return [
            ["" if result.columns[h][i] is None else str(result.columns[h][i]) for h in wanted]
            for i in range(len(result.lines))
        ]

    # -- the records ----------------------------------------------------------------

    def read(
        self,
        wanted: Sequence[str],
        *,
        limit: int | None = None,
        progress: Progress | None = None,
        is_cancelled: Callable[[], bool] | None = None,
    ) -> ReadResult:
        """The cells of the ``wanted`` headers for every record (or the first ``limit``).

        Raises:
            ImportCancelled: ``is_cancelled`` returned True.
        """
        result = ReadResult(columns={h: [] for h in wanted})
        total = self.estimated_records()
        with self._errors():
            for n, (line, values, reason) in enumerate(self._records(wanted), start=1):
                if values is None:
                    result.bad.append((line, str(reason)))
                else:
                    result.lines.append(line)
                    for h, v in zip(wanted, values, strict=True):
                        result.columns[h].append(v)
                if limit is not None and len(result.lines) >= limit:
                    break
                if n % STEP == 0:
                    if is_cancelled is not None and is_cancelled():
                        raise ImportCancelled("import cancelled; nothing was written")
                    if progress is not None:
                        progress(min(n, total), total)
        return result

    def estimated_records(self) -> int:
        """About how many records the file holds (for progress; exact for Parquet)."""
        if self.kind == ".parquet":
            return parquet_rows(self.path)
        size = self.path.stat().st_size
        with self.path.open("rb") as fh:
            sample = fh.read(256 * 1024)
        lines = sample.count(b"\n") or 1
        return max(1, int(size / (len(sample) / lines)))

    def _records(self, wanted: Sequence[str]) -> Iterator[tuple[int, list[Any] | None, Any]]:
        """(line, cells or None, None or the reason a record is bad)."""
        if self.kind == ".csv":
            yield from self._csv_records(wanted)
        elif self.kind == ".xlsx":
            index = [self.headers.index(h) for h in wanted]
            for i, row in enumerate(self._xlsx_rows(), start=1):
                if i <= self.header_line or not any(c not in (None, "") for c in row):
                    continue
                yield i, [row[k] if k < len(row) else None for k in index], None
        elif self.kind == ".parquet":
            names = list(dict.fromkeys(wanted))  # the records have each column once
            index = [names.index(h) for h in wanted]
            for i, record in enumerate(parquet_records(self.path, names), start=1):
                yield i, [record[k] for k in index], None
        else:
            for line, obj, error in self._json_records():
                if obj is None:
                    yield line, None, error
                    continue
                yield line, [obj.get(h) for h in wanted], None

    def _csv_records(self, wanted: Sequence[str]) -> Iterator[tuple[int, list[Any] | None, Any]]:
        index = [self.headers.index(h) for h in wanted]
        width = len(self.headers)
        with self.path.open(newline="", encoding="utf-8-sig") as fh:
            allow_long_csv_fields()  # a huge cell is cut later, not refused
            reader = csv.reader(fh)
            start = 1
            for record in reader:
                line, start = start, reader.line_num + 1
                if line <= self.header_line:
                    continue
                if not any(record):
                    continue
                if len(record) != width:
                    if not any(cell.strip() for cell in record):
                        continue
                    yield line, None, f"{len(record)} fields where the header has {width}"
                    continue
                yield line, [record[k] for k in index], None

    def _json_records(
        self, limit: int | None = None
    ) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
        with self.path.open(encoding="utf-8-sig") as fh:
            for line, raw in enumerate(fh, start=1):
                if limit is not None and line > limit:
                    return
                if not raw.strip():
                    continue
                try:
                    obj = json.loads(raw)
                except json.JSONDecodeError as exc:
                    yield line, None, f"not valid JSON ({exc.msg})"
                    continue
                if not isinstance(obj, dict):
                    yield line, None, "not a JSON object"
                    continue
                yield line, {str(k): v for k, v in obj.items()}, None

    def _xlsx_rows(self) -> Iterator[tuple[Any, ...]]:
        import openpyxl

        book = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            yield from sheet.iter_rows(values_only=True)
        finally:
            book.close()

    # -- errors -----------------------------------------------------------------------

    def _errors(self) -> _ReadErrors:
        return _ReadErrors(self.path)


class _ReadErrors:
    """Turns a reader's exceptions into one line the user can act on."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        if exc is None or isinstance(exc, EngageError):
            return False
        name = self.path.name
        if isinstance(exc, UnicodeDecodeError):
            raise EngageError(f"{name} is not UTF-8 text; save it as UTF-8 and import again")
        if isinstance(exc, csv.Error):
            raise EngageError(f"{name} is not a readable CSV file ({exc}); check its quoting")
        if isinstance(exc, OSError):
            raise EngageError(f"cannot read {name}: {exc.strerror or exc}")
        readers = ("openpyxl", "zipfile", "duckdb", "_duckdb", "defusedxml")
        if type(exc).__module__.split(".")[0] in readers:
            kind = "an Excel .xlsx" if self.path.suffix.lower() == ".xlsx" else "a Parquet"
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise EngageError(f"{name} is not {kind} file this app can read ({first})")
        if isinstance(exc, (KeyError, ValueError)) and self.path.suffix.lower() == ".xlsx":
            raise EngageError(f"{name} is not an Excel .xlsx file this app can read ({exc})")
        return False


def _best_header(rows: list[tuple[int, list[str]]]) -> tuple[int, list[str]]:
    """The row that maps the most fields (first row when none maps a text column)."""
    if not rows:
        return 1, []
    best = max(rows, key=lambda r: (score_header_row(r[1]), -r[0]))
    if not score_header_row(best[1]):
        best = rows[0]
    headers = [h.strip() for h in best[1]]
    # Blank or repeated header cells still need distinct names.
    seen: dict[str, int] = {}
    named = []
    for i, h in enumerate(headers, start=1):
        h = h or f"column {i}"
        if h in seen:
            seen[h] += 1
            h = f"{h} ({seen[h]})"
        else:
            seen[h] = 1
        named.append(h)
    return best[0], named
