"""The reply composer, bound to the selected mention; drafts autosave."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from engage_desktop.storage.drafts import get_draft, save_draft
from engage_desktop.storage.mentions import get_mention
from engage_desktop.storage.workspace import Workspace
from engage_desktop.ui.inbox.view import mention_html

AUTOSAVE_MS = 800


class ComposerPane(QWidget):
    """Shows the mention being answered and edits its draft."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.ws = ws
        self.mention_id: int | None = None
        self._channel: str | None = None
        title = QLabel("Composer")
        title.setObjectName("title")
        self.subtitle = QLabel("Select a mention in the inbox to answer it.")
        self.subtitle.setObjectName("subtitle")
        self.context = QTextBrowser()
        self.context.setOpenExternalLinks(True)
        self.context.setMaximumHeight(260)
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText("Write your reply… (saved as a draft as you type)")
        self.editor.textChanged.connect(self._schedule_save)
        self.counter = QLabel("0 characters")
        self.counter.setObjectName("subtitle")
        self.save_button = QPushButton("Save draft")
        self.save_button.clicked.connect(self.save)
        self.saved_label = QLabel("")
        self.saved_label.setObjectName("subtitle")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_MS)
        self._timer.timeout.connect(self.save)

        buttons = QHBoxLayout()
        buttons.addWidget(self.counter)
        buttons.addStretch(1)
        buttons.addWidget(self.saved_label)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(title)
        layout.addWidget(self.subtitle)
        layout.addWidget(QLabel("<b>Replying to</b>"))
        layout.addWidget(self.context)
        layout.addWidget(QLabel("<b>Your reply</b>"))
        layout.addWidget(self.editor, 1)
        layout.addLayout(buttons)
        self._set_enabled(False)

    def _set_enabled(self, on: bool) -> None:
        self.editor.setEnabled(on and not self.ws.read_only)
        self.save_button.setEnabled(on and not self.ws.read_only)

    def set_mention(self, mention_id: int) -> None:
        """Bind to a mention: show it and load its draft (saving the previous one)."""
        if self._timer.isActive():
            self.save()
        m = get_mention(self.ws, mention_id)
        if m is None:
            return
        self.mention_id = mention_id
        self._channel = m["channel"]
        self.context.setHtml(mention_html(m))
        who = m.get("author_name") or m.get("author_handle") or "the author"
        self.subtitle.setText(f"Answering {who} on {m['channel']}")
        draft = get_draft(self.ws, mention_id)
        self.editor.blockSignals(True)
        self.editor.setPlainText(draft["body"] if draft else "")
        self.editor.blockSignals(False)
        self._update_counter()
        self.saved_label.setText("draft loaded" if draft else "")
        self._set_enabled(True)

    def _schedule_save(self) -> None:
        self._update_counter()
        if self.mention_id is not None and not self.ws.read_only:
            self._timer.start()

    def _update_counter(self) -> None:
        self.counter.setText(f"{len(self.editor.toPlainText())} characters")

    def save(self) -> None:
        """Write the draft now (also called by the autosave timer and on close)."""
        self._timer.stop()
        if self.mention_id is None or self.ws.read_only:
            return
        body = self.editor.toPlainText()
        if not body.strip() and get_draft(self.ws, self.mention_id) is None:
            return
        save_draft(self.ws, self.mention_id, body, self._channel)
        self.saved_label.setText("draft saved")
