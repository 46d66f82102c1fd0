"""Everything the dashboard draws, computed in one call (off the GUI thread).

:class:`DashboardSession` holds what stays valid until the next refresh (the
context and the cube); :meth:`DashboardSession.compute` answers one filter. The
rising terms are slower (text is tokenized), so they are a separate call the
dashboard runs as its own background task.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engage_desktop.services.analytics import (
    AnalyticsContext,
    AuthorRankings,
    DashboardFilter,
    RankedRow,
    author_rankings,
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
    """The context and cube of one workspace state (rebuilt on refresh)."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.ctx = AnalyticsContext.load(ws)
        self.cube = MentionCube.load(ws, self.ctx)

    @property
    def newest(self) -> datetime | None:
        """The day of the newest mention (UTC midnight), or None when empty."""
        if self.cube.bounds is None:
            return None
        from datetime import UTC

        return datetime.fromtimestamp(self.cube.bounds[1] * 86400, UTC)

    def compute(self, flt: DashboardFilter, state: Any = None) -> DashboardData | None:
        """Every chart's numbers for ``flt`` (None when ``state`` was cancelled)."""
        volume = self.cube.volume(flt)
        sentiment = self.cube.sentiment_trend(flt)
        sov = self.cube.share_of_voice(flt)
        if state is not None and state.is_cancelled():
            return None
        response = response_performance(self.ws, self.cube, flt)
        authors = author_rankings(self.ws, flt)
        channels = top_channels(self.ws, flt)
        sources = top_sources(self.ws, flt)
        return DashboardData(flt, volume, sentiment, sov, response, authors, channels, sources)
