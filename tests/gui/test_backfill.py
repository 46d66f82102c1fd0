"""The backfill: progress and Cancel in the status bar, errors as messages."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime

import pytest

from engage_desktop.core.errors import EngageError
from engage_desktop.demo.build import build_demo
from engage_desktop.enrich.pipeline import needs_enrichment
from engage_desktop.enrich.sentiment import window_pool
from engage_desktop.ui.main_window import MainWindow
from engage_desktop.ui.tasks import TaskRunner
from engage_desktop.workspace.database import Workspace
from tests.gui.waiting import TIMEOUT_S


@pytest.fixture
def raw_path(tmp_path):
    path = tmp_path / "raw.engage"
    build_demo(path, 1500, seed=3, end=datetime(2026, 11, 1, tzinfo=UTC), enrich=False)
    return path


def open_window(qtbot, path, settings, read_only=False):
    ws = Workspace.open(path, read_only=read_only)
    win = MainWindow(ws, settings)
    qtbot.addWidget(win)
    win.show()
    return win, ws


def close_window(win, ws):
    win.close()
    ws.close()


def test_backfill_starts_on_open_shows_progress_and_refreshes(qtbot, raw_path, settings):
    win, ws = open_window(qtbot, raw_path, settings)
    try:
        assert win.enrich_task is not None
        # The task counts what is due itself; the bar shows with its first report.
        shown = _status_at_first_report(win)
        qtbot.waitUntil(lambda: bool(shown), timeout=240_000)
        bar, cancel, label = shown[0]
        assert bar and cancel
        assert "Scoring sentiment" in label
        wait_for_scoring(qtbot, win)
        assert needs_enrichment(ws) == 0
        assert not win.task_bar.isVisible()
        assert win.statusBar().currentMessage().startswith("Enriched 1,500 of 1,500")
        # The views were refreshed: the inbox shows scores now.
        assert win.settle(TIMEOUT_S)
        assert win.inbox.model.data(win.inbox.model.index(0, 4)) != "not scored"
        # Scored by the window's worker process, not on one of its own threads.
        pool = window_pool._shared
        assert pool is not None and pool.processes == 1
        workers = list(pool._executor._processes.values())
        assert workers and os.getpid() not in {w.pid for w in workers}
    finally:
        close_window(win, ws)
    assert window_pool._shared is None  # closing the window stopped its worker
    assert not any(w.is_alive() for w in workers)


def _status_at_first_report(win) -> list[tuple[bool, bool, str]]:
    """What the status bar shows when the scoring task's first report has arrived."""
    shown: list[tuple[bool, bool, str]] = []
    win.enrich_task.progressed.connect(  # after the window's own slot
        lambda _d, _t: (
            shown
            or shown.append(
                (win.task_bar.isVisible(), win.task_cancel.isVisible(), win.task_label.text())
            )
        )
    )
    return shown


def wait_for_scoring(qtbot, win) -> None:
    """Until the window has handled the end of scoring (an event, however long it takes).

    A busy machine can delay the worker for minutes; the window clears ``enrich_task``
    when it has received the task's end, so this cannot miss an early finish either.
    """
    qtbot.waitUntil(lambda: win.enrich_task is None, timeout=240_000)


def test_cancel_keeps_whole_batches_only(qtbot, raw_path, settings):
    win, ws = open_window(qtbot, raw_path, settings)
    try:
        assert win.enrich_task is not None
        win.cancel_backfill()
        assert not win.task_cancel.isEnabled()
        wait_for_scoring(qtbot, win)
        left = needs_enrichment(ws)
        assert left in (0, 1500)  # one 10k chunk: all of it or none, never half
        if left:
            assert "cancelled" in win.statusBar().currentMessage()
    finally:
        close_window(win, ws)


def test_read_only_never_backfills(qtbot, raw_path, settings):
    Workspace.open(raw_path).close()  # migrate first: read-only refuses old schemas
    win, ws = open_window(qtbot, raw_path, settings, read_only=True)
    try:
        assert win.enrich_task is None and not win.task_bar.isVisible()
        assert not win.score_action.isEnabled() and not win.rescore_action.isEnabled()
    finally:
        close_window(win, ws)


def test_worker_errors_arrive_as_messages_without_traceback(qtbot, capfd):
    runner = TaskRunner()
    gate = threading.Event()  # the work waits until the test listens to its signals

    def broken(state):
        gate.wait(5)
        raise ZeroDivisionError("division by zero")

    def refused(state):
        gate.wait(5)
        raise EngageError("the file is gone; choose another")

    messages = []
    for fn in (broken, refused):
        gate.clear()
        task = runner.start(fn.__name__, fn)
        task.failed.connect(messages.append)
        with qtbot.waitSignal(task.done):
            gate.set()
    runner.shutdown()
    assert messages == [
        "Unexpected error: ZeroDivisionError: division by zero",
        "the file is gone; choose another",
    ]
    assert "Traceback" not in capfd.readouterr().err


def test_file_menu_scores_and_rescores_with_progress_and_cancel(qtbot, raw_path, settings):
    win, ws = open_window(qtbot, raw_path, settings)
    try:
        wait_for_scoring(qtbot, win)  # the backfill on open
        assert needs_enrichment(ws) == 0
        win.score_action.trigger()  # nothing due: said (the task counted none)
        wait_for_scoring(qtbot, win)
        assert win.enrich_task is None and not win.task_bar.isVisible()
        assert "scored already" in win.statusBar().currentMessage()
        before = ws.scalar("SELECT max(scored_at) FROM mentions")
        win.rescore_action.trigger()
        assert win.enrich_task is not None
        shown = _status_at_first_report(win)
        win.rescore_action.trigger()  # a second start while running is refused in words
        assert "already running" in win.statusBar().currentMessage()
        qtbot.waitUntil(lambda: bool(shown), timeout=240_000)
        assert shown[0][1] and shown[0][2] == "Re-scoring sentiment of 1,500 mentions…"
        wait_for_scoring(qtbot, win)
        assert ws.scalar("SELECT min(scored_at) FROM mentions") > before
        assert win.statusBar().currentMessage().startswith("Enriched 1,500 of 1,500")
    finally:
        close_window(win, ws)


def test_a_task_pauses_while_the_user_is_busy_within_its_bound():
    from engage_desktop.ui.tasks import Task

    state = Task("scoring").state
    asked = []

    def busy() -> float:  # the user moves for two more looks, then rests
        asked.append(1)
        return 5.0 if len(asked) < 3 else 0.0

    state.hold_while(busy, most_s=600)
    state.pause()
    assert len(asked) == 3
    state.hold_while(lambda: 1e9, most_s=0.01)
    state.pause()  # the user never rests: it goes on at its bound (else this hangs)
    state.hold_while(lambda: 1e9, most_s=1e9)
    state.cancel()
    state.pause()  # a cancelled task never waits
