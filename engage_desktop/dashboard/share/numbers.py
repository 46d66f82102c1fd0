"""The numbers of a report: the dashboard's own, for the period and the one before.

Everything here comes from the functions the dashboard draws with
(:class:`~engage_desktop.dashboard.session.DashboardSession` for the cube's charts,
:func:`~engage_desktop.dashboard.session.rankings`, :func:`rising_terms`,
:func:`range_episodes`), for the same :class:`DashboardFilter`, so a report and the
dashboard set to the same range show the same figures (a test compares them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from engage_desktop.core.errors import NotFound
from engage_desktop.dashboard.analytics import DAY_S, DashboardFilter
from engage_desktop.dashboard.cube import rolling_mean_sd
from engage_desktop.dashboard.session import ChartNumbers, DashboardSession, Rankings, rankings
from engage_desktop.dashboard.spikes import Episode, range_episodes
from engage_desktop.dashboard.terms import RisingTerms, rising_terms
from engage_desktop.workspace.database import Workspace

DEFAULT_DAYS = 30


@dataclass(frozen=True)
class PeriodFigures:
    """The headline figures of one period."""

    mentions: int
    negative: int
    scored: int
    net_sentiment: float | None  # positive share minus negative share, in points
    brand_share: float | None  # the brand's share of voice, in percent
    answered: int
    within_sla: int
    sla_share: float | None
    backlog_end: int

    @property
    def negative_share(self) -> float | None:
        """Negative mentions as a percentage of the scored ones."""
        return self.negative / self.scored * 100.0 if self.scored else None


@dataclass(frozen=True)
class ReportNumbers:
    """Everything a report shows, before any layout.

    Attributes:
        filter: The period (whole UTC days) and topic.
        previous: The same number of days just before.
        charts: The cube's charts for the period (volume, sentiment, voice, responses).
        now: The period's headline figures; ``before``: the previous period's.
        ranks: Top authors, advocates, detractors, channels and sources.
        terms: Rising terms (None for an empty workspace).
        episodes: Spike episodes in the period (the incidents).
        net_rolling: 7-day rolling mean of the daily net sentiment.
    """

    filter: DashboardFilter
    previous: DashboardFilter
    charts: ChartNumbers
    now: PeriodFigures
    before: PeriodFigures
    ranks: Rankings
    terms: RisingTerms | None
    episodes: list[Episode]
    net_rolling: np.ndarray
    brand: str


def period(
    session: DashboardSession, start: datetime | None, end: datetime | None, topic: str | None
) -> tuple[DashboardFilter, DashboardFilter]:
    """The report's period and the previous one (whole UTC days).

    Without dates: the last 30 days of data, as the dashboard's "Last 30 days".

    Raises:
        NotFound: The workspace has no mentions and no dates were given.
    """
    newest = session.newest
    if end is None:
        if newest is None:
            raise NotFound("the workspace has no mentions yet; import or fetch some first")
        end = newest + timedelta(days=1)
    if start is None:
        start = end - timedelta(days=DEFAULT_DAYS)
    flt = DashboardFilter(start, end, topic)
    length = end - start
    return flt, DashboardFilter(start - length, start, topic)


def figures(charts: ChartNumbers, brand: str | None) -> PeriodFigures:
    """The headline figures of one period's charts."""
    volume = charts.volume
    mentions = int(volume.total.sum()) if len(volume.days) else 0
    sent = charts.sentiment
    scored = int(sent.scored.sum())
    pos, neg = int(sent.positive.sum()), int(sent.negative.sum())
    sov = charts.share_of_voice
    brand_share = None
    if brand is not None and brand in sov.entities and sov.totals.sum() > 0:
        brand_share = float(sov.shares[sov.entities.index(brand)])
    resp = charts.response
    return PeriodFigures(
        mentions=mentions,
        negative=int(volume.counts["negative"].sum()) if len(volume.days) else 0,
        scored=scored,
        net_sentiment=(pos - neg) / scored * 100.0 if scored else None,
        brand_share=brand_share,
        answered=int(resp.answered),
        within_sla=int(resp.within_sla),
        sla_share=resp.sla_share,
        backlog_end=int(resp.backlog[-1]) if len(resp.backlog) else 0,
    )


def compute(
    ws: Workspace,
    start: datetime | None,
    end: datetime | None,
    topic: str | None,
    state: Any = None,
    progress: Any = None,
) -> ReportNumbers:
    """The report's numbers for a period (see the module docstring)."""
    tick = progress or (lambda step: None)
    session = DashboardSession(ws)
    tick(1)
    if topic is not None and topic not in session.ctx.topics:
        raise NotFound(f"no topic named {topic!r}")
    flt, previous = period(session, start, end, topic)
    charts = session.charts(flt)
    before = session.charts(previous)
    tick(2)
    ranks = rankings(ws, flt)
    tick(3)
    terms = rising_terms(ws, flt, state=state)
    tick(4)
    episodes = range_episodes(ws, flt.start, flt.end, flt.topic, state) or []
    tick(5)
    brand = session.ctx.brand if session.ctx.brand_topics else None
    net = charts.sentiment.net
    rolling, _ = rolling_mean_sd(net, charts.sentiment.window)
    assert charts is not None and before is not None and ranks is not None
    return ReportNumbers(
        flt,
        previous,
        charts,
        figures(charts, brand),
        figures(before, brand),
        ranks,
        terms,
        episodes,
        rolling,
        session.ctx.brand,
    )


def day_index(days: np.ndarray, moment: datetime) -> int:
    """The index of the day of ``moment`` in ``days`` (clamped to the range)."""
    if not len(days):
        return 0
    i = int((moment.timestamp() - float(days[0])) // DAY_S)
    return min(max(i, 0), len(days) - 1)
