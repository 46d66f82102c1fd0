"""The dashboard's background work: plain functions the TaskRunner runs off the GUI thread.

They take a task state first (progress, cancellation) and touch no widget.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engage_desktop.services.alerts import Episode, backtest, default_rules, list_rules
from engage_desktop.services.analytics import AnalyticsContext, DashboardFilter, last_days
from engage_desktop.services.analytics_dashboard import DashboardData, DashboardSession
from engage_desktop.services.terms import RisingTerms, rising_terms
from engage_desktop.storage.workspace import Workspace

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


def load_session(
    state: Any, ws: Workspace, spec: RangeSpec, topic: str | None
) -> tuple[DashboardSession, DashboardData | None] | None:
    """Build the cube and compute the first filter (the queries side by side)."""
    topics = set(AnalyticsContext.load(ws).topics) if topic is not None else set()
    if topic is not None and topic not in topics:
        topic = None
    return DashboardSession.open(ws, lambda newest: filter_at(newest, spec, topic), state)


def compute_extras(
    state: Any, session: DashboardSession, flt: DashboardFilter
) -> tuple[RisingTerms | None, list[Episode], list[Episode]] | None:
    """Rising terms, the spike marks for the volume chart, and the range's alerts."""
    ws = session.ws
    terms = rising_terms(ws, flt, state=state)
    if state.is_cancelled():
        return None
    rules = [r for r in list_rules(ws) if r.enabled] or default_rules()
    episodes: list[Episode] = []
    for rule in rules:
        if rule.topic is not None and flt.topic is not None and rule.topic != flt.topic:
            continue
        for ep in backtest(ws, rule, flt.start, flt.end):
            if flt.topic is None or ep.topic == flt.topic:
                episodes.append(ep)
        if state.is_cancelled():
            return None
    # The volume chart counts the selected topic: mark the episodes counted the same way.
    marks = [ep for ep in episodes if ep.topic == flt.topic]
    return terms, marks, episodes
