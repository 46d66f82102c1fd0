"""The inbox's keyboard shortcuts, declared once: the view binds them and
Help › Keyboard shortcuts lists them from the same table."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTableWidget, QTableWidgetItem, QVBoxLayout

# (name of the InboxView method, keys, what it does)
INBOX_SHORTCUTS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("move_down", ("J", "Down"), "Next mention"),
    ("move_up", ("K", "Up"), "Previous mention"),
    ("open_current", ("Return", "Enter", "O"), "Open: read it, a new mention becomes open"),
    ("reply_current", ("R",), "Reply in the composer"),
    ("resolve", ("E",), "Resolve (and move to the next)"),
    ("ignore", ("I",), "Ignore (and move to the next)"),
    ("mark_pending", ("P",), "Pending: waiting on the customer"),
    ("toggle_star", ("S",), "Star or unstar"),
    ("prompt_tag", ("T",), "Tag…"),
    ("prompt_assign", ("A",), "Assign to…"),
    ("mark_unread", ("U",), "Mark unread"),
    ("toggle_mark", ("X",), "Select for a bulk action"),
    ("focus_search", ("/",), "Search"),
    ("go_back", ("Esc",), "Back: leave the search, close a prompt, clear the selection"),
    ("undo", ("Ctrl+Z",), "Undo the last action"),
    ("show_author_tab", ("Shift+A",), "Go to the author panel"),
    ("sentiment_negative", ("1",), "Sentiment is negative (teaches the model), then next"),
    ("sentiment_neutral", ("2",), "Sentiment is neutral (teaches the model), then next"),
    ("sentiment_positive", ("3",), "Sentiment is positive (teaches the model), then next"),
)
# Keys the table handles natively; listed in help but not bound again.
NATIVE_KEYS = {"Down", "Up"}


class ShortcutsDialog(QDialog):
    """Help › Keyboard shortcuts."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        table = QTableWidget(len(INBOX_SHORTCUTS), 2)
        table.setHorizontalHeaderLabels(["Keys", "In the inbox"])
        table.verticalHeader().hide()
        for row, (_name, keys, text) in enumerate(INBOX_SHORTCUTS):
            table.setItem(row, 0, QTableWidgetItem(" or ".join(keys)))
            table.setItem(row, 1, QTableWidgetItem(text))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        # The descriptions wrap in the dialog's width: never a sideways scroll bar.
        table.setWordWrap(True)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setColumnWidth(1, 300)
        table.resizeRowsToContents()
        self.table = table
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(box)
        self.resize(520, 520)
