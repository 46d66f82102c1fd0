"""The composer: saved replies, tone, limits, approval, drafts, sending off the GUI thread."""

from __future__ import annotations

import pytest

from engage_desktop.outbox.connect import connect_mastodon
from engage_desktop.workspace.database import Workspace
from tests.fakes.mastodon import FakeMastodon
from tests.gui.waiting import TIMEOUT_MS, result_of, settle


def _first(ws, channel: str) -> int:
    return int(ws.scalar("SELECT min(id) FROM mentions WHERE channel = ?", [channel]))


def _author_first_name(ws, mention_id: int) -> str:
    return ws.scalar("SELECT author_name FROM mentions WHERE id = ?", [mention_id]).split()[0]


@pytest.fixture
def mastodon():
    with FakeMastodon(max_characters=600) as fake:
        yield fake


def test_composing_with_saved_replies(window, qtbot):
    composer, ws = window.composer, window.ws
    window.show_view("composer")
    mention_id = _first(ws, "forum")
    composer.set_mention(mention_id)
    settle(qtbot, composer)
    name = _author_first_name(ws, mention_id)
    picker = open_picker(qtbot, composer)
    picker.search.setText("outage")
    assert picker.list.count() == 1
    assert f"Hi {name}, we are aware" in picker.preview.toPlainText()
    picker.agent.setText("Dana")
    picker.accept()
    # A second snippet goes into the same draft, at the cursor.
    picker = open_picker(qtbot, composer)
    assert picker.agent.text() == "Dana"  # written through the writer, read back
    picker.search.setText("made our day")
    picker.accept()
    text = composer.editor.toPlainText()
    assert text.startswith(f"Hi {name}, we are aware of a service outage")
    assert f"Thank you {name}, that made our day!" in text and text.count("Dana") == 2
    assert ws.get_setting("agent.name") == "Dana"
    # The draft itself becomes a saved reply, with the values back as variables.
    result_of(qtbot, composer.save_as_saved_reply())
    dialog = composer.save_dialog
    assert name not in dialog.body.toPlainText()
    dialog.name.setText("Outage and thanks")
    with qtbot.waitSignal(dialog.accepted, timeout=TIMEOUT_MS):
        dialog.accept()
    body = ws.scalar("SELECT body FROM saved_replies WHERE name = 'Outage and thanks'")
    assert body.startswith("Hi {first_name}, we are aware") and "{agent}" in body
    assert name not in body
    assert "Saved as “Outage and thanks”" in composer.banner.text()


def open_picker(qtbot, composer):
    """The saved-reply picker, once its replies were read in a task."""
    old = composer.picker
    settle(qtbot, composer)  # the agent name of an earlier pick is written first
    result_of(qtbot, composer.choose_saved_reply())
    assert composer.picker is not old and composer.picker.isVisible()
    return composer.picker


def test_tone_warning_and_hints(window, qtbot):
    composer = window.composer
    window.show_view("composer")
    composer.set_mention(_first(window.ws, "review"))
    settle(qtbot, composer)
    composer.editor.setPlainText("That is a stupid question and your setup is terrible.")
    qtbot.waitUntil(lambda: "reads negative" in composer.tone_label.text())
    assert "stupid" in composer.tone_label.text()
    assert "No greeting" in composer.hints_label.text()
    assert "customer's name" in composer.hints_label.text()
    name = _author_first_name(window.ws, composer.mention_id)
    composer.editor.setPlainText(f"Hi {name}, thanks a lot for the kind review!")
    qtbot.waitUntil(lambda: "positive" in composer.tone_label.text())
    assert "reads negative" not in composer.tone_label.text()
    assert composer.hints_label.text() == ""


def test_limit_counter_follows_the_channel(window, qtbot, mastodon):
    composer, ws = window.composer, window.ws
    window.show_view("composer")
    composer.set_mention(_first(ws, "bluesky"))
    settle(qtbot, composer)
    composer.editor.setPlainText("🇫🇷" * 150)
    assert composer.counter.text().startswith("150 / 300 graphemes")
    composer.editor.setPlainText("é" * 301)
    assert "1 over the limit" in composer.counter.text()
    composer.set_mention(_first(ws, "forum"))
    settle(qtbot, composer)
    composer.editor.setPlainText("x" * 5000)
    assert "no limit" in composer.counter.text()
    # Mastodon: the instance's own limit once an account is connected; handle prefilled.
    connect_mastodon(ws, mastodon.url, "good-token")
    composer.set_mention(_first(ws, "mastodon"))
    settle(qtbot, composer)
    handle = ws.scalar("SELECT author_handle FROM mentions WHERE id = ?", [composer.mention_id])
    assert composer.editor.toPlainText() == f"@{handle}@mastodon.example "
    assert composer.visibility_combo.isVisible()
    composer.editor.setPlainText("y" * 601)
    assert "601 / 600 characters" in composer.counter.text()
    assert not composer.send_button.isEnabled()
    composer.editor.setPlainText("Hi! " + "https://nimbus.example/" + "a" * 200)
    assert composer.counter.text().startswith("27 / 600")  # a link counts as 23
    assert composer.send_button.isEnabled()


