"""By-hand replies are recorded only by an explicit, undoable step; the composer stays put."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from tests.gui.waiting import settle


def _unanswered(ws, channel: str) -> int:
    return int(
        ws.scalar(
            "SELECT min(id) FROM mentions WHERE channel = ? AND first_reply_at IS NULL "
            "AND status IN ('new', 'open')",
            [channel],
        )
    )


def _reply_state(ws, mention_id: int) -> tuple:
    return (
        ws.scalar("SELECT count(*) FROM replies WHERE mention_id = ?", [mention_id]),
        ws.scalar("SELECT status FROM mentions WHERE id = ?", [mention_id]),
        ws.scalar("SELECT first_reply_at FROM mentions WHERE id = ?", [mention_id]),
    )


def test_ctrl_enter_by_hand_copies_and_never_records_a_send(window, qtbot):
    composer, ws = window.composer, window.ws
    window.show_view("composer")
    mention_id = _unanswered(ws, "forum")
    composer.set_mention(mention_id)
    settle(qtbot, composer)
    assert composer.route().channel == "manual"
    composer.editor.setPlainText("Hi, thanks for the report: a fix ships on Monday.")
    before = _reply_state(ws, mention_id)
    composer.editor.setFocus()
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == composer.editor.toPlainText()
    assert "nothing is recorded yet" in composer.banner.text()
    assert _reply_state(ws, mention_id) == before
    assert ws.scalar("SELECT count(*) FROM outbox WHERE mention_id = ?", [mention_id]) == 0
    assert not composer.send_button.isVisible()
    assert composer.mark_sent_button.isVisible() and composer.mark_sent_button.isEnabled()


def test_mark_as_sent_is_its_own_step_and_undo_restores_everything(window, qtbot):
    composer, ws = window.composer, window.ws
    window.show_view("composer")
    mention_id = _unanswered(ws, "forum")
    composer.set_mention(mention_id)
    settle(qtbot, composer)
    body = "Hi, we have posted the steps under your thread."
    composer.editor.setPlainText(body)
    before = _reply_state(ws, mention_id)
    assert before[0] == 0 and before[2] is None

    composer.mark_sent_button.click()
    settle(qtbot, composer)
    count, status, first_reply_at = _reply_state(ws, mention_id)
    assert count == 1 and status == "pending" and first_reply_at is not None
    assert "Marked as sent" in composer.banner.text()
    assert composer.undo_sent_button.isVisible()
    assert composer.editor.toPlainText().strip() == ""  # ready for a follow-up

    composer.undo_sent_button.click()
    settle(qtbot, composer)
    assert _reply_state(ws, mention_id) == before
    assert ws.scalar("SELECT state FROM outbox WHERE mention_id = ?", [mention_id]) == "discarded"
    assert composer.editor.toPlainText() == body  # back as a draft, to post and mark again
    assert not composer.undo_sent_button.isVisible()
    assert ws.scalar("SELECT count(*) FROM events WHERE action = 'undo_sent'") == 1


def test_the_composer_stays_on_the_mention_it_answered(window, qtbot):
    composer, inbox = window.composer, window.inbox
    window.show_view("inbox")
    inbox.select_row(0)
    settle(qtbot, inbox)
    first = inbox.current_mention_id()
    window.reply_to(first)
    settle(qtbot, inbox)
    assert composer.mention_id == first
    # The inbox's list moves on by itself (as after a reply refreshes it) …
    inbox.select_row(1)
    settle(qtbot, inbox)
    assert inbox.current_mention_id() != first
    assert composer.mention_id == first  # … the composer in front does not follow.
    # Once the user goes back and moves on, it does (bound when it shows again).
    window.show_view("inbox")
    inbox.select_row(2)
    settle(qtbot, inbox)
    window.show_view("composer")
    settle(qtbot, inbox)
    assert composer.mention_id == inbox.current_mention_id()
