"""The dashboard on the demo workspace: drawing, hover, legends, zoom, export, drill-down.

Runs offscreen; pytest fails any test that makes Qt print a warning.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from engage_desktop.dashboard.analytics import DAY_S, LABELS
from engage_desktop.dashboard.spikes import Episode
from tests.gui.conftest import dashboard_as_first_opened
from tests.gui.waiting import TIMEOUT_S


@pytest.fixture
def window(module_window):
    """The module's shared window (these tests look, click and drill down)."""
    return module_window


@pytest.fixture
def dash(window, qtbot):
    return dashboard_as_first_opened(window, qtbot)


def _view_point(card, plot, x: float, y: float):
    """Widget coordinates (in the card's graphics view) of a data point of ``plot``."""
    scene = plot.getViewBox().mapViewToScene(QPointF(x, y))
    return card.graphics.mapFromScene(scene)


def _click(pane, card, plot, x: float, y: float) -> None:
    pane.scroll.ensureWidgetVisible(card)
    QTest.mouseClick(
        card.graphics.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        _view_point(card, plot, x, y),
    )


def _hover(card, plot, x: float, y: float) -> str:
    card.graphics.scene().sigMouseMoved.emit(plot.getViewBox().mapViewToScene(QPointF(x, y)))
    return card.readout.text()


def test_every_chart_is_drawn_from_the_demo(dash):
    data = dash.data
    assert data.volume.total.sum() > 1000
    assert len(data.volume.days) == 90  # the default range: the last 90 days of data
    assert dash.kpis["mentions"].text() == f"{int(data.volume.total.sum()):,}"
    assert data.share_of_voice.entities == ("Nimbus", "Orbit", "Skylink")
    assert data.response.answered > 0 and len(data.response.backlog) == 90
    assert len(data.authors.top) == 10 and data.channels
    assert dash.terms.result is not None
    # The demo's outage (38 days before the end) is in range: it is listed and marked.
    assert any(
        "Volume spike" in dash.alerts_list.item(i).text() for i in range(dash.alerts_list.count())
    )
    assert len(dash.volume.episodes) == 1
    assert dash.volume.marks.data["x"][0] == dash.volume.episodes[0].start.timestamp()
    # Offscreen there is no system tray: said once, on the alerts card.
    assert "not available on this system" in dash.alerts_note.text()


def test_clicking_a_bar_opens_the_inbox_on_exactly_its_mentions(window, dash):
    starts, ends, sums = dash.volume.buckets
    i = int(np.argmax(sums.sum(axis=0)))
    k = int(np.argmax(sums[:, i]))  # the day's largest sentiment segment
    x = (starts[i] + ends[i]) / 2
    _click(dash, dash.volume, dash.volume.plot, x, sums[:k, i].sum() + sums[k, i] / 2)
    assert window.settle(TIMEOUT_S)
    assert window.pages.currentWidget() is window.inbox
    assert window.inbox.model.rowCount() == int(sums[k, i]) > 0
    assert f"{int(sums[k, i]):,} mentions" in window.statusBar().currentMessage()


def test_hover_reads_out_exact_numbers(dash):
    starts, ends, sums = dash.volume.buckets
    i = int(np.argmax(sums.sum(axis=0)))
    text = _hover(dash.volume, dash.volume.plot, (starts[i] + ends[i]) / 2, 1)
    assert f"{int(sums[:, i].sum()):,} mentions" in text
    perf = dash.data.response
    text = _hover(dash.response, dash.response.hist, 2, 1)
    assert f"{int(perf.bin_counts[2]):,} answered" in text and perf.bins[2] in text


def test_legend_toggles_series_and_its_count_drills_down(window, dash):
    legend = dash.volume.legend
    label = max(LABELS, key=lambda k: dash.data.volume.counts[k].sum())
    legend.boxes[label].setChecked(False)
    assert not dash.volume.bars[label].isVisible()
    legend.boxes[label].setChecked(True)
    assert dash.volume.bars[label].isVisible()
    total = int(dash.data.volume.counts[label].sum())
    assert legend.counts[label].text() == f"{total:,}"
    legend.counts[label].click()
    assert window.settle(TIMEOUT_S)
    assert window.inbox.model.rowCount() == total


