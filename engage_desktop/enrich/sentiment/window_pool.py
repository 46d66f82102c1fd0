"""Where a batch is scored: child processes in a window, the calling process in a CLI.

VADER and language detection are pure Python and hold the GIL while they run. In a
process that shows a window (:func:`~engage_desktop.core.priority.serve_window`), a
background thread that scores even a few thousand posts takes the interpreter from
the GUI thread: ``benchmarks/responsiveness.py``'s stall profiler found the GUI
thread mostly waiting for the GIL while the backfill scored in-process. So in the
window *every* batch, of any size, goes to child processes: one small
:class:`ScoringPool` per session, started on first use and reused by the backfill,
re-scores, imports and the fetch's after-insert enrichment, with its workers at a
lower priority (:func:`~engage_desktop.core.priority.worker_nice`). The window's
threads only read rows, send texts, receive scores and write.

The pool has one worker, or two while a backlog of at least
:data:`~engage_desktop.enrich.sentiment.pool.POOL_THRESHOLD` texts runs (the second
is dropped when that backlog ends: an idle worker only costs memory, but a window
keeps running for hours). A one-shot command line keeps today's rule: in-process
below the threshold, where starting a worker costs more than it saves, and a
temporary pool on every core above it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from engage_desktop.core.priority import serves_window
from engage_desktop.enrich.sentiment.pool import POOL_THRESHOLD, ScoringPool
from engage_desktop.enrich.sentiment.vader_fast import VaderScorer

#: Workers of the window's pool for a small batch, and for a big backlog.
SMALL_WORKERS = 1
BIG_WORKERS = 2

_lock = threading.Lock()
_shared: ScoringPool | None = None
_users = 0


@contextmanager
def scoring_pool(
    scorer: VaderScorer, total: int, processes: int | None = None
) -> Iterator[ScoringPool | None]:
    """The pool to score ``total`` texts with, or None to score in the calling process.

    Args:
        scorer: The scorer whose lexicon and adjustments the workers use.
        total: Texts the caller is about to score (decides the pool's width).
        processes: The caller's explicit choice (1: in-process; N: a temporary pool
            of N workers), honoured outside a window. In a window it is ignored:
            scoring never runs on the window's threads.

    Yields:
        A started-on-demand :class:`ScoringPool`, or None (score in-process).
    """
    if serves_window():
        with _window_pool(scorer, BIG_WORKERS if total >= POOL_THRESHOLD else SMALL_WORKERS) as p:
            yield p
        return
    workers = processes if processes is not None else (0 if total >= POOL_THRESHOLD else 1)
    if workers == 1:
        yield None
        return
    with ScoringPool(scorer, workers or None) as pool:
        yield pool


@contextmanager
def _window_pool(scorer: VaderScorer, workers: int) -> Iterator[ScoringPool]:
    """Lease the window's shared pool (or, rarely, a temporary one).

    The shared pool is kept across batches while its scorer stays the same. It is
    replaced only while nobody uses it: when the lexicon adjustments changed, or a
    big backlog wants a second worker. A batch that needs another scorer while the
    shared pool is busy gets a temporary pool of its own.
    """
    global _shared, _users
    stale: ScoringPool | None = None
    with _lock:
        pool = _shared
        fits = pool is not None and pool.scorer.version == scorer.version
        if pool is not None and (fits and (pool.processes >= workers or _users)):
            _users += 1
        elif pool is None or not _users:
            stale, pool = pool, _window_scoring_pool(scorer, workers)
            _shared, _users = pool, 1
        else:
            pool = None
    if stale is not None:
        stale.close()
    if pool is None:  # the shared pool is busy with another configuration
        with _window_scoring_pool(scorer, workers) as temporary:
            yield temporary
        return
    try:
        yield pool
    finally:
        with _lock:
            _users -= 1
            # Back to one worker once the backlog that wanted two is done.
            shrink = not _users and pool is _shared and pool.processes > SMALL_WORKERS
            if shrink:
                _shared = None
        if shrink:
            pool.close()


def _window_scoring_pool(scorer: VaderScorer, workers: int) -> ScoringPool:
    # Every chunk goes to the workers, however few texts are new (min_task_size=1):
    # a round trip costs the window's threads far less GIL than scoring does.
    return ScoringPool(scorer, workers, min_task_size=1)


def close_window_pool() -> None:
    """Stop the window's scoring workers (the window calls this when it closes).

    Work still queued is cancelled and the running work is stopped at once (the
    window's tasks were cancelled first and no longer wait for it); a batch still
    running on another thread then fails, as it would when its process exits.
    """
    global _shared, _users
    with _lock:
        pool, _shared, _users = _shared, None, 0
    if pool is not None:
        pool.close(now=True)
