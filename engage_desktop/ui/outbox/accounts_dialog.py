"""Accounts: connect Mastodon, Bluesky and e-mail accounts; tokens go to the keyring.

Connecting talks to the server (the token is checked before it is saved), so it runs
on the task runner; the dialog stays responsive and shows the outcome in words.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engage_desktop.core.errors import EngageError
from engage_desktop.outbox import connect as account_service
from engage_desktop.outbox.accounts import list_accounts
from engage_desktop.ui.tasks import TaskRunner
from engage_desktop.workspace.database import Workspace

FORMS = {
    "mastodon": (
        "Connect a Mastodon account",
        (
            ("instance", "Server", "mastodon.social", False),
            ("token", "Access token", "from Preferences › Development › New application", True),
        ),
    ),
    "bluesky": (
        "Connect a Bluesky account",
        (
            ("handle", "Handle", "nimbus.bsky.social", False),
            ("password", "App password", "Settings › Privacy and security › App passwords", True),
            ("service", "Server (PDS)", "https://bsky.social", False),
        ),
    ),
    "email": (
        "Connect an e-mail (SMTP) account",
        (
            ("smtp", "SMTP server", "smtp://support@example.com@mail.example.com:587", False),
            ("sender", "From address", "support@example.com", False),
            ("password", "Password", "leave empty when the server needs no login", True),
        ),
    ),
}


class ConnectDialog(QDialog):
    """One form: fill in, Connect (checked with the server in the background)."""

    def __init__(self, ws: Workspace, kind: str, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        title, fields = FORMS[kind]
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.ws, self.kind, self.tasks = ws, kind, tasks
        self.fields: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for key, label, placeholder, secret in fields:
            edit = QLineEdit()
            edit.setPlaceholderText(placeholder)
            if secret:
                edit.setEchoMode(QLineEdit.EchoMode.Password)
            self.fields[key] = edit
            form.addRow(label + ":", edit)
        self.status = QLabel(_sentence(account_service.secret_storage_note()))
        self.status.setWordWrap(True)
        self.status.setObjectName("subtitle")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Connect")
        self.buttons.accepted.connect(self._connect)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.result_text = ""

    def _value(self, key: str) -> str:
        return self.fields[key].text().strip()

    def _connect(self) -> None:
        self.buttons.setEnabled(False)
        self.status.setStyleSheet("")
        self.status.setText("Checking with the server…")
        if self.kind == "mastodon":
            fn, args = (
                account_service.connect_mastodon,
                (self._value("instance"), self._value("token")),
            )
        elif self.kind == "bluesky":
            fn = account_service.connect_bluesky
            args = (self._value("handle"), self._value("password"), self._value("service") or None)
        else:
            fn = account_service.connect_email
            args = (self._value("smtp"), self._value("sender"), self._value("password") or None)
        task = self.tasks.start(f"connect-{self.kind}", lambda _state, *a: fn(self.ws, *a), *args)
        task.succeeded.connect(self._connected)
        task.failed.connect(self._failed)

    def _connected(self, connected) -> None:
        self.result_text = f"Connected {connected.account.label}. {connected.secret_note}."
        self.accept()

    def _failed(self, message: str) -> None:
        self.buttons.setEnabled(True)
        self.status.setStyleSheet("color:#b91c1c")
        self.status.setText(message)


class AccountsDialog(QDialog):
    """The list of accounts, with add and remove."""

    def __init__(self, ws: Workspace, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Reply accounts")
        self.resize(760, 380)
        self.ws, self.tasks = ws, tasks
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(("Channel", "Handle", "Server", "Secret"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 90)
        self.table.setColumnWidth(1, 240)
        self.table.setColumnWidth(3, 170)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setObjectName("subtitle")
        row = QHBoxLayout()
        for kind, label in (
            ("mastodon", "Add Mastodon…"),
            ("bluesky", "Add Bluesky…"),
            ("email", "Add e-mail…"),
        ):
            button = QPushButton(label)
            button.setEnabled(not ws.read_only)
            button.clicked.connect(lambda _=False, k=kind: self._add(k))
            row.addWidget(button)
        row.addStretch(1)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setEnabled(not ws.read_only)
        self.remove_button.clicked.connect(self._remove)
        row.addWidget(self.remove_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        layout.addLayout(row)
        layout.addWidget(close)
        self.refresh()

    def refresh(self, message: str = "") -> None:
        """Re-read the accounts."""
        self.accounts = list_accounts(self.ws)
        self.table.setRowCount(len(self.accounts))
        for i, a in enumerate(self.accounts):
            secret = "stored" if account_service.has_secret(a) else "missing — reconnect"
            for col, text in enumerate(
                (a.channel, a.handle or a.name, a.instance_url or "", secret)
            ):
                self.table.setItem(i, col, QTableWidgetItem(text))
        text = message or _sentence(account_service.secret_storage_note())
        if not self.accounts:
            text = "No accounts yet. " + text
        self.note.setText(text)

    def _add(self, kind: str) -> None:
        dialog = ConnectDialog(self.ws, kind, self.tasks, self)
        if dialog.exec():
            self.refresh(dialog.result_text)

    def _remove(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        account = self.accounts[rows[0].row()]
        answer = QMessageBox.question(
            self, "Remove account", f"Remove {account.label} and forget its token?"
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            account_service.disconnect(self.ws, account.id)
        except EngageError as exc:
            self.refresh(str(exc))
            return
        self.refresh(f"Removed {account.label}.")


def _sentence(text: str) -> str:
    """First letter up, full stop at the end (``capitalize`` would lower the rest)."""
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