def test_zoom_rebuckets_and_reset_view_returns(dash, qtbot):
    dash.set_range("All time")
    qtbot.waitUntil(lambda: len(dash.data.volume.days) > 170)
    assert dash.wait_until_ready(TIMEOUT_S)
    assert dash.volume.unit_name == "week"  # 180 days on screen
    total = dash.volume.buckets[2].sum()
    days = dash.data.volume.days
    dash.volume.plot.setXRange(float(days[-30]), float(days[-1] + DAY_S), padding=0)
    assert dash.volume.unit_name == "day"
    assert dash.volume.buckets[2].sum() == total  # re-bucketing keeps every mention
    dash.volume.reset_view()
    assert dash.volume.unit_name == "week"


def test_range_and_topic_drive_every_chart(window, dash, qtbot):
    dash.set_range("Last 30 days")
    qtbot.waitUntil(lambda: len(dash.data.volume.days) == 30)
    dash.set_topic("Outage")
    qtbot.waitUntil(lambda: dash.data.filter.topic == "Outage")
    assert dash.wait_until_ready(TIMEOUT_S)
    outage = dash.data
    assert outage.volume.total.sum() < 200
    assert outage.response.answered <= outage.volume.total.sum()
    assert sum(r.mentions for r in outage.channels) == outage.volume.total.sum()
    # A channel bar drills to the topic's mentions on that channel.
    row = outage.channels[0]
    _click(dash, dash.channels, dash.channels.channel_bars.plot, row.mentions / 2, 0)
    assert window.settle(TIMEOUT_S)
    assert window.inbox.model.rowCount() == row.mentions


def test_clicking_a_rising_term(window, dash):
    terms = dash.terms.result.terms
    assert terms
    _click(dash, dash.terms, dash.terms.bars.plot, terms[0].current / 2, 0)
    assert window.settle(TIMEOUT_S)
    assert window.inbox.model.rowCount() == terms[0].current
    assert terms[0].term in window.statusBar().currentMessage()


def test_clicking_an_alert_opens_its_mentions(window, dash):
    item = next(
        dash.alerts_list.item(i)
        for i in range(dash.alerts_list.count())
        if isinstance(dash.alerts_list.item(i).data(Qt.ItemDataRole.UserRole), Episode)
    )
    episode = item.data(Qt.ItemDataRole.UserRole)
    dash.alerts_list.itemClicked.emit(item)
    assert window.settle(TIMEOUT_S)
    assert window.inbox.model.rowCount() == episode.mentions


def test_export_every_chart_to_png_and_svg(dash, tmp_path):
    for n, card in enumerate(dash.cards):
        png = card.export(tmp_path / f"chart{n}.png")
        svg = card.export(tmp_path / f"chart{n}.svg")
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert "<svg" in svg.read_text(encoding="utf-8")[:2000]
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        dash.volume.export(tmp_path / "chart.pdf")


def test_notifications_are_grouped(dash):
    from datetime import UTC, datetime

    start, end = datetime(2026, 1, 1, 14, tzinfo=UTC), datetime(2026, 1, 1, 18, tzinfo=UTC)
    eps = [
        Episode("Negative spike per topic", "negative_spike", t, start, end, 40, 20, 2.0, 9.0)
        for t in ("Outage", "Nimbus", "Router X2")
    ]
    dash.notifier.notify(eps)
    assert len(dash.notifier.shown) == 1
    title, body = dash.notifier.shown[0]
    assert title == "3 new alerts" and body.count("\n") == 2


