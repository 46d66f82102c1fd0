"""Keyboard triage and bulk actions of the inbox (a mixin of :class:`InboxView`).

Every action goes through ``inbox.triage`` (events logged, undoable) on the window's
writer thread; then :meth:`TriageActions._after_change` re-reads off the GUI thread:
when the rows stayed in place it repaints them, keeping the selection; when they
moved it resets and puts the current mention and the scroll position back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QCompleter, QFileDialog

from engage_desktop.inbox import lookups, triage
from engage_desktop.ui.ops import OpChanges

UNDO_DEPTH = 20
CHANGED = OpChanges(triage=True)


def _toggle_star(ws: Any, ids: list[int]) -> triage.TriageAction:
    """Star the targets, or unstar them when the first one is starred."""
    return triage.set_starred(ws, ids, not lookups.is_starred(ws, ids[0]))


def _undo_all(ws: Any, actions: list[triage.TriageAction]) -> None:
    for action in reversed(actions):
        triage.undo(ws, action)


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
        task = self.ops.write(CHANGED, triage.open_mention, self.ws, mention_id, initiator=self)
        task.succeeded.connect(lambda opened: opened and self._after_change(advance=False))

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
        self._apply(_toggle_star)

    def mark_unread(self) -> None:
        """Mark unread (u)."""
        self._apply(triage.set_unread, True)

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
        """Ask for a tag for the targets (t); the known tags complete it once read."""
        self._open_prompt("tag", "Tag:", lookups.known_tags)

    def prompt_assign(self) -> None:
        """Ask who gets the targets (a)."""
        self._open_prompt("assign", "Assign to:", lookups.known_owners, first=[self.ws.actor])

    def _open_prompt(
        self, mode: str, label: str, choices: Callable[[Any], list[str]], first: list[str] = ()
    ) -> None:
        if self.model.marked:
            n = len(self.model.marked)
        else:
            n = sum(r.bottom() - r.top() + 1 for r in self.table.selectionModel().selection())
            n = n or (0 if self.current_row() is None else 1)
        if not n:
            self.status_message.emit("Select a mention first (j/k to move, x to select)")
            return
        task = self.ops.read("inbox-prompt-choices", choices, self.ws)
        task.succeeded.connect(lambda found: self._complete_with([*first, *found]))
        self._prompt_mode = mode
        self.prompt_label.setText(f"{label} ({n:,})")
        self.prompt.setCompleter(None)
        self.prompt.clear()
        self.prompt_bar.show()
        self.prompt.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _complete_with(self, choices: list[str]) -> None:
        if not self.prompt_bar.isVisible():
            return
        completer = QCompleter(list(dict.fromkeys(choices)), self.prompt)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        # Inline: Enter always applies what is typed (a popup would swallow it).
        completer.setCompletionMode(QCompleter.CompletionMode.InlineCompletion)
        self.prompt.setCompleter(completer)

    def _close_prompt(self) -> None:
        self.prompt_bar.hide()
        self._prompt_mode = None
        self.table.setFocus()

    def _prompt_done(self) -> None:
        text, mode = self.prompt.text().strip(), self._prompt_mode
        self._close_prompt()
        if mode == "tag":
            self._apply(triage.add_tag, text)
        elif mode == "assign":
            self._apply(triage.assign, text)

    # -- triage --------------------------------------------------------------------

    def target_ids(self) -> list[int]:
        """What an action applies to: marked mentions, else selected rows, else current.

        Only what is on screen (cached pages); :meth:`with_targets` also resolves a
        selection that reaches into rows not read yet.
        """
        found = self._targets()
        return found if isinstance(found, list) else []

    def _targets(self):
        if self.model.marked:
            return sorted(self.model.marked)
        ranges = [(r.top(), r.bottom() + 1) for r in self.table.selectionModel().selection()]
        if ranges:
            ids = self.model.ids_in_range(ranges)
            return list(dict.fromkeys(ids)) if isinstance(ids, list) else ids
        current = self.current_mention_id()
        return [] if current is None else [current]

    def with_targets(self, then: Callable[[list[int]], None]) -> None:
        """Call ``then`` with the target ids: at once, or when the model's lane read them."""
        found = self._targets()
        if isinstance(found, list):
            then(found)
        else:
            found.succeeded.connect(lambda ids: then(list(dict.fromkeys(ids))))

    def bulk_status(self, status: str, advance: bool = False) -> None:
        """Set the status of the targets."""
        self._apply(triage.set_status, status, advance=advance)

    def _apply(self, fn, *args, advance: bool = False) -> None:
        """Run ``fn(ws, ids, *args)`` on the targets in the writer, then re-read."""
        if self.ws.read_only:
            self.status_message.emit("This workspace is open read-only; nothing was changed")
            return
        self.with_targets(lambda ids: self._apply_to(ids, fn, args, advance))

    def _apply_to(self, ids: list[int], fn, args: tuple, advance: bool) -> None:
        if not ids:
            self.status_message.emit("Select a mention first (j/k to move, x to select)")
            return
        task = self.ops.write(CHANGED, fn, self.ws, ids, *args, initiator=self)
        task.succeeded.connect(lambda action: self._applied(action, len(ids) == 1, advance))
        task.failed.connect(self._apply_failed)

    def _apply_failed(self, message: str) -> None:
        self.status_message.emit(message)
        self.undo_label.setText(message)

    def _applied(self, action: triage.TriageAction, single: bool, advance: bool) -> None:
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
        task = self.ops.write(CHANGED, _undo_all, self.ws, actions, initiator=self)
        task.succeeded.connect(lambda _r: self._undone(actions))
        task.failed.connect(self.status_message)

    def _undone(self, actions: list[triage.TriageAction]) -> None:
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
        """Re-read after a change (in the model's lane), keeping the user's place.

        If the rows did not move, only repaint (selection and scroll untouched); if
        they did, reset and put the current row and the scroll position back.
        """
        row = self.current_row()
        current_id = self.current_mention_id()
        scroll = self.table.verticalScrollBar().value()
        keep = () if current_id is None else (current_id,)
        task = self.model.load(
            self.model.query, keep_ids=keep, keep_row=row, pages=self._visible_pages()
        )
        task.succeeded.connect(
            lambda result: self._changed_rows_shown(result, row, current_id, scroll, advance)
        )
        # The views' counts scan every mention: once the keys rest, not after each one.
        self.rest_gate.run("counts", self.refresh_counts)
        self.mentions_edited.emit()

    def _changed_rows_shown(self, result, row, current_id, scroll: int, advance: bool) -> None:
        count = self.model.rowCount()
        if result.in_place:  # the rows stayed: the selection is the user's, as it is now
            if self.current_row() != row:  # they moved on while the rows were read
                now = self.current_mention_id()
                if now is not None:
                    self.show_mention(now)
            elif advance and row is not None:
                self.select_row(min(row + 1, count - 1))
            elif self.current_mention_id() is not None:  # its values may have changed
                self.show_mention(self.current_mention_id())
            return
        current_id, position = self.kept_place(result, current_id)
        if result.grown:  # new rows were inserted around the current one: it stays
            now = self.current_mention_id()
            if current_id is not None and now != current_id and position is not None:
                self.select_row(position)
            elif advance and self.current_row() is not None:
                self.select_row(min(self.current_row() + 1, count - 1))
            elif now is not None:  # its values may have changed
                self.show_mention(now)
            return
        if row is not None and count:
            target = position if position is not None else min(row, count - 1)
            if advance and position is not None:
                target = min(position + 1, count - 1)
            self.select_row(target)
        self.table.verticalScrollBar().setValue(min(scroll, max(0, count - 1)))

    def _ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Export mentions",
            "mentions.csv",
            "CSV (*.csv);;Excel (*.xlsx);;JSON Lines (*.jsonl);;Parquet (*.parquet)",
        )
        if path:
            self.with_targets(lambda ids: self.export(ids, path))

    def export(self, ids: list[int], path: str):
        """Export mentions to a file in a task; says how many in the status line."""
        task = self.ops.read("inbox-export", triage.export_mentions, self.ws, ids, path)
        task.failed.connect(self.status_message)
        task.succeeded.connect(
            lambda written: self.undo_label.setText(f"Exported {written:,} mentions to {path}")
        )
        return task
