"""Learning in the background: the window retrains the model as corrections arrive.

After corrections, a small task asks whether enough new ones arrived
(:data:`LEARN_EVERY` since the model in use, or the first
:data:`~engage_desktop.enrich.learned.train.MIN_CORRECTIONS`); if so it trains and
re-scores every mention, with progress and Cancel in the status bar. A cancelled
re-score keeps the chunks it stored (mentions show the new model or the old label,
never a half-written one); the next correction starts it again.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar

from engage_desktop.ui.tasks import Task, TaskRunner
from engage_desktop.workspace.database import Workspace

#: New corrections since the model in use that make the window retrain it.
LEARN_EVERY = 25


def learning_due(_state: Any, ws: Workspace) -> bool:
    """True when a first model can be trained or enough corrections arrived since."""
    from engage_desktop.enrich.learned.card import model_status

    status = model_status(ws)
    if status["needed"]:
        return False
    return not status["in_use"] or status["new_since"] >= LEARN_EVERY


def learn_and_rescore(state: Any, ws: Workspace) -> str:
    """Train a new model, then re-score with it; returns the summary line."""
    from engage_desktop.enrich.learned.apply import rescore
    from engage_desktop.enrich.learned.train import train_workspace

    result = train_workspace(ws)
    if not result.in_use or state.is_cancelled():
        return result.line()
    summary = rescore(ws, progress=state.progress, is_cancelled=state.is_cancelled)
    return f"{result.line()}; {summary.line()}"


class BackgroundLearner(QObject):
    """Starts training when due; shows progress and Cancel in the status bar."""

    finished = Signal(str)  # the summary line

    def __init__(self, ws: Workspace, tasks: TaskRunner, status_bar: QStatusBar) -> None:
        super().__init__(status_bar)
        self.ws = ws
        self.tasks = tasks
        self.task: Task | None = None
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setFixedWidth(160)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip(
            "Stop re-scoring; the mentions re-scored so far keep the new model's label"
        )
        self.cancel_button.clicked.connect(self.cancel)
        for widget in (self.label, self.bar, self.cancel_button):
            status_bar.addPermanentWidget(widget)
            widget.hide()

    def check(self, _count: int = 0) -> None:
        """Ask (in the background) whether to learn now; start if so."""
        if self.ws.read_only or self.task is not None or self.tasks.closed:
            return
        probe = self.tasks.start("learn.check", learning_due, self.ws)
        probe.succeeded.connect(lambda due: self.start() if due else None)

    def start(self) -> Task | None:
        """Train and re-score now."""
        if self.task is not None or self.ws.read_only:
            return None
        task = self.tasks.start("learn", learn_and_rescore, self.ws)
        self.task = task
        task.progressed.connect(self._progress)
        task.succeeded.connect(lambda line: self.finished.emit(str(line)))
        task.failed.connect(lambda message: self.finished.emit(f"Learning stopped: {message}"))
        task.done.connect(self._done)
        self.label.setText("Training the sentiment model on your corrections…")
        self.bar.setRange(0, 0)  # busy until re-scoring reports progress
        self.cancel_button.setEnabled(True)
        for widget in (self.label, self.bar, self.cancel_button):
            widget.show()
        return task

    def cancel(self) -> None:
        """Stop after the chunk being stored."""
        if self.task is not None:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.label.setText("Stopping after the current batch…")

    def _progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        if self.cancel_button.isEnabled():
            self.label.setText(f"Re-scoring with the learned model: {done:,} of {total:,}")

    def _done(self) -> None:
        for widget in (self.label, self.bar, self.cancel_button):
            widget.hide()
        self.task = None
