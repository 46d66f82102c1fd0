"""Cells of client files (XLSX, Parquet, JSON) read as the text a CSV would hold."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from engage_desktop.core.untrusted import cell_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("as typed", "as typed"),
        (True, "true"),
        (1042.0, "1042"),  # a spreadsheet's whole number is the id it was
        (0.25, "0.25"),
        (2.0**60, str(2.0**60)),  # too big to be a whole id: kept as the float it is
        (datetime(2026, 3, 1), "2026-03-01"),  # a date column typed as midnight
        (datetime(2026, 3, 1, 9, 30), "2026-03-01 09:30:00"),
        (datetime(2026, 3, 1, tzinfo=UTC), "2026-03-01 00:00:00+00:00"),
        (date(2026, 3, 1), "2026-03-01"),
        (["a", None, "b"], "a,b"),
        ({"k": "é"}, '{"k": "é"}'),
    ],
)
def test_cell_text(value, expected):
    assert cell_text(value) == expected


def test_lists_join_with_the_readers_separator():
    assert cell_text(("vip", "b2b"), ";") == "vip;b2b"
