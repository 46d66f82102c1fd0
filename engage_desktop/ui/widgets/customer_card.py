"""The customer card in the author panel: who this person is in the CRM.

Plan or tier, lifetime value, customer since, open tickets, e-mails, every other
column of the CRM export, and the accounts linked to the customer with the rule
that linked each. Suggested links wait here for Confirm or Reject; *Link to
customer…* merges this account into a customer, *Unlink* splits it off, *Undo*
takes back the last link change. Reads and writes run as tasks (``ui/tasks.py``);
the card only shows their results.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engage_desktop.crm import identity
from engage_desktop.crm.profile import (
    customer_of_author,
    pending_suggestions,
    search_customers,
)
from engage_desktop.ui.ops import OpChanges, Operations
from engage_desktop.ui.safe_text import plain_tooltip
from engage_desktop.ui.tasks import TaskRunner
from engage_desktop.workspace.database import Workspace

CustomerIdRole = Qt.ItemDataRole.UserRole + 2


def load_card(_state: Any, ws: Workspace, author_id: int) -> dict[str, Any]:
    """The card's data (runs in a task)."""
    return {
        "author_id": author_id,
        "customer": customer_of_author(ws, author_id),
        "suggestions": pending_suggestions(ws, author_id),
    }


def _money(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def card_html(customer: Any) -> str:
    """The customer record as escaped rich text (every value is outside text)."""
    e = html.escape
    years = customer.years
    since = "—"
    if customer.since is not None:
        since = f"{customer.since:%d %b %Y}"
        if years:
            since += f" ({years} year{'s' if years != 1 else ''})"
    top = ""
    if customer.value_rank is not None:
        share = max(1, round(100 * (1 - customer.value_rank) + 1))
        top = f" <span style='color:#6b7280'>(top {share} %)</span>"
    tickets = "—" if customer.open_tickets is None else str(customer.open_tickets)
    rows = [
        ("Plan", e(customer.tier or "—")),
        ("Value", _money(customer.value) + top),
        ("Customer since", since),
        ("Open tickets", tickets),
        ("E-mail", e(", ".join(customer.emails) or "—")),
    ]
    rows += [(e(str(k)), e(str(v))) for k, v in list(customer.extra.items())[:8]]
    table = "".join(
        f"<tr><td style='color:#6b7280;padding-right:10px'>{k}</td><td>{v}</td></tr>"
        for k, v in rows
    )
    accounts = "<br>".join(
        f"{e(a['channel'])} @{e(a['handle'])} "
        f"<span style='color:#6b7280'>— {e(a['rule'])}"
        + (f": {e(a['evidence'])}" if a.get("evidence") else "")
        + "</span>"
        for a in customer.accounts
    )
    return (
        f"<p style='margin:0'><b>{e(customer.name or customer.external_id)}</b> "
        f"<span style='color:#6b7280'>· CRM {e(customer.external_id)}</span></p>"
        f"<table style='margin-top:2px'>{table}</table>"
        f"<p style='margin:4px 0 0 0'><b>Linked accounts</b><br>{accounts}</p>"
    )


class CustomerCard(QFrame):
    """The customer record of the author shown, with link, unlink and suggestions."""

    links_changed = Signal(int)  # author id: the panel re-reads the person's accounts
    loaded = Signal()
    customer_filter_requested = Signal(str)  # the CRM's id: the inbox shows them all

    def __init__(
        self,
        ws: Workspace,
        tasks: TaskRunner,
        parent: QWidget | None = None,
        ops: Operations | None = None,
    ) -> None:
        super().__init__(parent)
        self.ws = ws
        self.tasks = tasks
        # Links are writes: the window's writer takes them, and its record says so.
        self.ops = ops or Operations(tasks, self)
        self.author_id: int | None = None
        self.data: dict[str, Any] = {}
        self.setObjectName("customerCard")
        self.setStyleSheet(
            "QFrame#customerCard { border: 1px solid #e5e7eb; border-radius: 6px; "
            "background: #f9fafb; }"
        )
        self.title = QLabel("Customer")
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # the plan name is the CRM's text
        self.title.setStyleSheet("font-weight: 600; color: #374151;")
        self.body = QLabel()
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.suggestions = QVBoxLayout()
        self.link_button = QPushButton("Link to customer…")
        self.link_button.clicked.connect(self._choose_customer)
        self.unlink_button = QPushButton("Unlink")
        self.unlink_button.setToolTip("This account is not this customer (split it off)")
        self.unlink_button.clicked.connect(lambda: self._act(identity.unlink, self.author_id))
        self.undo_button = QPushButton("Undo")
        self.undo_button.setToolTip("Undo the last link change")
        self.undo_button.clicked.connect(lambda: self._act(identity.undo))
        self.all_button = QPushButton("Their mentions")
        self.all_button.setToolTip("Show every mention of this customer's accounts in the inbox")
        self.all_button.clicked.connect(self._filter_customer)
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #6b7280;")
        buttons = QHBoxLayout()
        buttons.addWidget(self.link_button)
        buttons.addWidget(self.unlink_button)
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        # "Their mentions" sits in the title row: the card stays as narrow as the
        # panel's left column, leaving the room to what they said.
        self.all_button.setFlat(True)
        self.all_button.setStyleSheet("color: #1d4ed8; text-decoration: underline;")
        title_row = QHBoxLayout()
        title_row.addWidget(self.title, 1)
        title_row.addWidget(self.all_button)
        layout.addLayout(title_row)
        layout.addWidget(self.body)
        layout.addLayout(self.suggestions)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self._set_enabled(False)

    def _set_enabled(self, on: bool) -> None:
        writable = on and not self.ws.read_only
        linked = bool(self.data.get("customer"))
        self.link_button.setEnabled(writable)
        self.unlink_button.setEnabled(writable and linked)
        self.undo_button.setEnabled(writable)
        self.all_button.setEnabled(on and linked)

    def _filter_customer(self) -> None:
        customer = self.data.get("customer")
        if customer is not None:
            self.customer_filter_requested.emit(customer.external_id)

    def show_author(self, author_id: int | None) -> None:
        """Load the card for an author (None clears it)."""
        self.author_id = author_id
        self.data = {}
        if author_id is None:
            self.body.setText("")
            self._clear_suggestions()
            self._set_enabled(False)
            return
        self.body.setText("<span style='color:#6b7280'>Loading…</span>")
        task = self.tasks.start("customer-card", load_card, self.ws, author_id)
        task.succeeded.connect(self._show)
        task.failed.connect(self.message.setText)

    def _show(self, data: dict[str, Any]) -> None:
        if data["author_id"] != self.author_id:
            return
        self.data = data
        customer = data["customer"]
        if customer is None:
            self.title.setText("Customer")
            self.body.setText("<span style='color:#6b7280'>Not linked to a customer record.</span>")
        else:
            self.title.setText(f"Customer · {customer.tier or 'no plan'}")
            self.body.setText(card_html(customer))
        self._clear_suggestions()
        for s in data["suggestions"]:
            self._add_suggestion(s)
        self._set_enabled(True)
        self.loaded.emit()

    def _clear_suggestions(self) -> None:
        while self.suggestions.count():
            item = self.suggestions.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.deleteLater()

    def _add_suggestion(self, s: dict[str, Any]) -> None:
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        label = QLabel(f"Suggested: {s['external_id']} {s['customer_name'] or ''} ({s['rule']})")
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setToolTip(plain_tooltip(s["evidence"]))
        confirm = QPushButton("Confirm")
        confirm.clicked.connect(
            lambda _=False, c=s["customer_id"]: self._act(identity.confirm, self.author_id, c)
        )
        reject = QPushButton("Reject")
        reject.clicked.connect(
            lambda _=False, c=s["customer_id"]: self._act(identity.reject, self.author_id, c)
        )
        for button in (confirm, reject):
            button.setEnabled(not self.ws.read_only)
        line.addWidget(label, 1)
        line.addWidget(confirm)
        line.addWidget(reject)
        self.suggestions.addWidget(row)

    def _act(self, fn: Any, *args: Any) -> None:
        if self.author_id is None:
            return
        author_id = self.author_id
        task = self.ops.write(OpChanges(customers=True), fn, self.ws, *args, initiator=self)
        task.succeeded.connect(lambda result: self._changed(author_id, fn, result))
        task.failed.connect(self.message.setText)

    def _changed(self, author_id: int, fn: Any, result: Any) -> None:
        verbs = {"link": "Linked to", "unlink": "Unlinked from", "confirm": "Linked to",
                 "reject": "Suggestion rejected:"}  # fmt: skip
        verb = verbs.get(fn.__name__)
        self.message.setText(f"{verb} customer {result}" if verb else str(result))
        self.links_changed.emit(author_id)

    def _choose_customer(self) -> None:
        dialog = LinkCustomerDialog(self.ws, self.tasks, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.customer_id is not None:
            self._act(identity.link, self.author_id, dialog.customer_id)


class LinkCustomerDialog(QDialog):
    """Search customers by id, name or e-mail and pick one."""

    def __init__(self, ws: Workspace, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Link to customer")
        self.ws = ws
        self.tasks = tasks
        self.customer_id: int | None = None
        self.search = QLineEdit()
        self.search.setPlaceholderText("Customer id, name or e-mail")
        self.results = QListWidget()
        self.results.itemDoubleClicked.connect(lambda _i: self.accept())
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self._run_search)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Link")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.results, 1)
        layout.addWidget(buttons)
        self.resize(460, 360)
        self._run_search()

    def _run_search(self) -> None:
        text = self.search.text()
        task = self.tasks.start("customer-search", lambda _s: search_customers(self.ws, text))
        task.succeeded.connect(self._fill)

    def _fill(self, rows: list[dict[str, Any]]) -> None:
        self.results.clear()
        for r in rows:
            item = QListWidgetItem(
                f"{r['external_id']} · {r['name'] or '—'} · {r['tier'] or '—'} · "
                f"{r['emails'] or ''}"
            )
            item.setData(CustomerIdRole, int(r["id"]))
            self.results.addItem(item)
        if rows:
            self.results.setCurrentRow(0)

    def accept(self) -> None:
        item = self.results.currentItem()
        self.customer_id = None if item is None else int(item.data(CustomerIdRole))
        super().accept()
