"""The one bridge from worker threads to the GUI.

Domain work is a plain function that takes a :class:`TaskState` (progress and
cancellation) and knows nothing of Qt. :class:`TaskRunner` runs it on a
``QThreadPool`` thread and delivers progress, the result or an error as queued
signals, so widgets are only ever touched on the GUI thread. Starting a task under a
key that is still running cancels the older one (Orange3's pattern).

A *lane* is a pool of one thread: tasks started in it run one after another in the
order they were started. The inbox's pager reads in its own lane (a pager is not
thread-safe), and every write the window makes runs in the ``writer`` lane
(``ui/ops.py``), like Anki's single database thread (``aqt/taskman.py``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import SIGNAL, QObject, QRunnable, Qt, QThreadPool, Signal, Slot

from engage_desktop.core.errors import EngageError
from engage_desktop.core.foreground import foreground_busy, make_way


class TaskState:
    """Handed to the work function: report progress, check for cancellation."""

    def __init__(self, task: Task) -> None:
        self._task = task
        self._cancel = threading.Event()
        self._on_cancel: list[Callable[[], None]] = []
        self._busy: Callable[[], float] | None = None
        self._most_s = 0.0
        # Guards _stop: cancel() calls it under the lock, and leaving interrupting()
        # clears it under the lock, so a stop never lands after its block ended.
        self._lock = threading.Lock()
        self._stop: Callable[[], None] | None = None

    def progress(self, done: int, total: int) -> None:
        """Report progress (thread-safe; delivered to the GUI queued)."""
        self._task._progress.emit(int(done), int(total))

    def is_cancelled(self) -> bool:
        """True once the user or a newer task asked this one to stop."""
        return self._cancel.is_set()

    def hold_while(self, busy: Callable[[], float], most_s: float) -> None:
        """Make :meth:`pause` wait while ``busy()`` (ms the user still needs) is positive.

        ``busy`` is called on the worker thread: it must only read plain values.
        """
        self._busy, self._most_s = busy, most_s

    def pause(self) -> None:
        """Between steps of long work: wait while the user is busy, at most ``most_s``.

        Returns at once without :meth:`hold_while`, and as soon as the task is
        cancelled. The bound keeps background work going under a user who never rests.
        """
        make_way()  # and never starts the next step inside a paint (core/foreground.py)
        busy = self._busy
        if busy is None:
            return
        end = time.monotonic() + self._most_s
        while not self._cancel.is_set():
            wait, left = busy() / 1000, end - time.monotonic()
            if wait <= 0 or left <= 0:
                return
            self._cancel.wait(min(wait, left))

    def on_cancel(self, stop: Callable[[], None]) -> None:
        """Call ``stop`` when the task is cancelled (at once if it already is).

        For work that waits where no check can reach it, inside a DuckDB query:
        ``stop`` interrupts it. It runs on the thread that cancels (the GUI thread),
        so it must be quick and thread-safe.
        """
        self._on_cancel.append(stop)
        if self._cancel.is_set():
            stop()

    @contextmanager
    def interrupting(self, stop: Callable[[], None]) -> Iterator[None]:
        """While inside, cancelling the task also calls ``stop`` (a query's interrupt).

        Unlike :meth:`on_cancel`, ``stop`` is never called once the block is left, so
        it cannot stop what a later task runs on the same cursor (the inbox's lane
        shares one pager's cursor between tasks). A cancel repeated while inside
        calls it again (the first may have come before the query began).
        """
        with self._lock:
            self._stop = stop
        try:
            yield
        finally:
            with self._lock:
                self._stop = None

    def cancel(self) -> None:
        """Ask the work function to stop at its next check (and interrupt its query)."""
        with self._lock:
            again = self._cancel.is_set()
            self._cancel.set()  # first: an interrupted query must find itself cancelled
            if self._stop is not None:
                self._stop()
        if again:
            return
        for stop in list(self._on_cancel):
            stop()


class Task(QObject):
    """Signals of one running piece of work.

    The worker thread never emits the public signals itself: it posts its outcome
    through private signals that were connected (queued) when the task was made, and
    the task re-emits them on the GUI thread. So a caller that connects right after
    ``TaskRunner.start`` returns never misses the end of work that finished first.
    """

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)  # the message in words, for where the work was started
    errored = Signal(object)  # the exception itself, for whoever needs more than words
    done = Signal()
    # A result that arrived after the task was cancelled: nobody shows it, so whoever
    # owns what it holds (an open cursor) frees it.
    discarded = Signal(object)

    _progress = Signal(int, int)
    _outcome = Signal(object, object, str)  # result, exception, message

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        self.state = TaskState(self)
        # The runner's bookkeeping: the first thing ``done`` does (see TaskRunner).
        self._finishing: Callable[[Task], None] | None = None
        self.delivering = False  # True while ``done`` is being emitted
        self._progress.connect(self.progressed, Qt.ConnectionType.QueuedConnection)
        self._outcome.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @Slot(object, object, str)
    def _deliver(self, result: object, exc: object, message: str) -> None:
        # What a result sets off on the GUI thread (a model reset, a detail shown)
        # runs while background threads hold their next step back (core/foreground.py).
        with foreground_busy():
            self._deliver_now(result, exc, message)

    def _deliver_now(self, result: object, exc: object, message: str) -> None:
        if exc is not None:
            self.errored.emit(exc)
            self.failed.emit(message)
        elif not self.state.is_cancelled():
            self.succeeded.emit(result)
        elif result is not None:
            self.discarded.emit(result)
        finishing, self._finishing = self._finishing, None
        if finishing is not None:
            finishing(self)
        self.delivering = True  # a done slot may run a nested event loop (a dialog)
        try:
            self.done.emit()
        finally:
            self.delivering = False

    def _release(self) -> None:
        """Drop every connection of a delivered task.

        A slot that holds its own task (``task.done.connect(lambda t=task: ...)``)
        makes a cycle through Qt that Python's collector cannot see: without this,
        every task ever started stayed in memory, and in the collector's full passes.
        """
        for signal, signature in (
            (self.progressed, "progressed(int,int)"),
            (self.succeeded, "succeeded(PyObject)"),
            (self.failed, "failed(QString)"),
            (self.errored, "errored(PyObject)"),
            (self.discarded, "discarded(PyObject)"),
            (self.done, "done()"),
        ):
            if self.receivers(SIGNAL(signature)):
                signal.disconnect()

    def cancel(self) -> None:
        """Ask the task to stop."""
        self.state.cancel()


class _Runnable(QRunnable):
    def __init__(self, task: Task, fn: Callable[..., Any], args: tuple, kwargs: dict) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self.task, self.fn, self.args, self.kwargs = task, fn, args, kwargs

    def run(self) -> None:
        task = self.task
        result: Any = None
        error: BaseException | None = None
        message = ""
        try:
            result = self.fn(task.state, *self.args, **self.kwargs)
        except EngageError as exc:
            error, message = exc, str(exc)
        except Exception as exc:  # a bug, but the window must carry on
            from engage_desktop.workspace.database import Workspace

            error = exc
            fault = Workspace.explain_fault(exc)
            if task.state.is_cancelled() and Workspace.is_interruption(exc):
                error = None  # superseded, its query stopped (interrupting): no result
            elif fault is not None:  # a full disk or a denied file: the machine, not a bug
                message = fault[0].upper() + fault[1:]
            else:
                # The traceback goes to the log file and the error dialog
                # (ui/errors.py), never to stderr; where the work was started gets
                # one line.
                from engage_desktop.ui.errors import report_unexpected

                report_unexpected(exc)
                message = f"Unexpected error: {type(exc).__name__}: {exc}"
        finally:
            _forget_dummy_thread()
            task._outcome.emit(result, error, message)
            # Let go here: the runner holds the task until it is delivered, so its
            # last reference drops on the GUI thread that owns it, never on this one.
            self.task = self.fn = self.args = self.kwargs = None  # type: ignore[assignment]


def _forget_dummy_thread() -> None:
    """Drop the ``threading`` record Python made for this Qt pool thread, if any.

    Starting Python threads (a ThreadPoolExecutor) from a QThreadPool thread makes
    ``threading`` register the Qt thread as a ``_DummyThread`` that Python 3.11 never
    removes, so it would look like a leaked thread forever. Python 3.12+ drops it
    when the thread ends; this does the same when the task ends.
    """
    ident = threading.get_ident()
    with threading._active_limbo_lock:  # type: ignore[attr-defined]
        current = threading._active.get(ident)  # type: ignore[attr-defined]
        if isinstance(current, threading._DummyThread):  # type: ignore[attr-defined]
            del threading._active[ident]  # type: ignore[attr-defined]


class TaskRunner(QObject):
    """Starts, cancels and waits for background tasks."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(4)
        self._lanes: dict[str, QThreadPool] = {}
        self._running: dict[str, Task] = {}
        # Per key, the latest start_latest request waiting for the running task.
        self._waiting: dict[str, tuple[Task, Callable[..., Any], tuple, dict]] = {}
        # Started or waiting, not yet delivered: held here so that a task's last
        # reference never drops on a pool thread (a QObject must die on its own thread).
        self._live: set[Task] = set()
        # Delivered tasks, with when, released at a later delivery at least this long
        # after theirs: whoever waited on one (pytest-qt's waitSignal, a dialog) may
        # still disconnect its own slot just after, and Qt warns when it is gone.
        self._retired: list[tuple[float, Task]] = []
        self.release_after_s = 2.0
        self.closed = False  # set by shutdown(): late timers must not start new work

    def start(self, key: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Task:
        """Run ``fn(state, *args, **kwargs)`` in the pool; cancel an older ``key`` task."""
        return self._start(self.pool, key, fn, args, kwargs)

    def start_latest(self, key: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Task:
        """Run ``fn`` now, or once after the running ``key`` task if there is one.

        For refreshes (counts, status): cancelling a running query does not stop
        it, so ``start`` on every change piled up full-table counts on the pool
        threads, all competing with the GUI thread for the CPU. Here at most one
        runs per key, and of the requests made meanwhile only the latest runs after
        it (the older ones end as cancelled, so their ``done`` still fires).
        """
        running = self._running.get(key)
        if running is None or running.state.is_cancelled():
            return self.start(key, fn, *args, **kwargs)
        task = Task(key)
        if self.closed:
            task.cancel()
            return task
        self._drop_waiting(key)
        self._follow(task)
        self._waiting[key] = (task, fn, args, kwargs)
        return task

    def _follow(self, task: Task) -> None:
        """Hold ``task`` until delivered, and do the bookkeeping first when it is."""
        self._live.add(task)
        task._finishing = self._finished

    def _drop_waiting(self, key: str) -> None:
        """Cancel the request waiting under ``key``; it never ran, its ``done`` fires."""
        waiting = self._waiting.pop(key, None)
        if waiting is not None:
            waiting[0].cancel()
            waiting[0]._outcome.emit(None, None, "")

    def start_in(
        self, lane: str, key: str, fn: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> Task:
        """Like :meth:`start`, but in ``lane``: after every task started there before."""
        pool = self._lanes.get(lane)
        if pool is None:
            pool = QThreadPool(self)
            pool.setMaxThreadCount(1)
            pool.setExpiryTimeout(-1)  # one thread for the lane's whole life
            pool.setObjectName(lane)
            self._lanes[lane] = pool
        return self._start(pool, key, fn, args, kwargs)

    def _start(
        self, pool: QThreadPool, key: str, fn: Callable[..., Any], args: tuple, kwargs: dict
    ) -> Task:
        older = self._running.get(key)
        if older is not None:
            older.cancel()
        self._drop_waiting(key)
        task = Task(key)
        if self.closed:  # the window is closing: late timers and results start nothing
            task.cancel()
            return task
        self._running[key] = task
        self._follow(task)
        pool.start(_Runnable(task, fn, args, kwargs))
        return task

    def cancel(self, key: str) -> None:
        """Cancel the running ``key`` task, if any (its result will be ignored)."""
        task = self._running.get(key)
        if task is not None:
            task.cancel()

    def _finished(self, task: Task) -> None:
        # Released at a later delivery, not now: ``task`` is about to emit ``done``
        # (and one whose done slot runs a nested event loop is still emitting it).
        self._live.discard(task)
        now = time.monotonic()
        kept = []
        for retired_at, old in self._retired:
            if old.delivering or now - retired_at < self.release_after_s:
                kept.append((retired_at, old))
            else:
                old._release()
        self._retired = [*kept, (now, task)]
        if self._running.get(task.key) is task:
            del self._running[task.key]
            waiting = self._waiting.pop(task.key, None)
            if waiting is not None:
                queued, fn, args, kwargs = waiting
                self._running[task.key] = queued
                self.pool.start(_Runnable(queued, fn, args, kwargs))

    def running(self) -> list[Task]:
        """Tasks started and not yet done."""
        return list(self._running.values())

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel everything and wait for the threads (on close)."""
        self.closed = True
        for task in list(self._running.values()):
            task.cancel()
        for key in list(self._waiting):
            self._drop_waiting(key)
        # The lanes first: the writer finishes what it was asked (a draft saved on close).
        lanes = all(pool.waitForDone(timeout_ms) for pool in self._lanes.values())
        return self.pool.waitForDone(timeout_ms) and lanes
