"""Batch scoring in chunks: in-process for small batches, a process pool for big ones.

VADER is pure Python, so threads cannot use a second core; worker processes
can. The main process keeps the memo: it drops repeated and already-scored texts
before anything is sent, so workers only see distinct new texts; they send back
each distinct score once plus a 4-byte index per text.

On a 2-core box a warm pool scored 1M posts about 1.5x faster than one process
(and 20x faster than NLTK); below :data:`POOL_THRESHOLD` texts the in-process
path is used because starting workers costs more than it saves.

Results come back as :class:`ScoredChunk` objects in input order, so a caller
can write each chunk in one transaction and stop between chunks.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from array import array
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from types import TracebackType

from engage_desktop.core.priority import lower_priority, worker_nice
from engage_desktop.enrich.sentiment.vader_fast import SentimentScore, VaderScorer, default_scorer

DEFAULT_CHUNK_SIZE = 10_000
#: Below this many texts a temporary pool costs more than it saves: starting 2
#: workers took 0.1-0.4 s on a 2-core box and the pool gains ~2.5 us per text.
POOL_THRESHOLD = 100_000
# Chunks prepared and queued ahead of the one being assembled, so workers never
# wait while the main process assembles results or the caller writes a chunk.
_LOOKAHEAD = 3
# How often a caller waiting for a chunk looks whether it was cancelled: a window
# closed during a backfill must not wait for a chunk of thousands of texts.
_CANCEL_POLL_S = 0.1

Progress = Callable[[int, int], None]
IsCancelled = Callable[[], bool]


@dataclass(frozen=True, slots=True)
class ScoredChunk:
    """Scores of ``texts[start:stop]`` of a batch.

    Attributes:
        start: Index of the first text of the chunk in the batch.
        scores: One score per text, in order.
    """

    start: int
    scores: list[SentimentScore]

    @property
    def stop(self) -> int:
        """Index one past the last text of the chunk."""
        return self.start + len(self.scores)


class ScoringCancelled(Exception):
    """:func:`score_batch` was cancelled; ``scores`` holds the finished prefix."""

    def __init__(self, scores: list[SentimentScore]) -> None:
        super().__init__(f"sentiment scoring cancelled after {len(scores)} texts")
        self.scores = scores


# --- worker side: one scorer per worker process, built once by the initializer.
_worker_scorer: VaderScorer | None = None


def _init_worker(adjustments: dict[str, float], lexicon_file: str, nice: int = 0) -> None:
    """Build the worker's scorer once, with the same lexicon and adjustments.

    ``nice`` lowers the worker's priority when a window shares the machine
    (:mod:`engage_desktop.core.priority`).
    """
    global _worker_scorer
    lower_priority(nice)
    # No memo in workers: the main process already sends each text once.
    _worker_scorer = VaderScorer(adjustments, lexicon_file=lexicon_file, cache_size=0)


def _score_task(texts: list[str]) -> tuple[array, array]:
    """Score texts; return the distinct score quadruples and one index per text.

    Many texts share a score, so sending each distinct (compound, pos, neu, neg)
    once plus a 4-byte index per text keeps pickling and the main process's
    work (one object per distinct score) small.
    """
    assert _worker_scorer is not None, "worker not initialised"
    values = _worker_scorer.values
    table: dict[tuple[float, ...], int] = {}
    index = array("I", [table.setdefault(values(text), len(table)) for text in texts])
    flat = array("d")
    for quad in table:
        flat.extend(quad)
    return flat, index


def _detect_task(texts: list[str]) -> list[str]:
    """Detect the language of each text (the model loads once per worker, on first use)."""
    from engage_desktop.enrich.language import detect_languages

    return detect_languages(texts)


def _ping(_: int) -> None:
    """A no-op task that makes the executor start a worker."""


@dataclass(slots=True)
class _Job:
    start: int
    texts: Sequence[str]
    results: list[SentimentScore | None]
    sent: list[str]
    futures: list[Future] = field(default_factory=list)


class ScoringPool:
    """A reusable pool of scoring worker processes around one :class:`VaderScorer`.

    Workers are spawned (not forked: forking a process that runs Qt threads is
    unsafe) and initialised once with the scorer's lexicon and adjustments.
    Use it as a context manager or call :meth:`close`.

    Args:
        scorer: Scorer whose configuration workers copy and whose memo is used;
            defaults to :func:`default_scorer`.
        processes: Worker count; defaults to ``os.cpu_count()``.
        min_task_size: Chunks with fewer new texts than this are scored in the
            main process, which is quicker than a round trip to a worker.
    """

    def __init__(
        self,
        scorer: VaderScorer | None = None,
        processes: int | None = None,
        *,
        min_task_size: int = 500,
    ) -> None:
        self.scorer = scorer or default_scorer()
        self.processes = max(1, processes or os.cpu_count() or 1)
        self.min_task_size = max(1, min_task_size)
        self._executor: ProcessPoolExecutor | None = None
        # Threads of a window may share one pool (window_pool.py): one starts it.
        self._start_lock = threading.Lock()

    def start(self) -> None:
        """Start the workers now rather than on the first batch."""
        with self._start_lock:
            self._start()

    def _start(self) -> None:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self.processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(self.scorer.adjustments, str(self.scorer.lexicon_file), worker_nice()),
            )
            # The executor spawns a worker per queued task while none is idle, so
            # queuing one task per worker at once starts them all.
            list(self._executor.map(_ping, range(self.processes)))

    def close(self, *, now: bool = False) -> None:
        """Stop the workers; queued work is cancelled.

        Args:
            now: Also stop the work that is running, at once (a window that closes
                does not wait for a chunk of thousands of texts; whoever waits for
                it sees it cancelled). Otherwise running work finishes first.
        """
        executor, self._executor = self._executor, None
        if executor is None:
            return
        if not now:
            executor.shutdown(wait=True, cancel_futures=True)
            return
        # Python 3.14 has terminate_workers(); before it the processes and the
        # executor's manager thread are only reachable through private names.
        processes = list((getattr(executor, "_processes", None) or {}).values())
        manager = getattr(executor, "_executor_manager_thread", None)
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        # The manager thread reaps the workers; it must be the only one: a second
        # thread waiting on the same child can find it reaped before the first one
        # has recorded its exit code, and then believe it still alive.
        if manager is not None:
            manager.join(10)

    def __enter__(self) -> ScoringPool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def iter_chunks(
        self,
        texts: Sequence[str],
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        is_cancelled: IsCancelled | None = None,
    ) -> Iterator[ScoredChunk]:
        """Score ``texts`` and yield the chunks in order as each one finishes.

        Args:
            texts: Plain texts (a list or tuple).
            chunk_size: Texts per yielded chunk.
            is_cancelled: Polled before each chunk; when it returns True the
                generator stops and queued work is cancelled.

        Yields:
            :class:`ScoredChunk` for consecutive slices of ``texts``.
        """
        if self._executor is None:
            self.start()
        chunk_size = max(1, chunk_size)
        starts = iter(range(0, len(texts), chunk_size))
        pending: deque[_Job] = deque()
        inflight: set[str] = set()

        def queue_next() -> None:
            start = next(starts, None)
            if start is not None:
                pending.append(self._submit(texts[start : start + chunk_size], start, inflight))

        try:
            for _ in range(1 + _LOOKAHEAD):
                queue_next()
            while pending:
                if is_cancelled is not None and is_cancelled():
                    return
                job = pending.popleft()
                pending.appendleft(job)  # cancelled with the others if the wait stops
                if not self._wait(job, is_cancelled):
                    return
                pending.popleft()
                scores = self._finish(job, inflight)
                queue_next()  # before yielding: workers keep busy while the caller writes
                yield ScoredChunk(job.start, scores)
        finally:
            for job in pending:
                for future in job.futures:
                    future.cancel()

    def detect_languages(self, texts: Sequence[str], *, chunk_size: int = 5_000) -> list[str]:
        """The language of each text, detected in the workers (distinct texts once).

        Imported posts come without a declared language, and detection costs as much
        as scoring, so it runs on every core like scoring does.
        """
        if self._executor is None:
            self.start()
        assert self._executor is not None
        distinct = list(dict.fromkeys(texts))
        step = max(1, min(chunk_size, -(-len(distinct) // (2 * self.processes))))
        chunks = [distinct[k : k + step] for k in range(0, len(distinct), step)]
        found: dict[str, str] = {}
        for chunk, codes in zip(chunks, self._executor.map(_detect_task, chunks), strict=True):
            found.update(zip(chunk, codes, strict=True))
        return [found[t] for t in texts]

    def score_batch(
        self,
        texts: Sequence[str],
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        progress: Progress | None = None,
        is_cancelled: IsCancelled | None = None,
    ) -> list[SentimentScore]:
        """Score ``texts`` with the pool; see :func:`score_batch`."""
        return _collect(
            self.iter_chunks(texts, chunk_size=chunk_size, is_cancelled=is_cancelled),
            len(texts),
            progress,
        )

    def _submit(self, chunk: Sequence[str], start: int, inflight: set[str]) -> _Job:
        """Look a chunk up in the memo and queue its distinct new texts."""
        results = self.scorer.lookup(chunk)
        unknown = dict.fromkeys([t for t, r in zip(chunk, results, strict=True) if r is None])
        # A text queued by an earlier chunk is not sent again: that chunk is
        # finished (and memoised) first because chunks finish in order.
        sent = [text for text in unknown if text not in inflight]
        inflight.update(sent)
        job = _Job(start, chunk, results, sent)
        if len(sent) >= self.min_task_size:
            assert self._executor is not None
            # Two tasks per worker: a worker starts on its first while the rest
            # are still being pickled, and one slow task does not idle the others.
            tasks = max(1, min(2 * self.processes, len(sent) // self.min_task_size))
            step = -(-len(sent) // tasks)
            job.futures = [
                self._executor.submit(_score_task, sent[k : k + step])
                for k in range(0, len(sent), step)
            ]
        return job

    @staticmethod
    def _wait(job: _Job, is_cancelled: IsCancelled | None) -> bool:
        """Wait for a job's workers; False as soon as ``is_cancelled`` says so."""
        if is_cancelled is None:
            return True
        for future in job.futures:
            while not wait([future], timeout=_CANCEL_POLL_S).done:
                if is_cancelled():
                    return False
        return True

    def _finish(self, job: _Job, inflight: set[str]) -> list[SentimentScore]:
        """Wait for a job's workers, memoise the new scores and fill the chunk."""
        scorer = self.scorer
        make = scorer.make_score
        if job.futures:
            scores: list[SentimentScore] = []
            for future in job.futures:
                flat, index = future.result()
                values = iter(flat)
                table = [make(quad) for quad in zip(values, values, values, values, strict=False)]
                scores.extend([table[i] for i in index])
        else:  # too few new texts to be worth a round trip
            scores = [make(scorer.values(text)) for text in job.sent]
        fresh = dict(zip(job.sent, scores, strict=True))
        scorer.remember(fresh)
        inflight.difference_update(job.sent)
        scorer.stats.misses += len(job.sent)
        scorer.stats.hits += len(job.texts) - len(job.sent)
        get = fresh.get
        results = [
            found if found is not None else get(text)
            for found, text in zip(job.results, job.texts, strict=True)
        ]
        if None in results:  # queued by an earlier chunk: memoised by now, or evicted
            missing = [j for j, found in enumerate(results) if found is None]
            memo = scorer.lookup([job.texts[j] for j in missing])
            for j, found in zip(missing, memo, strict=True):
                results[j] = found or make(scorer.values(job.texts[j]))
        return results  # type: ignore[return-value]  # every None was filled


