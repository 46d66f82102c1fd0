"""Smaller fixes from the first-time user's walk."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from engage_desktop.ui.main_window import fitting_size
from engage_desktop.workspace.database import Workspace
from tests.gui.waiting import TIMEOUT_S


@pytest.fixture
def window(module_window):
    """The module's shared window: these tests look at it and close what they open."""
    return module_window


def test_shortcuts_dialog_has_no_sideways_scroll(window, qtbot):
    window.show_shortcuts()
    dialog = window._shortcuts_dialog
    qtbot.waitExposed(dialog)
    table = dialog.table
    assert not table.horizontalScrollBar().isVisible()
    width = sum(table.columnWidth(c) for c in range(table.columnCount()))
    assert width <= table.viewport().width() + 1
    dialog.close()


def test_chart_read_out_clears_when_the_mouse_leaves(window, qtbot):
    window.show_view("dashboard")
    assert window.dashboard.wait_until_ready(TIMEOUT_S)
    card = window.dashboard.volume
    card.readout.setText("Tue 03 Nov: 41 mentions")
    QApplication.sendEvent(card.graphics.viewport(), QEvent(QEvent.Type.Leave))
    assert card.readout.text().strip() == ""


def test_tone_warning_wraps(window):
    assert window.composer.tone_label.wordWrap()


def test_first_start_size_fits_the_screen(window):
    width, height = fitting_size(window)
    room = window.screen().availableGeometry()
    assert width <= min(1440, room.width()) and height <= min(900, room.height())


def test_read_only_corrections_look_and_are_disabled(qtbot, demo_path):
    from engage_desktop.ui.inbox.correction_bar import SentimentCorrectionBar

    with Workspace.open(demo_path, read_only=True) as ws:
        bar = SentimentCorrectionBar(ws)
        qtbot.addWidget(bar)
        bar.set_mention(int(ws.scalar("SELECT min(id) FROM mentions")))
        assert not bar.isEnabled()
        assert all(":disabled" in b.styleSheet() for b in bar.buttons.values())
        assert "read-only" in bar.toolTip()


def test_first_start_builds_the_demo_behind_a_progress_dialog(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QProgressDialog

    from engage_desktop.ui import app

    monkeypatch.setattr(app, "FIRST_START_MENTIONS", 300)
    seen: list[int] = []
    original = QProgressDialog.setValue
    monkeypatch.setattr(
        QProgressDialog, "setValue", lambda self, v: (seen.append(v), original(self, v))[1]
    )
    demo = tmp_path / "demo.engage"
    app.build_demo_with_progress(demo)
    assert seen  # the dialog was shown and moved while the worker built
    with Workspace.open(demo) as ws:
        assert ws.scalar("SELECT count(*) FROM mentions") == 300


def test_j_past_the_last_visible_row_moves_pixels_instead_of_repainting(window, qtbot):
    """Scrolling one row down repaints the rows that changed, not the whole table."""
    from PySide6.QtCore import Qt

    from engage_desktop.ui.inbox.delegates import SnippetDelegate
    from engage_desktop.ui.inbox.model import COL_SNIPPET
    from engage_desktop.ui.theme import STYLE_SHEET

    class Counting(SnippetDelegate):
        painted = 0

        def paint(self, painter, option, index) -> None:
            Counting.painted += 1
            super().paint(painter, option, index)

    window.show()
    window.activateWindow()  # a repaint on activation is not the key's
    window.show_view("inbox")
    inbox = window.inbox
    qtbot.waitActive(window)
    table = inbox.table
    old = table.itemDelegateForColumn(COL_SNIPPET)
    table.setItemDelegateForColumn(COL_SNIPPET, Counting(table))
    table.setStyleSheet(STYLE_SHEET)  # as the app has it: it makes the viewport see-through
    try:
        last = table.rowAt(table.viewport().height() - 1)
        assert last > 5  # a table taller than the rows a scroll repaints
        inbox.select_row(last)
        table.setFocus()
        qtbot.waitUntil(window.is_settled, timeout=TIMEOUT_S * 1000)
        table.viewport().repaint()
        Counting.painted = 0
        qtbot.keyClick(table, Qt.Key.Key_J)
        assert table.rowAt(0) > 0  # it scrolled
        qtbot.waitUntil(lambda: Counting.painted > 0)  # one paint event for the key
        assert Counting.painted <= 4  # the new row and the two whose selection changed
    finally:
        table.setItemDelegateForColumn(COL_SNIPPET, old)
        table.setStyleSheet("")


def test_the_next_mention_is_read_ahead_and_shown_at_the_key(window, qtbot):
    """j shows the next mention's pane at once; a change anywhere drops what was read."""
    from PySide6.QtCore import Qt

    from engage_desktop.ui.inbox.detail_ahead import MISSING
    from engage_desktop.ui.ops import OpChanges

    window.show_view("inbox")
    inbox = window.inbox
    qtbot.waitUntil(window.is_settled, timeout=TIMEOUT_S * 1000)
    inbox.select_row(0)
    inbox.table.setFocus()
    qtbot.waitUntil(lambda: inbox._shown_id == inbox.model.mention_id(0))
    second, third = inbox.model.mention_id(1), inbox.model.mention_id(2)
    qtbot.waitUntil(lambda: inbox.ahead.take(second) is not MISSING)  # read ahead, down
    qtbot.keyClick(inbox.table, Qt.Key.Key_J)
    assert inbox._shown_id == second  # in the key's own handling: no read waited for
    qtbot.waitUntil(lambda: inbox.ahead.take(third) is not MISSING)
    window.ops.publish(OpChanges(notes=True))  # e.g. a note added elsewhere
    assert inbox.ahead.take(third) is MISSING and inbox.ahead.take(second) is MISSING
    qtbot.waitUntil(window.is_settled, timeout=TIMEOUT_S * 1000)


def test_the_pane_follows_when_new_rows_put_another_mention_under_the_current_row(window, qtbot):
    window.show_view("inbox")
    inbox = window.inbox
    qtbot.waitUntil(window.is_settled, timeout=TIMEOUT_S * 1000)
    inbox.select_row(0)
    first, later = inbox.model.mention_id(0), inbox.model.mention_id(5)
    qtbot.waitUntil(lambda: inbox._shown_id == first)
    ws = window.ws
    published = ws.scalar("SELECT published FROM mentions WHERE id = ?", [later])
    with ws.write() as cur:  # as if it had just arrived: now the newest
        cur.execute("UPDATE mentions SET published = now() + INTERVAL 1 DAY WHERE id = ?", [later])
    try:
        inbox.model.load(inbox.model.query)  # same count: the rows change in place
        qtbot.waitUntil(lambda: inbox.model.mention_id(0) == later)
        assert inbox.current_row() == 0  # Qt saw no new current row
        qtbot.waitUntil(lambda: inbox._shown_id == later, timeout=20_000)
    finally:
        with ws.write() as cur:
            cur.execute("UPDATE mentions SET published = ? WHERE id = ?", [published, later])
        inbox.model.load(inbox.model.query)
        qtbot.waitUntil(window.is_settled, timeout=TIMEOUT_S * 1000)
