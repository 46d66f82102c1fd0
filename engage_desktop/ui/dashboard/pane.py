"""The dashboard: global selectors, headline figures, interactive charts and alerts.

The pane only starts work and draws results: the numbers come from the Qt-free
analytics services, computed on the TaskRunner's threads. A click on any chart
element emits :attr:`DashboardPane.drill_requested` with the exact
:class:`~engage_desktop.inbox.pager.MentionQuery` behind it; the main window
shows it in the inbox.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from functools import partial

from PySide6.QtCore import QCoreApplication, QDate, QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from engage_desktop.dashboard.analytics import ChartElement, DashboardFilter, mention_query
from engage_desktop.dashboard.session import (
    ChartNumbers,
    DashboardData,
    DashboardSession,
    Rankings,
)
from engage_desktop.dashboard.spikes import Episode, episode_query
from engage_desktop.ui.dashboard.chart_card import CARD_STYLE, ChartCard, day_text
from engage_desktop.ui.dashboard.model_card import ModelCard
from engage_desktop.ui.dashboard.notify import Notifier
from engage_desktop.ui.dashboard.rank_charts import (
    AdvocatesChart,
    ChannelsChart,
    TermsChart,
    TopAuthorsChart,
)
from engage_desktop.ui.dashboard.time_charts import (
    BacklogChart,
    ResponseChart,
    SentimentChart,
    ShareOfVoiceChart,
    VolumeChart,
)
from engage_desktop.ui.dashboard.work import (
    compute_charts,
    compute_extras,
    compute_rankings,
    load_rankings,
    load_session,
)
from engage_desktop.ui.empty_state import EmptyState
from engage_desktop.ui.tasks import TaskRunner
from engage_desktop.ui.theme import SENTIMENT_COLORS
from engage_desktop.workspace.database import Workspace

# The pane's name of each chart card's numbers (export_card_data), by card class.
CARD_NAMES = {
    "VolumeChart": "volume", "SentimentChart": "sentiment", "ShareOfVoiceChart": "share_of_voice",
    "ResponseChart": "response_time", "BacklogChart": "backlog", "TopAuthorsChart": "top_authors",
    "AdvocatesChart": "advocates", "ChannelsChart": "channels", "TermsChart": "terms",
}  # fmt: skip
# label, days (None: all time, 0: custom)
# The cards below the first screen (attribute, class), in page order.
LOWER_CARDS = (
    ("response", ResponseChart), ("backlog", BacklogChart), ("authors", TopAuthorsChart),
    ("advocates", AdvocatesChart), ("channels", ChannelsChart), ("terms", TermsChart),
)  # fmt: skip
RANGES = (
    ("Last 7 days", 7),
    ("Last 30 days", 30),
    ("Last 90 days", 90),
    ("Last 180 days", 180),
    ("All time", None),
    ("Custom…", 0),
)
DEFAULT_RANGE = 2
EXTRAS_DELAY_MS = 150
# If the charts in view are not painted by then (a window that gets no paint events),
# the cards below them are drawn anyway.
LOWER_FALLBACK_MS = 250
ALL_TOPICS = "All topics"


class KpiTile(QFrame):
    """A headline figure with a caption."""

    def __init__(self, caption: str) -> None:
        super().__init__()
        self.setObjectName("card")
        self._text = "–"
        self.value = QLabel("–")
        self.value.setObjectName("kpiValue")
        self.caption = QLabel(caption)
        self.caption.setObjectName("cardUnit")
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.setSpacing(0)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)

    def set(self, value: str, caption: str | None = None, color: str = "#111827") -> None:
        """Show a value (and optionally a new caption)."""
        self._text = value
        # Colour by rich text: a style sheet per update would re-polish the label.
        self.value.setText(f'<span style="color:{color}">{value}</span>')
        if caption is not None:
            self.caption.setText(caption)

    def text(self) -> str:
        """The figure shown, as plain text."""
        return self._text


class AgreementTile(KpiTile):
    """Our scorer against the imported tool's labels; a click lists where they disagree."""

    clicked = Signal()

    def __init__(self) -> None:
        super().__init__("agreement with the imported tool's sentiment")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Click to list the mentions where our label and theirs differ")
        self.hide()  # only workspaces with imported sentiment show it

    def mousePressEvent(self, event) -> None:  # Qt's name
        """A click drills into the disagreements."""
        self.clicked.emit()
        super().mousePressEvent(event)


