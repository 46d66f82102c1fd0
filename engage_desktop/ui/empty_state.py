"""Empty states: what an empty view is waiting for, and the button that gets it.

An :class:`EmptyState` lies over a list's viewport (or stands in for a page) and
shows a heading, one sentence and its action buttons. Each button names an action
(``add_source``, ``import``, ``brief``, ``clear_filters``, ``inbox``) that the
owning view turns into a signal, so the main window decides what each one does.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

#: The buttons every empty state can offer, with their text.
ACTIONS = {
    "add_source": "Add a source…",
    "import": "Import mentions…",
    "brief": "Start from a brief…",
    "clear_filters": "Clear filters",
    "inbox": "Go to the inbox",
}


class EmptyState(QWidget):
    """A centred message with buttons; emits ``action`` with the button's name."""

    action = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, overlay: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        self.setStyleSheet(
            "QWidget#emptyState { background: transparent; }"
            "QLabel#emptyTitle { font-size: 16px; font-weight: 600; color: #1f2937; }"
            "QLabel#emptyText { color: #4b5563; }"
        )
        self.heading = QLabel()
        self.heading.setObjectName("emptyTitle")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = QLabel()
        self.text.setObjectName("emptyText")
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setFixedWidth(460)  # a wrapped label needs a width to know its height
        self.buttons: dict[str, QPushButton] = {}
        self._row = QHBoxLayout()
        self._row.addStretch(1)
        for name, label in ACTIONS.items():
            button = QPushButton(label)
            button.clicked.connect(lambda _=False, n=name: self.action.emit(n))
            button.hide()
            self.buttons[name] = button
            self._row.addWidget(button)
        self._row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.heading)
        layout.addWidget(self.text, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(8)
        layout.addLayout(self._row)
        layout.addStretch(2)
        self._overlay = overlay
        if overlay is not None:
            overlay.installEventFilter(self)
            self.setGeometry(overlay.rect())
        self.hide()

    def show_message(self, heading: str, text: str, actions: tuple[str, ...]) -> None:
        """Show ``heading`` and ``text`` with the buttons in ``actions`` (the first is default)."""
        self.heading.setText(heading)
        self.text.setText(text)
        self.text.setMinimumHeight(self.text.heightForWidth(self.text.width()))
        for name, button in self.buttons.items():
            button.setVisible(name in actions)
            button.setDefault(bool(actions) and name == actions[0])
        if self._overlay is not None:
            self.setGeometry(self._overlay.rect())
        self.show()
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Follow the size of the viewport it lies over."""
        if watched is self._overlay and event.type() == QEvent.Type.Resize:
            self.setGeometry(self._overlay.rect())
        return False
