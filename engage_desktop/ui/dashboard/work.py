"""The dashboard's background work: plain functions the TaskRunner runs off the GUI thread.

They take a task state first (progress, cancellation) and touch no widget.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engage_desktop.dashboard.analytics import AnalyticsContext, DashboardFilter, last_days
from engage_desktop.dashboard.session import (
    ChartNumbers,
    DashboardSession,
    Rankings,
    newest_day,
    rankings,
)
from engage_desktop.dashboard.spikes import Episode, range_episodes
from engage_desktop.dashboard.terms import RisingTerms, rising_terms
from engage_desktop.workspace.database import Workspace

RangeSpec = tuple[int | None, datetime | None, datetime | None]


def filter_for(session: DashboardSession, spec: RangeSpec, topic: str | None) -> DashboardFilter:
    """The filter of a range choice: the last N days of data, all time, or custom dates.

    "Last N days" ends on the day of the newest mention, so a workspace exported for
    an executive still shows its last month when it is opened weeks later.
    """
    return filter_at(session.newest, spec, topic)


def filter_at(newest: datetime | None, spec: RangeSpec, topic: str | None) -> DashboardFilter:
    """:func:`filter_for` given the day of the newest mention (None: no mentions)."""
    days, start, end = spec
    if days == 0:
        return DashboardFilter(start, end, topic)
    if days is None or newest is None:
        return DashboardFilter(topic=topic)
    base = last_days(days, newest)
    return DashboardFilter(base.start, base.end, topic)


def _known_topic(ws: Workspace, topic: str | None) -> str | None:
    """``topic``, or None when the workspace no longer has it."""
    if topic is None or topic in AnalyticsContext.load(ws).topics:
        return topic
    return None


def load_session(
    state: Any, ws: Workspace, spec: RangeSpec, topic: str | None
) -> tuple[DashboardSession, ChartNumbers | None] | None:
    """Build the cube and compute its charts for the first filter."""
    topic = _known_topic(ws, topic)
    return DashboardSession.open(ws, lambda newest: filter_at(newest, spec, topic), state)


def load_rankings(state: Any, ws: Workspace, spec: RangeSpec, topic: str | None) -> Rankings | None:
    """The rankings for the first filter, beside :func:`load_session`."""
    return rankings(ws, filter_at(newest_day(ws), spec, _known_topic(ws, topic)), state)


def compute_charts(
    state: Any, session: DashboardSession, flt: DashboardFilter
) -> ChartNumbers | None:
    """The cube's charts for another filter."""
    return session.charts(flt, state)


def compute_rankings(state: Any, ws: Workspace, flt: DashboardFilter) -> Rankings | None:
    """The rankings for another filter."""
    return rankings(ws, flt, state)


def compute_extras(
    state: Any, session: DashboardSession, flt: DashboardFilter
) -> tuple[RisingTerms | None, list[Episode], list[Episode]] | None:
    """Rising terms, the spike marks for the volume chart, and the range's alerts."""
    ws = session.ws
    terms = rising_terms(ws, flt, state=state)
    if state.is_cancelled():
        return None
    episodes = range_episodes(ws, flt.start, flt.end, flt.topic, state)
    if episodes is None:
        return None
    # The volume chart counts the selected topic: mark the episodes counted the same way.
    marks = [ep for ep in episodes if ep.topic == flt.topic]
    return terms, marks, episodes


def model_status_job(_state: object, ws: Workspace) -> dict:
    """The learned model card's status."""
    from engage_desktop.enrich.learned.card import model_status

    return model_status(ws)


def agreement_job(_state: object, ws: Workspace, flt: DashboardFilter) -> Any:
    """Our scorer against the imported tool's labels, within ``flt``."""
    from engage_desktop.dashboard.chart_data import scorer_agreement

    return scorer_agreement(ws, flt)


def export_card_job(
    _state: object, ws: Workspace, name: str, path: str, flt: DashboardFilter
) -> int:
    """A card's numbers to CSV or XLSX at ``path``; the number of rows written."""
    from engage_desktop.dashboard.chart_data import export_chart

    return export_chart(ws, name, path, flt)


def workspace_name_job(_state: object, ws: Workspace) -> str:
    """The workspace's display name."""
    return ws.name
