"""Ranked horizontal bars: top authors, channels and sources, advocates, rising terms."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from engage_desktop.dashboard.analytics import AuthorRankings, ChartElement, RankedRow
from engage_desktop.dashboard.terms import RisingTerms, describe_lift
from engage_desktop.ui.dashboard.chart_card import (
    ChartCard,
    ChartPlot,
    compact,
    set_category_ticks,
)
from engage_desktop.ui.theme import ACCENT, SENTIMENT_COLORS


def sentiment_label(mean: float | None) -> str:
    """The label of a mean compound score (VADER's ±0.05 cut-offs)."""
    if mean is None:
        return "unscored"
    return "positive" if mean >= 0.05 else "negative" if mean <= -0.05 else "neutral"


NOTE_COLOR = "#374151"
INSIDE_SHARE = 0.55  # bars at least this share of the longest carry their note inside
INSIDE_PAD = 0.01  # gap between an inside note and the bar's end (share of the longest)


class _Bars:
    """Horizontal bars with row labels in one plot; row 0 on top."""

    def __init__(self, card: ChartCard, plot: ChartPlot, label_width: int) -> None:
        self.card = card
        self.plot = plot
        self.label_width = label_width
        plot.invertY(True)
        plot.setMouseEnabled(x=False, y=False)
        plot.showGrid(x=True, y=False, alpha=0.18)
        # Drawn again on every range or topic change: the bar item and the notes are
        # kept and updated, not rebuilt (a new TextItem per note was half the draw).
        self.bars: pg.BarGraphItem | None = None
        self.notes: list[pg.TextItem] = []

    def draw(self, labels: list[str], starts, widths, colors: list[str], notes: list[str]) -> None:
        n = len(labels)
        if self.bars is None:
            self.bars = pg.BarGraphItem(x0=[], y=[], height=0.62, width=[])
            self.plot.addItem(self.bars)
        if n:  # pyqtgraph 0.14 cannot set empty per-bar pens: hide the item instead
            self.bars.setOpts(
                x0=np.asarray(starts, float),
                y=np.arange(n),
                height=0.62,
                width=np.asarray(widths, float),
                brushes=colors,
                pens=[None] * n,
            )
        self.bars.setVisible(n > 0)
        while len(self.notes) < len(notes):
            text = pg.TextItem("", color=NOTE_COLOR)
            self.plot.addItem(text, ignoreBounds=True)
            self.notes.append(text)
        longest = max((abs(float(w)) for w in widths), default=0.0)
        for i, text in enumerate(self.notes):
            if i >= len(notes):
                text.setVisible(False)
                continue
            # A long bar carries its note inside its end, in white; a short one just
            # past its end (left of a negative, leftward bar). Notes never run off the
            # plot, however narrow the card.
            end = float(starts[i]) + float(widths[i])
            inside = longest > 0 and abs(float(widths[i])) >= INSIDE_SHARE * longest
            leftward = end < 0
            text.setText(notes[i].strip() if inside else notes[i])
            text.setColor("white" if inside else NOTE_COLOR)
            text.setAnchor((0 if leftward == inside else 1, 0.5))
            text.setPos(end + (-1 if end >= 0 else 1) * INSIDE_PAD * longest * inside, i)
            text.setVisible(True)
        set_category_ticks(self.plot.getAxis("left"), labels, self.label_width)
        self.plot.setYRange(-0.6, max(n, 1) - 0.4, padding=0)

    def row(self, y: float, n: int) -> int | None:
        i = round(y)
        return i if 0 <= i < n else None


class TopAuthorsChart(ChartCard):
    """Authors ranked by reach × volume, coloured by their mean sentiment."""

    def __init__(self) -> None:
        super().__init__(
            "Top authors",
            "Ranked by reach × volume (largest follower count × mentions in range); "
            "colour: the author's mean sentiment",
        )
        self.setMinimumHeight(360)
        self.bars = _Bars(self, self.add_plot(counts="bottom"), 200)
        self.bars.plot.setLabel("bottom", "Reach × volume")
        self.rows: list[RankedRow] = []

    def set_data(self, rows: list[RankedRow]) -> None:
        """Draw a new ranking."""
        self.rows = rows
        self.legend.set_entries(
            [
                (lab, lab.title(), SENTIMENT_COLORS[lab], None)
                for lab in ("positive", "neutral", "negative", "unscored")
            ]
        )
        self._draw()
        self.show_update()

    def _draw(self) -> None:
        rows = self._visible()
        values = [r.value for r in rows]
        self.bars.draw(
            [r.label for r in rows],
            [0] * len(rows),
            values,
            [SENTIMENT_COLORS[sentiment_label(r.sentiment)] for r in rows],
            [f" {compact(r.value)}" for r in rows],
        )
        self.bars.plot.setXRange(0, (max(values) if values else 1) * 1.3, padding=0)

    def set_series_visible(self, key: str, shown: bool) -> None:
        self._draw()

    def _visible(self) -> list[RankedRow]:
        return [r for r in self.rows if self.legend.is_shown(sentiment_label(r.sentiment))]

    def hover_text(self, plot, x: float, y: float) -> str | None:
        rows = self._visible()
        i = self.bars.row(y, len(rows))
        if i is None:
            return None
        r = rows[i]
        mood = "not scored" if r.sentiment is None else f"mean sentiment {r.sentiment:+.2f}"
        return (
            f"{r.label}: {r.mentions:,} mentions × {r.followers:,} followers = "
            f"{r.value:,.0f} · {mood}"
        )

    def element_at(self, plot, x: float, y: float) -> ChartElement | None:
        rows = self._visible()
        i = self.bars.row(y, len(rows))
        return ChartElement("author", key=rows[i].key) if i is not None else None


class ChannelsChart(ChartCard):
    """Mentions per channel and per source."""

    def __init__(self) -> None:
        super().__init__("Top channels and sources", "Mentions in range; colour: mean sentiment")
        self.setMinimumHeight(360)
        self.channel_bars = _Bars(self, self.add_plot(row=0, col=0, counts="bottom"), 80)
        self.source_bars = _Bars(self, self.add_plot(row=0, col=1, counts="bottom"), 190)
        self.channel_bars.plot.setLabel("bottom", "Mentions by channel")
        self.source_bars.plot.setLabel("bottom", "Mentions by source")
        self.channels: list[RankedRow] = []
        self.sources: list[RankedRow] = []

    def set_data(self, channels: list[RankedRow], sources: list[RankedRow]) -> None:
        """Draw new rankings."""
        self.channels, self.sources = channels, sources
        for bars, rows in ((self.channel_bars, channels), (self.source_bars, sources)):
            values = [r.mentions for r in rows]
            bars.draw(
                [r.label for r in rows],
                [0] * len(rows),
                values,
                [SENTIMENT_COLORS[sentiment_label(r.sentiment)] for r in rows],
                [f" {r.mentions:,}" for r in rows],
            )
            bars.plot.setXRange(0, (max(values) if values else 1) * 1.45, padding=0)
        self.show_update()

    def _rows(self, plot) -> tuple[str, list[RankedRow]]:
        if plot is self.channel_bars.plot:
            return "channel", self.channels
        return "source", self.sources

    def hover_text(self, plot, x: float, y: float) -> str | None:
        kind, rows = self._rows(plot)
        i = self.channel_bars.row(y, len(rows))
        if i is None:
            return None
        r = rows[i]
        mood = "" if r.sentiment is None else f" · mean sentiment {r.sentiment:+.2f}"
        total = sum(row.mentions for row in rows)
        share = f" ({r.mentions / total * 100:.1f} %)" if kind == "channel" and total else ""
        return f"{r.label}: {r.mentions:,} mentions{share}{mood}"

    def element_at(self, plot, x: float, y: float) -> ChartElement | None:
        kind, rows = self._rows(plot)
        i = self.channel_bars.row(y, len(rows))
        return ChartElement(kind, key=rows[i].key) if i is not None else None


class AdvocatesChart(ChartCard):
    """Advocates (right) set against detractors (left), by mentions."""

    def __init__(self) -> None:
        super().__init__("Advocates and detractors", "")
        self.setMinimumHeight(360)
        self.bars = _Bars(self, self.add_plot(counts="bottom"), 200)
        self.bars.plot.setLabel("bottom", "Mentions in range (detractors ← | → advocates)")
        self.bars.plot.addItem(pg.InfiniteLine(0, angle=90, pen=pg.mkPen("#9ca3af")))
        self.empty = pg.TextItem(
            "No advocates or detractors yet (needs scored mentions)",
            color="#6b7280",
            anchor=(0.5, 0.5),
        )
        self.empty.setPos(0, 0)
        self.empty.setVisible(False)
        self.bars.plot.addItem(self.empty, ignoreBounds=True)
        self.rows: list[tuple[str, RankedRow]] = []

    def set_data(self, rankings: AuthorRankings) -> None:
        """Draw new advocates and detractors."""
        self.unit.setText(
            f"Authors with at least {rankings.min_mentions} scored mentions whose mean "
            f"sentiment is ≥ +{rankings.threshold:.2f} (advocates) or ≤ "
            f"−{rankings.threshold:.2f} (detractors); most active first"
        )
        rows = [("advocate", r) for r in rankings.advocates if self.legend.is_shown("advocate")]
        rows += [("detractor", r) for r in rankings.detractors if self.legend.is_shown("detractor")]
        self.rankings = rankings
        self.rows = rows
        widths = [r.mentions if side == "advocate" else -r.mentions for side, r in rows]
        colors = [
            SENTIMENT_COLORS["positive" if side == "advocate" else "negative"] for side, _ in rows
        ]
        self.bars.draw(
            [r.label for _, r in rows],
            [0] * len(rows),
            widths,
            colors,
            [f" {r.mentions:,} " for _, r in rows],
        )
        top = max([abs(w) for w in widths], default=1)
        self.bars.plot.setXRange(-top * 1.3, top * 1.3, padding=0)
        self.legend.set_entries(
            [
                (
                    "advocate",
                    f"Advocates ({len(rankings.advocates)})",
                    SENTIMENT_COLORS["positive"],
                    None,
                ),
                (
                    "detractor",
                    f"Detractors ({len(rankings.detractors)})",
                    SENTIMENT_COLORS["negative"],
                    None,
                ),
            ]
        )
        self.empty.setVisible(not rankings.advocates and not rankings.detractors)
        self.show_update()

    def set_series_visible(self, key: str, shown: bool) -> None:
        self.set_data(self.rankings)

    def hover_text(self, plot, x: float, y: float) -> str | None:
        i = self.bars.row(y, len(self.rows))
        if i is None:
            return None
        side, r = self.rows[i]
        mood = "" if r.sentiment is None else f", mean sentiment {r.sentiment:+.2f}"
        return f"{side.title()} {r.label}: {r.mentions:,} mentions{mood}, {r.followers:,} followers"

    def element_at(self, plot, x: float, y: float) -> ChartElement | None:
        i = self.bars.row(y, len(self.rows))
        return ChartElement("author", key=self.rows[i][1].key) if i is not None else None


class TermsChart(ChartCard):
    """Words and phrases whose share of mentions rose most against the previous period."""

    def __init__(self) -> None:
        super().__init__("Rising terms", "Computing…")
        self.setMinimumHeight(360)
        self.bars = _Bars(self, self.add_plot(counts="bottom"), 170)
        self.bars.plot.setLabel("bottom", "Mentions containing the term (current period)")
        self.result: RisingTerms | None = None

    def set_data(self, result: RisingTerms | None) -> None:
        """Draw new rising terms (None: no data)."""
        self.result = result
        self.unit.setMinimumHeight(0)
        terms = result.terms if result else []
        counts = [t.current for t in terms]
        self.bars.draw(
            [t.term for t in terms],
            [0] * len(terms),
            counts,
            [ACCENT] * len(terms),
            [f" {t.current:,}  {describe_lift(t.lift)}" for t in terms],
        )
        self.bars.plot.setXRange(0, (max(counts) if counts else 1) * 1.45, padding=0)
        if result is None:
            self.unit.setText("No mentions yet")
        else:
            self.unit.setText(
                f"Share of mentions {result.start:%d %b} – {result.end:%d %b %Y} "
                f"({result.current_total:,} mentions) against the "
                f"{(result.end - result.start).days} days before "
                f"({result.previous_total:,}); ×N = how many times more often"
                + ("" if terms else " · no term rose significantly")
            )
        self.show_update()

    def set_loading(self) -> None:
        """Say the terms are being computed (in the caption's room: a shorter caption
        would shorten the card and lay out, and repaint, every card in view)."""
        self.unit.setMinimumHeight(self.unit.height())
        self.unit.setText("Computing rising terms…")

    def hover_text(self, plot, x: float, y: float) -> str | None:
        terms = self.result.terms if self.result else []
        i = self.bars.row(y, len(terms))
        if i is None:
            return None
        t = terms[i]
        return (
            f"“{t.term}”: {t.current:,} mentions now, {t.previous:,} in the previous period "
            f"({describe_lift(t.lift)} as often)"
        )

    def element_at(self, plot, x: float, y: float) -> ChartElement | None:
        r = self.result
        terms = r.terms if r else []
        i = self.bars.row(y, len(terms))
        if i is None or r is None:
            return None
        return ChartElement("term", r.start.timestamp(), r.end.timestamp(), terms[i].term)
