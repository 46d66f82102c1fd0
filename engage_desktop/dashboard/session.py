"""Everything the dashboard draws, computed off the GUI thread in two halves.

:class:`DashboardSession` holds what stays valid until the next refresh (the
context and the cube) and answers the cube's charts for one filter
(:meth:`DashboardSession.charts`); :func:`rankings` answers the author, channel and
source rankings, which need their own scans. The two halves are independent, so
the dashboard runs them side by side and draws each as it arrives. The rising terms
are slower (text is tokenized), so they are a third call, run afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from engage_desktop.dashboard.analytics import (
    AnalyticsContext,
    AuthorRankings,
    DashboardFilter,
    RankedRow,
    author_rankings,
    data_days,
    top_channels,
    top_sources,
)
from engage_desktop.dashboard.cube import MentionCube, SentimentTrend, ShareOfVoice, Volume
from engage_desktop.dashboard.response import ResponsePerformance, response_performance
from engage_desktop.workspace.database import Workspace


@dataclass(frozen=True)
class ChartNumbers:
    """The cube's half: volume, sentiment, share of voice and responses for one filter."""

    filter: DashboardFilter
    volume: Volume
    sentiment: SentimentTrend
    share_of_voice: ShareOfVoice
    response: ResponsePerformance


@dataclass(frozen=True)
class Rankings:
    """The rankings' half: top authors, advocates and detractors, channels, sources."""

    filter: DashboardFilter
    authors: AuthorRankings
    channels: list[RankedRow]
    sources: list[RankedRow]


@dataclass(frozen=True)
class DashboardData:
    """The numbers of every chart for one filter."""

    filter: DashboardFilter
    volume: Volume
    sentiment: SentimentTrend
    share_of_voice: ShareOfVoice
    response: ResponsePerformance
    authors: AuthorRankings
    channels: list[RankedRow]
    sources: list[RankedRow]

    @classmethod
    def join(cls, charts: ChartNumbers, ranks: Rankings) -> DashboardData:
        """Both halves of one filter."""
        return cls(
            charts.filter,
            charts.volume,
            charts.sentiment,
            charts.share_of_voice,
            charts.response,
            ranks.authors,
            ranks.channels,
            ranks.sources,
        )


class DashboardSession:
    """The context and cube of one workspace state (rebuilt on refresh)."""

    def __init__(self, ws: Workspace, cube: MentionCube | None = None) -> None:
        self.ws = ws
        self.ctx = cube.ctx if cube is not None else AnalyticsContext.load(ws)
        self.cube = cube if cube is not None else MentionCube.load(ws, self.ctx)

    @classmethod
    def open(
        cls,
        ws: Workspace,
        make_filter: Callable[[datetime | None], DashboardFilter],
        state: Any = None,
    ) -> tuple[DashboardSession, ChartNumbers | None]:
        """Load the cube and compute its charts for the first filter.

        Args:
            ws: The workspace.
            make_filter: The filter for the day of the newest mention (None: empty).
            state: Cancellation, as for :meth:`charts`.
        """
        session = cls(ws)
        return session, session.charts(make_filter(session.newest), state)

    @property
    def newest(self) -> datetime | None:
        """The day of the newest mention (UTC midnight), or None when empty."""
        if self.cube.bounds is None:
            return None
        return _day_start(self.cube.bounds[1])

    def charts(self, flt: DashboardFilter, state: Any = None) -> ChartNumbers | None:
        """The cube's charts for ``flt`` (None when ``state`` was cancelled)."""
        volume = self.cube.volume(flt)
        sentiment = self.cube.sentiment_trend(flt)
        sov = self.cube.share_of_voice(flt)
        if state is not None and state.is_cancelled():
            return None
        response = response_performance(self.ws, self.cube, flt)
        return ChartNumbers(flt, volume, sentiment, sov, response)

    def compute(self, flt: DashboardFilter, state: Any = None) -> DashboardData | None:
        """Every chart's numbers for ``flt``, both halves side by side."""
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dashboard") as pool:
            ranks = pool.submit(rankings, self.ws, flt)
            charts = self.charts(flt, state)
            if charts is None:
                ranks.cancel()
                return None
            return DashboardData.join(charts, ranks.result())


def rankings(ws: Workspace, flt: DashboardFilter, state: Any = None) -> Rankings | None:
    """Authors, channels and sources for ``flt`` (separate scans, run side by side).

    The author grouping is the long one; the channel and source counts run beside
    it on a helper thread (DuckDB releases the interpreter while it works).
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rankings") as pool:
        channels = pool.submit(top_channels, ws, flt)
        sources = pool.submit(top_sources, ws, flt)
        authors = author_rankings(ws, flt)
        if state is not None and state.is_cancelled():
            return None
        return Rankings(flt, authors, channels.result(), sources.result())


def newest_day(ws: Workspace) -> datetime | None:
    """The day of the newest mention (UTC midnight), or None when empty."""
    bounds = data_days(ws)
    return None if bounds is None else _day_start(bounds[1])


def _day_start(day: int) -> datetime:
    return datetime.fromtimestamp(day * 86400, UTC)
