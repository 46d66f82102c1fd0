"""The dashboard: global selectors, headline figures, interactive charts and alerts.

The pane only starts work and draws results: the numbers come from the Qt-free
analytics services, computed on the TaskRunner's threads. A click on any chart
element emits :attr:`DashboardPane.drill_requested` with the exact
:class:`~engage_desktop.inbox.pager.MentionQuery` behind it; the main window
shows it in the inbox.

The pane is composed of its parts, one module each: the card grid and its
paint-first order (``card_layout.py``), the range and topic selectors
(``selectors.py``), the reads and draws (``loading.py``), the drill-downs and
exports (``actions.py``) and the headline tiles (``tiles.py``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from engage_desktop.dashboard.analytics import DashboardFilter
from engage_desktop.dashboard.session import ChartNumbers, DashboardData, DashboardSession, Rankings
from engage_desktop.ui.dashboard.actions import DashboardActions, describe, spike_label
from engage_desktop.ui.dashboard.card_layout import CARD_NAMES, LOWER_CARDS, CardLayout
from engage_desktop.ui.dashboard.chart_card import CARD_STYLE, ChartCard
from engage_desktop.ui.dashboard.loading import DashboardLoading
from engage_desktop.ui.dashboard.model_card import ModelCard
from engage_desktop.ui.dashboard.notify import Notifier
from engage_desktop.ui.dashboard.selectors import ALL_TOPICS, DEFAULT_RANGE, RANGES, Selectors
from engage_desktop.ui.dashboard.tiles import AgreementTile, KpiTile
from engage_desktop.ui.dashboard.time_charts import SentimentChart, ShareOfVoiceChart, VolumeChart
from engage_desktop.ui.empty_state import EmptyState
from engage_desktop.ui.tasks import TaskRunner
from engage_desktop.workspace.database import Workspace

# Where they were before the pane was split (the window, tests and benchmarks import them).
__all__ = [
    "ALL_TOPICS", "CARD_NAMES", "DEFAULT_RANGE", "LOWER_CARDS", "RANGES",
    "AgreementTile", "DashboardPane", "KpiTile", "describe", "spike_label",
]  # fmt: skip


class DashboardPane(CardLayout, Selectors, DashboardLoading, DashboardActions, QWidget):
    """Every chart of the workspace, following one date range and one topic."""

    drill_requested = Signal(object, str)  # MentionQuery, a description for the status bar
    empty_action = Signal(str)  # a button of the empty state: add_source, import, brief
    # The headline figures and the charts of the first screen are painted (on opening;
    # for a later range or topic: drawn, and painted with the rest).
    first_painted = Signal()
    updated = Signal()  # the main charts show the current filter
    extras_updated = Signal()  # rising terms and spike marks are drawn

    def __init__(
        self,
        ws: Workspace,
        parent: QWidget | None = None,
        tasks: TaskRunner | None = None,
        notifier: Notifier | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        # Every card's look, set once on the widget that holds the cards (a sheet per
        # card re-polishes each one; on the content, a rendering of the content alone,
        # as `python -m engage_desktop.ui.dashboard --png` makes, keeps it too).
        self.content = QWidget()
        self.content.setObjectName("page")
        self.content.setStyleSheet(CARD_STYLE)
        self.ws = ws
        self.tasks = tasks or TaskRunner(self)
        # Captions say whose data: the file's name until the workspace's is read.
        self.workspace_name = ws.path.stem
        self.session: DashboardSession | None = None
        self.agreement_data = None  # our scorer vs the imported tool's, for the range
        self.data: DashboardData | None = None
        self.filter = DashboardFilter()
        # The two halves of the current request, drawn as each arrives.
        self._charts: ChartNumbers | None = None
        self._ranks: Rankings | None = None
        # The window's, which checks the alerts (MainWindow.check_alerts).
        self.notifier = notifier or Notifier(self)
        self.last_seconds = 0.0
        self._started = 0.0
        self._request = 0
        self._extras_pending: int | None = None
        # Parented, so it dies with the pane; single-shot, restarted per result.
        self._extras_timer = QTimer(self)
        self._extras_timer.setSingleShot(True)
        self._extras_timer.timeout.connect(self._start_extras)
        # The charts in view are drawn and painted first; the cards below them after
        # that paint (_on_top_painted). The request waiting for that paint, if any:
        self._paint_request: int | None = None
        self._top_painted = False
        self._awaiting_draw: int | None = None  # a request not yet wholly drawn
        self._lower_timer = QTimer(self)
        self._lower_timer.setSingleShot(True)
        self._lower_timer.timeout.connect(self._paint_missed)

        title = QLabel("Dashboard")
        title.setObjectName("title")
        self.subtitle = QLabel("Loading…")
        self.subtitle.setTextFormat(Qt.TextFormat.PlainText)  # error texts, topic names
        self.subtitle.setObjectName("subtitle")
        self.subtitle.setWordWrap(True)
        selectors = self._build_selectors()

        # Built now (the model check of the window reports to it), placed with the
        # cards below the first screen.
        self.model_card = ModelCard()
        # Start reading the workspace now: DuckDB works on a pool thread while the
        # charts below are built (results arrive through queued signals, afterwards).
        self.refresh()

        self.kpis = {
            key: KpiTile(caption)
            for key, caption in (
                ("mentions", "mentions in range"),
                ("net", "net sentiment (positive − negative share)"),
                ("sov", "brand share of voice"),
                ("sla", "answered within SLA"),
                ("backlog", "awaiting a first reply now"),
            )
        }
        self.agreement = AgreementTile()
        self.agreement.clicked.connect(self.drill_disagreements)
        self.kpis["agreement"] = self.agreement
        kpi_row = QHBoxLayout()
        kpi_row.setSpacing(10)
        for tile in self.kpis.values():
            kpi_row.addWidget(tile)

        # Every card is built now and has its place in the grid from the start (see
        # card_layout.py); a chart stays hidden in its card until its first numbers.
        self.volume = VolumeChart()
        self.sentiment = SentimentChart()
        self.share = ShareOfVoiceChart()
        self.cards: list[ChartCard] = []
        for card in (self.volume, self.sentiment, self.share):
            self._adopt(card)
        for name, cls in LOWER_CARDS:
            self._lower_card(name, cls)
        self.alerts_card = self._alerts_card()
        self.placed = False  # the lower cards have their numbers

        grid = QGridLayout()
        grid.setSpacing(12)
        grid.addLayout(kpi_row, 0, 0, 1, 2)
        grid.addWidget(self.volume, 1, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.grid = grid
        self.pairs: list[tuple[ChartCard, ChartCard]] = [
            (self.sentiment, self.share),
            (self.response, self.backlog),
            (self.authors, self.advocates),
            (self.channels, self.terms),
        ]
        self.columns = 0
        self._place_cards(2)
        self.content.setLayout(grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        # The page is taller than a screen once the lower cards are in: a scroll bar
        # appearing then would narrow, re-lay out and repaint every card in view.
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        scroll.setWidget(self.content)
        self.scroll = scroll
        scroll.viewport().installEventFilter(self)
        self.volume.graphics.viewport().installEventFilter(self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(title)
        layout.addWidget(self.subtitle)
        layout.addLayout(selectors)
        layout.addWidget(scroll, 1)
        # An empty workspace shows what to do next instead of axes with nothing on them.
        self.empty = EmptyState()
        self.empty.action.connect(self.empty_action)
        layout.addWidget(self.empty, 1)

        self.range_box.currentIndexChanged.connect(self._on_range_choice)
        self.topic_box.currentIndexChanged.connect(lambda _: self.apply_filter())

    # -- nothing to chart ------------------------------------------------------------------

    def _show_empty_state(self, shown: int) -> None:
        """Charts when there is something to chart; else what to do next."""
        if shown:
            # Only a change: show() on the page never shown explicitly (it was visible
            # with the pane) sent every card a show event and laid each out again,
            # and every chart in view was painted a second time, after each update.
            if not self.empty.isHidden():
                self.empty.hide()
            if self.scroll.isHidden():
                self.scroll.show()
            return
        if self.session is None or self.session.cube.bounds is None:  # no mentions at all
            self.empty.show_message(
                "Nothing to measure yet",
                "Volume, sentiment, share of voice and response times appear here once "
                "mentions arrive: add a source to listen to, import mentions, or start "
                "from a brief with your brand and competitors.",
                ("add_source", "import", "brief") if not self.ws.read_only else (),
            )
        else:
            self.empty.show_message(
                "No mentions in this range",
                "Choose a longer range or another topic above.",
                (),
            )
        self.scroll.hide()
