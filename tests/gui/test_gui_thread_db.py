"""No query runs on the GUI thread while a user works the window.

The workspace's thread guard (``workspace/thread_guard.py``, switched on in the app
by ``ENGAGE_DESKTOP_DEBUG_GUI_DB``) records every cursor and write taken on the
guarded thread. Here it guards the test's own thread, the GUI thread, from before
the window is built until it is closed, while the test drives the common actions.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from engage_desktop.workspace import thread_guard
from tests.conftest import new_workspace
from tests.gui.waiting import result_of

TIMEOUT_MS = 180_000


@pytest.fixture
def guarded():
    thread_guard.guard_thread(mode="record")
    yield thread_guard
    thread_guard.unguard()


def test_the_guard_records_and_raises_on_its_thread_only(tmp_path):
    import threading

    with new_workspace(tmp_path / "g.engage") as ws:
        thread_guard.guard_thread(mode="record")
        try:
            ws.scalar("SELECT 1")
            elsewhere = threading.Thread(target=lambda: ws.scalar("SELECT 2"))
            elsewhere.start()
            elsewhere.join()
            found = thread_guard.found()
            assert [q.what for q in found] == ["cursor"]
            assert "test_gui_thread_db.py" in found[0].origin()
            thread_guard.guard_thread(mode="raise")
            with pytest.raises(thread_guard.GuardedThreadQuery):
                ws.set_setting("x", 1)
        finally:
            thread_guard.unguard()
        ws.scalar("SELECT 3")  # unguarded again
        assert thread_guard.found() == []


def test_common_actions_run_no_query_on_the_gui_thread(qtbot, demo_path, settings, guarded):
    from engage_desktop.ui.listen.brief_dialog import BriefDialog
    from engage_desktop.ui.listen.source_dialog import SourceDialog
    from engage_desktop.ui.main_window import MainWindow
    from engage_desktop.ui.opening import OpenRequest

    def settle():
        qtbot.waitUntil(win.is_settled, timeout=TIMEOUT_MS)

    def press(widget, key, modifier=Qt.KeyboardModifier.NoModifier):
        qtbot.keyClick(widget, key, modifier)
        settle()

    # The window opens (and migrates) the file itself, in a task after its first paint.
    win = MainWindow(None, settings, opening=OpenRequest(demo_path))
    qtbot.addWidget(win)
    win.resize(1280, 800)
    with qtbot.waitSignal(win.opened, timeout=TIMEOUT_MS):
        win.show()
    ws = win.ws
    win.feeds.set_schedule(False)
    try:
        settle()
        inbox = win.inbox
        table = inbox.table
        table.setFocus()
        inbox.select_row(0)  # select
        settle()
        for key in (Qt.Key.Key_J, Qt.Key.Key_J, Qt.Key.Key_K, Qt.Key.Key_J):  # j/k
            press(table, key)
        assert inbox._shown_id == inbox.current_mention_id() is not None
        with qtbot.waitSignal(inbox.filter_applied, timeout=TIMEOUT_MS):  # search
            qtbot.keyClicks(inbox.filter_bar.search, "router")
        settle()
        assert 0 < inbox.model.rowCount() < 3000
        inbox.filter_bar.clear()
        settle()
        table.setFocus()
        inbox.select_row(3)
        settle()
        press(table, Qt.Key.Key_Return)  # open
        press(table, Qt.Key.Key_E)  # resolve and move on
        press(table, Qt.Key.Key_S)  # star
        press(table, Qt.Key.Key_T)  # tag, with the known tags completing
        qtbot.keyClicks(inbox.prompt, "guarded")
        press(inbox.prompt, Qt.Key.Key_Return)
        press(table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo
        press(table, Qt.Key.Key_3)  # sentiment: positive
        press(table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo the correction
        assert inbox.undo_label.text().startswith("Undone: Sentiment")
        inbox.filter_bar._fill_menu("topic")  # a filter menu: the choices read before
        inbox.filter_bar._fill_menu("customer")  # the segments too
        mention_id = inbox.current_mention_id()
        press(table, Qt.Key.Key_R)  # reply: the composer binds now
        composer = win.composer
        assert composer.mention_id == mention_id
        qtbot.keyClicks(composer.editor, "Thanks, a fix is on its way.")  # autosave
        qtbot.waitUntil(lambda: "draft saved" in composer.saved_label.text(), timeout=TIMEOUT_MS)
        composer.note_edit.setText("asked the support team")
        composer.add_note()
        settle()
        if composer.route().channel == "manual":  # reply by hand, then take it back
            composer.mark_sent()
            settle()
            composer.undo_mark_sent()
            settle()
        # Saved replies: read in a task, the agent name and the new reply written by the writer.
        result_of(qtbot, composer.choose_saved_reply())
        composer.picker.agent.setText("Guard")
        composer.picker.accept()
        settle()
        result_of(qtbot, composer.save_as_saved_reply())
        composer.save_dialog.name.setText("guarded reply")
        with qtbot.waitSignal(composer.save_dialog.accepted, timeout=TIMEOUT_MS):
            composer.save_dialog.accept()
        win.open_settings()  # the Settings dialog reads its values in a task
        qtbot.waitUntil(lambda: getattr(win, "settings_dialog", None) is not None)
        win.settings_dialog.reject()
        for view in ("feeds", "dashboard", "inbox", "composer", "inbox"):  # switch views
            win.show_view(view)
            settle()
        for action in (win.share_action, win.report_action):  # the dialogs open without a read
            action.trigger()
            win.share_dialog.reject()
        inbox.select_row(5)
        settle()
        assert win.composer.mention_id == mention_id  # hidden: not re-bound by j/k
        _link_and_unlink_on_the_customer_card(qtbot, win, settle)  # writes by the writer
        win.show_view("feeds")
        feeds = win.feeds
        feeds.sources.selectRow(0)  # edit a source: stored in a task
        dialog = SourceDialog(ws, win.tasks, feeds.selected_source(), parent=win)
        dialog.name.setText("Guarded feed")
        with qtbot.waitSignal(dialog.accepted, timeout=TIMEOUT_MS):
            dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
        feeds.queries.selectRow(0)  # delete a watch query: in a task
        assert feeds.editor.query_id is not None
        with qtbot.waitSignal(feeds.editor.saved, timeout=TIMEOUT_MS):
            feeds.editor.delete_now()
        feeds.show_where()  # "Where they talk" ranks the places in a task
        where = feeds.where
        qtbot.waitUntil(lambda: where.located is not None and not where.loading, timeout=TIMEOUT_MS)
        brief = BriefDialog(win, folder=demo_path.parent)  # File › New: written in a task
        brief.brand.setText("Guarded")
        brief.preview()
        brief.path.setText(str(demo_path.parent / "guarded.engage"))
        with qtbot.waitSignal(brief.accepted, timeout=TIMEOUT_MS):
            brief.create()
    finally:
        win.close()
        qtbot.waitUntil(lambda: ws.closed, timeout=TIMEOUT_MS)
    on_gui_thread = [q.origin() for q in guarded.found()]
    assert on_gui_thread == []


def _off_the_gui_thread(fn):
    """The test's own reads, on another thread (the guard watches this one)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn).result()


