"""The inbox table model: a thin Qt adapter over :class:`MentionPager`.

``rowCount`` is the filtered count; rows are read a page at a time as the view asks
for them, so a million mentions never sit in memory.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from engage_desktop.storage.mentions import ROW_FIELDS, MentionPager, MentionQuery
from engage_desktop.storage.workspace import Workspace
from engage_desktop.ui.theme import STATUS_COLORS, channel_icon, sentiment_color

COLUMNS = ("Time", "", "Author", "Mention", "Sentiment", "Topics", "Status", "Owner")
_F = {name: i for i, name in enumerate(ROW_FIELDS)}
MentionIdRole = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex


def _reach(followers: int | None) -> str:
    if not followers:
        return ""
    if followers >= 1_000_000:
        return f"{followers / 1e6:.1f}M"
    if followers >= 1000:
        return f"{followers / 1e3:.1f}k"
    return str(followers)


class InboxTableModel(QAbstractTableModel):
    """Mentions of one :class:`MentionQuery`, newest first by default."""

    def __init__(self, ws: Workspace, query: MentionQuery | None = None, parent=None) -> None:
        super().__init__(parent)
        self._ws = ws
        self._pager = MentionPager(ws, query or MentionQuery())
        self._bold = QFont()
        self._bold.setBold(True)

    @property
    def query(self) -> MentionQuery:
        """The current filter and sort."""
        return self._pager.query

    def set_query(self, query: MentionQuery) -> None:
        """Show another filter or sort."""
        self.beginResetModel()
        self._pager.close()
        self._pager = MentionPager(self._ws, query)
        self.endResetModel()

    def refresh(self) -> None:
        """Re-read counts and pages (after a fetch or a change)."""
        self.beginResetModel()
        self._pager.invalidate()
        self.endResetModel()

    def close(self) -> None:
        """Release the database cursor."""
        self._pager.close()

    def mention_id(self, row: int) -> int:
        """The id of the mention shown in ``row``."""
        return int(self._pager.row(row)[_F["id"]])

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._pager.count()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._pager.row(index.row())
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == MentionIdRole:
            return int(row[_F["id"]])
        if role == Qt.ItemDataRole.DecorationRole and col == 1:
            return channel_icon(row[_F["channel"]])
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 1:
                return f"{row[_F['channel']]} · {row[_F['source_name']] or ''}"
            if col == 3:
                return row[_F["snippet"]]
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == 4:
                return QBrush(sentiment_color(row[_F["sentiment_label"]]))
            if col == 6:
                return QBrush(QColor(STATUS_COLORS.get(row[_F["status"]], "#374151")))
        if role == Qt.ItemDataRole.FontRole and row[_F["unread"]] and col in (2, 3):
            return self._bold
        return None

    @staticmethod
    def _display(row: tuple[Any, ...], col: int) -> str | None:
        if col == 0:
            published: datetime = row[_F["published"]]
            return published.strftime("%d %b %H:%M")
        if col == 2:
            reach = _reach(row[_F["followers"]])
            name = row[_F["author_name"]] or row[_F["author_handle"]] or "unknown"
            return f"{name}  ·  {reach}" if reach else name
        if col == 3:
            title, snippet = row[_F["title"]], (row[_F["snippet"]] or "").replace("\n", " ")
            return f"{title} — {snippet}" if title else snippet
        if col == 4:
            label, score = row[_F["sentiment_label"]], row[_F["sentiment"]]
            if not label:
                return "not scored"
            return label if score is None else f"{label} {score:+.2f}"
        if col == 5:
            return ", ".join(row[_F["topics"]] or [])
        if col == 6:
            return row[_F["status"]]
        if col == 7:
            return row[_F["owner"]] or ""
        return None
