"""Ask the user's display name: on first start, and from File › Your name…."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from engage_desktop.core.errors import EngageError
from engage_desktop.profile import MAX_LENGTH, display_name, set_display_name
from engage_desktop.workspace.database import current_user


class DisplayNameDialog(QDialog):
    """One line: the name replies are signed with and changes are logged under."""

    def __init__(self, parent: QWidget | None = None, *, first_start: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to engage-desktop" if first_start else "Your name")
        self.saved: str | None = None
        intro = QLabel(
            "What is your name? Saved replies sign with it ({agent}), and the workspace's "
            "history records your changes and corrections under it. You can change it "
            "later under File › Your name…."
        )
        intro.setWordWrap(True)
        self.name = QLineEdit(display_name() or current_user())
        self.name.setMaxLength(MAX_LENGTH)
        self.name.setPlaceholderText("e.g. Dana Whitfield")
        self.name.selectAll()
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color:#b91c1c")
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.name)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    def accept(self) -> None:
        """Keep the name (or say in words why not)."""
        try:
            self.saved = set_display_name(self.name.text())
        except EngageError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        super().accept()