def _link_and_unlink_on_the_customer_card(qtbot, win, settle):
    """Unlink an account from its customer, then link it back through the dialog."""
    from PySide6.QtCore import QTimer

    from engage_desktop.ui.widgets.customer_card import LinkCustomerDialog

    ws, inbox = win.ws, win.inbox
    author_id, mention_id, external = _off_the_gui_thread(
        lambda: ws.tuples(
            "SELECT l.author_id, max(m.id), any_value(c.external_id) FROM customer_links l "
            "JOIN customers c ON c.id = l.customer_id "
            "JOIN mentions m ON m.author_id = l.author_id GROUP BY 1 ORDER BY 1 LIMIT 1"
        )[0]
    )
    win.show_view("inbox")
    card = inbox.author_panel.customer_card
    with qtbot.waitSignal(card.loaded, timeout=TIMEOUT_MS):
        inbox.open_mention_id(mention_id)
    assert card.author_id == author_id and card.unlink_button.isEnabled()
    with qtbot.waitSignal(card.loaded, timeout=TIMEOUT_MS):  # the writer unlinks
        card.unlink_button.click()
    assert card.message.text() == f"Unlinked from customer {external}"

    def pick_the_customer():  # in the dialog's own event loop (exec)
        dialog = card.findChild(LinkCustomerDialog)
        dialog.search.setText(external)  # searched in a task
        qtbot.waitUntil(
            lambda: dialog.results.count() == 1
            and dialog.results.item(0).text().startswith(f"{external} ·"),
            timeout=TIMEOUT_MS,
        )
        dialog.accept()

    QTimer.singleShot(0, pick_the_customer)
    with qtbot.waitSignal(card.loaded, timeout=TIMEOUT_MS):  # the writer links
        card.link_button.click()
    assert card.message.text() == f"Linked to customer {external}"
    settle()