def test_rankings_redraw_in_place_and_follow_the_charts_filter(dash, qtbot):
    """Bars and notes are reused across filters; a ranking for another filter is redone."""
    from dataclasses import replace

    from engage_desktop.dashboard.analytics import DashboardFilter
    from engage_desktop.dashboard.session import rankings

    bars = dash.authors.bars
    item, notes = bars.bars, list(bars.notes)
    assert len(notes) == len(dash.data.authors.top) == 10
    dash.advocates.set_data(replace(dash.data.authors, advocates=[], detractors=[]))
    assert not dash.advocates.bars.bars.isVisible()
    assert not any(t.isVisible() for t in dash.advocates.bars.notes)
    assert dash.advocates.empty.isVisible()
    dash.set_range("Last 7 days")
    qtbot.waitUntil(lambda: len(dash.data.volume.days) == 7)
    assert dash.wait_until_ready(TIMEOUT_S)
    assert bars.bars is item and bars.notes[: len(notes)] == notes
    shown = [t.toPlainText().strip() for t in bars.notes if t.isVisible()]
    assert shown and len(shown) == len(dash.data.authors.top)
    assert dash.advocates.empty.isVisible() == (
        not dash.data.authors.advocates and not dash.data.authors.detractors
    )
    # Rankings that arrive for another filter (the newest day moved) are computed again
    # for the filter the charts show, before the dashboard says it is up to date.
    shown_filter = dash.filter
    request = dash._new_request()
    dash._on_charts(request, dash.session.charts(shown_filter))
    other = DashboardFilter(shown_filter.start, None, None)
    dash._on_ranks(request, rankings(dash.ws, other))
    assert dash._ranks is None  # thrown away, ranked again
    assert dash.wait_until_ready(TIMEOUT_S)
    assert dash.data.filter == shown_filter
    assert dash.data.authors == rankings(dash.ws, shown_filter).authors


def test_row_labels_fit_their_axis_and_notes_stay_in_the_plot(dash):
    """Long source names are elided to the axis (pyqtgraph would drop them)."""
    from PySide6.QtGui import QFont, QFontMetrics

    axis = dash.channels.source_bars.plot.getAxis("left")
    ticks = axis._tickLevels[0]
    names = [r.label for r in dash.data.sources]
    assert len(ticks) == len(names)
    metrics = QFontMetrics(axis.style["tickFont"] or QFont())
    for (_, shown), name in zip(ticks, names, strict=True):
        assert shown == name or (shown.endswith("…") and name.startswith(shown[:-1]))
        assert metrics.horizontalAdvance(shown) < axis.width()
    assert any(shown != name for (_, shown), name in zip(ticks, names, strict=True))
    # The longest bar carries its note inside (white); every note lies within x range.
    bars = dash.channels.channel_bars
    first = bars.notes[0]
    assert first.color.name() == "#ffffff"
    right = bars.plot.getViewBox().viewRange()[0][1]
    assert all(t.pos().x() <= right for t in bars.notes if t.isVisible())


def test_the_content_alone_keeps_the_card_look(dash):
    """`--png` renders the content out of the pane: the card style must travel with it."""
    content = dash.content
    dash.scroll.takeWidget()
    content.setParent(None)
    try:
        # Not shown: a top-level window would take the focus from the later tests.
        value = dash.kpis["mentions"].value
        value.setStyleSheet("")  # re-resolve its style where it now is
        value.ensurePolished()
        assert value.font().pixelSize() == 24  # QLabel#kpiValue
    finally:
        dash.scroll.setWidget(content)


@pytest.mark.parametrize(("size", "top"), [(130, 8000), (300, 8000), (700, 123_456), (90, 40)])
def test_count_axis_ticks_leave_room_for_their_labels(qtbot, size, top):
    """pyqtgraph keeps two intervals on any axis; count axes widen them to fit labels."""
    from engage_desktop.ui.dashboard.chart_card import MIN_TICK_PX, CountAxis, next_nice

    assert [next_nice(x) for x in (1, 2, 5, 20, 0.5)] == [2, 5, 10, 50, 1]
    axis = CountAxis("bottom")
    (interval, _), *rest = axis.tickSpacing(0, top, size)
    assert not rest  # major ticks only
    assert top / interval * MIN_TICK_PX["bottom"] <= size or interval >= top
    assert str(interval)[0] in "125"


