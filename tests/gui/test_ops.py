"""The window's writer: one thread, in order, and a record of what changed."""

from __future__ import annotations

import threading

from engage_desktop.core.errors import EngageError
from engage_desktop.ui.ops import OpChanges, Operations
from engage_desktop.ui.tasks import TaskRunner


def test_the_record_of_changes_combines_and_names_its_parts():
    both = OpChanges(drafts=True) | OpChanges(outbox=True)
    assert both.names() == ["drafts", "outbox"] and both.rows_moved()
    assert not OpChanges(drafts=True, notes=True).rows_moved()
    assert set(OpChanges.everything().names()) == set(OpChanges().__dataclass_fields__)


def test_writes_run_one_after_another_on_one_thread_and_say_what_changed(qtbot):
    runner = TaskRunner()
    ops = Operations(runner)
    gate = threading.Event()
    order: list[tuple[int, int]] = []
    heard: list[tuple[list[str], object]] = []
    ops.changed.connect(lambda changes, who: heard.append((changes.names(), who)))

    def write(n: int) -> int:
        if n == 0:
            gate.wait(10)  # the first write is slow: the others must wait for it
        order.append((n, threading.get_ident()))
        return n

    def refused() -> None:
        raise EngageError("that draft was sent meanwhile")

    tasks = [ops.write(OpChanges(drafts=True), write, n, initiator="composer") for n in range(4)]
    failed = ops.write(OpChanges(outbox=True), refused)
    messages: list[str] = []
    failed.failed.connect(messages.append)
    gate.set()
    with qtbot.waitSignal(failed.done):
        pass
    assert [n for n, _ in order] == [0, 1, 2, 3]  # in the order asked, none cancelled
    assert len({ident for _, ident in order}) == 1  # on one thread
    assert threading.get_ident() not in {ident for _, ident in order}
    assert heard == [(["drafts"], "composer")] * 4  # the failed write changed nothing
    assert messages == ["that draft was sent meanwhile"]
    assert all(not t.state.is_cancelled() for t in tasks)
    assert runner.shutdown()


def test_a_refresh_runs_once_at_a_time_and_the_latest_request_after_it(qtbot):
    runner = TaskRunner()
    gate = threading.Event()
    ran: list[int] = []
    running_at_once = {"now": 0, "most": 0}
    lock = threading.Lock()

    def count(_state, n: int) -> int:
        with lock:
            running_at_once["now"] += 1
            running_at_once["most"] = max(running_at_once["most"], running_at_once["now"])
        if n == 0:
            gate.wait(10)  # the first recount is slow; three more are asked meanwhile
        ran.append(n)
        with lock:
            running_at_once["now"] -= 1
        return n

    tasks = [runner.start_latest("counts", count, n) for n in range(4)]
    results: list[int] = []
    for task in tasks:
        task.succeeded.connect(results.append)
    ended = []
    for task in tasks:
        task.done.connect(lambda t=task: ended.append(t))
    gate.set()
    qtbot.waitUntil(lambda: len(ended) == 4)
    assert ran == [0, 3]  # the first, then only the latest request made while it ran
    assert running_at_once["most"] == 1
    assert results == [0, 3]  # 1 and 2 never ran: cancelled, yet their done fired
    assert tasks[1].state.is_cancelled() and tasks[2].state.is_cancelled()
    assert runner.shutdown()


def test_delivered_tasks_are_freed_even_when_a_slot_holds_its_own_task(qtbot):
    import gc
    import weakref

    runner = TaskRunner()
    runner.release_after_s = 0.0  # released at the next delivery (the window waits 2 s)
    refs = []
    for n in range(30):
        # A slot that holds its task, the pattern the inbox's model uses; superseded
        # keys and waiting refreshes too.
        task = runner.start(f"key{n % 3}", lambda _state, n=n: n)
        task.done.connect(lambda t=task: t.key)
        waiting = runner.start_latest("counts", lambda _state: None)
        refs += [weakref.ref(task), weakref.ref(waiting)]
    del task, waiting
    qtbot.waitUntil(lambda: not runner.running())
    # One more delivery releases the one before it. Delivery is queued, so the signal
    # cannot fire before the wait below processes events.
    last = runner.start("last", lambda _state: None)
    with qtbot.waitSignal(last.done):
        pass
    gc.collect()
    alive = [r for r in refs if r() is not None]
    assert len(alive) <= 1  # at most the last delivered one, held until the next
    assert runner.shutdown()


def test_a_done_slot_running_a_nested_event_loop_keeps_its_later_slots(qtbot):
    from PySide6.QtCore import QEventLoop, QTimer

    runner = TaskRunner()
    runner.release_after_s = 0.0
    first = runner.start("first", lambda _state: 1)
    calls: list[str] = []

    def nested() -> None:  # like a dialog's exec(): other tasks deliver meanwhile
        loop = QEventLoop()
        other = runner.start("other", lambda _state: 2)
        other.done.connect(loop.quit)
        QTimer.singleShot(10_000, loop.quit)  # a failure ends, it does not hang
        loop.exec()
        calls.append("nested")

    first.done.connect(nested)
    first.done.connect(lambda: calls.append("after"))
    qtbot.waitUntil(lambda: calls == ["nested", "after"])
    assert runner.shutdown()


def test_a_result_that_arrives_after_its_cancel_is_handed_over_as_discarded(qtbot):
    runner = TaskRunner()
    task = runner.start("read", lambda _state: "an open cursor")
    succeeded: list[object] = []
    discarded: list[object] = []
    task.succeeded.connect(succeeded.append)
    task.discarded.connect(discarded.append)
    runner.pool.waitForDone()  # the work returned; its delivery is still queued
    task.cancel()
    with qtbot.waitSignal(task.done):
        pass
    assert succeeded == [] and discarded == ["an open cursor"]
    assert runner.shutdown()
