"""Everything the dashboard draws, computed in one call (off the GUI thread).

:class:`DashboardSession` holds what stays valid until the next refresh (the
context and the cube); :meth:`DashboardSession.compute` answers one filter. The
rising terms are slower (text is tokenized), so they are a separate call the
dashboard runs as its own background task.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from engage_desktop.services.analytics import (
    AnalyticsContext,
    AuthorRankings,
    DashboardFilter,
    RankedRow,
    author_rankings,
    data_days,
    top_channels,
    top_sources,
)
from engage_desktop.services.analytics_cube import MentionCube, SentimentTrend, ShareOfVoice, Volume
from engage_desktop.services.analytics_response import ResponsePerformance, response_performance
from engage_desktop.storage.workspace import Workspace


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


class DashboardSession:
    """The context and cube of one workspace state (rebuilt on refresh).

    The cube scan and the ranking queries (authors, channels, sources) are separate
    DuckDB queries that release the interpreter while they run, so they run side by
    side on a few threads: opening costs the longest of them, not their sum.
    """

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
    ) -> tuple[DashboardSession, DashboardData | None]:
        """Load the cube and compute the first filter, the queries side by side.

        Args:
            ws: The workspace.
            make_filter: The filter for the day of the newest mention (None: empty).
            state: Cancellation, as for :meth:`compute`.
        """
        ctx = AnalyticsContext.load(ws)
        bounds = data_days(ws)
        flt = make_filter(None if bounds is None else _day_start(bounds[1]))
        with ThreadPoolExecutor(max_workers=4, thread_name_prefix="dashboard") as pool:
            cube = pool.submit(MentionCube.load, ws, ctx)
            ranks = _submit_rankings(pool, ws, flt)
            session = cls(ws, cube.result())
            return session, session._assemble(flt, ranks, state)

    @property
    def newest(self) -> datetime | None:
        """The day of the newest mention (UTC midnight), or None when empty."""
        if self.cube.bounds is None:
            return None
        return _day_start(self.cube.bounds[1])

    def compute(self, flt: DashboardFilter, state: Any = None) -> DashboardData | None:
        """Every chart's numbers for ``flt`` (None when ``state`` was cancelled)."""
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="dashboard") as pool:
            ranks = _submit_rankings(pool, self.ws, flt)
            return self._assemble(flt, ranks, state)

    def _assemble(
        self, flt: DashboardFilter, ranks: tuple[Future, Future, Future], state: Any
    ) -> DashboardData | None:
        volume = self.cube.volume(flt)
        sentiment = self.cube.sentiment_trend(flt)
        sov = self.cube.share_of_voice(flt)
        if state is not None and state.is_cancelled():
            for fut in ranks:
                fut.cancel()
            return None
        response = response_performance(self.ws, self.cube, flt)
        authors, channels, sources = (fut.result() for fut in ranks)
        return DashboardData(flt, volume, sentiment, sov, response, authors, channels, sources)


def _submit_rankings(
    pool: ThreadPoolExecutor, ws: Workspace, flt: DashboardFilter
) -> tuple[Future, Future, Future]:
    return (
        pool.submit(author_rankings, ws, flt),
        pool.submit(top_channels, ws, flt),
        pool.submit(top_sources, ws, flt),
    )


def _day_start(day: int) -> datetime:
    return datetime.fromtimestamp(day * 86400, UTC)
