"""A dashboard card: title, units, one or more pyqtgraph plots, a legend, a read-out.

Every card gives the same interactions: wheel/drag to zoom and pan, a hover
read-out with exact numbers, a legend whose check boxes show and hide series and
whose counts open the inbox on that series, *Reset view*, and export to PNG or SVG.
Cards only draw: the numbers come from ``engage_desktop.dashboard.analytics*``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFrame,
    QGraphicsGridLayout,
    QGraphicsItem,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engage_desktop.dashboard.analytics import ChartElement
from engage_desktop.ui.safe_text import plain_tooltip

pg.setConfigOptions(antialias=True, background="w", foreground="#374151")

AXIS_PEN = pg.mkPen("#9ca3af")
TEXT_COLOR = "#374151"
GRID_ALPHA = 0.18
CARD_STYLE = """
QFrame#card { background: white; border: 1px solid #e5e7eb; border-radius: 6px; }
QLabel#cardTitle { font-size: 14px; font-weight: 600; color: #111827; }
QLabel#cardUnit { color: #6b7280; }
QLabel#kpiValue { font-size: 24px; font-weight: 600; color: #111827; }
QLabel#readout { color: #111827; font-family: monospace; }
QToolButton#tool { border: 1px solid #e5e7eb; border-radius: 3px; padding: 2px 8px;
                   color: #374151; background: #f9fafb; }
QToolButton#tool:hover { background: #eef2ff; }
QPushButton#count { border: none; color: #2563eb; text-decoration: underline; padding: 0 2px; }
"""


def swatch(color: str, size: int = 12) -> QIcon:
    """A small square of ``color`` for legends."""
    pix = QPixmap(size, size)
    pix.fill(QColor(color))
    return QIcon(pix)


def day_text(epoch_s: float, unit: str = "day") -> str:
    """A bucket's start as an executive reads it."""
    moment = datetime.fromtimestamp(float(epoch_s), UTC)
    if unit == "week":
        return f"week of {moment:%d %b %Y}"
    if unit == "month":
        return f"{moment:%B %Y}"
    return f"{moment:%a %d %b %Y}"


class CountAxis(pg.AxisItem):
    """An axis that writes 2,000,000 as 2M, never 2e+06."""

    def __init__(self, orientation: str) -> None:
        super().__init__(orientation)
        # Major ticks only: short labels would otherwise crowd every minor tick, and the
        # minor grid lines cost three quarters of each frame while zooming (30 -> 120 fps).
        self.setStyle(maxTickLevel=0, maxTextLevel=0)

    def tickStrings(self, values, scale, spacing):  # pyqtgraph names it so
        return [compact(v * scale) for v in values]

    def tickSpacing(self, minVal, maxVal, size):  # pyqtgraph names it so
        """pyqtgraph's spacing, widened until labels such as "8,000" cannot overlap.

        pyqtgraph keeps at least two intervals whatever the axis length, so a narrow
        bar chart wrote "2,0004,0006,000".
        """
        levels = super().tickSpacing(minVal, maxVal, size)
        if not levels or not size:
            return levels
        interval = levels[0][0]
        gap = MIN_TICK_PX[self.orientation]
        while abs(maxVal - minVal) / interval * gap > size:
            interval = next_nice(interval)
        return [(interval, 0)]


# Pixels between major ticks on count axes: room for a label such as "12,345".
MIN_TICK_PX = {"bottom": 64, "top": 64, "left": 26, "right": 26}


def next_nice(interval: float) -> float:
    """The next of 1, 2, 5, 10, 20, 50… times a power of ten after ``interval``."""
    exponent = math.floor(math.log10(interval))
    unit = 10.0**exponent
    mantissa = interval / unit
    for step in (2, 5, 10):
        if step > mantissa + 1e-9:
            return step * unit
    return 20 * unit


def compact(value: float) -> str:
    """12,345,678 -> 12.3M (for axis-sized numbers)."""
    # Thousands stay whole up to 9,999: "2,500" reads better than "2.5k".
    for limit, size, suffix in ((1e9, 1e9, "B"), (1e6, 1e6, "M"), (1e4, 1e3, "k")):
        if abs(value) >= limit:
            text = f"{value / size:.1f}".rstrip("0").rstrip(".")
            return f"{text}{suffix}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


