"""Time slices: a search's first pages read from its newest (or oldest) mentions alone.

A search sorted by time costs two scans of the text: its count, then its first page,
a top-N whose filter DuckDB evaluates on every row it reads. Mentions are stored
roughly in time order, but a rare word's newest 200 matches lie far back, so that
top-N read most of the table too (the 1M demo: 110 ms of CPU for ``skylink outage``
beside its 90 ms count).

The count therefore also counts the matches in a few nested slices at the sort's
end: the newest 1/1024, 1/256, ... of the time span (:data:`FRACTIONS`). When a
slice holds at least ``(n + 1) * page_size`` matches, page ``n`` lies entirely in it
(every match outside it sorts after all of the slice's), so the page's query gets
``published >= bound`` too: DuckDB then skips the row groups before the bound by
their min/max and reads the text of the slice alone. That is exact whatever the
distribution of the data; a skewed one only picks a bigger slice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

#: Parts of the time span counted from the sort's end, smallest first.
FRACTIONS = (1 / 1024, 1 / 256, 1 / 64, 1 / 16, 1 / 4)


@dataclass(frozen=True)
class TimeSlices:
    """Nested time slices at one end of a view, and how many matches each holds.

    Attributes:
        bounds: The slices' inner bounds, smallest slice first (for the newest
            first order the earliest publication each includes, else the latest).
        counts: Matches in each slice, in the same order.
        newest: True when the slices sit at the newest end (sort by time, newest
            first), False at the oldest end.
    """

    bounds: tuple[datetime, ...] = ()
    counts: tuple[int, ...] = ()
    newest: bool = True

    def condition(self, page: int, page_size: int) -> tuple[str, list[Any]] | None:
        """SQL that keeps page ``page`` exact and reads one slice only, or None.

        None when no slice holds the rows up to that page's end.
        """
        needed = (page + 1) * page_size
        for bound, count in zip(self.bounds, self.counts, strict=True):
            if count >= needed:
                return ("published >= ?" if self.newest else "published <= ?"), [bound]
        return None


def slice_bounds(cur: Any, source: str, newest: bool) -> tuple[datetime, ...]:
    """The bounds of :data:`FRACTIONS` of ``source``'s time span (one cheap scan).

    Args:
        cur: A cursor of the calling thread.
        source: The mentions to read (a table or a view's SQL).
        newest: Slices at the newest end (else at the oldest).
    """
    low, high = cur.execute(f"SELECT min(published), max(published) FROM {source}").fetchone()
    if low is None or high is None or low == high:
        return ()
    span = high - low
    if newest:
        return tuple(high - span * f for f in FRACTIONS)
    return tuple(low + span * f for f in FRACTIONS)


def count_columns(bounds: tuple[datetime, ...], newest: bool) -> tuple[str, list[Any]]:
    """Aggregates to add after ``count(*)``: the matches in each slice.

    Returns:
        ``(sql, params)``: a comma-led list of ``count(*) FILTER`` columns (empty
        without bounds) and their markers' values.
    """
    op = ">=" if newest else "<="
    sql = "".join(f", count(*) FILTER (WHERE published {op} ?)" for _ in bounds)
    return sql, list(bounds)
