"""The inbox: the mention table and a detail pane with the selected mention."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from engage_desktop.storage.mentions import get_mention
from engage_desktop.storage.workspace import Workspace
from engage_desktop.ui.models.mentions import InboxTableModel
from engage_desktop.ui.theme import SENTIMENT_COLORS, STATUS_COLORS


class InboxView(QWidget):
    """Mention table on the left, the selected mention on the right."""

    mention_selected = Signal(int)

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.ws = ws
        self.model = InboxTableModel(ws, parent=self)
        self.title = QLabel("Inbox")
        self.title.setObjectName("title")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("subtitle")

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        for col, width in enumerate((92, 30, 150, 300, 110, 120, 72, 60)):
            self.table.setColumnWidth(col, width)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)

        self.detail = QTextBrowser()
        self.detail.setOpenExternalLinks(True)
        self.detail.setMinimumWidth(320)
        self.detail.setHtml("<p style='color:#6b7280'>Select a mention to read it.</p>")

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([1000, 320])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(splitter, 1)
        self.update_subtitle()

    def update_subtitle(self) -> None:
        """Show the number of mentions in the list."""
        n = self.model.rowCount()
        self.subtitle.setText(f"{n:,} mentions · newest first")

    def refresh(self) -> None:
        """Re-read after new mentions or changes."""
        self.model.refresh()
        self.update_subtitle()

    def select_row(self, row: int) -> None:
        """Make ``row`` current (used by keyboard flows and screenshots)."""
        if 0 <= row < self.model.rowCount():
            self.table.selectRow(row)

    def current_mention_id(self) -> int | None:
        """The id of the current mention, if any."""
        index = self.table.currentIndex()
        return self.model.mention_id(index.row()) if index.isValid() else None

    def _on_current(self, current, _previous) -> None:
        if not current.isValid():
            return
        mention_id = self.model.mention_id(current.row())
        self.show_mention(mention_id)
        self.mention_selected.emit(mention_id)

    def show_mention(self, mention_id: int) -> None:
        """Fill the detail pane."""
        m = get_mention(self.ws, mention_id)
        if m is None:
            return
        self.detail.setHtml(mention_html(m))


def mention_html(m: dict) -> str:
    """The detail pane's HTML for one mention (all text escaped)."""
    e = html.escape
    label = m.get("sentiment_label")
    chip = ""
    if label:
        chip = (
            f"<span style='background:{SENTIMENT_COLORS.get(label, '#999')};color:white;"
            f"padding:2px 6px;border-radius:3px'>&nbsp;{e(label)}&nbsp;</span> "
        )
    status = m.get("status") or ""
    status_chip = (
        f"<span style='color:{STATUS_COLORS.get(status, '#374151')};"
        f"font-weight:600'>{e(status)}</span>"
    )
    title = f"<h3 style='margin:4px 0'>{e(m['title'])}</h3>" if m.get("title") else ""
    body = e(m.get("text") or "").replace("\n", "<br>")
    topics = ", ".join(m.get("topics") or []) or "none"
    reach = m.get("followers")
    link = f"<a href='{e(m['url'])}'>Open the original</a>" if m.get("url") else ""
    return (
        f"<div style='font-size:13px'>"
        f"<p style='color:#374151'><b>{e(m.get('author_name') or '')}</b> "
        f"<span style='color:#6b7280'>@{e(m.get('author_handle') or '')}"
        f"{f' · {reach:,} followers' if reach else ''}</span></p>"
        f"<p style='color:#6b7280'>{e(m['channel'])} · {e(m.get('source_name') or '')} · "
        f"{m['published']:%a %d %b %Y, %H:%M} UTC</p>"
        f"{title}<p style='font-size:14px;line-height:140%'>{body}</p>"
        f"<p>{chip}{status_chip} · topics: {e(topics)}</p>"
        f"<p>{link}</p></div>"
    )