class ChartPlot(pg.GraphicsWidget):
    """A view box with a left and a bottom axis: the part of a PlotItem the cards use.

    pyqtgraph's PlotItem also builds, for every plot, its options menu (a Qt Designer
    form of transforms, averaging and downsampling controls) and four axes. The
    cards show two axes and no such menu (reset and export are card buttons), and
    that extra building was two thirds of a plot's construction: about 60 ms of the
    dashboard's opening for its 13 plots.
    """

    def __init__(self, axes: dict[str, pg.AxisItem] | None = None) -> None:
        super().__init__()
        self.vb = pg.ViewBox(parent=self, enableMenu=False)
        grid = QGraphicsGridLayout()
        grid.setContentsMargins(1, 1, 1, 1)
        grid.setHorizontalSpacing(0)
        grid.setVerticalSpacing(0)
        self.setLayout(grid)
        grid.addItem(self.vb, 0, 1)
        self.axes: dict[str, pg.AxisItem] = {}
        for name, (row, col) in (("left", (0, 0)), ("bottom", (1, 1))):
            axis = (axes or {}).get(name) or pg.AxisItem(name)
            axis.linkToView(self.vb)
            grid.addItem(axis, row, col)
            # As PlotItem does: axes above images, below items that draw over them.
            axis.setZValue(0.5)
            axis.setFlag(QGraphicsItem.GraphicsItemFlag.ItemNegativeZStacksBehindParent)
            self.axes[name] = axis
        for i in range(2):
            grid.setRowSpacing(i, 0)
            grid.setColumnSpacing(i, 0)
        grid.setRowStretchFactor(0, 100)
        grid.setColumnStretchFactor(1, 100)
        vb = self.vb
        self.setXRange, self.setYRange, self.setXLink = vb.setXRange, vb.setYRange, vb.setXLink
        self.setMouseEnabled, self.invertY, self.enableAutoRange = (
            vb.setMouseEnabled,
            vb.invertY,
            vb.enableAutoRange,
        )

    def getViewBox(self) -> pg.ViewBox:  # pyqtgraph's name
        """The plot's view box."""
        return self.vb

    def getAxis(self, name: str) -> pg.AxisItem:  # pyqtgraph's name
        """The "left" or "bottom" axis."""
        return self.axes[name]

    def addItem(self, item, ignoreBounds: bool = False) -> None:  # pyqtgraph's name
        """Add a graphics item to the view."""
        self.vb.addItem(item, ignoreBounds=ignoreBounds)

    def removeItem(self, item) -> None:  # pyqtgraph's name
        """Remove a graphics item from the view."""
        self.vb.removeItem(item)

    def setLabel(self, axis: str, text: str, **style) -> None:  # pyqtgraph's name
        """The title of an axis."""
        self.axes[axis].setLabel(text=text, **style)

    def showGrid(self, x: bool = False, y: bool = False, alpha: float = 0.3) -> None:
        """Grid lines across the view at the axes' major ticks."""
        value = int(max(0.0, min(alpha, 1.0)) * 255)
        self.axes["bottom"].setGrid(value if x else False)
        self.axes["left"].setGrid(value if y else False)


def style_plot(plot: ChartPlot, left: str = "", bottom: str = "") -> None:
    """Axes, grid and labels in the app's quiet style."""
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(AXIS_PEN)
        axis.setTextPen(pg.mkPen(TEXT_COLOR))
        axis.enableAutoSIPrefix(False)
    if left:
        plot.setLabel("left", left, color=TEXT_COLOR)
    if bottom:
        plot.setLabel("bottom", bottom, color=TEXT_COLOR)
    plot.showGrid(x=False, y=True, alpha=GRID_ALPHA)
    # Grid lines at major ticks only (minor ones are slow to paint and add nothing).
    plot.getAxis("left").setStyle(maxTickLevel=0)


