"""Business-hours SLA time: the Python rule and its SQL twin agree, by hand and at random."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import numpy as np
import pytest

from engage_desktop.core.errors import InvalidInput
from engage_desktop.dashboard.business_hours import BusinessHours

MON_FRI = BusinessHours()  # Mon–Fri 09:00–17:00 UTC


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)  # 2 March 2026 is a Monday


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        (at(2, 10), at(2, 11), 1),  # inside one working day
        (at(2, 8), at(2, 8, 30), 0),  # before opening
        (at(2, 16), at(3, 10), 2),  # overnight: 1 h Monday + 1 h Tuesday
        (at(6, 16), at(9, 10), 2),  # Friday 16:00 → Monday 10:00: the weekend is free
        (at(7, 12), at(8, 12), 0),  # all weekend
        (at(4, 10), at(6, 10), 16),  # Wednesday 10:00 → Friday 10:00: 7 + 8 + 1 h
    ],
)
def test_elapsed_business_time_by_hand(start, end, hours):
    assert MON_FRI.elapsed(start, end) == hours * 3600


def _sql_elapsed(hours: BusinessHours, pairs) -> list[float]:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE TABLE m (published TIMESTAMPTZ, first_reply_at TIMESTAMPTZ)")
    con.executemany("INSERT INTO m VALUES (?, ?)", pairs)
    rows = con.execute(f"SELECT {hours.elapsed_sql()} FROM m").fetchall()
    con.close()
    return [float(r[0]) for r in rows]


@pytest.mark.parametrize(
    "hours",
    [
        MON_FRI,
        BusinessHours("Europe/Berlin", (0, 1, 2, 3, 4, 5), 8 * 3600, 20 * 3600),
        BusinessHours("America/New_York", (1, 3), 9 * 3600 + 1800, 17 * 3600),
        BusinessHours(always=True),
    ],
)
def test_sql_agrees_with_python_across_weeks_and_dst(hours):
    rng = np.random.default_rng(11)
    # 25 March 2026 to mid April crosses the European and American DST changes.
    base = datetime(2026, 3, 20, tzinfo=UTC)
    pairs = []
    for _ in range(300):
        start = base + timedelta(seconds=int(rng.integers(0, 30 * 86400)))
        pairs.append((start, start + timedelta(seconds=int(rng.integers(0, 9 * 86400)))))
    sql = _sql_elapsed(hours, pairs)
    python = [hours.elapsed(a, b) for a, b in pairs]
    assert sql == pytest.approx(python, abs=1e-6)


def test_settings_are_checked():
    assert BusinessHours.from_setting(None) == MON_FRI
    assert BusinessHours.from_setting({"always": True}).always
    berlin = BusinessHours.from_setting({"timezone": "Europe/Berlin", "start": "08:30"})
    assert (
        berlin.start == 8 * 3600 + 1800 and berlin.describe() == "Mon–Fri 08:30–17:00 Europe/Berlin"
    )
    with pytest.raises(InvalidInput, match="time zone"):
        BusinessHours.from_setting({"timezone": "Mars/Olympus"})
    with pytest.raises(InvalidInput, match="HH:MM"):
        BusinessHours.from_setting({"start": "nine"})
