"""A dashboard chart paints new numbers once, already in their settled view range.

pyqtgraph applies an auto-range while it paints and then paints the chart again; the
cards settle their ranges when they get their numbers instead (``show_update``).
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject

from engage_desktop.dashboard.analytics import DAY_S, LABELS
from engage_desktop.dashboard.cube import SentimentTrend, Volume, rolling_mean_sd

DAYS = np.arange(20_000, 20_090, dtype=np.int64) * DAY_S


class PaintCounter(QObject):
    """Counts the paint events of a chart's graphics view."""

    def __init__(self, card) -> None:
        super().__init__()
        self.count = 0
        card.graphics.viewport().installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # Qt's name
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def _ranges(card) -> list:
    return [[list(r) for r in plot.getViewBox().viewRange()] for plot in card.plots]


def _flush() -> None:
    """Deliver whatever the paint queued (a second paint would be among it)."""
    for _ in range(3):
        QCoreApplication.sendPostedEvents()
        QCoreApplication.processEvents()


def _volume(scale: float) -> Volume:
    rng = np.random.default_rng(7)
    return Volume(DAYS, {lab: rng.integers(0, 50, len(DAYS)) * scale for lab in LABELS})


def _trend(scale: float) -> SentimentTrend:
    rng = np.random.default_rng(3)
    mean = rng.uniform(-0.3, 0.5, len(DAYS)) * scale
    mid, sd = rolling_mean_sd(mean, 7)
    pos, neg = rng.integers(5, 60, len(DAYS)), rng.integers(5, 60, len(DAYS))
    scored = pos + neg + 10
    net = (pos - neg) / scored * 100.0
    return SentimentTrend(DAYS, scored, mean, mid, mid - sd, mid + sd, net, pos, neg, 7)


@pytest.mark.parametrize("kind", ["volume", "sentiment"])
def test_a_chart_paints_new_numbers_once_in_their_range(qtbot, kind):
    from engage_desktop.ui.dashboard.time_charts import SentimentChart, VolumeChart

    card = VolumeChart() if kind == "volume" else SentimentChart()
    make = _volume if kind == "volume" else _trend
    qtbot.addWidget(card)
    card.resize(700, 480)
    card.show()
    counter = PaintCounter(card)
    for scale in (1.0, 3.0):  # the first numbers, then numbers that need another range
        before = counter.count
        card.set_data(make(scale))
        settled = _ranges(card)
        qtbot.waitUntil(lambda b=before: counter.count > b)
        _flush()
        assert counter.count == before + 1
        assert _ranges(card) == settled  # the paint moved no range
    if kind == "volume":
        vb_y = card.plot.getViewBox().viewRange()[1]
        top = float(np.sum([card.volume.counts[lab] for lab in LABELS], axis=0).max())
        assert vb_y[0] <= 0 and top < vb_y[1] <= top * 1.25  # the tallest bar, with headroom
    else:
        # The net bars sit under the same dates as the mean line.
        assert card.net_plot.getViewBox().viewRange()[0] == card.top.getViewBox().viewRange()[0]


def test_a_chart_is_hidden_until_its_first_numbers(qtbot):
    from engage_desktop.ui.dashboard.time_charts import VolumeChart

    card = VolumeChart()
    qtbot.addWidget(card)
    card.show()
    assert card.graphics.isHidden()
    card.set_data(_volume(1.0))
    assert card.graphics.isVisible()
