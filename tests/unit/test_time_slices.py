"""Which time slice a search's page may be read from (inbox/time_slices.py)."""

from datetime import UTC, datetime

from engage_desktop.inbox.time_slices import FRACTIONS, TimeSlices, count_columns

NEWER = datetime(2026, 11, 30, tzinfo=UTC)
OLDER = datetime(2026, 11, 1, tzinfo=UTC)


def test_a_page_is_read_from_the_smallest_slice_that_holds_it_all() -> None:
    slices = TimeSlices((NEWER, OLDER), (3, 10), newest=True)
    assert slices.condition(0, 3) == ("published >= ?", [NEWER])
    assert slices.condition(0, 5) == ("published >= ?", [OLDER])
    assert slices.condition(1, 5) == ("published >= ?", [OLDER])  # rows 5-9 of 10
    assert slices.condition(2, 5) is None  # rows 10-14: past every slice
    assert TimeSlices().condition(0, 1) is None  # not counted: the whole table


def test_the_oldest_first_order_reads_slices_at_the_old_end() -> None:
    slices = TimeSlices((OLDER,), (8,), newest=False)
    assert slices.condition(0, 8) == ("published <= ?", [OLDER])


def test_the_count_gets_one_filtered_count_per_slice() -> None:
    sql, params = count_columns((NEWER, OLDER), newest=True)
    assert sql == ", count(*) FILTER (WHERE published >= ?)" * 2 and params == [NEWER, OLDER]
    assert count_columns((), newest=False) == ("", [])
    assert list(FRACTIONS) == sorted(FRACTIONS)  # smallest slice first