class LegendBar(QWidget):
    """Check boxes that toggle series, each with a count that drills down."""

    toggled = Signal(str, bool)
    drill = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(10)
        self._layout.addStretch(1)
        self.boxes: dict[str, QCheckBox] = {}
        self.counts: dict[str, QPushButton] = {}
        self._colors: dict[str, str] = {}

    def set_entries(self, entries: list[tuple[str, str, str, float | None]]) -> None:
        """(key, label, colour, count or None) per series; keeps check states by key."""
        for key in list(self.boxes):
            if key not in {e[0] for e in entries}:
                self.boxes.pop(key).deleteLater()
                self.counts.pop(key).deleteLater()
                self._colors.pop(key, None)
        for pos, (key, label, color, count) in enumerate(entries):
            box = self.boxes.get(key)
            if box is None:
                box = QCheckBox(label)
                box.setChecked(True)
                box.setToolTip(plain_tooltip(f"Show or hide {label}"))
                box.toggled.connect(lambda on, k=key: self.toggled.emit(k, on))
                link = QPushButton()
                link.setObjectName("count")
                link.setCursor(Qt.CursorShape.PointingHandCursor)
                link.setToolTip(plain_tooltip(f"Open the inbox on these {label} mentions"))
                link.clicked.connect(lambda _=False, k=key: self.drill.emit(k))
                self.boxes[key], self.counts[key] = box, link
                self._layout.insertWidget(2 * pos, box)
                self._layout.insertWidget(2 * pos + 1, link)
                # Explicit (so isHidden() below is too), once parented: on a widget
                # without a parent, setVisible(True) opens a window of its own. In a
                # card still hidden, a box not shown explicitly counts as hidden: the
                # card's size would leave it out until the card is shown.
                box.setVisible(True)
                link.setVisible(count is not None)
            # Only what changed: a new text or icon re-lays out the whole card.
            if box.text() != label:
                box.setText(label)
            if self._colors.get(key) != color:
                self._colors[key] = color
                box.setIcon(swatch(color))
            link = self.counts[key]
            text = f"{count:,.0f}" if count is not None else ""
            if link.text() != text:
                link.setText(text)
            if link.isHidden() != (count is None):
                link.setVisible(count is not None)

    def is_shown(self, key: str) -> bool:
        """Whether the series ``key`` is checked."""
        box = self.boxes.get(key)
        return box is None or box.isChecked()