class DashboardPane(QWidget):
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
        self._ranks_drawn = False
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
        self.range_box = QComboBox()
        for label, _ in RANGES:
            self.range_box.addItem(label)
        self.range_box.setCurrentIndex(DEFAULT_RANGE)
        self.range_box.setToolTip("The date range every chart shows (UTC days)")
        self.from_date = QDateEdit()
        self.to_date = QDateEdit()
        for edit in (self.from_date, self.to_date):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd MMM yyyy")
            edit.setVisible(False)
            edit.dateChanged.connect(self._on_custom_dates)
        self.topic_box = QComboBox()
        self.topic_box.addItem(ALL_TOPICS)
        self.topic_box.setToolTip("Only mentions of this topic, in every chart")
        self.topic_box.setMinimumWidth(140)
        refresh = QPushButton("Refresh")
        refresh.setToolTip("Re-read the workspace")
        refresh.clicked.connect(self.refresh)
        self.timing = QLabel()
        self.timing.setObjectName("subtitle")

        selectors = QHBoxLayout()
        selectors.addWidget(QLabel("Range"))
        selectors.addWidget(self.range_box)
        selectors.addWidget(self.from_date)
        selectors.addWidget(self.to_date)
        selectors.addSpacing(12)
        selectors.addWidget(QLabel("Topic"))
        selectors.addWidget(self.topic_box)
        selectors.addStretch(1)
        selectors.addWidget(self.timing)
        selectors.addWidget(refresh)

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

        # The charts of the first screen. Those below it and the alerts card are built
        # once these are painted (_build_lower): building, polishing and drawing them
        # first kept the charts in view from the screen for longer.
        self.volume = VolumeChart()
        self.sentiment = SentimentChart()
        self.share = ShareOfVoiceChart()
        self.cards: list[ChartCard] = []
        for card in (self.volume, self.sentiment, self.share):
            self._adopt(card)
        self.lower_built = False
        self.placed = False  # the lower cards are in the grid
        # Built one a turn while the numbers are read, the rest after the first paint.
        self._lower_steps = [
            *(partial(self._lower_card, name, cls) for name, cls in LOWER_CARDS),
            self._lower_alerts,
        ]
        self._idle_build = QTimer(self)
        self._idle_build.setInterval(0)
        self._idle_build.timeout.connect(self._build_step)
        self._idle_build.start()

        grid = QGridLayout()
        grid.setSpacing(12)
        grid.addLayout(kpi_row, 0, 0, 1, 2)
        grid.addWidget(self.volume, 1, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.grid = grid
        self.pairs: list[tuple[ChartCard, ChartCard]] = [(self.sentiment, self.share)]
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

    # -- layout: cards reflow to the window's width ------------------------------------------

    def _show_empty_state(self, shown: int) -> None:
        """Charts when there is something to chart; else what to do next."""
        if shown:
            self.empty.hide()
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

    def _adopt(self, card: ChartCard) -> None:
        """Wire a chart card's drill-down and data export to the pane."""
        name = CARD_NAMES[card.__class__.__name__]
        card.element_clicked.connect(self.drill)
        card.data_export_requested.connect(lambda fmt, n=name: self.export_card_data(n, fmt))
        card.export_caption = self.cards[0].export_caption if self.cards else ""
        self.cards.append(card)

    def _build_step(self) -> None:
        """Build one lower card while the numbers are being read (the window is idle).

        One card a turn of the event loop: the charts' numbers arriving meanwhile wait
        at most one card's building. Once they are in, the rest waits for the paint.
        """
        if self._charts is not None or not self._lower_steps:
            self._idle_build.stop()
            return
        self._lower_steps.pop(0)()
        self.lower_built = not self._lower_steps

    def _build_lower(self) -> None:
        """Finish building the cards below the first screen (after its first paint).

        They join the page in :meth:`_place_lower`, once they have their numbers: a
        card drawn on the page re-lays out (and repaints) the cards in view.
        """
        self._idle_build.stop()
        while self._lower_steps:
            self._lower_steps.pop(0)()
        self.lower_built = True

    def _lower_card(self, name: str, cls: type[ChartCard]) -> None:
        card = cls()
        setattr(self, name, card)
        self._adopt(card)

    def _lower_alerts(self) -> None:
        self.alerts_card = self._alerts_card()

    def _extras(self) -> list[QWidget]:
        """The alerts and model cards, once the lower cards are on the page."""
        return [self.alerts_card, self.model_card] if self.placed else []

    def _place_lower(self) -> None:
        """Put the lower cards on the page (once, after they are drawn).

        Only they are added: taking the cards in view out of the grid and back would
        lay them out again.
        """
        if self.placed:
            return
        self.placed = True
        self.pairs += [
            (self.response, self.backlog),
            (self.authors, self.advocates),
            (self.channels, self.terms),
        ]
        for i in range(1, len(self.pairs)):
            self._add_pair(i)
        self._add_extras()
        # Show them and settle the page's layout now. Left to Qt, each is shown by a
        # queued call and the layout takes two passes (the grid in the page's old
        # length, squeezing the cards in view, then the longer page): paints between
        # those steps drew every card in view several times more.
        for pair in self.pairs[1:]:
            for card in pair:
                card.show()
        for widget in self._extras():
            widget.show()
        for _ in range(2):
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)

    def _add_pair(self, i: int) -> None:
        left, right = self.pairs[i]
        if self.columns == 2:
            self.grid.addWidget(left, 2 + i, 0)
            self.grid.addWidget(right, 2 + i, 1)
        else:
            self.grid.addWidget(left, 2 + 2 * i, 0, 1, 2)
            self.grid.addWidget(right, 3 + 2 * i, 0, 1, 2)

    def _add_extras(self) -> None:
        for k, widget in enumerate(self._extras()):
            self.grid.addWidget(widget, 2 + k + len(self.pairs) * (3 - self.columns), 0, 1, 2)

    def _place_cards(self, columns: int) -> None:
        """Two cards a row, or one (each pair stacked) when two would not fit."""
        if columns == self.columns:
            return
        self.columns = columns
        for pair in self.pairs:
            for card in pair:
                self.grid.removeWidget(card)
        for widget in self._extras():
            self.grid.removeWidget(widget)
        for i in range(len(self.pairs)):
            self._add_pair(i)
        self._add_extras()

    def reflow(self) -> None:
        """Pick one or two columns from the room there is and what the cards need."""
        room = self.scroll.viewport().width()
        margins = self.grid.contentsMargins()
        need = (
            max(left.minimumSizeHint().width() for left, _ in self.pairs)
            + max(right.minimumSizeHint().width() for _, right in self.pairs)
            + self.grid.spacing()
            + margins.left()
            + margins.right()
        )
        self._place_cards(2 if room >= need else 1)

    def eventFilter(self, watched, event) -> bool:
        """Reflow when the visible width changes; note when the top charts are painted."""
        if watched is self.scroll.viewport() and event.type() == QEvent.Type.Resize:
            self.reflow()
        elif (
            self._paint_request is not None
            and event.type() == QEvent.Type.Paint
            and watched is self.volume.graphics.viewport()
        ):
            # The rest of this paint pass follows: draw the lower cards after it.
            request, self._paint_request = self._paint_request, None
            QTimer.singleShot(0, self, lambda r=request: self._on_top_painted(r))
        return super().eventFilter(watched, event)

    # -- loading ------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the workspace (new cube) and redraw every chart."""
        request = self._new_request()
        spec, topic = self._range_spec(), self._topic()
        named = self.tasks.start("dashboard.name", _workspace_name, self.ws)
        named.succeeded.connect(lambda name: setattr(self, "workspace_name", name))
        task = self.tasks.start("dashboard.main", load_session, self.ws, spec, topic)
        task.succeeded.connect(lambda result, r=request: self._on_session(r, result))
        task.failed.connect(self._on_failed)
        self._start_rankings(request, load_rankings, spec, topic)

    def apply_filter(self) -> None:
        """Recompute the charts for the selectors' current range and topic."""
        if self.session is None:
            self.refresh()
            return
        request = self._new_request()
        flt = self._build_filter(self.session)
        task = self.tasks.start("dashboard.main", compute_charts, self.session, flt)
        task.succeeded.connect(lambda charts, r=request: self._on_charts(r, charts))
        task.failed.connect(self._on_failed)
        self._start_rankings(request, compute_rankings, flt)

    def _new_request(self) -> int:
        self._started = time.perf_counter()
        self._request += 1
        self._charts = self._ranks = None
        self._paint_request = None
        self._top_painted = False
        self._ranks_drawn = False
        self._awaiting_draw = self._request
        self._lower_timer.stop()
        # The extras of an older request would be thrown away: stop them now, so they
        # do not take the processors from this one.
        self.tasks.cancel("dashboard.extras")
        self._extras_timer.stop()
        self._extras_pending = None
        return self._request

    def _start_rankings(self, request: int, fn, *args) -> None:
        # The rankings scan the mentions themselves: they run beside the cube's half.
        task = self.tasks.start("dashboard.ranks", fn, self.ws, *args)
        task.succeeded.connect(lambda ranks, r=request: self._on_ranks(r, ranks))
        task.failed.connect(self._on_failed)

    def _current(self, request: int, result) -> bool:
        return request == self._request and result is not None and not self.tasks.closed

    def _on_session(self, request: int, result) -> None:
        if not self._current(request, result):
            return
        session, charts = result
        self.session = session
        self._fill_topics(session.ctx.topics)
        self._sync_dates(session)
        self._on_charts(request, charts)

    def _on_charts(self, request: int, charts: ChartNumbers | None) -> None:
        if not self._current(request, charts):
            return
        self._charts = charts
        self.draw_charts(charts)
        self.reflow()
        # On opening, paint what is in view before building and drawing the cards
        # below it (or, when the volume chart is not in view -- the pane hidden,
        # scrolled down, the empty state shown -- right after this event). Once they
        # are on the page, a new range or topic redraws every card in one go.
        if self.placed:
            self._on_top_painted(request)
        elif not self.volume.graphics.visibleRegion().isEmpty():
            self._paint_request = request
            self._lower_timer.start(LOWER_FALLBACK_MS)
        else:
            QTimer.singleShot(0, self, lambda r=request: self._on_top_painted(r))

    def _paint_missed(self) -> None:
        if self._paint_request is not None:
            request, self._paint_request = self._paint_request, None
            self._on_top_painted(request)

    def _on_top_painted(self, request: int) -> None:
        """The charts in view are painted: show and draw the cards below them."""
        if request != self._request or self._top_painted or self._charts is None:
            return
        self._lower_timer.stop()
        self._top_painted = True
        self.first_painted.emit()
        self._build_lower()
        self.draw_lower_charts(self._charts)
        self._finish(request)

    def _on_ranks(self, request: int, ranks: Rankings | None) -> None:
        if not self._current(request, ranks):
            return
        self._ranks = ranks
        self._ranks_drawn = False
        if self.placed:  # their cards are on the page: draw them while the charts compute
            self.draw_rankings(ranks)
            self._ranks_drawn = True
            self.reflow()
        self._finish(request)

    def _finish(self, request: int) -> None:
        """Once both halves of ``request`` are in and the top is painted: draw the
        rankings, say so, then start the extras."""
        charts, ranks = self._charts, self._ranks
        if charts is None or ranks is None:
            return
        if ranks.filter != charts.filter:
            # The newest day moved between the two halves' reads (a fetch landed):
            # rank again for the filter the charts show.
            self._ranks = None
            self._start_rankings(request, compute_rankings, charts.filter)
            return
        if not self._top_painted:
            return
        if not self._ranks_drawn:  # on opening: their cards join the page now
            self.draw_rankings(ranks)
            self._ranks_drawn = True
            self._place_lower()
            self.reflow()  # their labels and legends may need more room now
        self._awaiting_draw = None
        self.data = DashboardData.join(charts, ranks)
        self.filter = charts.filter
        self._show_empty_state(int(self.data.volume.total.sum()))
        self.last_seconds = time.perf_counter() - self._started
        self.timing.setText(f"updated in {self.last_seconds:.2f} s")
        self.updated.emit()
        task = self.tasks.start("dashboard.agreement", _agreement, self.ws, self.filter)
        task.succeeded.connect(lambda result, r=request: self._show_agreement(r, result))
        self.terms.set_loading()
        # Rising terms tokenize text in Python: start them once the charts are painted,
        # so they do not take the interpreter from the first paint.
        self._extras_pending = request
        self._extras_timer.start(EXTRAS_DELAY_MS)

    def _start_extras(self) -> None:
        request = self._extras_pending
        self._extras_pending = None
        if request != self._request or self.data is None or self.session is None:
            return
        if self.tasks.closed:  # the window is closing
            return
        task = self.tasks.start("dashboard.extras", compute_extras, self.session, self.data.filter)
        task.succeeded.connect(lambda extras, r=request: self._on_extras(r, extras))
        task.failed.connect(self._on_failed)
        # The model card sits at the bottom: read it with the other extras, after the charts.
        model = self.tasks.start("dashboard.model", _model_status, self.ws)
        model.succeeded.connect(self.model_card.set_status)
        model.failed.connect(self._on_failed)

    def _on_extras(self, request: int, extras) -> None:
        if request != self._request or extras is None:
            return
        terms, marks, episodes = extras
        self.terms.set_data(terms)
        self.volume.set_episodes(marks)
        self._fill_alerts(episodes)
        self.extras_updated.emit()

    def _on_failed(self, message: str) -> None:
        self._awaiting_draw = None
        self.subtitle.setText(f"Could not compute the dashboard: {message}")

    # -- drawing ------------------------------------------------------------------------

    def draw_charts(self, charts: ChartNumbers) -> None:
        """Hand the headline figures and the cube's charts in view their numbers."""
        self.filter = charts.filter
        vol = charts.volume
        self.volume.set_data(vol)
        self.sentiment.set_data(charts.sentiment)
        self.share.set_data(charts.share_of_voice)
        self._draw_kpis(charts)
        days = vol.days
        span = f"{day_text(days[0])} – {day_text(days[-1])} (UTC)" if len(days) else "no mentions"
        topic = charts.filter.topic or ALL_TOPICS.lower()
        for card in self.cards:  # exported images say whose data, which days, which topic
            card.export_caption = f"{self.workspace_name} · {span} · {topic}"
        self.subtitle.setText(
            f"{int(vol.total.sum()):,} mentions · {span} · {topic} · click any bar, point, "
            "legend count or term to open those mentions in the inbox"
        )

    def draw_lower_charts(self, charts: ChartNumbers) -> None:
        """Hand the cube's charts below the first screen their numbers."""
        self.response.set_data(charts.response)
        self.backlog.set_data(charts.response.days, charts.response.backlog)

    def draw_rankings(self, ranks: Rankings) -> None:
        """Hand the ranking charts their rows."""
        self.authors.set_data(ranks.authors.top)
        self.advocates.set_data(ranks.authors)
        self.channels.set_data(ranks.channels, ranks.sources)

    def _draw_kpis(self, data: ChartNumbers) -> None:
        k = self.kpis
        total = float(data.volume.total.sum())
        k["mentions"].set(f"{total:,.0f}")
        scored = float(data.sentiment.scored.sum())
        if scored:
            net = (data.sentiment.positive.sum() - data.sentiment.negative.sum()) / scored * 100
            color = SENTIMENT_COLORS["positive" if net >= 0 else "negative"]
            k["net"].set(f"{net:+.1f} %", f"net sentiment of {scored:,.0f} scored mentions", color)
        else:
            k["net"].set("not scored", "net sentiment (run 'engage-desktop score')", "#6b7280")
        sov = data.share_of_voice
        if len(sov.entities) > 1 and sov.totals.sum():
            k["sov"].set(
                f"{sov.shares[0]:.1f} %", f"share of voice: {sov.entities[0]} vs competitors"
            )
        elif len(sov.entities) > 1:
            # The topics are there; this range has none of their mentions yet.
            k["sov"].set("–", "share of voice: no brand or competitor mentions in this range")
        else:
            k["sov"].set("–", "share of voice (add competitor topics)")
        share = data.response.sla_share
        hours = data.response.sla_s / 3600
        k["sla"].set(
            "–" if share is None else f"{share:.1f} %",
            f"answered within the {hours:g} h SLA ({data.response.hours})",
        )
        backlog = data.response.backlog
        k["backlog"].set(f"{backlog[-1]:,.0f}" if len(backlog) else "–")

    def _alerts_card(self) -> QFrame:
        card = QFrame()
        card.setObjectName("card")
        title = QLabel("Alerts")
        title.setObjectName("cardTitle")
        self.alerts_note = QLabel(
            "Spikes in total volume and in negative volume per topic, from the workspace's "
            "alert rules, within the range. Click one to open its mentions."
        )
        self.alerts_note.setObjectName("cardUnit")
        self.alerts_note.setWordWrap(True)
        self.alerts_list = QListWidget()
        self.alerts_list.setMinimumHeight(90)
        self.alerts_list.setMaximumHeight(180)
        self.alerts_list.itemActivated.connect(self._on_alert_item)
        self.alerts_list.itemClicked.connect(self._on_alert_item)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(title)
        layout.addWidget(self.alerts_note)
        layout.addWidget(self.alerts_list)
        return card

    def _fill_alerts(self, episodes: list[Episode]) -> None:
        self.alerts_list.clear()
        for ep in sorted(episodes, key=lambda e: e.start, reverse=True):
            item = QListWidgetItem(f"⚠  {ep.rule}: {ep.describe()}")
            item.setData(Qt.ItemDataRole.UserRole, ep)
            item.setForeground(Qt.GlobalColor.darkRed)
            self.alerts_list.addItem(item)
        if not episodes:
            self.alerts_list.addItem("No spikes in this range.")
        note = self.notifier.unavailable_note()
        if note and note not in self.alerts_note.text():
            self.alerts_note.setText(self.alerts_note.text() + " " + note)

    def _on_alert_item(self, item: QListWidgetItem) -> None:
        ep = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(ep, Episode):
            self.drill_requested.emit(episode_query(ep), spike_label(ep))

    # -- selectors ----------------------------------------------------------------------

    def _topic(self) -> str | None:
        text = self.topic_box.currentText()
        return None if text == ALL_TOPICS or not text else text

    def _range_spec(self) -> tuple[int | None, datetime | None, datetime | None]:
        days = RANGES[self.range_box.currentIndex()][1]
        if days == 0:
            start = self.from_date.date().toPython()
            end = self.to_date.date().toPython() + timedelta(days=1)
            as_dt = lambda d: datetime(d.year, d.month, d.day, tzinfo=UTC)  # noqa: E731
            return 0, as_dt(start), as_dt(max(end, start + timedelta(days=1)))
        return days, None, None

    def _build_filter(self, session: DashboardSession) -> DashboardFilter:
        from engage_desktop.ui.dashboard.work import filter_for

        return filter_for(session, self._range_spec(), self._topic())

    def _fill_topics(self, topics: tuple[str, ...]) -> None:
        current = self.topic_box.currentText()
        self.topic_box.blockSignals(True)
        self.topic_box.clear()
        self.topic_box.addItem(ALL_TOPICS)
        self.topic_box.addItems(list(topics))
        index = self.topic_box.findText(current)
        self.topic_box.setCurrentIndex(max(index, 0))
        self.topic_box.blockSignals(False)

    def _sync_dates(self, session: DashboardSession) -> None:
        bounds = session.cube.bounds
        if bounds is None:
            return
        for edit, day in ((self.from_date, bounds[0]), (self.to_date, bounds[1])):
            edit.blockSignals(True)
            moment = datetime.fromtimestamp(day * 86400, UTC)
            if self.range_box.currentIndex() != len(RANGES) - 1:
                edit.setDate(QDate(moment.year, moment.month, moment.day))
            edit.blockSignals(False)

    def _on_range_choice(self, index: int) -> None:
        custom = RANGES[index][1] == 0
        self.from_date.setVisible(custom)
        self.to_date.setVisible(custom)
        self.apply_filter()

    def _on_custom_dates(self, _date) -> None:
        if RANGES[self.range_box.currentIndex()][1] == 0:
            self.apply_filter()

    def set_range(self, label: str) -> None:
        """Choose a range preset by its label (keyboard flows, tests, benchmarks)."""
        self.range_box.setCurrentIndex([r[0] for r in RANGES].index(label))

    def set_topic(self, topic: str | None) -> None:
        """Choose a topic (None: all topics)."""
        self.topic_box.setCurrentIndex(max(self.topic_box.findText(topic or ALL_TOPICS), 0))

    def wait_until_ready(self, timeout_s: float = 60.0) -> bool:
        """Process events until the charts and the extras are drawn (screenshots, tests)."""
        from PySide6.QtCore import QCoreApplication, QThread

        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            busy = [t for t in self.tasks.running() if t.key.startswith("dashboard.")]
            drawn = self._awaiting_draw is None
            if self.data is not None and drawn and not busy and self._extras_pending is None:
                QCoreApplication.processEvents()
                return True
            QCoreApplication.processEvents()
            QThread.msleep(10)
        return False

    # -- our scorer against the imported tool's, and each card's data ------------------

    def _show_agreement(self, request: int, result) -> None:
        if not self._current(request, result):
            return
        self.agreement_data = result
        if result.share is None:
            self.agreement.hide()
            return
        self.agreement.set(
            f"{result.share:.1f} %",
            f"agreement with the imported tool's sentiment on {result.compared:,} mentions "
            f"({result.compared - result.agree:,} differ: click to list them)",
        )
        self.agreement.show()

    def drill_disagreements(self) -> None:
        """The inbox on the mentions where our label and the imported tool's differ."""
        self.drill(ChartElement("scorer_agreement", key="disagree"))

    def export_card_data(self, name: str, fmt: str, path: str | None = None) -> None:
        """A card's numbers for the current range and topic to CSV or XLSX (background)."""
        from PySide6.QtWidgets import QFileDialog

        if path is None:
            suggested = f"{self.workspace_name}-{name}.{fmt}"
            path, _ = QFileDialog.getSaveFileName(
                self, "Export chart data", suggested,
                "Excel (*.xlsx)" if fmt == "xlsx" else "CSV (*.csv)",
            )  # fmt: skip
        if not path:
            return
        task = self.tasks.start("dashboard.export", _export_card, self.ws, name, path, self.filter)
        task.succeeded.connect(
            lambda rows, p=path: self.timing.setText(f"exported {rows:,} rows to {p}")
        )
        task.failed.connect(self._on_failed)
        self.export_task = task

    # -- drill-down ---------------------------------------------------------------------

    def drill(self, element: ChartElement) -> None:
        """Ask for the inbox on exactly the mentions behind ``element``."""
        if self.session is None:
            return
        query = mention_query(self.session.ctx, self.filter, element)
        self.drill_requested.emit(query, describe(element, self.filter))


