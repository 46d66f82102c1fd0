"""Dashboard fixes from a first-time user's walk: units, layout, empty states, exports."""

from __future__ import annotations

import pytest


@pytest.fixture
def dash(window, qtbot):
    window.show_view("dashboard")
    pane = window.dashboard
    assert pane.wait_until_ready()
    return pane


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
