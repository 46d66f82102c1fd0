"""Unexpected errors are logged with their traceback and shown once, copyable."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QApplication

from engage_desktop.core.errors import EngageError
from engage_desktop.ui import errors
from engage_desktop.ui.tasks import TaskRunner


@pytest.fixture
def reporter(tmp_path, qapp, monkeypatch):
    log_path = errors.setup_logging(tmp_path)
    rep = errors.ErrorReporter(log_path)
    monkeypatch.setattr(errors, "_reporter", rep)
    yield rep
    for dialog in list(rep.dialogs):
        dialog.close()
    for handler in list(errors._log.handlers):
        if str(tmp_path) in getattr(handler, "baseFilename", ""):
            errors._log.removeHandler(handler)
            handler.close()


def _boom(state):
    raise ZeroDivisionError("a bug in the work")


def _refused(state):
    raise EngageError("the server refused the token; reconnect the account")


def test_a_bug_in_a_task_is_logged_shown_and_handed_over_as_an_object(reporter, qtbot):
    runner = TaskRunner()
    seen: list[object] = []
    task = runner.start("boom", _boom)
    task.errored.connect(seen.append)
    with qtbot.waitSignal(task.done):
        pass
    qtbot.waitUntil(lambda: len(reporter.dialogs) == 1)
    assert isinstance(seen[0], ZeroDivisionError)
    dialog = reporter.dialogs[0]
    assert "ZeroDivisionError: a bug in the work" in dialog.details_text
    assert "Traceback" in dialog.details_text
    dialog.copy_button.click()
    assert "a bug in the work" in QApplication.clipboard().text()
    logged = reporter.log_path.read_text(encoding="utf-8")
    assert "unexpected error" in logged and "ZeroDivisionError" in logged
    runner.shutdown()


def test_a_problem_in_words_is_not_a_bug(reporter, qtbot):
    runner = TaskRunner()
    messages: list[str] = []
    task = runner.start("refused", _refused)
    task.failed.connect(messages.append)
    with qtbot.waitSignal(task.done):
        pass
    assert messages == ["the server refused the token; reconnect the account"]
    assert reporter.dialogs == []
    runner.shutdown()


def test_an_error_ending_a_thread_reaches_the_dialog(reporter, qtbot):
    def work():
        raise RuntimeError("thread bug")

    thread = threading.Thread(target=work)
    previous = threading.excepthook
    threading.excepthook = reporter.thread_excepthook
    try:
        thread.start()
        thread.join()
    finally:
        threading.excepthook = previous
    qtbot.waitUntil(lambda: len(reporter.dialogs) == 1)
    assert "RuntimeError: thread bug" in reporter.dialogs[0].details_text
