"""Saved replies in the composer: a searchable picker, and "save this draft as one"."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from engage_desktop.composer.compose import template_values
from engage_desktop.composer.saved_replies import (
    SavedReply,
    find_saved_reply,
    list_saved_replies,
    save_saved_reply,
)
from engage_desktop.core.errors import EngageError
from engage_desktop.core.templates import VARIABLE_HELP, render, templatize
from engage_desktop.ui.safe_text import SafeBrowser, plain_tooltip
from engage_desktop.workspace import settings as S
from engage_desktop.workspace.database import Workspace


class SavedReplyPicker(QDialog):
    """Search saved replies, preview one filled for this mention, insert it.

    After ``exec()``, :attr:`chosen_text` holds the filled text to insert.
    """

    def __init__(self, ws: Workspace, mention: dict[str, Any], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Insert a saved reply")
        self.resize(760, 460)
        self.ws, self.mention = ws, mention
        self.chosen_text: str | None = None
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search saved replies by name or text…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.refresh)
        self.list = QListWidget()
        self.list.setMinimumWidth(220)
        self.list.currentItemChanged.connect(self._preview)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        self.preview = SafeBrowser()
        self.agent = QLineEdit(str(S.get(ws, S.AGENT_NAME) or ""))
        self.agent.setPlaceholderText(ws.actor)
        self.agent.setEnabled(not ws.read_only)
        self.agent.editingFinished.connect(self._save_agent)
        self.agent.textChanged.connect(lambda _t: self._preview(self.list.currentItem()))
        form = QFormLayout()
        form.addRow("Your name for {agent}:", self.agent)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.insert_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.insert_button.setText("Insert")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        panes = QHBoxLayout()
        panes.addWidget(self.list, 2)
        panes.addWidget(self.preview, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addLayout(panes, 1)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.refresh()
        self.search.setFocus()

    def _values(self) -> dict[str, str | None]:
        values = template_values(self.ws, self.mention)
        if self.agent.text().strip():
            values["agent"] = self.agent.text().strip()
        return values

    def _save_agent(self) -> None:
        name = self.agent.text().strip()
        if not self.ws.read_only and name != (S.get(self.ws, S.AGENT_NAME) or ""):
            S.put(self.ws, S.AGENT_NAME, name)

    def refresh(self) -> None:
        """Re-run the search."""
        self.list.clear()
        for saved in list_saved_replies(self.ws, self.search.text()):
            item = QListWidgetItem(saved.name)
            item.setData(Qt.ItemDataRole.UserRole, saved)
            item.setToolTip(plain_tooltip(saved.body))
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        else:
            self.preview.setHtml("<p style='color:#6b7280'>No saved reply matches.</p>")
        self.insert_button.setEnabled(self.list.count() > 0)

    def _preview(self, item: QListWidgetItem | None, _previous=None) -> None:
        if item is None:
            return
        saved: SavedReply = item.data(Qt.ItemDataRole.UserRole)
        rendered = render(saved.body, self._values())
        text = html.escape(rendered.text).replace("\n", "<br>")
        for name in rendered.missing:
            text = text.replace(
                "{" + name + "}", f"<span style='background:#fee2e2'>{{{name}}}</span>"
            )
        missing = ""
        if rendered.missing:
            names = ", ".join(f"{{{m}}} ({VARIABLE_HELP[m]})" for m in rendered.missing)
            missing = f"<p style='color:#b91c1c'>No value for {html.escape(names)}; fill it in.</p>"
        self.preview.setHtml(f"<p style='font-size:13px'>{text}</p>{missing}")

    def accept(self) -> None:
        """Remember the filled text of the current saved reply."""
        item = self.list.currentItem()
        if item is None:
            return
        self._save_agent()
        saved: SavedReply = item.data(Qt.ItemDataRole.UserRole)
        self.chosen_text = render(saved.body, self._values()).text
        super().accept()


class SaveAsSavedReplyDialog(QDialog):
    """Save the current draft as a saved reply, its values turned back into variables."""

    def __init__(
        self, ws: Workspace, mention: dict[str, Any], body: str, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setWindowTitle("Save as a saved reply")
        self.resize(560, 360)
        self.ws = ws
        self.saved: SavedReply | None = None
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Hardware fault — replacement")
        self.body = QPlainTextEdit(templatize(body, template_values(ws, mention)))
        hint = QLabel(
            "This customer's name, the product, the brand and your name were turned into "
            "variables ({first_name}, {product}, …). Check the text before saving."
        )
        hint.setWordWrap(True)
        hint.setObjectName("subtitle")
        self.error = QLabel()
        self.error.setStyleSheet("color:#b91c1c")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Name:", self.name)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def accept(self) -> None:
        """Save (asking before replacing a saved reply of the same name)."""
        name = self.name.text().strip()
        replace = False
        existing = find_saved_reply(self.ws, name) if name else None
        if existing is not None:
            answer = QMessageBox.question(
                self,
                "Replace saved reply?",
                f"A saved reply called “{existing.name}” exists. Replace it?",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            replace = True
        try:
            self.saved = save_saved_reply(self.ws, name, self.body.toPlainText(), replace=replace)
        except EngageError as exc:
            self.error.setText(str(exc))
            return
        super().accept()
