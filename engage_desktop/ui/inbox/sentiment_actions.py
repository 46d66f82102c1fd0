"""Sentiment corrections from the keyboard and the bulk bar (a mixin of InboxView).

Keys 1 / 2 / 3 say "negative / neutral / positive" for the current mention (or the
selection) and move on to the next: in the "Teach the model" view the corrected
mention leaves the list, so the next one slides under the cursor. The bulk bar's
"Sentiment is ▾" does the same for a selection. The write runs in the window's
writer, off the GUI thread; every correction teaches the learned model (see
``ui/learner.py``).
"""

from __future__ import annotations

from engage_desktop.ui.ops import OpChanges
from engage_desktop.workspace.database import Workspace


def _correct_job(ws: Workspace, ids: list[int], label: str) -> int:
    from engage_desktop.enrich.learned.corrections import set_corrections

    return set_corrections(ws, [(i, label) for i in ids], "inbox")


class SentimentActions:
    """Set the analyst's sentiment on the targets; expects InboxView's widgets."""

    _correcting = False

    def sentiment_negative(self) -> None:
        """Key 1."""
        self.set_sentiment("negative", advance=True)

    def sentiment_neutral(self) -> None:
        """Key 2."""
        self.set_sentiment("neutral", advance=True)

    def sentiment_positive(self) -> None:
        """Key 3."""
        self.set_sentiment("positive", advance=True)

    def set_sentiment(self, label: str, advance: bool = False) -> None:
        """Correct the targets' sentiment to ``label`` (one write, in the background)."""
        if self.ws.read_only:
            self.status_message.emit("This workspace is open read-only; nothing was changed")
            return
        if self._correcting:  # a key held down: one correction at a time
            return
        self._correcting = True
        self.with_targets(lambda ids: self._correct(ids, label, advance))

    def _correct(self, ids: list[int], label: str, advance: bool) -> None:
        if not ids:
            self._correcting = False
            self.status_message.emit("Select a mention first (j/k to move, x to select)")
            return
        task = self.ops.write(
            OpChanges(sentiment=True), _correct_job, self.ws, ids, label, initiator=self
        )
        many = len(ids) > 1
        task.succeeded.connect(lambda n: self._sentiment_set(n, label, advance, many))
        task.failed.connect(self._sentiment_failed)

    def _sentiment_set(self, count: int, label: str, advance: bool, many: bool) -> None:
        self._correcting = False
        text = f"Sentiment of {count:,} mention{'s' if count != 1 else ''} set to {label}"
        self.undo_label.setText(text + " · teaches the learned model")
        self.status_message.emit(text)
        if many:
            self.clear_selection(keep_current=True)
        self._after_change(advance=advance and not many)
        self.sentiment_corrected.emit(count)

    def _sentiment_failed(self, message: str) -> None:
        self._correcting = False
        self.status_message.emit(f"Sentiment not changed: {message}")
