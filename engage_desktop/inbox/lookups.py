"""Small reads the inbox window shows: filter choices, known tags and owners, new rows.

The window runs each of these as a task (never on its GUI thread), so none of them
is on a hot path; they live here because the window holds no SQL.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from engage_desktop.workspace.database import Workspace


@dataclass(frozen=True)
class FilterChoices:
    """What the filter bar's menus offer, read in one task.

    Attributes:
        topics: Topic names.
        queries: (id, name) of every watch query.
        channels: Channels that have mentions.
        sources: (id, name) of every source.
        intents: Intent names from the rules and from scored mentions.
        languages: Languages, most frequent first.
        owners: Everyone who owns a mention.
        tiers: Customer tiers, the most valuable first.
        value_cuts: The median, upper quartile and top decile of customer value
            (None without customer records).

    :func:`filter_choices` leaves the last two empty: the customer segments are
    ``crm.profile.segment_choices`` (a stage above this one), which the window's
    task adds.
    """

    topics: list[str] = field(default_factory=list)
    queries: list[tuple[int, str]] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    sources: list[tuple[int, str]] = field(default_factory=list)
    intents: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    tiers: list[str] = field(default_factory=list)
    value_cuts: tuple[float, float, float] | None = None


def _present(values: list[Any]) -> list[Any]:
    return [v for v in values if v not in (None, "")]


def filter_choices(ws: Workspace) -> FilterChoices:
    """Every menu's choices for the inbox filter bar but the customer segments."""
    return FilterChoices(
        topics=_present(ws.values("SELECT name FROM topics ORDER BY name")),
        queries=[(int(i), str(n)) for i, n in ws.tuples(
            "SELECT id, name FROM watch_queries ORDER BY name")],
        channels=_present(ws.values("SELECT DISTINCT channel FROM mentions ORDER BY 1")),
        sources=[(int(i), str(n)) for i, n in ws.tuples(
            "SELECT id, name FROM sources ORDER BY name")],
        intents=_present(ws.values(
            "SELECT name FROM intent_rules UNION SELECT DISTINCT unnest(intents) "
            "FROM (SELECT intents FROM mentions WHERE len(intents) > 0 LIMIT 100000) "
            "ORDER BY 1")),
        languages=_present(ws.values(
            "SELECT language FROM mentions GROUP BY 1 ORDER BY count(*) DESC")),
        owners=known_owners(ws),
    )  # fmt: skip


def known_tags(ws: Workspace) -> list[str]:
    """Every tag used on a mention, for the tag prompt's completion."""
    return [
        str(v) for v in _present(ws.values("SELECT DISTINCT unnest(tags) FROM mentions ORDER BY 1"))
    ]


def known_owners(ws: Workspace) -> list[str]:
    """Everyone a mention is assigned to."""
    return [str(v) for v in _present(ws.values(
        "SELECT DISTINCT owner FROM mentions WHERE owner IS NOT NULL ORDER BY 1"))]  # fmt: skip


def is_starred(ws: Workspace, mention_id: int) -> bool:
    """True when the mention is starred."""
    return bool(ws.scalar("SELECT starred FROM mentions WHERE id = ?", [mention_id]))


def newest_mention_id(ws: Workspace) -> int:
    """The highest mention id (0 in an empty workspace): the inbox's poll for news."""
    return int(ws.scalar("SELECT coalesce(max(id), 0) FROM mentions"))


def new_in_view(ws: Workspace, since: int, where: str, params: list[Any]) -> int:
    """How many mentions stored after id ``since`` match an inbox filter's SQL."""
    return int(
        ws.scalar(f"SELECT count(*) FROM mentions WHERE id > ? AND ({where})", [since, *params])
    )


def anchors_of(
    ws: Workspace, query: Any, page_size: int, state: Any = None
) -> list[tuple[Any, int]] | None:
    """The jump anchors of an inbox query (see :func:`.pager.compute_anchors`).

    Args:
        ws: The workspace.
        query: The inbox query.
        page_size: Rows per page of the pager that takes them.
        state: The task state, if any. When it can interrupt a query (the window's
            ``interrupting``), cancelling it stops the scan: a new filter makes these
            anchors useless, and the scan would compete with the new filter's rows.

    Returns:
        The anchors, or None when the task was cancelled.
    """
    from engage_desktop.archive.views import mention_source
    from engage_desktop.inbox.pager import compute_anchors

    interrupting = getattr(state, "interrupting", None)
    cur = ws.cursor()
    try:
        with interrupting(cur.interrupt) if interrupting else nullcontext():
            if state is not None and state.is_cancelled():
                return None
            return compute_anchors(cur, query, page_size, mention_source(ws, *query.span))
    finally:
        cur.close()
