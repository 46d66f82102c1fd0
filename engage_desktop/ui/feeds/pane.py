"""The feed-watch pane: sources with their health, and the watch queries."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engage_desktop.storage.sources import list_sources, list_watch_queries
from engage_desktop.storage.workspace import Workspace
from engage_desktop.ui.theme import channel_icon

SOURCE_COLUMNS = ("Source", "Kind", "Items", "Last fetch", "Health", "Every")
QUERY_COLUMNS = ("Topic", "Kind", "Query", "Matched")


def _ago(when: datetime | None) -> str:
    if when is None:
        return "never"
    secs = (datetime.now(UTC) - when).total_seconds()
    if secs < 90:
        return "just now"
    if secs < 5400:
        return f"{secs / 60:.0f} min ago"
    if secs < 36 * 3600:
        return f"{secs / 3600:.0f} h ago"
    return f"{secs / 86400:.0f} days ago"


def _table(columns: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.verticalHeader().setDefaultSectionSize(26)
    return table


class FeedsPane(QWidget):
    """Lists sources and watch queries of the workspace."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.ws = ws
        title = QLabel("Feeds")
        title.setObjectName("title")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("subtitle")
        self.sources = _table(SOURCE_COLUMNS)
        self.queries = _table(QUERY_COLUMNS)
        for table, stretch in ((self.sources, 0), (self.queries, 2)):
            table.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)

        sources_box = QWidget()
        sl = QVBoxLayout(sources_box)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(QLabel("<b>Sources</b> — where we listen"))
        sl.addWidget(self.sources)
        queries_box = QWidget()
        ql = QVBoxLayout(queries_box)
        ql.setContentsMargins(0, 0, 0, 0)
        ql.addWidget(QLabel("<b>Watch queries</b> — what we listen for, grouped by topic"))
        ql.addWidget(self.queries)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(sources_box)
        splitter.addWidget(queries_box)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(title)
        layout.addWidget(self.subtitle)
        layout.addWidget(splitter, 1)
        self.refresh()

    def refresh(self) -> None:
        """Re-read sources and queries."""
        sources = list_sources(self.ws)
        self.sources.setRowCount(len(sources))
        for r, s in enumerate(sources):
            name = QTableWidgetItem(channel_icon(s["channel"]), s["name"])
            name.setToolTip(s["url"])
            health, color = "ok", "#15803d"
            if s["paused"]:
                health, color = "paused", "#6b7280"
            elif s["last_error"]:
                health, color = f"failing ({s['failures']}×)", "#b91c1c"
            elif s["last_fetch_at"] is None:
                health, color = "not fetched yet", "#6b7280"
            health_item = QTableWidgetItem(health)
            health_item.setForeground(QBrush(QColor(color)))
            health_item.setToolTip(s["last_error"] or f"last success: {_ago(s['last_success_at'])}")
            items = QTableWidgetItem(f"{s['items']:,}")
            items.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            cells = (
                name,
                QTableWidgetItem(s["kind"]),
                items,
                QTableWidgetItem(_ago(s["last_fetch_at"])),
                health_item,
                QTableWidgetItem(f"{s['interval_s'] // 60} min"),
            )
            for c, item in enumerate(cells):
                self.sources.setItem(r, c, item)
        for col, width in ((1, 70), (2, 80), (3, 110), (4, 130), (5, 70)):
            self.sources.setColumnWidth(col, width)

        queries = list_watch_queries(self.ws)
        self.queries.setRowCount(len(queries))
        for r, q in enumerate(queries):
            matched = QTableWidgetItem(f"{q['matched']:,}")
            matched.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            cells = (
                QTableWidgetItem(q["topic"]),
                QTableWidgetItem(q["topic_kind"] or ""),
                QTableWidgetItem(q["query"]),
                matched,
            )
            for c, item in enumerate(cells):
                self.queries.setItem(r, c, item)
        self.queries.setColumnWidth(0, 140)
        self.queries.setColumnWidth(1, 100)
        self.queries.setColumnWidth(3, 90)
        self.subtitle.setText(f"{len(sources)} sources · {len(queries)} watch queries")
