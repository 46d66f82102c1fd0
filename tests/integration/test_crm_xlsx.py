"""Customer records from a real XLSX workbook (written by openpyxl) and typed JSON Lines.

The workbook is untrusted like any client file: a formula never runs, control
characters are removed and a huge cell is cut, each change reported by its row.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import openpyxl
import pytest

from engage_desktop.cli import main
from engage_desktop.core.untrusted import MAX_FIELD_CHARS
from engage_desktop.crm.records import import_customers
from engage_desktop.workspace.database import Workspace
from tests.conftest import new_workspace

HEADER = ["Customer ID", "Name", "Email", "Tier", "Value", "Since", "Open Tickets", "Bluesky",
          "Region", "Notes"]  # fmt: skip


def _workbook(path, rows, header=HEADER):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def ws(tmp_path):
    workspace = new_workspace(tmp_path / "crm.engage")
    with workspace.write() as cur:
        cur.execute(
            "INSERT INTO authors (id, channel, handle, name, email) VALUES "
            "(1, 'bluesky', 'ana.bsky.social', 'Ana Silva', NULL), "
            "(2, 'forum', 'bob', 'Bob Stone', 'bob@x.example')"
        )
    yield workspace
    workspace.close()


def _customers(ws):
    return {
        r[0]: r[1:]
        for r in ws.tuples(
            "SELECT external_id, name, tier, value, since, open_tickets, extra FROM customers"
        )
    }


def test_xlsx_import_maps_reports_and_defuses(ws, tmp_path):
    path = _workbook(
        tmp_path / "crm.xlsx",
        [
            # Row 2: typed cells (numbers, a date) as a CRM writes them.
            [1042, "Ana Silva", "ana@mail.example", "Enterprise", 50000.5,
             datetime(2015, 3, 1), 2, "ana.bsky.social", "EMEA", None],
            # Row 3: a formula (never run: no stored value, so no name) and a C1 escape.
            ["C-2", '=HYPERLINK("http://evil.example","click")', "BOB@x.example", "Basic",
             "$1,200", date(2022, 1, 1), 0, None, "NA\x9b31m", None],
            # Row 4: no id; row 5: a value that is not a number. (A sheet's cell holds
            # at most 32,767 characters: huge cells are tested with a CSV below.)
            [None, "No Id", "n@x.example", "Basic", 1, None, None, None, None, None],
            ["C-9", "Bad Value", "z@x.example", "Basic", "lots", None, None, None, None, None],
            ["C-7", "Seven", "h@x.example", "Pro", 10, None, None, None, None, "=1+1"],
        ],
    )  # fmt: skip
    summary = import_customers(ws, path)
    assert (summary.created, summary.updated) == (3, 0)
    assert [line for line, _ in summary.bad] == [4, 5]
    assert "no customer_id" in summary.bad[0][1] and "'lots' is not a number" in summary.bad[1][1]
    assert summary.warnings == [(3, "control characters removed from region")]
    assert summary.extra_columns == ["region", "notes"] and summary.channels == ["bluesky"]
    rows = _customers(ws)
    # Numbers typed in the sheet: the id stays "1042", the date a date, tickets an int.
    assert rows["1042"][:5] == ("Ana Silva", "Enterprise", 50000.5, date(2015, 3, 1), 2)
    assert json.loads(rows["1042"][5]) == {"region": "EMEA"}
    assert rows["C-2"][0] is None and rows["C-2"][2] == 1200.0  # the formula did not run
    assert json.loads(rows["C-2"][5]) == {"region": "NA31m"}
    assert rows["C-7"][5] is None  # "=1+1" was a formula: nothing stored, nothing run
    emails = {r[0] for r in ws.tuples("SELECT email FROM customer_emails")}
    assert emails == {"ana@mail.example", "bob@x.example", "h@x.example"}
    handles = ws.tuples("SELECT channel, handle FROM customer_handles")
    assert handles == [("bluesky", "ana.bsky.social")]

    # The same workbook again updates, never duplicates.
    again = import_customers(ws, path)
    assert (again.created, again.updated) == (0, 3)
    assert ws.scalar("SELECT count(*) FROM customers") == 3


def test_xlsx_with_map_through_the_cli(tmp_path, capsys):
    path = tmp_path / "c.engage"
    assert main(["new", str(path), "--brand", "Nimbus"]) == 0
    workbook = _workbook(
        tmp_path / "hubspot.xlsx",
        [["A-1", "Ana", "ana@mail.example", "Pro"], ["A-2", "Bob", "bob@x.example", "Basic"]],
        header=["Account ID", "Full Name", "Mail", "Plan"],
    )
    capsys.readouterr()
    args = ["-w", str(path), "customers", "import", str(workbook), "--no-link"]
    assert main(args) == 2  # no customer_id column: a usage error in one line
    assert "--map customer_id=HEADER" in capsys.readouterr().err
    mapped = [*args, "--map", "customer_id=Account ID,email=Mail"]
    assert main(mapped) == 0
    assert "2 customers added, 0 updated, 0 bad rows skipped" in capsys.readouterr().out
    with Workspace.open(path) as ws:
        rows = ws.tuples("SELECT external_id, name, tier FROM customers ORDER BY 1")
        assert ws.scalar("SELECT count(*) FROM customer_emails") == 2
    assert rows == [("A-1", "Ana", "Pro"), ("A-2", "Bob", "Basic")]


def test_a_file_that_is_not_a_workbook_is_one_clear_line(tmp_path, capsys):
    path = tmp_path / "c.engage"
    assert main(["new", str(path)]) == 0
    fake = tmp_path / "crm.xlsx"
    fake.write_text("customer_id,name\n1,Ana\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["-w", str(path), "customers", "import", str(fake)]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [lines[-1]] and "crm.xlsx is not an Excel .xlsx file" in lines[-1]


def test_csv_cells_with_controls_and_huge_text_are_made_safe(ws, tmp_path, capsys):
    path = tmp_path / "crm.csv"
    huge = "y" * (MAX_FIELD_CHARS + 10)
    path.write_text(
        f"customer_id,name,notes\nC1,Ana\x1b[2J Silva,ok\nC2,Bob,{huge}\n",
        encoding="utf-8",
    )
    summary = import_customers(ws, path)
    assert summary.created == 2 and not summary.bad
    assert summary.warnings == [
        (2, "control characters removed from name"),
        (3, f"notes cut to {MAX_FIELD_CHARS:,} characters"),
    ]
    rows = _customers(ws)
    assert rows["C1"][0] == "Ana[2J Silva"
    notes = json.loads(rows["C2"][5])["notes"]
    assert notes.startswith("y" * 1000) and "cut by engage-desktop" in notes
    assert len(notes) < MAX_FIELD_CHARS + 100


def test_jsonl_extras_keep_simple_json_types(ws, tmp_path):
    path = tmp_path / "crm.jsonl"
    records = [
        {"customer_id": "C1", "seats": 4, "ratio": 0.25, "active": True, "region": "EMEA",
         "zip": "01234", "tags": ["a", "b"]},
        {"customer_id": "C2", "seats": "12", "active": False},
    ]  # fmt: skip
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    import_customers(ws, path)
    rows = _customers(ws)
    expected = {"seats": 4, "ratio": 0.25, "active": True, "region": "EMEA", "zip": "01234"}
    assert json.loads(rows["C1"][5]) == {**expected, "tags": "a;b"}
    # A number written as text stays text; false is kept (it is a value, not a blank).
    assert json.loads(rows["C2"][5]) == {"seats": "12", "active": False}
