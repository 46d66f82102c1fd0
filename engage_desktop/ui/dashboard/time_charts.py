"""Charts over time: volume, sentiment trend, share of voice, response times, backlog."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from engage_desktop.dashboard.analytics import (
    DAY_S,
    LABELS,
    WEEK_S,
    ChartElement,
    bucket_unit,
    rebucket,
)
from engage_desktop.dashboard.cube import SentimentTrend, ShareOfVoice, Volume
from engage_desktop.dashboard.response import ResponsePerformance
from engage_desktop.dashboard.spikes import Episode
from engage_desktop.ui.dashboard.chart_card import (
    ChartCard,
    day_text,
    left_axis_width,
    nearest_index,
)
from engage_desktop.ui.theme import ACCENT, SENTIMENT_COLORS

ENTITY_COLORS = (ACCENT, "#f59e0b", "#7c3aed", "#0d9488", "#db2777", "#64748b")
WITHIN_COLOR = "#0f766e"
BREACHED_COLOR = "#f59e0b"
SPIKE_COLOR = "#b91c1c"


def _empty_bar(color: str) -> pg.BarGraphItem:
    return pg.BarGraphItem(x0=[0.0], y0=[0.0], width=[0.0], height=[0.0], brush=color, pen=None)


def _dotted_line(color: str, width: float) -> pg.PlotDataItem:
    """A line with a dot per point, broken where a value is missing."""
    return pg.PlotDataItem(
        pen=pg.mkPen(color, width=width),
        symbol="o",
        symbolSize=5,
        symbolBrush=color,
        symbolPen=None,
        connect="finite",
    )


def _pct(part: float, whole: float) -> str:
    return f"{part / whole * 100:.0f} %" if whole else "–"


class VolumeChart(ChartCard):
    """Mentions per bucket stacked by sentiment; buckets follow the zoom; spikes marked."""

    def __init__(self) -> None:
        super().__init__(
            "Mention volume",
            "Mentions per day, week or month (follows the zoom), stacked by sentiment · UTC",
        )
        self.setMinimumHeight(340)
        self.plot = self.add_plot(dates=True)
        self.plot.setLabel("left", "Mentions")
        self.plot.setMouseEnabled(x=True, y=False)
        self.plot.getViewBox().setAutoVisible(y=True)
        # Headroom above the tallest bar for the spike labels; nothing below zero.
        self.plot.getViewBox().setDefaultPadding(0.1)
        self.plot.getViewBox().setLimits(yMin=0)
        self.bars = {lab: _empty_bar(SENTIMENT_COLORS[lab]) for lab in LABELS}
        for bar in self.bars.values():
            self.plot.addItem(bar)
        self.marks = pg.ScatterPlotItem(
            symbol="t", size=13, brush=pg.mkBrush(SPIKE_COLOR), pen=pg.mkPen("white")
        )
        self.plot.addItem(self.marks)
        self.mark_labels: list[pg.TextItem] = []
        self.volume: Volume | None = None
        self.episodes: list[Episode] = []
        self.unit_name = "day"
        self.buckets = (np.empty(0), np.empty(0), np.zeros((len(LABELS), 0)))
        self.plot.getViewBox().sigXRangeChanged.connect(self._on_range)

    def set_data(self, volume: Volume) -> None:
        """Draw a new volume series and zoom to it."""
        self.volume = volume
        totals = {lab: float(volume.counts[lab].sum()) for lab in LABELS}
        self.legend.set_entries(
            [(lab, lab.title(), SENTIMENT_COLORS[lab], totals[lab]) for lab in LABELS]
        )
        days = volume.days
        self._draw(bucket_unit(len(days) * DAY_S))
        if len(days):
            self.plot.setXRange(float(days[0]), float(days[-1] + DAY_S), padding=0.01)
        self.show_update()

    def set_episodes(self, episodes: list[Episode]) -> None:
        """Mark spike episodes on the chart."""
        self.episodes = episodes
        self._draw_marks()

    def _on_range(self, _vb, x_range) -> None:
        unit = bucket_unit(x_range[1] - x_range[0])
        if self.volume is not None and unit != self.unit_name:
            self._draw(unit)

    def _draw(self, unit: str) -> None:
        self.unit_name = unit
        vol = self.volume
        if vol is None:
            return
        matrix = np.vstack([vol.counts[lab] for lab in LABELS]) if len(vol.days) else None
        if matrix is None:
            starts = ends = np.empty(0)
            sums = np.zeros((len(LABELS), 0))
        else:
            starts, ends, sums = rebucket(vol.days, matrix, unit)
        self.buckets = (starts, ends, np.atleast_2d(sums))
        width = (ends - starts) * 0.86
        base = np.zeros(len(starts))
        for i, lab in enumerate(LABELS):
            bar = self.bars[lab]
            shown = self.legend.is_shown(lab)
            bar.setVisible(shown)
            height = sums[i] if len(starts) else np.zeros(0)
            bar.setOpts(
                x0=starts + (ends - starts) * 0.07, y0=base.copy(), width=width, height=height
            )
            if shown:
                base = base + height
        self._draw_marks()
        self.plot.getViewBox().enableAutoRange(axis="y")

    def _stack_top(self, x: float) -> float:
        starts, _ends, sums = self.buckets
        i = nearest_index(starts, x)
        if i is None:
            return 0.0
        shown = [k for k, lab in enumerate(LABELS) if self.legend.is_shown(lab)]
        return float(sums[shown, i].sum()) if shown else 0.0

    def _draw_marks(self) -> None:
        for label in self.mark_labels:
            self.plot.removeItem(label)
        self.mark_labels = []
        xs, ys = [], []
        starts, ends, _sums = self.buckets
        # On daily bars the spike's own count reads right; on a week's or a month's
        # bar it would contradict the bar ("Spike: 17" on 1,100), so such a bar is
        # marked once, at its centre, with the spikes' dates instead.
        by_bucket: dict[int, list[Episode]] = {}
        for ep in self.episodes:
            i = nearest_index(starts, ep.start.timestamp())
            if self.unit_name == "day" or i is None:
                by_bucket.setdefault(-1 - len(by_bucket), []).append(ep)
            else:
                by_bucket.setdefault(i, []).append(ep)
        for i, eps in by_bucket.items():
            if i < 0:
                x = eps[0].start.timestamp()
                caption = f"Spike: {eps[0].mentions:,}"
            else:
                x = (float(starts[i]) + float(ends[i])) / 2
                days = sorted({f"{ep.start:%d %b}" for ep in eps})
                caption = ("Spike " if len(eps) == 1 else "Spikes ") + ", ".join(days)
            y = self._stack_top(x)
            xs.append(x)
            ys.append(y)
            text = pg.TextItem(caption, color=SPIKE_COLOR, anchor=(0.5, 1.6))
            text.setPos(x, y)
            self.plot.addItem(text, ignoreBounds=True)
            self.mark_labels.append(text)
        self.marks.setData(xs, ys)

    def set_series_visible(self, key: str, shown: bool) -> None:
        """Restack without the hidden labels."""
        self._draw(self.unit_name)

    def _bucket(self, x: float) -> int | None:
        starts, ends, _ = self.buckets
        i = nearest_index(starts, x)
        return i if i is not None and x < ends[i] else None

    def hover_text(self, plot, x: float, y: float) -> str | None:
        for ep in self.episodes:
            if (
                abs(x - ep.start.timestamp())
                < (self.buckets[1][:1] - self.buckets[0][:1]).sum() / 3
            ):
                top = self._stack_top(x)
                if abs(y - top) < max(top * 0.08, 1):
                    return f"Spike ({ep.rule}): {ep.describe()}"
        i = self._bucket(x)
        if i is None:
            return None
        starts, _, sums = self.buckets
        total = float(sums[:, i].sum())
        parts = " · ".join(
            f"{lab} {sums[k, i]:,.0f} ({_pct(sums[k, i], total)})"
            for k, lab in enumerate(LABELS)
            if sums[k, i]
        )
        return f"{day_text(starts[i], self.unit_name)}: {total:,.0f} mentions — {parts}"

    def element_at(self, plot, x: float, y: float) -> ChartElement | None:
        starts, ends, sums = self.buckets
        for ep in self.episodes:
            width = float(ends[0] - starts[0]) if len(starts) else DAY_S
            top = self._stack_top(ep.start.timestamp())
            if abs(x - ep.start.timestamp()) < width / 3 and abs(y - top) < max(top * 0.08, 1):
                key = "negative" if ep.kind == "negative_spike" else None
                return ChartElement("volume", ep.start.timestamp(), ep.end.timestamp(), key)
        i = self._bucket(x)
        if i is None or y < 0:
            return None
        base = 0.0
        for k, lab in enumerate(LABELS):
            if not self.legend.is_shown(lab):
                continue
            if base <= y < base + sums[k, i]:
                return ChartElement("volume", float(starts[i]), float(ends[i]), lab)
            base += sums[k, i]
        return None

    def on_legend_drill(self, key: str) -> None:
        self.element_clicked.emit(ChartElement("volume", key=key))


class SentimentChart(ChartCard):
    """Daily mean compound with a rolling band, and net sentiment below it."""

    def __init__(self) -> None:
        super().__init__(
            "Sentiment trend",
            "Daily mean compound score (−1 to +1) with a 7-day band (mean ± 1 sd); "
            "net sentiment = positive share − negative share of scored mentions",
        )
        self.setMinimumHeight(360)
        self.top = self.add_plot(row=0, col=0, dates=True, counts="")
        self.top.setLabel("left", "Mean compound")
        self.net_plot = self.add_plot(row=1, col=0, dates=True, counts="")
        self.net_plot.setLabel("left", "Net %")
        self.net_plot.setXLink(self.top.getViewBox())
        # Linked views line up by their place on screen: with left axes of one width
        # the two views coincide, so a tick label that changes width moves neither
        # view's dates (which repainted the chart after each new range).
        width = left_axis_width(self.top.getAxis("left"), ("-0.25", "-100"))
        for plot in (self.top, self.net_plot):
            plot.getAxis("left").setWidth(width)
        self.graphics.ci.layout.setRowStretchFactor(0, 3)
        self.graphics.ci.layout.setRowStretchFactor(1, 2)
        for plot in (self.top, self.net_plot):
            plot.setMouseEnabled(x=True, y=False)
            plot.getViewBox().setAutoVisible(y=True)
        band_pen = pg.mkPen("#94a3b8", width=1)
        self.band_low = pg.PlotDataItem(pen=band_pen)
        self.band_high = pg.PlotDataItem(pen=band_pen)
        self.band = pg.FillBetweenItem(
            self.band_low, self.band_high, brush=pg.mkBrush(148, 163, 184, 70)
        )
        self.mid = pg.PlotDataItem(
            pen=pg.mkPen("#475569", width=1.5, style=pg.QtCore.Qt.PenStyle.DashLine)
        )
        self.mean = pg.PlotDataItem(
            pen=pg.mkPen("#1f2937", width=1.6),
            symbol="o",
            symbolSize=4,
            symbolBrush="#1f2937",
            symbolPen=None,
        )
        for item in (self.band_low, self.band_high, self.band, self.mid, self.mean):
            self.top.addItem(item)
        self.top.addItem(pg.InfiniteLine(0, angle=0, pen=pg.mkPen("#d1d5db")))
        self.net_pos = _empty_bar(SENTIMENT_COLORS["positive"])
        self.net_neg = _empty_bar(SENTIMENT_COLORS["negative"])
        self.net_plot.addItem(self.net_pos)
        self.net_plot.addItem(self.net_neg)
        self.empty = pg.TextItem("", color="#6b7280", anchor=(0.5, 0.5))
        # Labels never take part in auto-ranging: an empty one at (0, 0) would squash
        # the view to nothing (pyqtgraph then computes NaN transforms).
        self.top.addItem(self.empty, ignoreBounds=True)
        self.trend: SentimentTrend | None = None

    def set_data(self, trend: SentimentTrend) -> None:
        """Draw a new trend."""
        self.trend = trend
        x = trend.days + DAY_S / 2
        ok = ~np.isnan(trend.mean)
        self.mean.setData(x[ok], trend.mean[ok])
        self.mid.setData(x[ok], trend.band_mid[ok])
        self.band_low.setData(x[ok], trend.band_low[ok])
        self.band_high.setData(x[ok], trend.band_high[ok])
        net = np.nan_to_num(trend.net)
        width = np.full(len(x), DAY_S * 0.8)
        x0 = trend.days + DAY_S * 0.1
        self.net_pos.setOpts(x0=x0, y0=np.zeros(len(x)), width=width, height=np.maximum(net, 0))
        self.net_neg.setOpts(x0=x0, y0=np.zeros(len(x)), width=width, height=np.minimum(net, 0))
        scored = float(trend.scored.sum())
        self.legend.set_entries(
            [
                ("mean", "Daily mean", "#1f2937", scored),
                ("band", f"{trend.window}-day band", "#94a3b8", None),
                ("net", "Net sentiment", SENTIMENT_COLORS["positive"], None),
            ]
        )
        if scored == 0 and len(trend.days):
            self.empty.setText("No scored mentions in this range yet: run 'engage-desktop score'")
            self.empty.setPos(float(trend.days[len(trend.days) // 2]), 0.0)
            self.top.setYRange(-1, 1)
        else:
            self.empty.setText("")
        if len(trend.days):
            self.top.setXRange(float(trend.days[0]), float(trend.days[-1] + DAY_S), padding=0.01)
        self.show_update()

    def set_series_visible(self, key: str, shown: bool) -> None:
        items = {
            "mean": (self.mean,),
            "band": (self.band, self.band_low, self.band_high, self.mid),
            "net": (self.net_pos, self.net_neg),
        }[key]
        for item in items:
            item.setVisible(shown)

    def _day(self, x: float) -> int | None:
        return nearest_index(self.trend.days, x) if self.trend is not None else None

    def hover_text(self, plot, x: float, y: float) -> str | None:
        i = self._day(x)
        t = self.trend
        if i is None or t is None:
            return None
        if not t.scored[i]:
            return f"{day_text(t.days[i])}: no scored mentions"
        return (
            f"{day_text(t.days[i])}: mean {t.mean[i]:+.3f} (band {t.band_low[i]:+.2f} to "
            f"{t.band_high[i]:+.2f}) · net {t.net[i]:+.1f} % ({t.positive[i]:,.0f} positive, "
            f"{t.negative[i]:,.0f} negative of {t.scored[i]:,.0f} scored)"
        )

    def element_at(self, plot, x: float, y: float) -> ChartElement | None:
        i = self._day(x)
        if i is None or self.trend is None or not self.trend.scored[i]:
            return None
        start = float(self.trend.days[i])
        return ChartElement("sentiment", start, start + DAY_S)

    def on_legend_drill(self, key: str) -> None:
        self.element_clicked.emit(ChartElement("sentiment"))


class ShareOfVoiceChart(ChartCard):
    """Weekly share of voice (lines) and the range's totals (bars)."""

    def __init__(self) -> None:
        super().__init__(
            "Share of voice",
            "Brand (with its products) against each competitor: % of their mentions per "
            "week, and totals for the range · follows the date range, not the topic",
        )
        self.setMinimumHeight(340)
        self.lines_plot = self.add_plot(row=0, col=0, dates=True, counts="")
        self.lines_plot.setLabel("left", "Share of voice %")
        self.lines_plot.setMouseEnabled(x=True, y=False)
        self.lines_plot.setYRange(0, 100)
        self.totals_plot = self.add_plot(row=0, col=1, counts="bottom")
        self.totals_plot.setLabel("bottom", "Mentions in range")
        self.totals_plot.setMouseEnabled(x=False, y=False)
        self.totals_plot.invertY(True)
        self.graphics.ci.layout.setColumnStretchFactor(0, 3)
        self.graphics.ci.layout.setColumnStretchFactor(1, 2)
        self.lines: dict[str, pg.PlotDataItem] = {}
        self.bars: dict[str, pg.BarGraphItem] = {}
        self.texts: list[pg.TextItem] = []
        self.sov: ShareOfVoice | None = None

    def set_data(self, sov: ShareOfVoice) -> None:
        """Draw new shares."""
        from engage_desktop.ui.dashboard.chart_card import set_category_ticks

        self.sov = sov
        if tuple(self.lines) != tuple(sov.entities):
            # New entities (topics changed): new items; otherwise the items are updated.
            for line in self.lines.values():
                self.lines_plot.removeItem(line)
            for item in [*self.bars.values(), *self.texts]:
                self.totals_plot.removeItem(item)
            self.lines, self.bars, self.texts = {}, {}, []
            for i, entity in enumerate(sov.entities):
                color = ENTITY_COLORS[i % len(ENTITY_COLORS)]
                line = _dotted_line(color, 2.2)
                self.lines_plot.addItem(line)
                self.lines[entity] = line
                bar = pg.BarGraphItem(x0=[0], y=[i], height=[0.6], width=[0], brush=color, pen=None)
                self.totals_plot.addItem(bar)
                self.bars[entity] = bar
                text = pg.TextItem("", color="#111827", anchor=(0, 0.5))
                self.totals_plot.addItem(text, ignoreBounds=True)
                self.texts.append(text)
        shares = sov.weekly_shares
        x = sov.weeks + WEEK_S / 2
        for i, entity in enumerate(sov.entities):
            self.lines[entity].setData(x, shares[i] if shares.size else [])
            self.bars[entity].setOpts(width=[float(sov.totals[i])])
            self.texts[i].setText(f" {sov.shares[i]:.1f} %")
            self.texts[i].setPos(float(sov.totals[i]), i)
        set_category_ticks(self.totals_plot.getAxis("left"), list(sov.entities), width=90)
        top = float(sov.totals.max()) if len(sov.totals) else 1.0
        self.totals_plot.setXRange(0, top * 1.6 or 1, padding=0)
        self.totals_plot.setYRange(-0.6, max(len(sov.entities), 1) - 0.4, padding=0)
        self.legend.set_entries(
            [
                (e, e, ENTITY_COLORS[i % len(ENTITY_COLORS)], float(sov.totals[i]))
                for i, e in enumerate(sov.entities)
            ]
        )
        if len(sov.weeks):
            self.lines_plot.setXRange(
                float(sov.weeks[0]), float(sov.weeks[-1] + WEEK_S), padding=0.01
            )
        self.show_update()

    def set_series_visible(self, key: str, shown: bool) -> None:
        for item in (self.lines.get(key), self.bars.get(key)):
            if item is not None:
                item.setVisible(shown)

    def reset_view(self) -> None:
        super().reset_view()
        self.lines_plot.setYRange(0, 100)

    def hover_text(self, plot, x: float, y: float) -> str | None:
        sov = self.sov
        if sov is None or not len(sov.entities):
            return None
        if plot is self.totals_plot:
            i = round(y)
            if 0 <= i < len(sov.entities):
                return (
                    f"{sov.entities[i]}: {sov.totals[i]:,.0f} mentions, "
                    f"{sov.shares[i]:.1f} % of the voice in this range"
                )
            return None
        w = nearest_index(sov.weeks, x)
        if w is None:
            return None
        shares = sov.weekly_shares[:, w]
        parts = " · ".join(
            f"{e} {shares[i]:.1f} % ({sov.weekly[i, w]:,.0f})"
            for i, e in enumerate(sov.entities)
            if not np.isnan(shares[i])
        )
        return f"{day_text(sov.weeks[w], 'week')}: {parts or 'no mentions'}"

    def element_at(self, plot, x: float, y: float) -> ChartElement | None:
        sov = self.sov
        if sov is None or not len(sov.entities):
            return None
        if plot is self.totals_plot:
            i = round(y)
            if 0 <= i < len(sov.entities):
                return ChartElement("share_of_voice", key=sov.entities[i])
            return None
        w = nearest_index(sov.weeks, x)
        if w is None:
            return None
        shares = np.nan_to_num(sov.weekly_shares[:, w], nan=-1e9)
        visible = [i for i, e in enumerate(sov.entities) if self.legend.is_shown(e)]
        if not visible:
            return None
        i = min(visible, key=lambda k: abs(shares[k] - y))
        start = float(sov.weeks[w])
        return ChartElement("share_of_voice", start, start + WEEK_S, sov.entities[i])

    def on_legend_drill(self, key: str) -> None:
        self.element_clicked.emit(ChartElement("share_of_voice", key=key))


