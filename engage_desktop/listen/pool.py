"""The pools a fetch runs on, kept for the process's next fetch.

The parse workers' process pool is started on first use (or ahead of it:
:func:`fork_parse_pool` for one-shot commands, ``prestart_parse_pool`` in
:mod:`engage_desktop.listen.fetch` for the window) and kept for the session;
:func:`shutdown_parse_pool` ends it. The workers end with the process that started
them, however it ends. The fetch threads (:func:`borrow_fetch_threads`) are kept too.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

from engage_desktop.core.heap import freeze_long_lived
from engage_desktop.core.priority import lower_priority, worker_nice

# What every parse worker needs, loaded once before the workers start. Not pyarrow,
# numpy or pandas (workers return their rows as JSON text) and not feedparser: the fast
# path reads well-formed feeds, and a worker imports feedparser the first time a document
# needs it (~0.1 s, once per worker).
PRELOAD = ("engage_desktop.listen.preload", "engage_desktop.sources.fastfeed", "nh3")

_pool_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_size = 0
#: Manager threads of pools told to stop and not waited for yet.
_stopping: list[threading.Thread] = []
#: Seconds :func:`shutdown_parse_pool` waits for stopped workers (they end in
#: milliseconds; a stuck one ends with this process anyway, see die_with_parent).
STOP_WAIT_S = 10.0


def parse_pool(workers: int, *, fork: bool = False) -> ProcessPoolExecutor:
    """The parse processes, started on first use and kept for the session.

    Starting a worker costs far more than parsing a feed (the interpreter, the lexicon and
    the language model: ~0.6 s of CPU each, measured), so the pool is shared by
    every run of the process instead of being started per run; the window's
    scheduled fetches reuse it. :func:`shutdown_parse_pool` ends it (the window
    calls it on close; an ``atexit`` hook is the safety net).

    ``fork`` (see :func:`fork_parse_pool`) starts the workers by forking this
    process instead of through a fork server; only safe while it has one thread.
    """
    global _pool, _pool_size
    with _pool_lock:
        if _pool is not None and (_pool_size != workers or _broken(_pool)):
            _pool.shutdown(wait=False, cancel_futures=True)
            _pool = None
        if _pool is None:
            # forkserver: fork is unsafe in a process with Qt and HTTP threads running.
            methods = multiprocessing.get_all_start_methods()
            method = "forkserver" if "forkserver" in methods else "spawn"
            if fork and "fork" in methods:
                method = "fork"
            ctx = multiprocessing.get_context(method)
            if method == "forkserver":
                ctx.set_forkserver_preload(list(PRELOAD))
            _pool = _roomy_pool(workers, ctx)
            _pool_size = workers
        return _pool


#: Documents queued ahead for the parse workers (the executor's default is one).
QUEUED_AHEAD = 32
#: Bytes a pipe between this process and the parse workers holds (Linux's default is
#: 64 KiB: one feed document, or less than one batch of rows coming back).
PIPE_BYTES = 1 << 20


def _roomy_pool(workers: int, ctx: Any) -> ProcessPoolExecutor:
    """A process pool whose workers do not wait on this process between documents.

    With the executor's defaults a worker holds at most one queued document, and a
    result bigger than the 64 KiB pipe blocks it until this process reads it; when
    this process is busy (HTTP, storing a batch), the workers then sit idle. Measured
    with /proc schedstat over a 10,000-entry run (benchmarks/ingest.py's feeds): the
    workers' blocked time fell from 2.2-2.8 s to 1.6-1.9 s with documents queued
    ahead *and* wider pipes (either one alone did not help).
    """
    import concurrent.futures.process as executor

    with _queue_lock:  # the queue size is read from a module global at construction
        before = executor.EXTRA_QUEUED_CALLS
        executor.EXTRA_QUEUED_CALLS = QUEUED_AHEAD
        try:
            pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=ctx,
                initializer=die_with_parent,
                initargs=(os.getpid(), worker_nice()),
            )
        finally:
            executor.EXTRA_QUEUED_CALLS = before
    _widen_pipes(pool)
    return pool


_queue_lock = threading.Lock()


def _widen_pipes(pool: ProcessPoolExecutor) -> None:
    """Let the pool's pipes hold :data:`PIPE_BYTES` (Linux); elsewhere nothing changes."""
    try:
        import fcntl

        grow = fcntl.F_SETPIPE_SZ  # type: ignore[attr-defined]
    except (ImportError, AttributeError):  # not Linux
        return
    for name in ("_call_queue", "_result_queue"):
        reader = getattr(getattr(pool, name, None), "_reader", None)
        # A system whose limit is below 1 MiB keeps the default.
        with contextlib.suppress(AttributeError, OSError, ValueError):
            fcntl.fcntl(reader.fileno(), grow, PIPE_BYTES)  # type: ignore[union-attr]


def die_with_parent(owner_pid: int, nice: int = 0) -> None:
    """Make a parse worker end when the process that started the pool ends.

    After ``kill -9`` of ``engage-desktop fetch`` nothing closes the pool, and a
    forked worker holds both ends of its task pipe, so it would wait forever. On
    Linux the kernel sends SIGKILL when the worker's parent dies
    (``PR_SET_PDEATHSIG``; the parent is the fetch process, or the fork server,
    which itself exits with it). Everywhere, a watcher thread also ends the worker
    once the owner is gone. ``nice`` lowers the worker's priority when the owner
    shows a window (:mod:`engage_desktop.core.priority`).
    """
    import signal
    import sys

    lower_priority(nice)

    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1
            libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no libc prctl: the watcher still works
            pass
    parent = os.getppid()
    if not _alive(owner_pid) or parent == 1:  # the owner died before prctl took hold
        os._exit(1)

    def watch() -> None:
        while _alive(owner_pid) and os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="watch-owner", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else (pid reused): gone for us
        return False
    return True


def default_parse_workers() -> int:
    """Parse processes a fetch starts: one per core, at most four."""
    return max(1, min(4, os.cpu_count() or 1))


def fork_parse_pool(workers: int) -> bool:
    """Start the parse workers now by forking this process (one-shot commands).

    A fresh process (``engage-desktop fetch``) would otherwise start a fork server
    that imports the parse modules a second time before its first worker exists
    (~0.35 s of a 10,000-entry cold fetch, measured). Forking is only safe while
    the process runs a single thread: call this before opening a workspace (DuckDB
    starts threads) or any HTTP pool. Returns False, doing nothing, when the process
    already has other threads or the system cannot fork; the fork server is then
    used as usual.
    """
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return False
    for module in PRELOAD:  # what the workers need, imported once, before the fork
        importlib.import_module(module)
    # Everything loaded so far lives as long as the process, here and in each worker:
    # frozen, no full collection walks it again, and the workers' collections leave
    # the pages they share with this process unwritten.
    freeze_long_lived("parse workers forked")
    pool = parse_pool(workers, fork=True)
    for _ in range(workers):
        pool.submit(int)  # start them all now
    return True


def _broken(pool: ProcessPoolExecutor) -> bool:
    return bool(getattr(pool, "_broken", False))


def shutdown_parse_pool(*, wait: bool = True) -> None:
    """Stop the parse processes (they start again on the next big fetch).

    ``wait=False`` only tells them to stop and returns: a one-shot command does so
    once its last document is parsed, so the workers end while it writes its last
    rows to disk rather than after. A later call with ``wait=True`` (or the
    interpreter's exit) waits for them too.
    """
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
        earlier = [] if not wait else _stopping[:]
        if wait:
            _stopping.clear()
    if pool is not None:
        # The executor forgets its manager thread on a shutdown without waiting (a
        # second shutdown waits for nothing); the thread ends once every worker has.
        manager = getattr(pool, "_executor_manager_thread", None)
        pool.shutdown(wait=wait, cancel_futures=True)
        if not wait and isinstance(manager, threading.Thread):
            with _pool_lock:
                _stopping.append(manager)
    for thread in earlier:  # pools told to stop before: wait until their workers end
        thread.join(STOP_WAIT_S)


atexit.register(shutdown_parse_pool)


class _FetchThreads(ThreadPoolExecutor):
    def __init__(self, workers: int) -> None:
        super().__init__(max_workers=workers, thread_name_prefix="fetch")
        self.workers = workers


#: Fetch thread pools not in use, by size, kept for the next run.
_idle_fetchers: dict[int, list[_FetchThreads]] = {}


def borrow_fetch_threads(workers: int) -> _FetchThreads:
    """Up to ``workers`` fetch threads for one run, kept for the process's next run.

    A run that started its own threads started them while its first requests went
    out: on an unchanged refresh of 200 feeds (benchmarks/ingest.py) that delayed the
    last host's first request, and so, 0.3 s of politeness later, its last one, and
    joining them at the end cost a few ms more. A run borrows an idle pool (two runs
    at once each get their own) and gives it back with :func:`return_fetch_threads`
    once every task it submitted has ended. Threads start on demand, so a run of
    three sources starts at most three.
    """
    with _pool_lock:
        idle = _idle_fetchers.get(workers)
        if idle:
            return idle.pop()
    return _FetchThreads(workers)


def return_fetch_threads(pool: _FetchThreads) -> None:
    """Keep ``pool`` for the next run; none of its tasks may still be running."""
    with _pool_lock:
        _idle_fetchers.setdefault(pool.workers, []).append(pool)


def shutdown_fetch_threads() -> None:
    """End the idle fetch threads (they start again with the next run)."""
    with _pool_lock:
        pools = [pool for idle in _idle_fetchers.values() for pool in idle]
        _idle_fetchers.clear()
    for pool in pools:
        pool.shutdown(wait=True)


def start_fetch_threads(workers: int, threads: int) -> None:
    """Start ``threads`` of a run's ``workers`` fetch threads now (the window, ahead of
    its first run: as many as it has sources, up to ``workers``)."""
    threads = min(workers, threads)
    if threads < 1:
        return
    pool = borrow_fetch_threads(workers)
    started = threading.Barrier(threads, timeout=5.0)

    def wait_for_the_others() -> None:
        with contextlib.suppress(threading.BrokenBarrierError):
            started.wait()  # every thread busy at once: each submit starts a new one

    try:
        for future in [pool.submit(wait_for_the_others) for _ in range(threads)]:
            future.result()
    finally:
        return_fetch_threads(pool)
