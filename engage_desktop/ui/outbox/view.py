"""The Outbox: every queued reply, its state in words, and retry / edit / discard.

Rows are read in a task; retry, edit and discard go through the window's writer, and
the view re-reads when the writer's record says the outbox changed.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engage_desktop.composer.compose import take_back_to_draft
from engage_desktop.outbox.send import discard_row, retry_row
from engage_desktop.outbox.store import OutboxRow, list_outbox, outbox_counts
from engage_desktop.ui.empty_state import EmptyState
from engage_desktop.ui.ops import OpChanges, Operations
from engage_desktop.ui.safe_text import plain_tooltip
from engage_desktop.ui.tasks import Task, TaskRunner
from engage_desktop.workspace.database import Workspace

STATE_COLORS = {
    "pending": "#d97706",
    "sent": "#15803d",
    "failed": "#b91c1c",
    "discarded": "#6b7280",
}
COLUMNS = ("#", "Queued", "Channel", "Mention", "Reply", "State", "Tries", "When / result")
FILTERS = (
    ("Waiting and failed", ("pending", "failed")),
    ("All", None),
    ("Sent", ("sent",)),
    ("Discarded", ("discarded",)),
)
CHANGED = OpChanges(outbox=True, drafts=True)


def _read_outbox(_state, ws: Workspace, states) -> tuple[list[OutboxRow], dict[str, int]]:
    """The rows of one filter, newest first, and the counts by state."""
    return list(reversed(list_outbox(ws, states))), outbox_counts(ws)


def counts_label(counts: dict[str, int]) -> str:
    """For the tab title: "Outbox (2 waiting, 1 failed)"."""
    parts = []
    if counts.get("pending"):
        parts.append(f"{counts['pending']} waiting")
    if counts.get("failed"):
        parts.append(f"{counts['failed']} failed")
    return f"Outbox ({', '.join(parts)})" if parts else "Outbox"


class OutboxView(QWidget):
    """The outbox table with its actions."""

    send_requested = Signal()  # "send what is due now"
    edit_requested = Signal(int)  # a mention id whose reply came back as a draft
    open_mention = Signal(int)
    counts_changed = Signal(str)  # the tab title, e.g. "Outbox (2 waiting)"
    refreshed = Signal()
    empty_action = Signal(str)  # "inbox" from the empty state

    def __init__(
        self,
        ws: Workspace,
        parent: QWidget | None = None,
        tasks: TaskRunner | None = None,
        ops: Operations | None = None,
    ) -> None:
        super().__init__(parent)
        self.ws = ws
        self.tasks = tasks or TaskRunner(self)
        self.ops = ops or Operations(self.tasks, self)
        self.ops.changed.connect(self._workspace_changed)
        self._counts: dict[str, int] = {}
        self.filter = QComboBox()
        for label, _states in FILTERS:
            self.filter.addItem(label)
        self.filter.currentIndexChanged.connect(self.refresh)
        self.summary = QLabel()
        self.summary.setObjectName("subtitle")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        for col, width in enumerate((44, 120, 80, 70, 300, 80, 50)):
            self.table.setColumnWidth(col, width)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.cellDoubleClicked.connect(self._open)
        self.empty = EmptyState(self.table.viewport(), overlay=self.table.viewport())
        self.empty.action.connect(self.empty_action)

        self.send_button = QPushButton("Send due replies now")
        self.send_button.clicked.connect(self.send_requested)
        self.retry_button = QPushButton("Retry")
        self.retry_button.clicked.connect(lambda: self._act(retry_row))
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setToolTip("Take the reply back into the composer as a draft")
        self.edit_button.clicked.connect(self._edit)
        self.discard_button = QPushButton("Discard")
        self.discard_button.clicked.connect(lambda: self._act(discard_row))
        self.message = QLabel()
        self.message.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(QLabel("Show:"))
        top.addWidget(self.filter)
        top.addWidget(self.summary, 1)
        top.addWidget(self.send_button)
        actions = QHBoxLayout()
        actions.addWidget(self.message, 1)
        actions.addWidget(self.retry_button)
        actions.addWidget(self.edit_button)
        actions.addWidget(self.discard_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        note = QLabel(
            "Replies are sent in the background, each exactly once; failed attempts are "
            "retried with growing pauses. Scheduled replies go out only while engage-desktop "
            "is open (or when 'engage-desktop outbox send' runs)."
        )
        note.setObjectName("subtitle")
        note.setWordWrap(True)
        layout.addWidget(note)
        self._rows: list[OutboxRow] = []
        self.refresh()

    def counts_label(self) -> str:
        """For the tab title: "Outbox (2 waiting, 1 failed)" (as last read)."""
        return counts_label(self._counts)

    def _workspace_changed(self, changes: OpChanges, _initiator: object) -> None:
        if changes.outbox or changes.drafts:
            self.refresh()

    def refresh(self) -> Task:
        """Re-read the outbox in a task; the table fills when the rows are back."""
        states = FILTERS[max(0, self.filter.currentIndex())][1]
        task = self.tasks.start("outbox-rows", _read_outbox, self.ws, states)
        task.succeeded.connect(self._show)
        return task

    def _show(self, found: tuple[list[OutboxRow], dict[str, int]]) -> None:
        self._rows, counts = found
        self._counts = counts
        self.table.setRowCount(len(self._rows))
        for i, row in enumerate(self._rows):
            self._fill(i, row)
        if self._rows:
            self.empty.hide()
        else:
            self.empty.show_message(
                "Nothing here",
                "Replies you send or schedule wait in the outbox until they are delivered; "
                "failed ones come back here to retry or edit. Pick a mention in the inbox "
                "and answer it in the Reply tab.",
                ("inbox",),
            )
        self.summary.setText(
            f"{counts['pending']} waiting · {counts['failed']} failed · {counts['sent']} sent"
        )
        self._update_buttons()
        self.counts_changed.emit(counts_label(counts))
        self.refreshed.emit()

    def _fill(self, i: int, row: OutboxRow) -> None:
        result = row.outcome()
        cells = (
            str(row.id),
            f"{row.created_at:%d %b %H:%M}",
            row.channel,
            str(row.mention_id),
            " ".join(row.body.split()),
            row.state,
            str(row.attempts),
            result,
        )
        for col, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setToolTip(plain_tooltip(row.body if col == 4 else text))
            if col == 5:
                item.setForeground(QColor(STATE_COLORS.get(row.state, "#374151")))
            if col == 7 and row.state == "failed":
                item.setForeground(QColor(STATE_COLORS["failed"]))
            self.table.setItem(i, col, item)

    def selected(self) -> OutboxRow | None:
        """The selected row."""
        rows = self.table.selectionModel().selectedRows()
        return self._rows[rows[0].row()] if rows else None

    def select_id(self, outbox_id: int) -> None:
        """Select the row of one reply (tests and links)."""
        for i, row in enumerate(self._rows):
            if row.id == outbox_id:
                self.table.selectRow(i)
                return

    def _update_buttons(self) -> None:
        row = self.selected()
        open_row = row is not None and row.state in ("pending", "failed") and not self.ws.read_only
        self.retry_button.setEnabled(open_row)
        self.edit_button.setEnabled(open_row)
        self.discard_button.setEnabled(open_row)
        self.send_button.setEnabled(not self.ws.read_only)

    def _act(self, action) -> Task | None:
        row = self.selected()
        if row is None:
            return None
        task = self.ops.write(CHANGED, action, self.ws, row.id)
        task.failed.connect(self.message.setText)
        task.succeeded.connect(lambda _r: self._acted(action))
        return task

    def _acted(self, action) -> None:
        self.message.setText("")
        if action is retry_row:
            self.send_requested.emit()

    def _edit(self) -> Task | None:
        row = self.selected()
        if row is None:
            return None
        task = self.ops.write(CHANGED, take_back_to_draft, self.ws, row.id)
        task.failed.connect(self.message.setText)
        task.succeeded.connect(lambda mention_id: self.edit_requested.emit(int(mention_id)))
        return task

    def _open(self, i: int, _col: int) -> None:
        if 0 <= i < len(self._rows):
            self.open_mention.emit(self._rows[i].mention_id)