def _collect(
    chunks: Iterator[ScoredChunk], total: int, progress: Progress | None
) -> list[SentimentScore]:
    out: list[SentimentScore] = []
    for chunk in chunks:
        out.extend(chunk.scores)
        if progress is not None:
            progress(len(out), total)
    if len(out) < total:
        raise ScoringCancelled(out)
    return out


def _worker_count(total: int, processes: int | None) -> int:
    cores = os.cpu_count() or 1
    if processes is None:
        return cores if total >= POOL_THRESHOLD else 1
    return max(1, processes)


def iter_score_chunks(
    texts: Sequence[str],
    *,
    scorer: VaderScorer | None = None,
    processes: int | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    is_cancelled: IsCancelled | None = None,
) -> Iterator[ScoredChunk]:
    """Score a batch and yield its chunks in order, stopping when cancelled.

    Exhaust or close the generator (e.g. ``contextlib.closing``) so that a
    temporary pool is shut down promptly.

    Args:
        texts: Plain texts (a list or tuple).
        scorer: Scorer to use; defaults to :func:`default_scorer`.
        processes: Worker processes; None picks all cores for batches of at
            least :data:`POOL_THRESHOLD` texts and the calling process otherwise;
            1 always scores in-process.
        chunk_size: Texts per yielded chunk.
        is_cancelled: Polled before each chunk; True stops the generator.

    Yields:
        :class:`ScoredChunk` for consecutive slices of ``texts``.
    """
    scorer = scorer or default_scorer()
    workers = _worker_count(len(texts), processes)
    if workers <= 1:
        step = max(1, chunk_size)
        for start in range(0, len(texts), step):
            if is_cancelled is not None and is_cancelled():
                return
            yield ScoredChunk(start, scorer.score_many(texts[start : start + step]))
        return
    with ScoringPool(scorer, workers) as pool:
        yield from pool.iter_chunks(texts, chunk_size=chunk_size, is_cancelled=is_cancelled)


def score_batch(
    texts: Sequence[str],
    *,
    scorer: VaderScorer | None = None,
    processes: int | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Progress | None = None,
    is_cancelled: IsCancelled | None = None,
) -> list[SentimentScore]:
    """Score a batch of texts, in order.

    Args:
        texts: Plain texts (a list or tuple).
        scorer: Scorer to use (e.g. with workspace adjustments); defaults to
            :func:`default_scorer`.
        processes: Worker processes; see :func:`iter_score_chunks`.
        chunk_size: Texts between progress reports and cancellation checks.
        progress: Called as ``progress(done, total)`` after each chunk.
        is_cancelled: Polled before each chunk.

    Returns:
        One :class:`SentimentScore` per text.

    Raises:
        ScoringCancelled: ``is_cancelled`` returned True; the exception's
            ``scores`` holds the scores of the finished prefix.
    """
    chunks = iter_score_chunks(
        texts,
        scorer=scorer,
        processes=processes,
        chunk_size=chunk_size,
        is_cancelled=is_cancelled,
    )
    try:
        return _collect(chunks, len(texts), progress)
    finally:
        chunks.close()
