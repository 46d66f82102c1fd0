"""Exporting mentions (CSV, JSON Lines, XLSX, Parquet) with the shared column names.

Columns: ``id, external_id, source, url, author, title, text, published`` (ISO 8601,
UTC), ``sentiment`` (compound, -1..1), ``sentiment_label``, ``status``, ``tags``.
``external_id`` is the id the mention had in the tool it was imported from.

**Formula neutralisation** (OWASP "CSV injection"): a mention is written by a
stranger, and a spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return as a formula. In CSV and XLSX every text cell that
starts so gets a leading ``'``, which spreadsheets show as text. Numbers stay
numbers. JSON Lines and Parquet are read by programs, not spreadsheets, and keep
the data exactly as it is.

Every file appears complete or not at all: it is written beside the target and
renamed into place.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from engage_desktop.core.errors import EngageError, InvalidInput, NotFound
from engage_desktop.workspace.database import Workspace

COLUMNS = (
    "id", "external_id", "source", "url", "author", "title", "text", "published",
    "sentiment", "sentiment_label", "status", "tags",
)  # fmt: skip
TEXT_COLUMNS = (
    "external_id", "source", "url", "author", "title", "text", "sentiment_label", "status", "tags",
)  # fmt: skip
FORMATS = ("csv", "jsonl", "xlsx", "parquet")
#: What a spreadsheet would run as a formula at the start of a cell.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_SQL = r"^[=+\-@\t\r]"
#: Excel's limits: rows per sheet (one is the header) and characters per cell.
XLSX_MAX_ROWS = 1_048_575
XLSX_MAX_CELL = 32_767
Progress = Callable[[int, int], None]

_SELECT = """
    SELECT id, external_id, source_name AS source, url,
           coalesce(author_name, author_handle) AS author, title, text,
           strftime(published, '%Y-%m-%dT%H:%M:%SZ') AS published,
           sentiment, sentiment_label, status, {tags} AS tags
    FROM mentions WHERE {where} ORDER BY {order}
"""


def neutralize(value: Any) -> Any:
    """A text cell a spreadsheet would run, made inert with a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _format(out: Path) -> str:
    suffix = out.suffix.lower().lstrip(".")
    suffix = "jsonl" if suffix == "ndjson" else suffix
    if suffix not in FORMATS:
        raise InvalidInput(
            f"cannot export to {out.name}: use a .csv, .jsonl, .xlsx or .parquet file name"
        )
    if not out.parent.exists():
        raise NotFound(f"folder {out.parent} does not exist; create it or choose another")
    return suffix


def export_mentions(
    ws: Workspace,
    out: str | Path,
    *,
    ids: Sequence[int] | None = None,
    where: str = "true",
    params: Sequence[Any] = (),
    order: str = "id",
    progress: Progress | None = None,
) -> int:
    """Write mentions to ``OUT.{csv,jsonl,xlsx,parquet}`` with the shared columns.

    Args:
        ws: The workspace (read-only is fine).
        out: The file to write; its extension chooses the format.
        ids: Only these mentions (the inbox's selection); None means ``where``.
        where: SQL condition on ``mentions`` (with ``params``).
        params: Values for ``where``.
        order: SQL ORDER BY of the rows.
        progress: ``progress(done, total)`` for XLSX, which is written row by row.

    Returns:
        How many mentions were written.

    Raises:
        InvalidInput: Another file type, nothing selected, too many rows for XLSX.
        NotFound: The folder does not exist.
        EngageError: The file cannot be written.
    """
    out = Path(out)
    fmt = _format(out)
    tmp = out.with_name(f".{out.name}.part")
    cur = ws.cursor()
    try:
        if ids is not None:
            ids = [int(i) for i in dict.fromkeys(ids)]
            if not ids:
                raise InvalidInput("nothing to export: select some mentions first")
            # COPY cannot take a prepared parameter list: stage the ids in a temp table.
            cur.execute(
                "CREATE OR REPLACE TEMP TABLE export_ids AS SELECT unnest(?::BIGINT[]) AS id",
                [ids],
            )
            where, params = "id IN (SELECT id FROM export_ids)", ()
        count = int(
            cur.execute(f"SELECT count(*) FROM mentions WHERE {where}", list(params)).fetchone()[0]
        )
        tags = "array_to_string(tags, ',')" if fmt in ("csv", "xlsx") else "tags"
        query = _SELECT.format(tags=tags, where=where, order=order)
        if fmt == "xlsx":
            if count > XLSX_MAX_ROWS:
                raise InvalidInput(
                    f"{count:,} mentions do not fit in one Excel sheet "
                    f"({XLSX_MAX_ROWS:,} rows); export to .csv or .parquet instead"
                )
            res = cur.execute(query, list(params))
            write_xlsx(tmp, list(COLUMNS), _batches(res), count, progress, sheet="Mentions")
        else:
            if fmt == "csv":
                query = f"SELECT {_neutral_select(COLUMNS, TEXT_COLUMNS)} FROM ({query})"
            options = {
                "csv": "FORMAT csv, HEADER",
                "jsonl": "FORMAT json",
                "parquet": "FORMAT parquet",
            }[fmt]
            literal = str(tmp).replace("'", "''")
            cur.execute(f"COPY ({query}) TO '{literal}' ({options})", list(params))
        os.replace(tmp, out)
        if ids is not None:
            cur.execute("DROP TABLE IF EXISTS export_ids")
    except OSError as exc:
        raise EngageError(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        cur.close()
        if tmp.exists():
            tmp.unlink()
    return count


def _neutral_select(columns: Sequence[str], text_columns: Sequence[str]) -> str:
    """SELECT list that prefixes ``'`` to text cells a spreadsheet would run."""
    parts = []
    for name in columns:
        q = f'"{name}"'
        if name in text_columns:
            parts.append(
                f"CASE WHEN regexp_matches({q}, '{_FORMULA_SQL}') THEN '''' || {q} ELSE {q} END "
                f"AS {q}"
            )
        else:
            parts.append(q)
    return ", ".join(parts)


def _batches(res: Any, size: int = 10_000) -> Any:
    while rows := res.fetchmany(size):
        yield from rows


_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xlsx_cell(value: Any) -> Any:
    """A value as an XLSX cell: neutralised, without XML-illegal characters, fitting Excel."""
    if isinstance(value, str):
        value = _ILLEGAL_XML.sub("", value)
        value = neutralize(value)
        if len(value) > XLSX_MAX_CELL:
            value = value[: XLSX_MAX_CELL - 1] + "…"
    return value


def write_xlsx(
    path: Path,
    header: list[str],
    rows: Any,
    total: int,
    progress: Progress | None = None,
    *,
    sheet: str = "Data",
) -> None:
    """Write one sheet (streamed, openpyxl's write-only mode) with every cell made inert.

    Cells are always written as values: a text that starts like a formula gets a
    leading ``'``, so openpyxl stores it as text and no spreadsheet runs it.
    """
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet(sheet[:31])
    ws.append([xlsx_cell(h) for h in header])
    for n, row in enumerate(rows, start=1):
        ws.append([xlsx_cell(v) for v in row])
        if progress is not None and n % 10_000 == 0:
            progress(n, total)
    book.save(path)
    if progress is not None:
        progress(total, total)