def test_approval_round_trip(window, qtbot):
    composer, ws = window.composer, window.ws
    window.show_view("composer")
    ws.set_setting("approval.required", True)
    mention_id = _first(ws, "forum")
    composer.set_mention(mention_id)
    settle(qtbot, composer)
    composer.editor.setPlainText("hey, try turning it off and on")
    assert composer.request_button.isVisible() and not composer.mark_sent_button.isEnabled()
    composer.request_approval()
    settle(qtbot, composer)
    assert composer.editor.isReadOnly()
    assert "Waiting for approval" in composer.banner.text()
    assert composer.approve_button.isVisible() and composer.send_back_button.isVisible()
    composer.send_back("Too casual: greet them by name")
    settle(qtbot, composer)
    assert "Too casual" in composer.banner.text() and not composer.editor.isReadOnly()
    name = _author_first_name(ws, mention_id)
    composer.editor.setPlainText(f"Hi {name}, could you try restarting the router?")
    composer.request_approval()
    settle(qtbot, composer)
    composer.approve()
    settle(qtbot, composer)
    assert "Approved by" in composer.banner.text()
    assert composer.mark_sent_button.isEnabled()
    outbox_id = result_of(qtbot, composer.send())
    assert outbox_id is not None
    qtbot.waitUntil(
        lambda: ws.scalar("SELECT state FROM outbox WHERE id = ?", [outbox_id]) == "sent"
    )
    draft_id = ws.scalar("SELECT draft_id FROM outbox WHERE id = ?", [outbox_id])
    actions = [
        r[0]
        for r in ws.cursor()
        .execute(
            "SELECT action FROM events WHERE entity = 'draft' AND entity_id = ? ORDER BY id",
            [str(draft_id)],
        )
        .fetchall()
    ]
    assert [a for a in actions if a != "edit"] == [
        "create",
        "request_approval",
        "send_back",
        "request_approval",
        "approve",
        "queue",
    ]
    comment = ws.scalar(
        "SELECT json_extract_string(detail, '$.comment') FROM events WHERE action = 'send_back'"
    )
    assert comment == "Too casual: greet them by name"


def test_draft_survives_a_restart(qtbot, demo_path, settings):
    from engage_desktop.ui.main_window import MainWindow

    ws = Workspace.open(demo_path)
    win = MainWindow(ws, settings)
    qtbot.addWidget(win)
    mention_id = _first(ws, "review")
    win.composer.set_mention(mention_id)
    qtbot.waitUntil(lambda: win.composer.mention_id == mention_id)
    win.composer.editor.setPlainText("Hi, thanks for the review — half written")
    win.close()  # no wait for the autosave timer: closing must save
    ws.close()
    ws = Workspace.open(demo_path)
    try:
        again = MainWindow(ws, settings)
        qtbot.addWidget(again)
        again.composer.set_mention(mention_id)
        qtbot.waitUntil(lambda: again.composer.mention_id == mention_id)
        assert again.composer.editor.toPlainText() == "Hi, thanks for the review — half written"
        assert again.composer.saved_label.text() == "draft loaded"
        again.close()
    finally:
        ws.close()


def test_send_goes_out_off_the_gui_thread_and_notes_never_do(window, qtbot, mastodon):
    composer, ws = window.composer, window.ws
    window.show_view("composer")
    connect_mastodon(ws, mastodon.url, "good-token")
    mention_id = _first(ws, "mastodon")
    composer.set_mention(mention_id)
    settle(qtbot, composer)
    composer.note_edit.setText("VIP customer, secret discount code 4242")
    composer.add_note()
    settle(qtbot, composer)
    assert "secret discount code" in composer.context.toPlainText()
    composer.editor.insertPlainText("Hi, a replacement is on its way.")
    assert result_of(qtbot, composer.send()) is not None
    qtbot.waitUntil(lambda: len(mastodon.statuses) == 1)
    qtbot.waitUntil(lambda: "Answered" in composer.banner.text())
    assert "4242" not in mastodon.statuses[0]["content"]
    assert mastodon.statuses[0]["in_reply_to_id"] == ws.scalar(
        "SELECT remote_id FROM mentions WHERE id = ?", [mention_id]
    )
    assert "Outbox" in composer.tabs.tabText(1)
    assert composer.editor.toPlainText().startswith("@")  # ready for a follow-up