def test_drawing_opens_no_stray_windows(window, dash, qtbot):
    """Only the main window is on screen, and active, after the dashboard drew again.

    A legend count once shown before it had a parent opened as a window of its own
    for a moment, which took the focus and broke every keyboard shortcut.
    """
    from PySide6.QtWidgets import QApplication

    dash.set_range("Last 7 days")
    qtbot.waitUntil(lambda: len(dash.data.volume.days) == 7)
    assert dash.wait_until_ready(TIMEOUT_S)
    shown = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    assert shown == [window]
    assert QApplication.activeWindow() is window


def test_charts_in_view_are_painted_once_at_the_size_they_keep(demo_template, qtbot):
    """The first screen's charts are painted with their numbers, in the page they keep.

    Every card is on the page from the start, and the cards below get the cube's
    numbers with those in view: so the page's length and the columns' widths are
    settled before the first paint, and the rest of the opening (rankings, the lower
    cards shown) neither moves nor resizes the cards in view. On main the lower
    cards joined the page after that paint: the page grew from 1,279 px to 3,686 px
    and the charts in view were laid out and painted again.
    """
    from engage_desktop.ui.dashboard.pane import DashboardPane
    from engage_desktop.workspace.database import Workspace

    ws = Workspace.open(demo_template, read_only=True)
    pane = DashboardPane(ws)
    qtbot.addWidget(pane)
    pane.resize(1440, 900)
    seen = []

    def geometry() -> tuple:
        cards = (pane.volume, pane.sentiment, pane.share)
        return (pane.content.height(), *(card.geometry().getRect() for card in cards))

    def on_first_paint():
        shown = (pane.kpis["mentions"].text(), len(pane.volume.volume.days))
        seen.append((pane.placed, pane.data, *shown, geometry()))

    pane.first_painted.connect(on_first_paint)
    with qtbot.waitSignal(pane.updated):
        pane.show()
    [(placed, data, mentions, days, first)] = seen
    # Painted with their numbers, before "updated" was said.
    assert not placed and data is None and mentions != "–" and days == 90
    assert pane.placed and pane.data is not None
    assert pane.response.perf is not None and pane.authors.isVisible()
    assert pane.grid.indexOf(pane.model_card) >= 0 and pane.grid.indexOf(pane.alerts_card) >= 0
    assert pane.grid.indexOf(pane.channels) >= 0
    assert geometry() == first
    assert pane.wait_until_ready(TIMEOUT_S)
    pane.tasks.shutdown()
    ws.close()


def test_the_opening_shows_each_card_once(demo_template, qtbot):
    """Once the charts in view are painted, the rest of the opening shows no card again.

    On main the opening ended with ``scroll.show()`` on the page, visible all along
    but never shown explicitly: every card got a second show event and was laid out
    again, and every chart in view was painted a second time.
    """
    from PySide6.QtCore import QEvent, QObject

    from engage_desktop.ui.dashboard.pane import DashboardPane
    from engage_desktop.workspace.database import Workspace

    class Shows(QObject):
        count = 0

        def eventFilter(self, watched, event) -> bool:  # Qt's name
            if event.type() == QEvent.Type.Show:
                self.count += 1
            return False

    ws = Workspace.open(demo_template, read_only=True)
    pane = DashboardPane(ws)
    qtbot.addWidget(pane)
    pane.resize(1440, 900)
    shows = Shows()

    def watch() -> None:
        for card in (pane.volume, pane.sentiment, pane.authors):
            card.installEventFilter(shows)

    pane.first_painted.connect(watch)
    with qtbot.waitSignal(pane.updated):
        pane.show()
    assert pane.wait_until_ready(TIMEOUT_S)
    with qtbot.waitSignal(pane.updated):
        pane.set_range("Last 30 days")
    assert pane.wait_until_ready(TIMEOUT_S)
    assert len(pane.volume.volume.days) == 30
    assert shows.count == 0
    pane.tasks.shutdown()
    ws.close()
