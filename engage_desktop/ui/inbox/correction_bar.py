"""Correct a mention's sentiment by hand: the analyst's label wins over the model.

The bar shows the correction the inbox read with the mention; a correction is
written by the window's writer.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from engage_desktop.enrich.store import clear_correction, set_correction
from engage_desktop.ui.ops import OpChanges, Operations
from engage_desktop.ui.tasks import TaskRunner
from engage_desktop.ui.theme import SENTIMENT_COLORS
from engage_desktop.workspace.database import Workspace


class SentimentCorrectionBar(QWidget):
    """ "Sentiment is: Positive / Neutral / Negative / Use model" for the shown mention."""

    corrected = Signal(int)  # mention id

    def __init__(
        self, ws: Workspace, ops: Operations | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ws = ws
        self.ops = ops or Operations(TaskRunner(self), self)
        self.mention_id: int | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.label = QLabel("Sentiment is:")
        self.label.setObjectName("subtitle")
        layout.addWidget(self.label)
        self.buttons: dict[str, QPushButton] = {}
        for name in ("positive", "neutral", "negative"):
            button = QPushButton(name.title())
            button.setCheckable(True)
            button.setToolTip(f"Correct this mention's sentiment to {name} (kept on re-score)")
            # The colour only when it can be pressed: read-only, it must look disabled.
            button.setStyleSheet(
                f"QPushButton {{ color: {SENTIMENT_COLORS[name]}; font-weight: 600; "
                "padding: 3px 8px; } QPushButton:disabled { color: #9ca3af; }"
            )
            button.clicked.connect(lambda _=False, n=name: self.correct(n))
            layout.addWidget(button)
            self.buttons[name] = button
        self.use_model = QPushButton("Use model")
        self.use_model.setToolTip("Drop the correction; the model's score applies again")
        self.use_model.clicked.connect(lambda: self.correct(None))
        layout.addWidget(self.use_model)
        layout.addStretch(1)
        self.setEnabled(False)
        if ws.read_only:
            self.setToolTip("This workspace is open read-only: corrections are off")

    def set_mention(self, mention_id: int | None, correction: dict | None = None) -> None:
        """Show the correction state of a mention (None: nothing selected).

        Args:
            mention_id: The mention shown.
            correction: Its correction row as read with it (None: the model's label).
        """
        self.mention_id = mention_id
        for name, button in self.buttons.items():
            button.setChecked(correction is not None and correction["label"] == name)
        self.use_model.setEnabled(correction is not None and not self.ws.read_only)
        if correction is not None:
            who = correction.get("corrected_by") or "an analyst"
            self.label.setText(f"Corrected by {who}:")
        else:
            self.label.setText("Sentiment is:")
        self.setEnabled(mention_id is not None and not self.ws.read_only)

    def correct(self, label: str | None) -> None:
        """Record (or with None, drop) the analyst's label for the shown mention."""
        if self.mention_id is None or self.ws.read_only:
            return
        mention_id = self.mention_id
        if label is None:
            task = self.ops.write(
                OpChanges(sentiment=True), clear_correction, self.ws, mention_id, initiator=self
            )
        else:
            task = self.ops.write(
                OpChanges(sentiment=True), set_correction, self.ws, mention_id, label,
                initiator=self,
            )  # fmt: skip
        task.succeeded.connect(lambda _r: self.corrected.emit(mention_id))
        return task