def test_failure_in_words_on_the_mention_and_edit_from_the_outbox(window, qtbot, mastodon):
    composer, ws = window.composer, window.ws
    window.show_view("composer")
    connect_mastodon(ws, mastodon.url, "good-token")
    mastodon.tokens.clear()
    composer.set_mention(_first(ws, "mastodon"))
    settle(qtbot, composer)
    composer.editor.insertPlainText("Hi there, we are on it.")
    outbox_id = result_of(qtbot, composer.send())
    qtbot.waitUntil(lambda: "could not be sent" in composer.banner.text())
    assert "reconnect the account" in composer.banner.text()
    settle(qtbot, composer)
    # The tab's count is read by a task of its own: wait for it, not for the banner.
    qtbot.waitUntil(lambda: composer.tabs.tabText(1) == "Outbox (1 failed)")
    composer.outbox.select_id(outbox_id)
    assert composer.outbox.edit_button.isEnabled()
    composer.outbox.edit_button.click()
    settle(qtbot, composer)
    assert composer.tabs.currentIndex() == 0
    assert composer.editor.toPlainText().endswith("Hi there, we are on it.")
    assert ws.scalar("SELECT state FROM outbox WHERE id = ?", [outbox_id]) == "discarded"


def test_inbox_and_composer_show_the_same_thread(window, qtbot):
    from engage_desktop.inbox import threads
    from engage_desktop.inbox.pager import get_mention

    ws = window.ws
    child = ws.scalar(
        "SELECT m.id FROM mentions m JOIN mentions p ON p.channel = m.channel "
        "AND p.remote_id = m.parent_id WHERE m.thread_id IS NOT NULL "
        "AND m.thread_id <> m.parent_id ORDER BY m.id LIMIT 1"
    )
    thread = threads.thread(ws, get_mention(ws, child))
    assert len(thread.others) >= 2  # a root, a parent at least
    window.show_view("inbox")
    window.inbox.open_mention_id(child)
    window.composer.set_mention(child)
    window.show_view("composer")
    settle(qtbot, window.composer)  # both panes read off the GUI thread
    inbox_text = window.inbox.detail.toPlainText()
    composer_text = window.composer.context.toPlainText()
    for post in thread.others:
        start = " ".join(post["text"].split())[:30]
        assert start in " ".join(inbox_text.split()), start
        assert start in " ".join(composer_text.split()), start


def test_vader_warms_up_after_the_first_rows_off_the_gui_thread(
    qtbot, demo_path, settings, monkeypatch
):
    import threading

    from PySide6.QtCore import QTimer

    from engage_desktop.composer import tone
    from engage_desktop.ui.main_window import MainWindow
    from engage_desktop.workspace.database import Workspace
    from tests.gui.conftest import close_demo_window

    order: list[str] = []
    started, gui_free = threading.Event(), threading.Event()
    real = tone.warm_up

    def watched_warm_up():
        order.append("warm-up")
        started.set()
        # Held until the GUI thread turns its event loop: on the GUI thread this would
        # never be set (and the wait would time out).
        order.append("gui-free" if gui_free.wait(60) else "gui-blocked")
        order.append("gui-thread" if threading.current_thread() is gui else "worker")
        real()

    gui = threading.current_thread()
    monkeypatch.setattr(tone, "warm_up", watched_warm_up)
    ws = Workspace.open(demo_path)
    win = MainWindow(ws, settings)
    win.feeds.set_schedule(False)
    win.inbox.first_rows.painted.connect(lambda: order.append("rows painted"))
    assert order == [] and win.composer.warm_task is None  # no timer: nothing yet
    win.resize(1280, 800)
    win.show()
    try:
        qtbot.waitUntil(started.is_set, timeout=TIMEOUT_MS)
        QTimer.singleShot(0, gui_free.set)
        with qtbot.waitSignal(win.composer.warm_task.done, timeout=TIMEOUT_MS):
            pass
        assert order == ["rows painted", "warm-up", "gui-free", "worker"]
        assert win.inbox.model.rowCount() > 0
    finally:
        close_demo_window(win, ws)