class ResponseChart(ChartCard):
    """First-response time distribution (stacked by SLA) and the weekly median."""

    def __init__(self) -> None:
        super().__init__("Response performance", "")
        self.setMinimumHeight(340)
        self.hist = self.add_plot(row=0, col=0)
        self.hist.setLabel("left", "Answered mentions")
        self.hist.setLabel("bottom", "Time to first reply (wall-clock hours and days)")
        self.hist.setMouseEnabled(x=False, y=False)
        self.median_plot = self.add_plot(row=0, col=1, dates=True, counts="")
        # One unit per axis: wall-clock hours here. The SLA counts business hours, so it
        # is shown by the within/breached split of the histogram, not as a line here.
        self.median_plot.setLabel("left", "Median wall-clock hours to first reply")
        self.median_plot.setMouseEnabled(x=True, y=False)
        self.graphics.ci.layout.setColumnStretchFactor(0, 3)
        self.graphics.ci.layout.setColumnStretchFactor(1, 2)
        self.within = _empty_bar(WITHIN_COLOR)
        self.breached = _empty_bar(BREACHED_COLOR)
        self.hist.addItem(self.within)
        self.hist.addItem(self.breached)
        self.median = _dotted_line(ACCENT, 2)
        self.median_plot.addItem(self.median)
        self.perf: ResponsePerformance | None = None

    def set_data(self, perf: ResponsePerformance) -> None:
        """Draw new response numbers."""
        self.perf = perf
        n = len(perf.bins)
        xs = np.arange(n) - 0.35
        within = perf.bin_within
        breached = perf.bin_counts - perf.bin_within
        self.within.setOpts(x0=xs, y0=np.zeros(n), width=np.full(n, 0.7), height=within)
        self.breached.setOpts(x0=xs, y0=within, width=np.full(n, 0.7), height=breached)
        self.hist.getAxis("bottom").setTicks([[(i, b) for i, b in enumerate(perf.bins)], []])
        self.hist.setXRange(-0.6, n - 0.4, padding=0)
        self.hist.setYRange(0, max(float(perf.bin_counts.max()) if n else 1, 1) * 1.08, padding=0)
        x = perf.weeks + WEEK_S / 2
        medians = perf.weekly_median_h[~np.isnan(perf.weekly_median_h)]
        if len(medians):
            self.median.setData(x, perf.weekly_median_h)
        else:  # no week with an answer: nothing to draw (all-NaN points upset the bounds)
            self.median.setData([], [])
        top = float(medians.max()) if len(medians) else 1.0
        self.median_plot.setYRange(0, max(top, 1.0) * 1.1, padding=0)  # hours start at 0
        share = perf.sla_share
        sla_h = perf.sla_s / 3600
        self.unit.setText(
            f"{share:.1f} % of {perf.answered:,} answered mentions got a first reply "
            f"within the {sla_h:g}-hour SLA ({perf.hours}) · weekly median in wall-clock hours"
            if share is not None
            else f"No answered mentions in this range · SLA {sla_h:g} h ({perf.hours})"
        )
        self.legend.set_entries(
            [
                (
                    "within",
                    f"Within SLA ({sla_h:g} business h)",
                    WITHIN_COLOR,
                    float(perf.within_sla),
                ),
                (
                    "breached",
                    "SLA breached",
                    BREACHED_COLOR,
                    float(perf.answered - perf.within_sla),
                ),
                ("median", "Weekly median (wall-clock h)", ACCENT, None),
            ]
        )
        if len(perf.weeks):
            self.median_plot.setXRange(
                float(perf.weeks[0]), float(perf.weeks[-1] + WEEK_S), padding=0.02
            )
        self.show_update()

    def set_series_visible(self, key: str, shown: bool) -> None:
        {"within": self.within, "breached": self.breached, "median": self.median}[key].setVisible(
            shown
        )

    def hover_text(self, plot, x: float, y: float) -> str | None:
        p = self.perf
        if p is None:
            return None
        if plot is self.hist:
            i = round(x)
            if 0 <= i < len(p.bins):
                total = p.bin_counts[i]
                return (
                    f"{p.bins[i]}: {total:,.0f} answered ({_pct(total, p.answered)} of answered) · "
                    f"{p.bin_within[i]:,.0f} within SLA, {total - p.bin_within[i]:,.0f} breached"
                )
            return None
        w = nearest_index(p.weeks, x)
        if w is None or np.isnan(p.weekly_median_h[w]):
            return None
        return (
            f"{day_text(p.weeks[w], 'week')}: median {p.weekly_median_h[w]:.1f} h to first reply "
            f"({p.weekly_answered[w]:,.0f} answered)"
        )

    def element_at(self, plot, x: float, y: float) -> ChartElement | None:
        p = self.perf
        if p is None:
            return None
        if plot is self.hist:
            i = round(x)
            return ChartElement("response_time", key=p.bins[i]) if 0 <= i < len(p.bins) else None
        w = nearest_index(p.weeks, x)
        if w is None or not p.weekly_answered[w]:
            return None
        start = float(p.weeks[w])
        return ChartElement("response_time", start, start + WEEK_S)

    def on_legend_drill(self, key: str) -> None:
        if key in ("within", "breached"):
            self.element_clicked.emit(ChartElement("sla", key=key))

    def reset_view(self) -> None:
        self.median_plot.enableAutoRange()
        if self.perf is not None:
            self.set_data(self.perf)


