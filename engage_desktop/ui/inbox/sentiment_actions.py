"""Sentiment corrections from the keyboard and the bulk bar (a mixin of InboxView).

Keys 1 / 2 / 3 say "negative / neutral / positive" for the current mention (or the
selection) and move on to the next: in the "Teach the model" view the corrected
mention leaves the list, so the next one slides under the cursor. The bulk bar's
"Sentiment is ▾" does the same for a selection. The write runs in the window's
writer, off the GUI thread; every correction teaches the learned model (see
``ui/learner.py``).

Ctrl+Z undoes a correction like a triage action: it shares the inbox's undo stack,
and the undo (:func:`~engage_desktop.enrich.learned.undo.undo_corrections`) also
goes through the writer, then the rows are re-read in the model's lane and the
cursor goes back to the mention, which returns to the "Teach the model" list if it
came from there.
"""

from __future__ import annotations

from engage_desktop.ui.inbox.triage_actions import UNDO_DEPTH
from engage_desktop.ui.ops import OpChanges
from engage_desktop.workspace.database import Workspace

CHANGED = OpChanges(sentiment=True)


def _correct_job(ws: Workspace, ids: list[int], label: str):
    from engage_desktop.enrich.learned.undo import correct_undoably

    return correct_undoably(ws, [(i, label) for i in ids], "inbox")


def _undo_job(ws: Workspace, undo) -> None:
    from engage_desktop.enrich.learned.undo import undo_corrections

    undo_corrections(ws, undo)


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
        task = self.ops.write(CHANGED, _correct_job, self.ws, ids, label, initiator=self)
        many = len(ids) > 1
        task.succeeded.connect(lambda done: self._sentiment_set(done, advance, many))
        task.failed.connect(self._sentiment_failed)

    def _sentiment_set(self, done, advance: bool, many: bool) -> None:
        count, undo = done
        self._correcting = False
        text = undo.label
        if count:
            self._undo.append([undo])
            del self._undo[:-UNDO_DEPTH]
        self.undo_label.setText(text + " · teaches the learned model  ·  Ctrl+Z undoes")
        self.undo_button.setVisible(bool(self._undo))
        self.status_message.emit(text)
        if many:
            self.clear_selection(keep_current=True)
        self._after_change(advance=advance and not many)
        self.sentiment_corrected.emit(count)

    def _sentiment_failed(self, message: str) -> None:
        self._correcting = False
        self.status_message.emit(f"Sentiment not changed: {message}")

    def undo_correction(self, undo) -> None:
        """Undo one round of corrections (Ctrl+Z), in the window's writer."""
        self._correcting = True  # no new correction until the old one is back
        task = self.ops.write(CHANGED, _undo_job, self.ws, undo, initiator=self)
        task.succeeded.connect(lambda _r: self._correction_undone(undo))
        task.failed.connect(self._sentiment_failed)

    def _correction_undone(self, undo) -> None:
        self._correcting = False
        self.undo_label.setText(f"Undone: {undo.label}")
        self.undo_button.setVisible(bool(self._undo))
        self.status_message.emit(f"Undone: {undo.label}")
        # Re-read in the model's lane, asking where the first mention is now.
        first = undo.ids[0]
        task = self.model.load(self.model.query, keep_ids=(first,), pages=self._visible_pages())
        task.succeeded.connect(lambda result: self._undone_rows_shown(first, result))
        # As after any change: counts, and whoever shows the numbers.
        self.refresh_counts()
        self.mentions_edited.emit()

    def _undone_rows_shown(self, mention_id: int, result) -> None:
        row = result.positions.get(mention_id)
        if row is None:  # not in this view: keep the user's place
            self._after_change(advance=False)
            return
        self.select_row(row)
        self._start_anchors()
        self._update_counts_labels()
