"""The dashboard's selectors: one date range and one topic that every chart follows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QPushButton

from engage_desktop.dashboard.analytics import DashboardFilter
from engage_desktop.dashboard.session import DashboardSession

# label, days (None: all time, 0: custom)
RANGES = (
    ("Last 7 days", 7),
    ("Last 30 days", 30),
    ("Last 90 days", 90),
    ("Last 180 days", 180),
    ("All time", None),
    ("Custom…", 0),
)
DEFAULT_RANGE = 2
ALL_TOPICS = "All topics"


class Selectors:
    """The range and topic of the pane (a mixin of
    :class:`~engage_desktop.ui.dashboard.pane.DashboardPane`)."""

    def _build_selectors(self) -> QHBoxLayout:
        """The range and topic choosers, the timing and Refresh, in one row."""
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
        return selectors

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
