"""The dashboard pane is built the first time it is shown: start-up does not pay for it.

Until then the window holds its place in the page stack and checks the dashboard's
alerts itself, so a spike still notifies while the analyst works in the inbox.
"""

from __future__ import annotations

import os
import subprocess
import sys

from engage_desktop.dashboard.analytics import ChartElement
from engage_desktop.dashboard.spikes import backtest, default_rules
from engage_desktop.ui.dashboard.pane import DashboardPane
from engage_desktop.ui.main_window import VIEWS
from tests.gui.waiting import TIMEOUT_S


def test_the_dashboard_is_built_when_first_shown_and_works(window, qtbot):
    assert window._dashboard is None
    assert not isinstance(window.pages.widget(VIEWS.index("dashboard")), DashboardPane)
    window.show_view("composer")
    assert window._dashboard is None

    window.show_view("dashboard")
    pane = window._dashboard
    assert isinstance(pane, DashboardPane)
    assert window.pages.currentWidget() is pane is window.dashboard
    assert window.pages.count() == len(VIEWS)
    assert pane.wait_until_ready(TIMEOUT_S)
    # Its drill-down reaches the inbox: the window connected it when building it.
    author = pane.data.authors.top[0]
    with qtbot.waitSignal(pane.drill_requested):
        pane.drill(ChartElement("author", key=author.key))
    assert window.pages.currentIndex() == VIEWS.index("inbox")
    assert window.inbox.model.rowCount() > 0
    window.show_view("dashboard")
    assert window.dashboard is pane  # built once


def test_asking_for_the_dashboard_builds_it_without_switching_views(window):
    window.show_view("feeds")
    pane = window.dashboard
    assert isinstance(pane, DashboardPane)
    assert window.pages.currentIndex() == VIEWS.index("feeds")
    assert window.pages.widget(VIEWS.index("dashboard")) is pane


def test_an_unbuilt_dashboard_still_checks_its_alerts(window, qtbot):
    volume = next(r for r in default_rules() if r.kind == "volume_spike")
    outage = backtest(window.ws, volume)[0].start
    # The check after a fetch looks at the last three days: let the history end the
    # day after the demo's outage, as if the mentions had just arrived.
    with window.ws.write() as cur:
        cur.execute(
            "DELETE FROM mentions WHERE published > ?::TIMESTAMPTZ + INTERVAL 1 DAY", [outage]
        )
    window.mentions_arrived()
    qtbot.waitUntil(lambda: bool(window.alert_notifier.shown))
    assert window._dashboard is None
    title, body = window.alert_notifier.shown[0]
    assert "new alert" in title and "Volume spike" in body
    # The pane built later shares the window's notifier.
    assert window.dashboard.notifier is window.alert_notifier


def test_the_window_paints_before_importing_the_charts(demo_path, tmp_path):
    """pyqtgraph and numpy are imported after the first paint (``-X importtime``)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ENGAGE_DESKTOP_PAINT_TIME": "1"}
    shot = tmp_path / "inbox.png"
    cmd = [sys.executable, "-X", "importtime", "-m", "engage_desktop", str(demo_path)]
    proc = subprocess.run(
        [*cmd, "--view", "inbox", "--screenshot", str(shot)],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    before_paint = proc.stderr.split("first-paint-epoch:")[0]
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in before_paint.splitlines()
        if line.startswith("import time:")
    }
    assert "engage_desktop.ui.main_window" in imported
    assert not {"pyqtgraph", "numpy", "pyarrow", "pandas", "nltk"} & imported
    assert shot.stat().st_size > 0
