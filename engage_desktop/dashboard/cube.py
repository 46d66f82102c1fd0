"""The mention cube: daily aggregates that answer most charts for any range or topic.

One DuckDB scan per refresh groups every mention by (day, sentiment label, topic
set, day of first reply, first-response bin) with counts, sentiment sums, the
backlog flag and the SLA flag. Volume, sentiment trend, share of voice, response
bins, the SLA share and the backlog are then sums over those few thousand rows, so
changing the date range or the topic costs milliseconds, not a new scan.

Every sum here equals a ``count(*)`` over ``mentions`` with the predicate that
:func:`~engage_desktop.dashboard.analytics.element_where` writes for the element:
the grouping columns are exactly those predicates' expressions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engage_desktop.archive.export import sql_literal
from engage_desktop.archive.views import mention_source, precomputed_cube
from engage_desktop.dashboard.analytics import (
    AWAITING_SQL,
    DAY_S,
    DAY_SQL,
    LABEL_SQL,
    LABELS,
    RESPONSE_BINS,
    RESPONSE_S_SQL,
    AnalyticsContext,
    DashboardFilter,
    days_of,
    rebucket,
    sane_days,
)
from engage_desktop.workspace.database import Workspace


@dataclass(frozen=True)
class Volume:
    """Mentions per UTC day by sentiment label.

    Attributes:
        days: Start of each day, epoch seconds.
        counts: Label -> count per day, for every label of :data:`LABELS`.
    """

    days: np.ndarray
    counts: dict[str, np.ndarray]

    @property
    def total(self) -> np.ndarray:
        """All labels per day."""
        return np.sum([self.counts[k] for k in LABELS], axis=0) if len(self.days) else self.days


@dataclass(frozen=True)
class SentimentTrend:
    """Daily mean compound score, a rolling band, and net sentiment.

    Attributes:
        days: Day starts (epoch seconds).
        scored: Scored mentions per day.
        mean: Mean compound per day (NaN on days with none scored).
        band_mid: Rolling mean of the daily means over ``window`` days.
        band_low: band_mid minus the rolling standard deviation of the daily means.
        band_high: band_mid plus that standard deviation.
        net: Positive share minus negative share of scored mentions, in percent.
        positive: Positive scored mentions per day.
        negative: Negative scored mentions per day.
        window: Rolling window in days.
    """

    days: np.ndarray
    scored: np.ndarray
    mean: np.ndarray
    band_mid: np.ndarray
    band_low: np.ndarray
    band_high: np.ndarray
    net: np.ndarray
    positive: np.ndarray
    negative: np.ndarray
    window: int


@dataclass(frozen=True)
class ShareOfVoice:
    """The brand against each competitor.

    Attributes:
        entities: The brand first, then the competitors.
        totals: Mentions of each entity in the range.
        weeks: Week starts (epoch seconds, Mondays) of the weekly series.
        weekly: One row per entity: mentions per week.
    """

    entities: tuple[str, ...]
    totals: np.ndarray
    weeks: np.ndarray
    weekly: np.ndarray

    @property
    def shares(self) -> np.ndarray:
        """Each entity's percentage of the total voice in the range."""
        total = self.totals.sum()
        return self.totals / total * 100.0 if total else np.zeros(len(self.totals))

    @property
    def weekly_shares(self) -> np.ndarray:
        """Each entity's percentage per week (NaN in weeks with no voice)."""
        sums = self.weekly.sum(axis=0) if self.weekly.size else np.zeros(0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(sums > 0, self.weekly / np.where(sums > 0, sums, 1) * 100.0, np.nan)


@dataclass(frozen=True)
class ResponseSummary:
    """The additive part of response performance.

    Attributes:
        bin_counts: Answered mentions per :data:`RESPONSE_BINS` bin.
        bin_within: Of those, answered within the SLA.
        answered: Answered mentions.
        within_sla: Answered within the SLA (business hours).
        backlog: Mentions awaiting a first reply at the end of each day.
    """

    bin_counts: np.ndarray
    bin_within: np.ndarray
    answered: int
    within_sla: int
    backlog: np.ndarray


def rolling_mean_sd(values: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and population sd of the last ``window`` values (NaNs skipped; NaN if none).

    The same as pandas' ``rolling(window, min_periods=1)`` mean and ``std(ddof=0)``,
    without importing pandas for a few hundred numbers.
    """
    n = len(values)
    mid = np.full(n, np.nan)
    sd = np.full(n, np.nan)
    for i in range(n):
        part = values[max(0, i - window + 1) : i + 1]
        part = part[~np.isnan(part)]
        if len(part):
            mid[i] = part.mean()
            sd[i] = part.std()
    return mid, sd


#: The columns of a cube's grouped rows, in order (a stored cube has exactly these).
CUBE_COLUMNS = "day, label, h, t, reply_day, bin, n, s_sum, s_n, awaiting, within"


def cube_sql(ctx: AnalyticsContext, relation: str = "mentions") -> str:
    """The grouping behind the cube, over ``relation`` (a table, view or Parquet scan).

    ``cluster cube`` runs this same SQL over each archive partition and sums the
    partial rows, so a stored cube and a live one agree row for row.
    """
    bin_case = " ".join(
        f"WHEN {RESPONSE_S_SQL} < {hi} THEN {i}"
        for i, (_, _, hi) in enumerate(RESPONSE_BINS)
        if hi is not None
    )
    within = ctx.hours.within_sla_sql(ctx.sla_s)
    label = (
        "CASE "
        + " ".join(f"WHEN {LABEL_SQL} = '{lab}' THEN {i}" for i, lab in enumerate(LABELS))
        + f" ELSE {LABELS.index('unscored')} END"
    )
    zero = "0::BIGINT"
    # Grouping by the 64-bit hash of the topic list is ~2x faster than by the list;
    # the list itself comes once per hash, in a row of its own (the grouping set (h):
    # label and bin -1, no counts, so no chart counts it): carrying the list in every
    # row (any_value per group, then a window in the load to keep one) cost a sixth of
    # the load. A collision between two of the few hundred topic combinations of a
    # workspace is a 1-in-10^14 event.
    per_day = (
        f"SELECT {DAY_SQL} AS day, {label} AS label, hash(topics) AS h, "
        "grouping(day) AS g, CASE WHEN grouping(day) = 1 THEN any_value(topics) END AS t, "
        "count(*) AS n, coalesce(sum(sentiment), 0)::DOUBLE AS s_sum, count(sentiment) AS s_n, "
        f"count(*) FILTER ({AWAITING_SQL}) AS awaiting FROM {relation} "
        "GROUP BY GROUPING SETS ((day, label, h), (h))"
    )
    return (
        "SELECT CASE WHEN g = 0 THEN day ELSE 0 END AS day, coalesce(label, -1) AS label, h, t, "
        "-1::BIGINT AS reply_day, -1 AS bin, "
        f"CASE WHEN g = 0 THEN n ELSE 0 END AS n, CASE WHEN g = 0 THEN s_sum ELSE 0 END AS s_sum, "
        "CASE WHEN g = 0 THEN s_n ELSE 0 END AS s_n, "
        f"CASE WHEN g = 0 THEN awaiting ELSE 0 END AS awaiting, {zero} AS within "
        f"FROM ({per_day}) "
        f"UNION ALL SELECT {DAY_SQL} AS day, -1, hash(topics) AS h, NULL, "
        "epoch_us(first_reply_at) // 86400000000 AS reply_day, "
        f"CASE {bin_case} ELSE {len(RESPONSE_BINS) - 1} END AS bin, count(*), 0.0, "
        f"{zero}, {zero}, count(*) FILTER ({within}) FROM {relation} "
        "WHERE first_reply_at IS NOT NULL GROUP BY day, reply_day, bin, h"
    )


class MentionCube:
    """Daily aggregates of every mention; see the module docstring."""

    def __init__(
        self, ctx: AnalyticsContext, columns: dict[str, np.ndarray], combos: list[frozenset[str]]
    ) -> None:
        self.ctx = ctx
        self.c = columns
        self.combos = combos
        low, high = sane_days()
        days = columns["day"]
        days = days[(days >= low) & (days <= high)]  # impossible dates never bound a chart
        self.bounds: tuple[int, int] | None = (
            (int(days.min()), int(days.max())) if len(days) else None
        )

    @classmethod
    def load(cls, ws: Workspace, ctx: AnalyticsContext) -> MentionCube:
        """Scan the mentions and keep the aggregates (two grouped queries).

        All mentions group by (day, label, topics); answered ones also by (day, day
        of first reply, response bin, topics), with the SLA flag counted there, so
        the business-hours arithmetic runs only over answered mentions.

        With an archive attached, its rows come from the cube ``cluster cube`` stored
        beside it when that cube is current (same files, same SLA rules): cube rows
        add up, so workspace rows and archive rows need no second grouping.
        """
        within = ctx.hours.within_sla_sql(ctx.sla_s)
        stored = precomputed_cube(ws, within)
        if stored is not None:
            # A stored cube carries each combination's list on its own row (one per
            # archive file), or on every row if written before the lists had rows of
            # their own: one row of each combination keeps it, a row that has it, as
            # converting a Python list per row would hold the interpreter.
            sql = (
                f"{cube_sql(ctx, 'main.mentions')} UNION ALL SELECT day, label, h, "
                "CASE WHEN row_number() OVER (PARTITION BY h ORDER BY t IS NULL) = 1 THEN t "
                "END, reply_day, bin, "
                f"n, s_sum, s_n, awaiting, within FROM read_parquet({sql_literal(stored)})"
            )
        else:
            sql = cube_sql(ctx, mention_source(ws).sql)
        cur = ws.cursor()
        try:
            raw = cur.execute(sql).fetchnumpy()
        finally:
            cur.close()
        label, bins = np.asarray(raw["label"], dtype=np.int64), np.asarray(raw["bin"], np.int64)
        counted = np.flatnonzero((label >= 0) | (bins >= 0))  # not a topic list's own row
        columns = {
            name: np.asarray(raw[name], dtype=float if name == "s_sum" else np.int64)[counted]
            for name in ("day", "label", "reply_day", "bin", "n", "s_sum", "s_n", "awaiting")
        }
        columns["within"] = np.asarray(raw["within"], dtype=np.int64)[counted]
        h = np.asarray(raw["h"], dtype=np.uint64)
        hashes, combo = np.unique(h[counted], return_inverse=True)
        # Only the rows that carry a list (one per combination): a Python loop over
        # every cube row took ~60 ms of the load at 1M mentions.
        carried = np.flatnonzero(~np.ma.getmaskarray(raw["t"]))
        lists = {int(h[i]): frozenset(raw["t"][i]) for i in carried if raw["t"][i] is not None}
        columns["combo"] = combo.astype(np.int64)
        return cls(ctx, columns, [lists.get(int(k), frozenset()) for k in hashes])

    # -- selection ------------------------------------------------------------------

    def _topic_rows(self, topics: tuple[str, ...] | None) -> np.ndarray:
        if not topics:
            return np.ones(len(self.c["day"]), dtype=bool)
        wanted = set(topics)
        has = np.array([bool(wanted & combo) for combo in self.combos], dtype=bool)
        return has[self.c["combo"]] if len(has) else np.zeros(0, dtype=bool)

    def _rows(
        self,
        flt: DashboardFilter,
        *,
        range_start: bool = True,
        topic: bool = True,
        answered: bool = False,
    ) -> np.ndarray:
        """Cube rows in the filter: mention rows, or with ``answered`` the reply rows."""
        day = self.c["day"]
        keep = self._topic_rows((flt.topic,) if topic and flt.topic else None)
        keep &= self.c["label"] >= 0 if not answered else self.c["bin"] >= 0
        if range_start and flt.start_day is not None:
            keep &= day >= flt.start_day
        if flt.end_day is not None:
            keep &= day < flt.end_day
        return keep

    def days(self, flt: DashboardFilter) -> np.ndarray:
        """Day starts (epoch seconds) of the filter's range."""
        return days_of(flt, self.bounds)

    def _daily(
        self, days: np.ndarray, rows: np.ndarray, weights: np.ndarray, day_col: str = "day"
    ) -> np.ndarray:
        if not len(days):
            return np.zeros(0)
        idx = self.c[day_col][rows] - int(days[0] // DAY_S)
        ok = (idx >= 0) & (idx < len(days))
        return np.bincount(idx[ok], weights=weights[rows][ok], minlength=len(days)).astype(float)

    # -- charts ---------------------------------------------------------------------

    def volume(self, flt: DashboardFilter) -> Volume:
        """Mentions per day and sentiment label."""
        days = self.days(flt)
        rows = self._rows(flt)
        counts = {
            lab: self._daily(days, rows & (self.c["label"] == i), self.c["n"])
            for i, lab in enumerate(LABELS)
        }
        return Volume(days, counts)

    def sentiment_trend(self, flt: DashboardFilter, window: int = 7) -> SentimentTrend:
        """Daily mean compound of scored mentions, a rolling band and net sentiment."""
        days = self.days(flt)
        rows = self._rows(flt)
        scored = self._daily(days, rows, self.c["s_n"])
        total = self._daily(days, rows, self.c["s_sum"])
        pos = self._daily(days, rows & (self.c["label"] == LABELS.index("positive")), self.c["s_n"])
        neg = self._daily(days, rows & (self.c["label"] == LABELS.index("negative")), self.c["s_n"])
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(scored > 0, total / np.where(scored > 0, scored, 1), np.nan)
            net = np.where(
                scored > 0, (pos - neg) / np.where(scored > 0, scored, 1) * 100.0, np.nan
            )
        mid, sd = rolling_mean_sd(mean, window)
        return SentimentTrend(days, scored, mean, mid, mid - sd, mid + sd, net, pos, neg, window)

    def share_of_voice(self, flt: DashboardFilter) -> ShareOfVoice:
        """Mentions of the brand and each competitor, in total and per week.

        Share of voice compares topics, so it follows the date range but not the
        topic selector (one topic alone would always have 100 %).
        """
        ctx = self.ctx
        days = self.days(flt)
        rows = self._rows(flt, topic=False)
        daily = []
        for entity in ctx.entities:
            topics = ctx.brand_topics if entity == ctx.brand and ctx.brand_topics else (entity,)
            daily.append(self._daily(days, rows & self._topic_rows(topics), self.c["n"]))
        daily_arr = np.vstack(daily) if daily else np.zeros((0, len(days)))
        if daily:
            weeks, _, weekly = rebucket(days, daily_arr, "week")
        else:
            weeks, weekly = rebucket(days, np.zeros(len(days)), "week")[0], np.zeros((0, 0))
        return ShareOfVoice(ctx.entities, daily_arr.sum(axis=1), weeks, np.atleast_2d(weekly))

    def responses(self, flt: DashboardFilter) -> ResponseSummary:
        """Response bins, the SLA counts and the backlog."""
        answered = self._rows(flt, answered=True)
        bins = np.bincount(
            self.c["bin"][answered], weights=self.c["n"][answered], minlength=len(RESPONSE_BINS)
        ).astype(float)
        within = np.bincount(
            self.c["bin"][answered],
            weights=self.c["within"][answered],
            minlength=len(RESPONSE_BINS),
        ).astype(float)
        return ResponseSummary(
            bins,
            within,
            int(self.c["n"][answered].sum()),
            int(self.c["within"][answered].sum()),
            self.backlog(flt),
        )

    def backlog(self, flt: DashboardFilter) -> np.ndarray:
        """Mentions awaiting a first reply at the end of each day of the range.

        A mention waits from its publication until its first reply; one never
        answered waits while it is new or open. Mentions from before the range that
        still waited inside it count too: the range's start is not applied.
        """
        days = self.days(flt)
        if not len(days):
            return np.zeros(0)
        rows = self._rows(flt, range_start=False)
        first = int(days[0] // DAY_S)
        # Everything before the first day folds into the day before it: the opening stock.
        grid = np.concatenate([[days[0] - DAY_S], days])
        arrived = self._daily_clipped(grid, rows, "day", self.c["awaiting"], first - 1)
        answered = self._rows(flt, range_start=False, answered=True)
        replied = self._daily_clipped(grid, answered, "reply_day", self.c["n"], first - 1)
        return (np.cumsum(arrived) - np.cumsum(replied))[1:]

    def _daily_clipped(
        self, grid: np.ndarray, rows: np.ndarray, col: str, weights: np.ndarray, floor: int
    ) -> np.ndarray:
        idx = np.maximum(self.c[col][rows], floor) - floor
        ok = idx < len(grid)
        return np.bincount(idx[ok], weights=weights[rows][ok], minlength=len(grid)).astype(float)
