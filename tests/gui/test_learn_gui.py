"""Teaching the model from the window: the "Teach the model" view with keys 1/2/3,
"Sentiment is" in the bulk bar, background learning and the dashboard's model card."""

from __future__ import annotations

from PySide6.QtCore import Qt

from engage_desktop.enrich.learned.corrections import set_corrections
from engage_desktop.enrich.learned.store import active_model
from tests.gui.waiting import TIMEOUT_S


def rows(ws, sql, params=None):
    cur = ws.cursor()
    try:
        return cur.execute(sql, params or []).fetchall()
    finally:
        cur.close()


def corrected(ws, mention_id):
    found = rows(ws, "SELECT label FROM sentiment_corrections WHERE mention_id = ?", [mention_id])
    return found[0][0] if found else None


def teach_rule(ws, n=130):
    """Corrections that follow a rule VADER misses: anyone who waits is unhappy."""
    sample = rows(
        ws,
        "SELECT id, model_label, text ILIKE '%wait%' FROM mentions "
        "WHERE model_label IN ('positive', 'neutral', 'negative') ORDER BY text ILIKE '%wait%' "
        f"DESC, id LIMIT {n}",
    )
    return set_corrections(
        ws, [(i, "negative" if down else label) for i, label, down in sample], "test"
    )


def test_teach_view_keys_label_and_move_on(window, qtbot):
    window.show_view("inbox")
    inbox = window.inbox
    qtbot.waitUntil(lambda: not inbox.tasks.running())
    inbox.sidebar.choose("Teach the model")
    assert window.settle(TIMEOUT_S)
    queue = [r[0] for r in rows(inbox.ws, "SELECT mention_id FROM teaching_queue ORDER BY rank")]
    assert queue and inbox.model.rowCount() == len(queue)
    inbox.table.setFocus()
    inbox.select_row(0)
    assert window.settle(TIMEOUT_S)
    assert inbox.current_mention_id() == queue[0]
    qtbot.keyClick(inbox.table, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: corrected(inbox.ws, queue[0]) == "negative")
    # The labelled mention left the queue; the next one is under the cursor.
    qtbot.waitUntil(lambda: inbox.current_mention_id() == queue[1])
    assert window.settle(TIMEOUT_S)
    assert inbox.model.rowCount() == len(queue) - 1
    shown_before = rows(inbox.ws, "SELECT sentiment_label FROM mentions WHERE id = ?", [queue[1]])
    qtbot.keyClick(inbox.table, Qt.Key.Key_3)
    qtbot.waitUntil(lambda: corrected(inbox.ws, queue[1]) == "positive")
    qtbot.waitUntil(lambda: inbox.current_mention_id() == queue[2])
    assert "Ctrl+Z undoes" in inbox.undo_label.text()
    # Ctrl+Z: the last label goes, the mention is back in the queue, under the cursor.
    qtbot.waitUntil(lambda: not inbox.tasks.running())
    qtbot.keyClick(inbox.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: corrected(inbox.ws, queue[1]) is None)
    qtbot.waitUntil(lambda: inbox.current_mention_id() == queue[1])
    assert inbox.model.rowCount() == len(queue) - 1
    assert rows(inbox.ws, "SELECT sentiment_label FROM mentions WHERE id = ?", [queue[1]]) == (
        shown_before
    )
    assert inbox.undo_label.text().startswith("Undone: Sentiment of 1 mention set to positive")
    # And once more: the first label goes too.
    qtbot.keyClick(inbox.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: corrected(inbox.ws, queue[0]) is None)
    qtbot.waitUntil(lambda: inbox.current_mention_id() == queue[0])
    assert inbox.model.rowCount() == len(queue)
    qtbot.waitUntil(lambda: not inbox.tasks.running())


def test_bulk_bar_sets_sentiment_on_a_selection(window, qtbot):
    window.show_view("inbox")
    inbox = window.inbox
    qtbot.waitUntil(lambda: not inbox.tasks.running())
    inbox.table.setFocus()
    for row in range(3):
        inbox.select_row(row)
        inbox.toggle_mark()
    ids = sorted(inbox.model.marked)
    assert len(ids) == 3 and inbox.bulk_bar.isVisible()
    inbox.set_sentiment("neutral")
    qtbot.waitUntil(lambda: all(corrected(inbox.ws, i) == "neutral" for i in ids))
    qtbot.waitUntil(lambda: not inbox.model.marked)
    assert window.settle(TIMEOUT_S)
    shown = {inbox.model.index(r, 5).data() for r in range(5)}
    assert any(text.endswith("· analyst") for text in shown if text)
    qtbot.waitUntil(lambda: not inbox.tasks.running())


def test_background_learning_and_model_card(window, qtbot):
    ws = window.ws
    card = window.dashboard.model_card
    qtbot.waitUntil(lambda: "more" in card.summary_text())
    assert "the model needs 100 more" in card.summary_text()
    assert not card.chart_shown()  # no model: words only, no chart of empty axes
    assert teach_rule(ws) == 130
    with qtbot.waitSignal(window.learner.finished) as finished:
        window.learner.check()
    assert "trained model learned.1" in finished.args[0]
    assert active_model(ws) is not None
    qtbot.waitUntil(lambda: window.learner.task is None)
    window.dashboard.refresh()
    qtbot.waitUntil(lambda: "learned.1" in card.summary_text())
    assert "labels mentions without a correction" in card.summary_text()
    assert "F1, learned model" in card.figures.text()
    assert card.chart_shown()  # the corrections' weeks, drawn
    assert any(t in card.terms.text() for t in ("waited", "on hold", "useless", "hold"))
    labels = rows(ws, "SELECT count(*) FROM mentions WHERE learned_version = 'learned.1'")
    assert labels[0][0] > 2000
    qtbot.waitUntil(lambda: not window.tasks.running())


def test_the_model_card_hides_its_chart_again_when_a_status_has_no_weeks(qtbot):
    import shiboken6

    from engage_desktop.ui.dashboard.model_card import ModelCard

    card = ModelCard()
    qtbot.addWidget(card)
    place = card._plot_place  # deleted once the chart takes its place
    weeks = [{"week": "2026-W50", "corrections": 10, "vader_agreed": 6, "model_agreed": 9}]
    model = {"corrections": 130, "f1_model": 0.9, "f1_vader": 0.6, "labels": {}}
    card.set_status({"card": {**model, "over_time": weeks}, "in_use": True, "version": "v1"})
    assert card.chart_shown()
    qtbot.waitUntil(lambda: not shiboken6.isValid(place))
    # The model is gone again (removed, or retrained on corrections of no week).
    card.set_status({"card": None, "corrections": 40, "needed": 60})
    assert not card.chart_shown() and "60 more" in card.summary_text()
    card.set_status({"card": {**model, "over_time": []}, "in_use": False, "version": "v2"})
    assert not card.chart_shown() and "did not beat it" in card.summary_text()
