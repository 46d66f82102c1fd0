"""Dashboard fixes from a first-time user's walk: units, layout, empty states, exports."""

from __future__ import annotations

import pytest

from engage_desktop.ui.inbox.model import COL_PRIORITY
from tests.gui.conftest import dashboard_as_first_opened
from tests.gui.waiting import TIMEOUT_S


@pytest.fixture
def window(module_window):
    """The module's shared window (these tests look, resize, export and drill down)."""
    return module_window


@pytest.fixture
def dash(window, qtbot):
    return dashboard_as_first_opened(window, qtbot)


def test_response_chart_has_one_unit_per_axis_from_zero(dash):
    chart = dash.response
    left = chart.median_plot.getAxis("left").labelText
    assert "wall-clock hours" in left
    assert "wall-clock" in chart.hist.getAxis("bottom").labelText
    # The SLA counts business hours: no line of it on the wall-clock axis …
    view = chart.median_plot.getViewBox()
    lines = [i for i in view.addedItems if type(i).__name__ == "InfiniteLine"]
    assert lines == []
    # … it is the within/breached split, labelled in its own unit.
    labels = [box.text() for box in chart.legend.boxes.values()]
    assert any("business h" in text for text in labels)
    low, high = chart.median_plot.getViewBox().viewRange()[1]
    assert low == 0 and high > 0


def test_a_drill_down_is_a_removable_chip_that_sorting_keeps(window, dash):
    from PySide6.QtCore import Qt

    from engage_desktop.dashboard.spikes import Episode

    inbox = window.inbox
    item = next(
        dash.alerts_list.item(i)
        for i in range(dash.alerts_list.count())
        if isinstance(dash.alerts_list.item(i).data(Qt.ItemDataRole.UserRole), Episode)
    )
    episode = item.data(Qt.ItemDataRole.UserRole)
    dash.alerts_list.itemClicked.emit(item)
    assert window.settle(TIMEOUT_S)
    n = episode.mentions
    chip = inbox.filter_bar.drill_chip
    assert window.pages.currentWidget() is inbox and inbox.model.rowCount() == n
    assert chip.isVisible()
    assert chip.text().startswith(f"Spike {episode.start:%d %b %H:%M}") and chip.text().endswith(
        "✕"
    )
    if episode.kind == "negative_spike":
        assert "· negative" in chip.text()
    # The header says what is shown.
    assert inbox.subtitle.text().startswith(f"{n:,} mentions · Spike {episode.start:%d %b}")
    # Sorting keeps the drill-down.
    inbox._header_clicked(COL_PRIORITY)
    assert window.settle(TIMEOUT_S)
    assert inbox.model.filter.sort != "time" and inbox.model.rowCount() == n and chip.isVisible()
    # Clear filters removes it, and so does its ✕.
    inbox.filter_bar.clear()
    assert window.settle(TIMEOUT_S)
    assert not chip.isVisible() and inbox.model.rowCount() > n
    dash.alerts_list.itemClicked.emit(item)
    assert window.settle(TIMEOUT_S)
    assert inbox.model.rowCount() == n
    chip.click()
    assert window.settle(TIMEOUT_S)
    assert not chip.isVisible() and inbox.model.rowCount() > n


def test_cards_reflow_to_the_window_width_nothing_cut_off(window, dash, qtbot):
    for width, columns in ((1024, 1), (1920, 2), (1024, 1)):
        window.resize(width, 900)
        qtbot.waitUntil(lambda c=columns: dash.columns == c)
        qtbot.waitUntil(
            lambda: dash.content.minimumSizeHint().width() <= dash.scroll.viewport().width()
        )
        assert not dash.scroll.horizontalScrollBar().isVisible()
    top = {card: card.geometry().top() for pair in dash.pairs for card in pair}
    assert top[dash.share] > top[dash.sentiment]  # stacked at 1024


def test_exported_chart_carries_title_range_legend_and_workspace(window, dash, tmp_path):
    from PySide6.QtGui import QImage

    card = dash.volume
    assert card.export_caption.startswith(window.ws.name)
    assert "(UTC)" in card.export_caption  # the date range shown
    labels = [label for label, _color, _count in card.legend_entries()]
    assert labels == ["Negative", "Neutral", "Positive", "Unscored"]
    out = card.export(tmp_path / "volume.png")
    image = QImage(str(out))
    # Title, caption and legend above the chart itself, which is drawn 2x the widget.
    assert image.width() >= 1200 and image.height() > card.graphics.height() * 2
    # The top band (title and caption) is text on white, not a control.
    assert image.pixelColor(image.width() - 5, 5).name() == "#ffffff"


def test_spike_labels_on_weekly_bars_name_dates_not_counts(dash):
    chart = dash.volume
    assert chart.episodes, "the demo has spikes"
    chart._draw("day")
    assert all(t.textItem.toPlainText().startswith("Spike: ") for t in chart.mark_labels)
    chart._draw("week")
    texts = [t.textItem.toPlainText() for t in chart.mark_labels]
    assert texts and not any(":" in t for t in texts)
    starts, ends, _ = chart.buckets
    for label in chart.mark_labels:  # at the centre of its week's bar
        x = label.pos().x()
        assert any(abs(x - (a + b) / 2) < 1 for a, b in zip(starts, ends, strict=True))
