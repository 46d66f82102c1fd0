"""The workspace's Settings dialog: one row per declared setting, typed widgets.

The values are read and written by tasks (never on the GUI thread): the main window
loads them with :func:`load_values`, the dialog shows and edits them, and
:func:`save_values` stores only what changed.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engage_desktop.core.errors import InvalidInput
from engage_desktop.workspace import settings as S
from engage_desktop.workspace.database import Workspace

EDITABLE = tuple(s for s in S.SETTINGS if s.editable)
HINT_WIDTH = 460  # the field column of a 720 px wide dialog


def load_values(_state: object, ws: Workspace) -> dict[str, Any]:
    """Every editable setting's current value (run as a task)."""
    return {decl.key: S.get(ws, decl) for decl in EDITABLE}


def save_values(_state: object, ws: Workspace, changes: dict[str, Any]) -> dict[str, Any]:
    """Store ``changes`` (already checked by the dialog), as a task.

    Returns:
        ``keys``: the keys written; ``name``: the workspace's name now.
    """
    for key, value in changes.items():
        S.put(ws, S.setting(key), value)
    return {"keys": sorted(changes), "name": ws.name}


class SettingsDialog(QDialog):
    """Edit the workspace's settings; ``changes()`` holds what the user altered."""

    def __init__(
        self, values: dict[str, Any], *, read_only: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Workspace settings")
        self._values = values
        self._editors: dict[str, QWidget] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for decl in EDITABLE:
            editor = self._editor(decl, values.get(decl.key))
            editor.setToolTip(decl.description)
            editor.setEnabled(not read_only)
            self._editors[decl.key] = editor
            help_text = QLabel(decl.description)
            help_text.setTextFormat(Qt.TextFormat.PlainText)
            help_text.setWordWrap(True)
            help_text.setStyleSheet("color: #64748b; font-size: 11px")
            help_text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            # A wrapped label in a form gets one line's height unless told its own.
            help_text.setMinimumHeight(help_text.heightForWidth(HINT_WIDTH))
            form.addRow(decl.label, editor)
            form.addRow("", help_text)
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color: #b91c1c")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not read_only)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if read_only:
            note = QLabel("This workspace is open read-only: settings are shown, not changed.")
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(720)
        self._changes: dict[str, Any] = {}

    @staticmethod
    def _editor(decl: S.Setting, value: Any) -> QWidget:
        if decl.kind == "bool":
            box = QCheckBox()
            box.setChecked(bool(value))
            return box
        if decl.kind == "choice":
            combo = QComboBox()
            combo.addItems(list(decl.choices))
            combo.setCurrentText(str(value or decl.default))
            return combo
        if decl.kind == "int":
            spin = QSpinBox()
            spin.setRange(0, 1_000_000)
            spin.setValue(int(value or 0))
            return spin
        if decl.kind == "float":
            dspin = QDoubleSpinBox()
            dspin.setRange(*(decl.bounds or (0.0, 10_000.0)))
            dspin.setDecimals(1)
            dspin.setValue(float(value if value is not None else decl.default or 0))
            return dspin
        line = QLineEdit()
        if decl.kind == "json":
            line.setText("" if value is None else json.dumps(value))
            line.setCursorPosition(0)
        else:
            line.setText("" if value is None else str(value))
        line.setPlaceholderText("not set" if decl.default is None else str(decl.default))
        return line

    def _read(self, decl: S.Setting) -> Any:
        editor = self._editors[decl.key]
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QComboBox):
            return editor.currentText()
        if isinstance(editor, QSpinBox | QDoubleSpinBox):
            return editor.value()
        text = editor.text().strip()  # type: ignore[attr-defined]
        if decl.kind == "json":
            return text or None
        return text

    def _accept(self) -> None:
        changes: dict[str, Any] = {}
        try:
            for decl in EDITABLE:
                raw = self._read(decl)
                value = None if raw in ("", None) and decl.kind in ("str", "json") else raw
                if value is not None:
                    value = decl.parse(value)
                old = self._values.get(decl.key)
                if value != old and not (value is None and old in ("", None)):
                    changes[decl.key] = value
        except InvalidInput as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self._changes = changes
        self.accept()

    def changes(self) -> dict[str, Any]:
        """The settings the user changed, checked and converted (after Save)."""
        return dict(self._changes)
