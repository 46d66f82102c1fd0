"""The Customers menu: import a CRM export, and advocates ranked by influence.

Both run their work as tasks (``ui/tasks.py``): the import with progress in the
status bar, the ranking behind a "Computing…" line; the dialogs only show results.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engage_desktop.crm.advocates import export_advocates, rank_advocates
from engage_desktop.crm.identity import link_all
from engage_desktop.crm.records import import_customers
from engage_desktop.ui.tasks import TaskRunner
from engage_desktop.workspace.database import Workspace

HOW_INFLUENCE_IS_COMPUTED = (
    "Authors with at least 3 positive mentions. Over their positive mentions: "
    "reach = Σ log10(1 + followers); engagement = Σ log2(1 + replies + 2 × reposts); "
    "echo = other authors who replied to them or named their @handle in a positive post. "
    "Influence = reach + engagement + 3 × echo."
)
COLUMNS = (
    ("#", "rank"), ("Author", "handle"), ("Channel", "channel"), ("Customer", "customer_id"),
    ("Tier", "tier"), ("Positive", "positive_posts"), ("Reach", "reach"),
    ("Engagement", "engagement"), ("Echo", "echo"), ("Influence", "influence"),
)  # fmt: skip


def import_and_link(state: Any, ws: Workspace, path: str) -> str:
    """Import a CRM export and link it (runs in a task); returns the summary line."""
    summary = import_customers(ws, path, progress=state.progress)
    links = link_all(ws)
    text = (
        f"Customers: {summary.created:,} added, {summary.updated:,} updated, "
        f"{len(summary.bad):,} bad rows skipped; {links.linked:,} authors linked, "
        f"{links.suggested:,} links suggested"
    )
    if summary.bad:
        line, reason = summary.bad[0]
        text += f" (first bad row: line {line}, {reason})"
    return text


class AdvocatesDialog(QDialog):
    """Advocates ranked by influence, with how it is computed and a CSV export."""

    loaded = Signal()

    def __init__(self, ws: Workspace, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Advocates by influence")
        self.ws = ws
        self.ranked: list = []
        explain = QLabel(HOW_INFLUENCE_IS_COMPUTED)
        explain.setWordWrap(True)
        explain.setStyleSheet("color: #4b5563;")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([c[0] for c in COLUMNS])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.status = QLabel("Computing…")
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setToolTip("The list for a referral programme, with e-mails")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self._export)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self.resize(900, 560)
        task = tasks.start("advocates", lambda _s: rank_advocates(ws, limit=200))
        task.succeeded.connect(self._fill)
        task.failed.connect(self.status.setText)

    def _fill(self, ranked: list) -> None:
        self.ranked = ranked
        self.table.setRowCount(len(ranked))
        for r, adv in enumerate(ranked):
            for c, (_title, attr) in enumerate(COLUMNS):
                value = getattr(adv, attr)
                text = (
                    ""
                    if value is None
                    else (f"{value:,.1f}" if isinstance(value, float) else str(value))
                )
                if attr == "handle":
                    text = f"{adv.name or ''} @{adv.handle}"
                item = QTableWidgetItem(text)
                if isinstance(value, int | float):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.status.setText(f"{len(ranked):,} advocates, most influential first")
        self.export_button.setEnabled(bool(ranked))
        self.loaded.emit()

    def _export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export advocates", "advocates.csv", "CSV (*.csv)"
        )
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> None:
        """Write the list shown (the dialog's Export does this after asking where)."""
        written = export_advocates(self.ranked, path)
        self.status.setText(f"{written:,} advocates written to {path}")
