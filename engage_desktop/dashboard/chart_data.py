"""Each dashboard card's numbers as a table, for CSV/XLSX export (and our scorer vs theirs).

``engage-desktop export chart NAME OUT`` and a card's right-click menu write the
same tables: one row per bar, point or ranked row, with the units in the header.
CSV and XLSX cells are made inert like every export (see
:mod:`engage_desktop.inbox.mention_export`): a source or author name can start
with ``=``.

:func:`scorer_agreement` compares our sentiment labels with the ones an import
brought from another tool (``their_label``): how often they agree, and the 3×3
table of ours against theirs, each cell a drill-down.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engage_desktop.core.errors import EngageError, InvalidInput, NotFound
from engage_desktop.dashboard.analytics import (
    AnalyticsContext,
    ChartElement,
    DashboardFilter,
    mention_query,
)
from engage_desktop.workspace.database import Workspace

LABELS = ("positive", "neutral", "negative")
#: Chart names, in the dashboard's order, with what each table holds.
CHARTS = {
    "volume": "mentions per day by sentiment",
    "sentiment": "mean sentiment and net sentiment per day",
    "share_of_voice": "mentions of the brand and each competitor per week",
    "response_time": "answered mentions per first-response time bin",
    "backlog": "mentions awaiting a first reply at the end of each day",
    "top_authors": "authors by reach × volume",
    "advocates": "advocates and detractors",
    "channels": "mentions per channel",
    "sources": "mentions per source",
    "terms": "rising terms against the previous period",
    "scorer_agreement": "our sentiment labels against the imported tool's",
}
Table = tuple[list[str], list[tuple[Any, ...]]]


@dataclass(frozen=True)
class ScorerAgreement:
    """Our scorer against another tool's labels, on the mentions both labelled.

    Attributes:
        compared: Mentions with both labels.
        agree: Of those, where the labels are the same.
        cells: ``(ours, theirs) -> count`` for the 3×3 table.
    """

    compared: int = 0
    agree: int = 0
    cells: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def share(self) -> float | None:
        """Agreement in percent, None when nothing can be compared."""
        return 100.0 * self.agree / self.compared if self.compared else None


def scorer_agreement(
    ws: Workspace, flt: DashboardFilter, ctx: AnalyticsContext | None = None
) -> ScorerAgreement:
    """How our labels and the imported tool's compare, in the dashboard's range and topic."""
    ctx = ctx or AnalyticsContext.load(ws)
    query = mention_query(ctx, flt, ChartElement("scorer_agreement"))
    cur = ws.cursor()
    try:
        rows = cur.execute(
            f"SELECT sentiment_label, their_label, count(*) FROM mentions WHERE {query.where} "
            "GROUP BY ALL",
            list(query.params),
        ).fetchall()
    finally:
        cur.close()
    cells = {(str(a), str(b)): int(n) for a, b, n in rows}
    return ScorerAgreement(
        sum(cells.values()), sum(n for (a, b), n in cells.items() if a == b), cells
    )


def _day(epoch: float) -> str:
    return datetime.fromtimestamp(float(epoch), UTC).strftime("%Y-%m-%d")


def _num(value: Any) -> Any:
    """numpy scalars as plain numbers; NaN as an empty cell."""
    if value is None:
        return None
    value = value.item() if hasattr(value, "item") else value
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)  # counts come from numpy as floats
    return round(value, 4) if isinstance(value, float) else value


def chart_table(ws: Workspace, name: str, flt: DashboardFilter | None = None) -> Table:
    """The table of one card for ``flt`` (default: everything).

    Raises:
        NotFound: Unknown chart name.
    """
    if name not in CHARTS:
        raise NotFound(f"no chart {name!r}; charts are: {', '.join(CHARTS)}")
    flt = flt or DashboardFilter()
    if name == "scorer_agreement":
        agreement = scorer_agreement(ws, flt)
        rows = [
            (ours, theirs, agreement.cells.get((ours, theirs), 0))
            for ours in LABELS
            for theirs in LABELS
        ]
        return ["our label", "their label", "mentions"], rows
    if name == "terms":
        from engage_desktop.dashboard.terms import rising_terms

        found = rising_terms(ws, flt)
        terms = found.terms if found else []
        rows = [(t.term, t.current, t.previous, round(t.lift, 3)) for t in terms]
        return ["term", "mentions now", "mentions before", "lift"], rows
    from engage_desktop.dashboard.session import DashboardSession

    data = DashboardSession(ws).compute(flt)
    assert data is not None  # no cancellation asked
    return _TABLES[name](data)


def _volume(d: Any) -> Table:
    labels = list(d.volume.counts)
    rows = [
        (_day(day), *(_num(d.volume.counts[k][i]) for k in labels), _num(d.volume.total[i]))
        for i, day in enumerate(d.volume.days)
    ]
    return ["day", *labels, "total"], rows


def _sentiment(d: Any) -> Table:
    s = d.sentiment
    rows = [
        (_day(day), _num(s.scored[i]), _num(s.mean[i]), _num(s.net[i]), _num(s.positive[i]),
         _num(s.negative[i]))
        for i, day in enumerate(s.days)
    ]  # fmt: skip
    return ["day", "scored", "mean compound", "net sentiment %", "positive", "negative"], rows


def _share(d: Any) -> Table:
    sov = d.share_of_voice
    rows = [
        (_day(week), entity, _num(sov.weekly[e][w]))
        for w, week in enumerate(sov.weeks)
        for e, entity in enumerate(sov.entities)
    ]
    return ["week", "entity", "mentions"], rows


def _response(d: Any) -> Table:
    r = d.response
    rows = [(label, _num(r.bin_counts[i]), _num(r.bin_within[i])) for i, label in enumerate(r.bins)]
    return ["first response within", "answered", f"within the {r.sla_s / 3600:g} h SLA"], rows


def _backlog(d: Any) -> Table:
    r = d.response
    return ["day", "awaiting a first reply"], [
        (_day(day), _num(r.backlog[i])) for i, day in enumerate(r.days)
    ]


def _ranked(rows: Sequence[Any], kind: str = "") -> list[tuple[Any, ...]]:
    return [
        ((kind,) if kind else ()) + (r.label, r.mentions, _num(r.value), r.followers,
                                     _num(r.sentiment))
        for r in rows
    ]  # fmt: skip


_RANK_HEADER = ["name", "mentions", "rank value", "followers", "mean compound"]
_TABLES = {
    "volume": _volume,
    "sentiment": _sentiment,
    "share_of_voice": _share,
    "response_time": _response,
    "backlog": _backlog,
    "top_authors": lambda d: (_RANK_HEADER, _ranked(d.authors.top)),
    "advocates": lambda d: (
        ["kind", *_RANK_HEADER],
        _ranked(d.authors.advocates, "advocate") + _ranked(d.authors.detractors, "detractor"),
    ),
    "channels": lambda d: (_RANK_HEADER, _ranked(d.channels)),
    "sources": lambda d: (_RANK_HEADER, _ranked(d.sources)),
}


def write_table(header: list[str], rows: Sequence[Sequence[Any]], out: str | Path) -> int:
    """Write a table to ``OUT.csv`` or ``OUT.xlsx`` (cells made inert); returns the rows.

    Raises:
        InvalidInput: Another extension.
        NotFound: The folder does not exist.
        EngageError: The file cannot be written.
    """
    from engage_desktop.inbox.mention_export import neutralize, write_xlsx

    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InvalidInput(f"cannot export a chart to {out.name}: use a .csv or .xlsx file name")
    if not out.parent.exists():
        raise NotFound(f"folder {out.parent} does not exist; create it or choose another")
    tmp = out.with_name(f".{out.name}.part")
    try:
        if suffix == ".xlsx":
            write_xlsx(tmp, header, iter(rows), len(rows), sheet="Chart")
        else:
            with tmp.open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow([neutralize(h) for h in header])
                writer.writerows([neutralize(v) for v in row] for row in rows)
        os.replace(tmp, out)
    except OSError as exc:
        raise EngageError(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        if tmp.exists():
            tmp.unlink()
    return len(rows)


def export_chart(
    ws: Workspace, name: str, out: str | Path, flt: DashboardFilter | None = None
) -> int:
    """One card's data to CSV or XLSX; returns the rows written."""
    header, rows = chart_table(ws, name, flt)
    return write_table(header, rows, out)
