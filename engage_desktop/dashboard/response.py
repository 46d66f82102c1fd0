"""Response performance: how fast and how reliably the team answers.

First-response time is wall-clock time from the mention to the first reply (what the
customer waited); the SLA counts business hours (:mod:`business_hours`). Both read
``mentions.first_reply_at``, which the outbox sets when the first reply is sent.
The additive parts (bins, SLA counts, backlog) come from the cube; the weekly median
is not additive, so it is its own query.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engage_desktop.archive.views import mention_source
from engage_desktop.dashboard.analytics import (
    DAY_S,
    RESPONSE_BINS,
    RESPONSE_S_SQL,
    WEEK_S,
    WEEK_SQL,
    DashboardFilter,
)
from engage_desktop.dashboard.cube import MentionCube
from engage_desktop.workspace.database import Workspace


@dataclass(frozen=True)
class ResponsePerformance:
    """Answer times, the SLA and the backlog within a filter.

    Attributes:
        bins: Labels of the first-response time bins.
        bin_counts: Answered mentions per bin.
        bin_within: Of those, answered within the SLA.
        weeks: Week starts (epoch seconds, Mondays) of the weekly median.
        weekly_median_h: Median first-response time per week, in hours (NaN: none).
        weekly_answered: Answered mentions per week.
        answered: Answered mentions in the range.
        within_sla: Of those, answered within the SLA (business hours).
        sla_s: The SLA in business seconds.
        hours: Description of the business hours.
        days: Day starts of the backlog series.
        backlog: Mentions awaiting a first reply at the end of each day.
    """

    bins: tuple[str, ...]
    bin_counts: np.ndarray
    bin_within: np.ndarray
    weeks: np.ndarray
    weekly_median_h: np.ndarray
    weekly_answered: np.ndarray
    answered: int
    within_sla: int
    sla_s: float
    hours: str
    days: np.ndarray
    backlog: np.ndarray

    @property
    def sla_share(self) -> float | None:
        """Percentage of answered mentions within the SLA (None when none answered)."""
        return self.within_sla / self.answered * 100.0 if self.answered else None


def week_starts(days: np.ndarray) -> np.ndarray:
    """The Monday of every week that ``days`` touch (epoch seconds)."""
    if not len(days):
        return np.empty(0, dtype=np.int64)
    first = int(days[0] // DAY_S)
    first -= (first + 3) % 7
    return np.arange(first * DAY_S, int(days[-1]) + 1, WEEK_S, dtype=np.int64)


def weekly_median(
    ws: Workspace, flt: DashboardFilter, weeks: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Median first-response hours and answered count per publication week.

    Reads the workspace and an attached archive together, pruned to the range
    (:func:`~engage_desktop.archive.views.mention_source`), as the cube's charts do.
    """
    where, params = flt.where()
    src = mention_source(ws, flt.start, flt.end).sql
    rows = ws.tuples(
        f"SELECT {WEEK_SQL} AS w, median({RESPONSE_S_SQL}) / 3600.0, count(*) FROM {src} "
        f"WHERE ({where}) AND first_reply_at IS NOT NULL GROUP BY w",
        params,
    )
    by_week = {int(w) * DAY_S: (m, n) for w, m, n in rows}
    median = np.array([by_week.get(int(w), (np.nan, 0))[0] for w in weeks], dtype=float)
    count = np.array([by_week.get(int(w), (np.nan, 0))[1] for w in weeks], dtype=float)
    return median, count


def response_performance(
    ws: Workspace, cube: MentionCube, flt: DashboardFilter
) -> ResponsePerformance:
    """First-response times, the weekly median, the SLA share and the backlog."""
    summary = cube.responses(flt)
    days = cube.days(flt)
    weeks = week_starts(days)
    median, count = weekly_median(ws, flt, weeks)
    return ResponsePerformance(
        tuple(name for name, _, _ in RESPONSE_BINS),
        summary.bin_counts,
        summary.bin_within,
        weeks,
        median,
        count,
        summary.answered,
        summary.within_sla,
        cube.ctx.sla_s,
        cube.ctx.hours.describe(),
        days,
        summary.backlog,
    )