class ChartCard(QFrame):
    """One chart with its title, units, tools, legend and read-out."""

    element_clicked = Signal(object)  # a ChartElement
    data_export_requested = Signal(str)  # "csv" or "xlsx": the card's numbers as a table

    def __init__(self, title: str, unit: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        # CARD_STYLE is set once on the dashboard pane: a style sheet per card made
        # Qt polish every card's widgets separately (a tenth of the first paint).
        self.setMinimumHeight(300)
        self.title = QLabel(title)
        self.title.setObjectName("cardTitle")
        self.unit = QLabel(unit)
        self.unit.setTextFormat(Qt.TextFormat.PlainText)
        self.unit.setObjectName("cardUnit")
        self.unit.setWordWrap(True)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.graphics.ci.setContentsMargins(4, 4, 8, 4)
        # Hidden (in its place) until the first numbers: empty axes painted while the
        # opening's reads ran were painted again as their ranges settled, taking the
        # processors from those reads.
        policy = self.graphics.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.graphics.setSizePolicy(policy)
        self.graphics.hide()
        self.legend = LegendBar()
        # Hover read-outs name authors, sources and terms: outside text, shown literally.
        self.readout = QLabel(" ")
        self.readout.setTextFormat(Qt.TextFormat.PlainText)
        self.readout.setObjectName("readout")
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.plots: list[ChartPlot] = []

        #: What an exported image says besides the chart: workspace · range · topic.
        self.export_caption = ""
        self.tool_buttons: list[QToolButton] = []
        tools = QHBoxLayout()
        tools.setSpacing(4)
        for text, tip, slot in (
            ("Reset view", "Show everything again", self.reset_view),
            ("PNG", "Export this chart as a PNG image", lambda: self._export_dialog("png")),
            ("SVG", "Export this chart as an SVG drawing", lambda: self._export_dialog("svg")),
        ):
            button = QToolButton()
            button.setObjectName("tool")
            button.setText(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            tools.addWidget(button)
            self.tool_buttons.append(button)
        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.title)
        titles.addWidget(self.unit)
        header.addLayout(titles, 1)
        header.addLayout(tools)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.legend)
        layout.addWidget(self.graphics, 1)
        layout.addWidget(self.readout)
        # Right-click anywhere on the card (the plot's own menu gives way to ours).
        for widget in (self, self.graphics):
            widget.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            widget.customContextMenuRequested.connect(
                lambda pos, w=widget: self.show_data_menu(w.mapToGlobal(pos))
            )
        self.legend.toggled.connect(self.set_series_visible)
        self.legend.drill.connect(self.on_legend_drill)
        self.graphics.scene().sigMouseMoved.connect(self._on_move)
        self.graphics.viewport().installEventFilter(self)
        self.graphics.scene().sigMouseClicked.connect(self._on_click)

    def data_menu(self) -> QMenu:
        """The right-click menu: this card's numbers as CSV or Excel."""
        menu = QMenu(self)
        for fmt, text in (("csv", "Export data as CSV…"), ("xlsx", "Export data as Excel…")):
            action = menu.addAction(text)
            action.triggered.connect(lambda _=False, f=fmt: self.data_export_requested.emit(f))
        return menu

    def show_data_menu(self, global_pos) -> None:
        """Show :meth:`data_menu` at a screen position."""
        self._menu = self.data_menu()
        self._menu.popup(global_pos)

    # -- building ---------------------------------------------------------------------

    def add_plot(
        self, row: int = 0, col: int = 0, *, dates: bool = False, counts: str = "left"
    ) -> ChartPlot:
        """A plot in the card's layout (with a UTC date axis when ``dates``).

        ``counts`` names the axis that carries counts ("left", "bottom" or "").
        """
        axis: dict[str, pg.AxisItem] = {}
        if dates:
            axis["bottom"] = pg.DateAxisItem(utcOffset=0)
        if counts and counts not in axis:
            axis[counts] = CountAxis(counts)
        plot = ChartPlot(axis)
        self.graphics.ci.addItem(plot, row=row, col=col)
        style_plot(plot)
        self.plots.append(plot)
        return plot

    # -- interaction --------------------------------------------------------------------

    def _plot_at(self, scene_pos: QPointF) -> tuple[ChartPlot, QPointF] | None:
        for plot in self.plots:
            if plot.sceneBoundingRect().contains(scene_pos) and plot.isVisible():
                vb = plot.getViewBox()
                if vb.sceneBoundingRect().contains(scene_pos):
                    return plot, vb.mapSceneToView(scene_pos)
        return None

    def eventFilter(self, watched, event) -> bool:
        """Clear the read-out when the mouse leaves the chart."""
        if watched is self.graphics.viewport() and event.type() == QEvent.Type.Leave:
            self.readout.setText(" ")
        return super().eventFilter(watched, event)

    def _on_move(self, scene_pos: QPointF) -> None:
        hit = self._plot_at(scene_pos)
        text = self.hover_text(hit[0], hit[1].x(), hit[1].y()) if hit else None
        self.readout.setText(text or " ")

    def _on_click(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or event.double():
            return
        hit = self._plot_at(event.scenePos())
        if hit is None:
            return
        element = self.element_at(hit[0], hit[1].x(), hit[1].y())
        if element is not None:
            self.element_clicked.emit(element)

    def hover_text(self, plot: ChartPlot, x: float, y: float) -> str | None:
        """The read-out for a point of ``plot`` (subclasses)."""
        return None

    def element_at(self, plot: ChartPlot, x: float, y: float) -> ChartElement | None:
        """The chart element under a click (subclasses)."""
        return None

    def set_series_visible(self, key: str, shown: bool) -> None:
        """Show or hide one series (subclasses)."""

    def on_legend_drill(self, key: str) -> None:
        """A legend count was clicked (subclasses emit an element)."""

    def show_update(self) -> None:
        """Show the chart (hidden until its first numbers) in its settled view ranges.

        Called at the end of every ``set_data``. The plots' pending auto-ranges are
        applied now: pyqtgraph applies them while it paints, and a range that moved
        there asks for a second paint of the whole chart. So new numbers paint once.
        """
        if self.graphics.isHidden():
            self.graphics.show()
        for plot in self.plots:
            plot.getViewBox().prepareForPaint()

    def reset_view(self) -> None:
        """Zoom out to everything."""
        for plot in self.plots:
            plot.getViewBox().autoRange()
            plot.enableAutoRange()

    # -- export -------------------------------------------------------------------------

    def export(self, path: str | Path) -> Path:
        """Write the chart to ``path``: PNG or SVG by its suffix."""
        from pyqtgraph import exporters

        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".svg":
            self._export_svg(path)
            return path
        if suffix != ".png":
            raise ValueError("export to .png or .svg")
        exporter = exporters.ImageExporter(self.graphics.scene())
        exporter.parameters()["width"] = max(1200, int(self.graphics.width() * 2))
        chart = exporter.export(toBytes=True)
        if not self.client_ready(chart).save(str(path)):
            raise OSError(f"could not write {path}")
        return path

    def legend_entries(self) -> list[tuple[str, str, str]]:
        """(label, colour, count text) of the series shown, for exported images."""
        legend = self.legend
        return [
            (box.text(), legend._colors.get(key, "#6b7280"), legend.counts[key].text())
            for key, box in legend.boxes.items()
            if box.isChecked()
        ]

    def client_ready(self, chart: QImage) -> QImage:
        """The chart under its title, range, legend and workspace name; no controls."""
        scale = chart.width() / 1200
        pad = int(24 * scale)
        title_font, text_font = QFont(), QFont()
        title_font.setPixelSize(int(26 * scale))
        title_font.setBold(True)
        text_font.setPixelSize(int(16 * scale))
        line = QFontMetrics(text_font).height()
        caption = " · ".join(t for t in (self.export_caption, self.unit.text()) if t)
        caption_rect = QRectF(pad, 0, chart.width() - 2 * pad, 10_000)
        caption_h = (
            QFontMetrics(text_font)
            .boundingRect(caption_rect.toRect(), int(Qt.TextFlag.TextWordWrap), _plain(caption))
            .height()
        )
        top = pad + QFontMetrics(title_font).height() + int(6 * scale) + caption_h
        legend_y = top + int(10 * scale)
        chart_y = legend_y + line + int(12 * scale)
        image = QImage(chart.width(), chart_y + chart.height() + pad, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QColor("#111827"))
        painter.setFont(title_font)
        painter.drawText(pad, pad + QFontMetrics(title_font).ascent(), self.title.text())
        painter.setFont(text_font)
        painter.setPen(QColor("#4b5563"))
        caption_rect.moveTop(pad + QFontMetrics(title_font).height() + int(6 * scale))
        painter.drawText(caption_rect, int(Qt.TextFlag.TextWordWrap), _plain(caption))
        x = pad
        metrics = QFontMetrics(text_font)
        for label, color, count in self.legend_entries():
            painter.fillRect(int(x), int(legend_y + line * 0.2), int(line * 0.6), int(line * 0.6),
                             QColor(color))  # fmt: skip
            x += line * 0.8
            text = f"{label} {count}".strip()
            painter.setPen(QColor("#111827"))
            painter.drawText(int(x), int(legend_y + metrics.ascent()), text)
            x += metrics.horizontalAdvance(text) + line
        painter.drawImage(0, chart_y, chart)
        painter.end()
        return image

    def _export_svg(self, path: Path) -> None:
        """Vector SVG through Qt's own SVG painter.

        pyqtgraph's SVGExporter cannot parse the path data Qt 6.11 writes (it fails
        with "not enough values to unpack"), so the scene is painted into a
        QSvgGenerator instead: same drawing, real vectors and text.
        """
        from PySide6.QtCore import QRectF, QSize
        from PySide6.QtGui import QPainter
        from PySide6.QtSvg import QSvgGenerator

        view = self.graphics
        rect = QRectF(view.viewport().rect())
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setSize(QSize(int(rect.width()), int(rect.height())))
        generator.setViewBox(rect)
        generator.setTitle(self.title.text())
        generator.setDescription(self.unit.text())
        painter = QPainter(generator)
        try:
            view.render(painter, rect, view.viewport().rect())
        finally:
            painter.end()

    def _export_dialog(self, kind: str) -> None:
        name = self.title.text().lower().replace(" ", "-")
        path, _ = QFileDialog.getSaveFileName(
            self,
            f"Export {self.title.text()}",
            str(Path.home() / f"{name}.{kind}"),
            f"{kind.upper()} (*.{kind})",
        )
        if path:
            if not path.lower().endswith(f".{kind}"):
                path += f".{kind}"
            self.export(path)


def _plain(text: str) -> str:
    """A caption without the card's bold markup."""
    return re.sub(r"<[^>]+>", "", text)


def nearest_index(xs: np.ndarray, x: float) -> int | None:
    """Index of the bucket starting at or before ``x`` (None outside)."""
    if not len(xs):
        return None
    i = int(np.searchsorted(xs, x, side="right")) - 1
    return i if 0 <= i < len(xs) else None


def left_axis_width(axis: pg.AxisItem, widest: tuple[str, ...]) -> float:
    """The width pyqtgraph would give a left axis whose widest tick label is in ``widest``.

    As AxisItem sizes itself: tick text, the gap to it, the ticks and the title.
    """
    metrics = QFontMetrics(axis.style["tickFont"] or QFont())
    text = max(metrics.horizontalAdvance(label) for label in widest)
    title = axis.label.boundingRect().height() * 0.8 if axis.label.isVisible() else 0.0
    return text + axis.style["tickTextOffset"][0] + max(0, axis.style["tickLength"]) + title


def set_category_ticks(axis: pg.AxisItem, labels: list[str], width: int = 190) -> None:
    """Row labels on a horizontal-bar chart's left axis (first row on top).

    pyqtgraph drops a tick label wider than the axis, so each label is elided to the
    axis width as the axis font measures it.
    """
    metrics = QFontMetrics(axis.style["tickFont"] or QFont())
    room = width - axis.style["tickTextOffset"][0] - 8
    elide = Qt.TextElideMode.ElideRight
    axis.setTicks([[(i, metrics.elidedText(t, elide, room)) for i, t in enumerate(labels)], []])
    axis.setWidth(width)


Formatter = Callable[[float], str]