class BacklogChart(ChartCard):
    """Mentions awaiting a first reply at the end of each day."""

    def __init__(self) -> None:
        super().__init__(
            "Unanswered backlog",
            "Mentions awaiting a first reply at the end of each day (UTC): answered later, "
            "or still new/open",
        )
        self.setMinimumHeight(340)
        self.plot = self.add_plot(dates=True)
        self.plot.setLabel("left", "Awaiting reply")
        self.plot.setMouseEnabled(x=True, y=False)
        self.plot.getViewBox().setAutoVisible(y=True)
        self.curve = pg.PlotDataItem(
            pen=pg.mkPen("#7c3aed", width=2), fillLevel=0, brush=pg.mkBrush(124, 58, 237, 40)
        )
        self.plot.addItem(self.curve)
        self.days = np.empty(0)
        self.values = np.empty(0)

    def set_data(self, days: np.ndarray, backlog: np.ndarray) -> None:
        """Draw a new backlog series."""
        self.days, self.values = days, backlog
        self.curve.setData(days + DAY_S, backlog)
        last = float(backlog[-1]) if len(backlog) else None
        self.legend.set_entries(
            [("backlog", "Awaiting reply at the end of the range", "#7c3aed", last)]
        )
        if len(days):
            self.plot.setXRange(float(days[0] + DAY_S), float(days[-1] + DAY_S), padding=0.02)
        self.show_update()

    def set_series_visible(self, key: str, shown: bool) -> None:
        self.curve.setVisible(shown)

    def _index(self, x: float) -> int | None:
        if not len(self.days):
            return None
        i = int(np.clip(np.round((x - DAY_S - self.days[0]) / DAY_S), 0, len(self.days) - 1))
        return i

    def hover_text(self, plot, x: float, y: float) -> str | None:
        i = self._index(x)
        if i is None:
            return None
        waiting = f"{self.values[i]:,.0f} mentions awaiting a first reply"
        return f"End of {day_text(self.days[i])}: {waiting}"

    def element_at(self, plot, x: float, y: float) -> ChartElement | None:
        i = self._index(x)
        if i is None:
            return None
        return ChartElement("backlog", end=float(self.days[i] + DAY_S))

    def on_legend_drill(self, key: str) -> None:
        if len(self.days):
            self.element_clicked.emit(ChartElement("backlog", end=float(self.days[-1] + DAY_S)))
