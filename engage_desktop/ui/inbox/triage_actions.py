"""Keyboard triage and bulk actions of the inbox (a mixin of :class:`InboxView`).

Every action goes through ``services.triage`` (events logged, undoable); then
:meth:`TriageActions._after_change` re-reads only what it must: when the rows stayed
in place it repaints them, keeping the selection; when they moved it resets and puts
the current mention and the scroll position back.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QCompleter, QFileDialog

from engage_desktop.core.errors import EngageError
from engage_desktop.inbox import triage

UNDO_DEPTH = 20


class TriageActions:
    """Keys and bulk actions; expects the widgets and model InboxView builds."""

    # -- keyboard ------------------------------------------------------------------

    def move_down(self) -> None:
        """Next mention (j)."""
        row = self.current_row()
        self.select_row(0 if row is None else min(row + 1, self.model.rowCount() - 1))

    def move_up(self) -> None:
        """Previous mention (k)."""
        row = self.current_row()
        self.select_row(0 if row is None else max(row - 1, 0))

    def open_current(self) -> None:
        """Open the current mention (Enter, o): it is read, and a new one becomes open."""
        mention_id = self.current_mention_id()
        if mention_id is None:
            self.select_row(0)
            return
        if self.ws.read_only:
            return
        if triage.open_mention(self.ws, mention_id):
            self._after_change(advance=False)

    def reply_current(self) -> None:
        """Answer the current mention in the composer (r)."""
        mention_id = self.current_mention_id()
        if mention_id is not None:
            self.reply_requested.emit(mention_id)

    def resolve(self) -> None:
        """Resolve (e)."""
        self.bulk_status("resolved", advance=True)

    def ignore(self) -> None:
        """Ignore (i)."""
        self.bulk_status("ignored", advance=True)

    def mark_pending(self) -> None:
        """Waiting on the customer (p)."""
        self.bulk_status("pending", advance=True)

    def toggle_star(self) -> None:
        """Star or unstar (s): the first target decides the direction."""
        ids = self.target_ids()
        if not ids:
            return
        starred = bool(self.ws.scalar("SELECT starred FROM mentions WHERE id = ?", [ids[0]]))
        self._apply(triage.set_starred, ids, not starred)

    def mark_unread(self) -> None:
        """Mark unread (u)."""
        self._apply(triage.set_unread, self.target_ids(), True)

    def toggle_mark(self) -> None:
        """Select or unselect the current mention for a bulk action (x)."""
        row = self.current_row()
        if row is not None:
            self.model.toggle_mark(row)

    def focus_search(self) -> None:
        """Put the cursor in the search box (/)."""
        self.filter_bar.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_bar.search.selectAll()

    def go_back(self) -> None:
        """Esc: close the prompt, leave the search, clear the selection, in that order."""
        if self.prompt_bar.isVisible():
            self._close_prompt()
        elif self.filter_bar.search.hasFocus():
            self.filter_bar.apply_search()
            self.table.setFocus()
        elif self.model.marked or len(self.table.selectionModel().selectedRows()) > 1:
            self.clear_selection()
        elif not self.table.hasFocus():
            self.table.setFocus()
        elif self.model.filter.author_id is not None:
            self.filter_bar.update_filter(author_id=None, author_label=None)

    def prompt_tag(self) -> None:
        """Ask for a tag for the targets (t)."""
        tags = self._distinct("SELECT DISTINCT unnest(tags) FROM mentions ORDER BY 1")
        self._open_prompt("tag", "Tag:", tags)

    def prompt_assign(self) -> None:
        """Ask who gets the targets (a)."""
        owners = self._distinct(
            "SELECT DISTINCT owner FROM mentions WHERE owner IS NOT NULL ORDER BY 1"
        )
        self._open_prompt("assign", "Assign to:", [self.ws.actor, *owners])

    def _distinct(self, sql: str) -> list[str]:
        cur = self.ws.cursor()
        try:
            return [str(r[0]) for r in cur.execute(sql).fetchall() if r[0]]
        finally:
            cur.close()

    def _open_prompt(self, mode: str, label: str, choices: list[str]) -> None:
        if not self.target_ids():
            self.status_message.emit("Select a mention first (j/k to move, x to select)")
            return
        self._prompt_mode = mode
        self.prompt_label.setText(f"{label} ({len(self.target_ids()):,})")
        completer = QCompleter(list(dict.fromkeys(choices)), self.prompt)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        # Inline: Enter always applies what is typed (a popup would swallow it).
        completer.setCompletionMode(QCompleter.CompletionMode.InlineCompletion)
        self.prompt.setCompleter(completer)
        self.prompt.clear()
        self.prompt_bar.show()
        self.prompt.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _close_prompt(self) -> None:
        self.prompt_bar.hide()
        self._prompt_mode = None
        self.table.setFocus()

    def _prompt_done(self) -> None:
        text, mode = self.prompt.text().strip(), self._prompt_mode
        self._close_prompt()
        if mode == "tag":
            self._apply(triage.add_tag, self.target_ids(), text)
        elif mode == "assign":
            self._apply(triage.assign, self.target_ids(), text)

    # -- triage --------------------------------------------------------------------

    def target_ids(self) -> list[int]:
        """What an action applies to: marked mentions, else selected rows, else current."""
        if self.model.marked:
            return sorted(self.model.marked)
        ranges = self.table.selectionModel().selection()
        ids: list[int] = []
        for r in ranges:
            ids.extend(self.model.pager.ids_in_range(r.top(), r.bottom() + 1))
        if ids:
            return list(dict.fromkeys(ids))
        current = self.current_mention_id()
        return [] if current is None else [current]

    def bulk_status(self, status: str, advance: bool = False) -> None:
        """Set the status of the targets."""
        self._apply(triage.set_status, self.target_ids(), status, advance=advance)

    def _apply(self, fn, ids: list[int], *args, advance: bool = False) -> None:
        if self.ws.read_only:
            self.status_message.emit("This workspace is open read-only; nothing was changed")
            return
        if not ids:
            self.status_message.emit("Select a mention first (j/k to move, x to select)")
            return
        try:
            action = fn(self.ws, ids, *args)
        except EngageError as exc:
            self.status_message.emit(str(exc))
            self.undo_label.setText(str(exc))
            return
        single = len(ids) == 1
        if action.count:
            self._undo.append([action])
            del self._undo[:-UNDO_DEPTH]
        self.undo_label.setText(action.label + ("  ·  Ctrl+Z undoes" if action.count else ""))
        self.undo_button.setVisible(bool(self._undo))
        if not single:
            self.clear_selection(keep_current=True)
        self._after_change(advance=advance and single)

    def undo(self) -> None:
        """Undo the last action (Ctrl+Z)."""
        if not self._undo or self.ws.read_only:
            self.status_message.emit("Nothing to undo")
            return
        actions = self._undo.pop()
        if not isinstance(actions[-1], triage.TriageAction):  # a sentiment correction
            self.undo_correction(actions[-1])
            return
        for action in reversed(actions):
            triage.undo(self.ws, action)
        self.undo_label.setText(f"Undone: {actions[-1].label}")
        self.undo_button.setVisible(bool(self._undo))
        self._after_change(advance=False)

    def clear_selection(self, keep_current: bool = True) -> None:
        """Drop marks and the multi-row selection."""
        self.model.clear_marks()
        current = self.table.currentIndex()
        self.table.selectionModel().clearSelection()
        if keep_current and current.isValid():
            self.table.selectionModel().select(
                current,
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
            )
        self._update_bulk_bar()

    def _update_bulk_bar(self) -> None:
        marked = len(self.model.marked)
        selected = len(self.table.selectionModel().selectedRows())
        n = marked or selected
        self.bulk_bar.setVisible(n > 1 or marked > 0)
        self.bulk_label.setText(f"<b>{n:,}</b> selected")

    def _after_change(self, advance: bool) -> None:
        """Re-read after a change, keeping the user's place.

        If the rows did not move, only repaint (selection and scroll untouched); if
        they did, reset and put the current row and the scroll position back.
        """
        pager = self.model.pager
        row = self.current_row()
        current_id = self.current_mention_id()
        old_count = self.model.rowCount()
        anchors = pager._anchors
        pager.invalidate()
        position = pager.position_of(current_id) if current_id is not None else None
        if pager.count() == old_count and (current_id is None or position == row):
            if anchors is not None:
                pager.set_anchors(anchors)
            self.model.rows_changed()
            if advance and row is not None:
                self.select_row(min(row + 1, old_count - 1))
            elif current_id is not None:
                self.show_mention(current_id)
        else:
            scroll = self.table.verticalScrollBar().value()
            self.model.refresh()
            count = self.model.rowCount()
            if row is not None and count:
                target = position if position is not None else min(row, count - 1)
                if advance and position is not None:
                    target = min(position + 1, count - 1)
                self.select_row(target)
            self.table.verticalScrollBar().setValue(min(scroll, max(0, count - 1)))
            self._start_anchors()
        self._update_counts_labels()
        self.refresh_counts()
        self.mentions_edited.emit()

    def _ask_export(self) -> None:
        ids = self.target_ids()
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Export mentions",
            "mentions.csv",
            "CSV (*.csv);;Excel (*.xlsx);;JSON Lines (*.jsonl);;Parquet (*.parquet)",
        )
        if path:
            self.export(ids, path)

    def export(self, ids: list[int], path: str) -> int:
        """Export mentions to a file; says how many in the status line."""
        try:
            written = triage.export_mentions(self.ws, ids, path)
        except EngageError as exc:
            self.status_message.emit(str(exc))
            return 0
        self.undo_label.setText(f"Exported {written:,} mentions to {path}")
        return written