def describe(element: ChartElement, flt: DashboardFilter) -> str:
    """A status-bar line saying which mentions a drill-down shows."""
    what = {
        "volume": f"{element.key} mentions" if element.key else "mentions",
        "sentiment": "scored mentions",
        "share_of_voice": f"mentions of {element.key}",
        "response_time": f"mentions answered in {element.key}"
        if element.key
        else "answered mentions",
        "sla": f"mentions answered {'within' if element.key == 'within' else 'outside'} the SLA",
        "backlog": "mentions awaiting a first reply",
        "author": "mentions by this author",
        "channel": f"mentions on {element.key}",
        "source": f"mentions from {element.key}",
        "term": f"mentions containing “{element.key}”",
        "scorer_agreement": "imported mentions where our sentiment and theirs differ",
    }.get(element.chart, "mentions")
    when = ""
    if element.chart == "backlog" and element.end is not None:
        when = f" at the end of {day_text(element.end - 86400)}"
    elif element.start is not None and element.end is not None:
        first = datetime.fromtimestamp(element.start, UTC)
        last = datetime.fromtimestamp(element.end, UTC)
        if element.end - element.start <= 86400 and first.hour == 0:
            when = f" on {first:%a %d %b %Y}"
        elif first.hour or first.minute:
            when = f" from {first:%d %b %H:%M} to {last:%H:%M} UTC"
        else:
            when = f" from {first:%d %b} to {last - timedelta(days=1):%d %b %Y}"
    topic = f" · topic {flt.topic}" if flt.topic else ""
    return f"Dashboard: {what}{when}{topic}"


def spike_label(ep: Episode) -> str:
    """The inbox chip of a spike's mentions: "Spike 30 Oct 14:00 · negative"."""
    parts = [f"Spike {ep.start:%d %b %H:%M}"]
    if ep.kind == "negative_spike":
        parts.append("negative")
    if ep.topic:
        parts.append(f"topic {ep.topic}")
    return " · ".join(parts)


def _model_status(state, ws: Workspace) -> dict:
    from engage_desktop.enrich.learned.card import model_status

    return model_status(ws)


def _agreement(state, ws: Workspace, flt: DashboardFilter):
    from engage_desktop.dashboard.chart_data import scorer_agreement

    return scorer_agreement(ws, flt)


def _export_card(state, ws: Workspace, name: str, path: str, flt: DashboardFilter) -> int:
    from engage_desktop.dashboard.chart_data import export_chart

    return export_chart(ws, name, path, flt)


def _workspace_name(_state: object, ws: Workspace) -> str:
    return ws.name
