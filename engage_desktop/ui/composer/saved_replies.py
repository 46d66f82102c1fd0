"""Saved replies in the composer: a searchable picker, and "save this draft as one".

Neither dialog reads or writes the workspace: the composer reads the replies and the
variables' values in a task (:func:`~engage_desktop.composer.saved_replies.load_choices`)
before opening one, and writes through the window's writer.
"""

from __future__ import annotations

import html
from collections.abc import Callable

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

from engage_desktop.composer.saved_replies import SavedReply, SavedReplyChoices
from engage_desktop.core.templates import VARIABLE_HELP, render, templatize
from engage_desktop.ui.safe_text import SafeBrowser, plain_tooltip
from engage_desktop.ui.tasks import Task


class SavedReplyPicker(QDialog):
    """Search saved replies, preview one filled for this mention, insert it.

    After ``exec()``, :attr:`chosen_text` holds the filled text to insert.
    """

    def __init__(
        self,
        choices: SavedReplyChoices,
        *,
        actor: str,
        editable: bool = True,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle("Insert a saved reply")
        self.resize(760, 460)
        self.choices = choices
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
        self.agent = QLineEdit(choices.agent)
        self.agent.setPlaceholderText(actor)
        self.agent.setEnabled(editable)
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
        values = dict(self.choices.values)
        if self.agent.text().strip():
            values["agent"] = self.agent.text().strip()
        return values

    def new_agent_name(self) -> str | None:
        """The ``{agent}`` name typed here when it differs from the stored one, else None."""
        name = self.agent.text().strip()
        return name if self.agent.isEnabled() and name != self.choices.agent else None

    def refresh(self) -> None:
        """Re-run the search."""
        self.list.clear()
        for saved in self.choices.matching(self.search.text()):
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
        saved: SavedReply = item.data(Qt.ItemDataRole.UserRole)
        self.chosen_text = render(saved.body, self._values()).text
        super().accept()


class SaveAsSavedReplyDialog(QDialog):
    """Save the current draft as a saved reply, its values turned back into variables.

    ``save(name, text, replace)`` starts the write and returns its task; the dialog
    closes when it succeeded and shows the error in words when it did not.
    """

    def __init__(
        self,
        choices: SavedReplyChoices,
        body: str,
        save: Callable[[str, str, bool], Task],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle("Save as a saved reply")
        self.resize(560, 360)
        self.choices = choices
        self._save = save
        self.saved: SavedReply | None = None
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Hardware fault — replacement")
        self.body = QPlainTextEdit(templatize(body, choices.values))
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
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
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
        existing = self.choices.named(name) if name else None
        if existing is not None:
            answer = QMessageBox.question(
                self,
                "Replace saved reply?",
                f"A saved reply called “{existing.name}” exists. Replace it?",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            replace = True
        self.error.clear()
        self.save_button.setEnabled(False)  # once: the writer has it
        task = self._save(name, self.body.toPlainText(), replace)
        task.succeeded.connect(self._saved)
        task.failed.connect(self._not_saved)

    def _saved(self, saved: SavedReply) -> None:
        self.saved = saved
        super().accept()

    def _not_saved(self, message: str) -> None:
        self.error.setText(message)
        self.save_button.setEnabled(True)
