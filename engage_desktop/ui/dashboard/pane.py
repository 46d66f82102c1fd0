"""The dashboard: interactive pyqtgraph charts of the workspace."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from engage_desktop.storage.mentions import daily_volume
from engage_desktop.storage.workspace import Workspace
from engage_desktop.ui.theme import ACCENT

pg.setConfigOptions(antialias=True, background="w", foreground="#374151")


class DashboardPane(QWidget):
    """Daily mention volume, with zoom, pan and a hover read-out."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.ws = ws
        title = QLabel("Dashboard")
        title.setObjectName("title")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("subtitle")
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(utcOffset=0)})
        self.plot.setTitle("Mentions per day (UTC)", color="#111827", size="12pt")
        self.plot.setLabel("left", "Mentions per day")
        self.plot.setLabel("bottom", "Date")
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        self.plot.setMouseEnabled(x=True, y=False)
        self.plot.getPlotItem().getViewBox().setLimits(yMin=0)
        self.readout = QLabel("Hover over the chart to read a day's volume.")
        self.readout.setObjectName("subtitle")
        self._bars: pg.BarGraphItem | None = None
        self._days = np.empty(0)
        self._counts = np.empty(0)
        self.plot.scene().sigMouseMoved.connect(self._on_mouse)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.readout)
        self.refresh()

    def refresh(self) -> None:
        """Re-read the numbers and redraw."""
        rows = daily_volume(self.ws)
        self._days = np.array([float(d) for d, _ in rows])
        self._counts = np.array([float(c) for _, c in rows])
        if self._bars is not None:
            self.plot.removeItem(self._bars)
        self._bars = pg.BarGraphItem(
            x=self._days + 43200, height=self._counts, width=86400 * 0.8, brush=ACCENT, pen=None
        )
        self.plot.addItem(self._bars)
        total = int(self._counts.sum())
        span = len(rows)
        self.subtitle.setText(f"{total:,} mentions over {span} days")
        if span:
            self.plot.setXRange(self._days[0], self._days[-1] + 86400, padding=0.01)
            self.plot.setYRange(0, float(self._counts.max()) * 1.08, padding=0)

    def _on_mouse(self, pos) -> None:
        if not len(self._days):
            return
        point = self.plot.getPlotItem().getViewBox().mapSceneToView(pos)
        i = int(np.searchsorted(self._days, point.x(), side="right")) - 1
        if 0 <= i < len(self._days):
            from datetime import UTC, datetime

            day = datetime.fromtimestamp(self._days[i], UTC)
            self.readout.setText(f"{day:%a %d %b %Y}: {int(self._counts[i]):,} mentions")
