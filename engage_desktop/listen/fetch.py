"""Listening: fetch every due source, parse, sanitize, match, score, store. Qt-free.

:func:`run_fetch` is a task function in the Orange3 shape: it takes a state object
with ``progress(done, total)`` and ``is_cancelled()``, so the GUI runs it through
``ui/tasks.py`` and the CLI runs it directly.

Concurrency: HTTP runs on a bounded thread pool (one small connection pool per host;
the client enforces the per-host limits). Each feed document then goes to
:func:`~engage_desktop.listen.worker.parse_and_prepare`, which parses,
sanitizes, matches, detects the language and scores sentiment, and returns its
rows as columns in one JSON text; big runs do that in a process pool shared for the
session (``ParseMode``), because all of it is pure Python and holds the GIL
(benchmarks/ingest.py measures processes against threads). This thread only
deduplicates and inserts. One broken source never stops the others: its error
becomes words on its health row.

Plugins: the after-insert hooks of :mod:`engage_desktop.enrich.hooks` are called
with the ids of newly stored mentions after each committed batch (the enrichment
hook finds fetched rows already scored, and scores the rest).
"""

from __future__ import annotations

import json
import os
import queue
import time
from concurrent.futures import Executor, Future, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlsplit

import duckdb

from engage_desktop.core import timeline
from engage_desktop.core.errors import EngageError
from engage_desktop.core.priority import serves_window
from engage_desktop.core.progress import TaskState
from engage_desktop.listen.insert import InsertRules, after_insert
from engage_desktop.listen.pool import (
    borrow_fetch_threads,
    default_parse_workers,
    parse_pool,
    return_fetch_threads,
    start_fetch_threads,
)
from engage_desktop.listen.store import (
    Health,
    MentionBatch,
    insert_fetched,
    insert_rules,
    load_matchers,
    record_health,
    write_health,
)
from engage_desktop.listen.worker import PreparedFeed, RowSource, parse_and_prepare
from engage_desktop.sources.base import FetchOutcome, SourceSpec
from engage_desktop.sources.http import FetchError, HttpClient, HttpLimits
from engage_desktop.sources.registry import ADAPTERS
from engage_desktop.workspace import settings
from engage_desktop.workspace.database import Workspace
from engage_desktop.workspace.faults import explain_fault
from engage_desktop.workspace.wal import fold_log_if_due

ParseMode = Literal["auto", "process", "thread"]
STORE_BATCH = 5000
#: A run that stores mid-run folds DuckDB's log right after such a store once the log
#: is past this share of its threshold, while the workers still parse, rather than
#: after its last commit with nothing left to overlap (~0.08 s of a 10,000-entry cold
#: run's serial tail; benchmarks/window_timeline.py). The last commit then leaves the
#: log under the threshold: the next write has nothing to fold either. 0 disables.
MID_RUN_FOLD = 0.5
#: Feed sources in a run from which "auto" parses in the process pool.
PROCESS_MIN_FEEDS = 16


@dataclass(frozen=True)
class FetchOptions:
    """How a run fetches.

    Attributes:
        limits: HTTP limits and politeness.
        workers: Fetch threads.
        parse: Where feeds are parsed, matched and scored: "process" in the shared
            process pool, "thread" on the fetch threads, "auto" picks (see
            :func:`_use_processes`).
        parse_workers: Processes of the parse pool.
    """

    limits: HttpLimits = field(default_factory=HttpLimits)
    workers: int = 64
    parse: ParseMode = "auto"
    parse_workers: int = field(default_factory=default_parse_workers)


@dataclass
class FetchSummary:
    """What a run did, for the summary line and the pane."""

    results: list[Health] = field(default_factory=list)
    new_ids: list[int] = field(default_factory=list)
    items_seen: int = 0
    seconds: float = 0.0
    cancelled: bool = False
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    store_error: str | None = None  # why mentions could not be stored (a full disk)

    @property
    def ok(self) -> int:
        """Sources fetched without error (304s included)."""
        return sum(1 for h in self.results if h.ok)

    @property
    def failed(self) -> list[Health]:
        """Sources that failed this run."""
        return [h for h in self.results if not h.ok]

    @property
    def new_mentions(self) -> int:
        """Mentions stored for the first time."""
        return len(self.new_ids)

    def line(self) -> str:
        """The one-line summary."""
        unchanged = sum(1 for h in self.results if h.not_modified)
        text = (
            f"{self.ok} sources ok ({unchanged} unchanged), {len(self.failed)} failed, "
            f"{self.new_mentions} new mentions of {self.items_seen} items, "
            f"{self.seconds:.1f} s"
        )
        return text + (" (cancelled)" if self.cancelled else "")


def fetch_options(ws: Workspace) -> FetchOptions:
    """The run's options with the limits the workspace's settings give.

    A value another copy of the app could not have stored (the file came from
    someone else) falls back to the default rather than stall or fail every fetch.
    """
    decl = settings.RESPONSE_DEADLINE
    try:
        seconds = decl.parse(settings.get(ws, decl))
    except EngageError:
        seconds = decl.default
    return FetchOptions(limits=HttpLimits(deadline=seconds))


def due_sources(
    ws: Workspace,
    *,
    force: bool = False,
    source_ids: list[int] | None = None,
    now: datetime | None = None,
) -> tuple[list[SourceSpec], dict[int, dict[str, Any]], list[str]]:
    """Sources to fetch now: unpaused and due (or all, with ``force``).

    ``force`` ignores intervals and back-off but still honours a server's
    Retry-After, unless ``source_ids`` names the sources too: then the user asked
    for exactly those, now. Naming ``source_ids`` fetches those (paused or not).

    Returns:
        The specs, the stored fields by id, and why any were held back.
    """
    now = now or datetime.now(UTC)
    cur = ws.cursor()
    try:
        res = cur.execute(
            "SELECT id, kind, url, name, channel, etag, last_modified, cursor, config, "
            "interval_s, failures, paused, next_run_at, keep_all FROM sources ORDER BY id"
        )
        names = [d[0] for d in res.description]
        rows = [dict(zip(names, r, strict=True)) for r in res.fetchall()]
    finally:
        cur.close()
    specs, state, held = [], {}, []
    for r in rows:
        config = json.loads(r["config"]) if r["config"] else {}
        r["config"] = config
        if source_ids is not None:
            if r["id"] not in source_ids:
                continue
        elif r["paused"] or (not force and r["next_run_at"] is not None and r["next_run_at"] > now):
            continue
        wait_until = config.get("retry_after_until")
        # Naming a source with --force is the user overriding every wait.
        explicit = force and source_ids is not None
        if wait_until and not explicit and _still_waiting(wait_until, now):
            held.append(f"{r['name']}: the server asked us to wait until {wait_until[:16]}Z")
            continue
        state[r["id"]] = r
        specs.append(
            SourceSpec(
                id=r["id"], kind=r["kind"], url=r["url"], name=r["name"],
                channel=r["channel"], etag=r["etag"], last_modified=r["last_modified"],
                cursor=r["cursor"], config=config,
            )
        )  # fmt: skip
    return specs, state, held


def _still_waiting(until: object, now: datetime) -> bool:
    """Whether a stored Retry-After has not passed yet (an unreadable one has)."""
    try:
        when = datetime.fromisoformat(str(until))
    except ValueError:
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when > now


def across_hosts(specs: list[SourceSpec]) -> list[SourceSpec]:
    """The sources in an order that takes one from each host in turn.

    A host serves two requests at a time, 0.1 s apart; in the stored order a run's
    first threads would all wait on the first few hosts (a blog's four feeds are
    usually added together) while every other host sat idle. Taking the hosts in
    turn lets those waits overlap: the same politeness per host, sooner done.
    """
    by_host: dict[str, list[SourceSpec]] = {}
    for spec in specs:
        try:
            host = urlsplit(spec.url).netloc.lower()
        except ValueError:
            host = ""
        by_host.setdefault(host, []).append(spec)
    queues = list(by_host.values())
    ordered: list[SourceSpec] = []
    for turn in range(max((len(q) for q in queues), default=0)):
        ordered.extend(q[turn] for q in queues if turn < len(q))
    return ordered


def _fetch_one(spec: SourceSpec, http: HttpClient) -> FetchOutcome:
    adapter = ADAPTERS.get(spec.kind)
    if adapter is None:
        raise FetchError(f"unknown source kind {spec.kind!r}")
    return adapter(spec, http)


def prestart_parse_pool(ws: Workspace, options: FetchOptions | None = None) -> bool:
    """Start the parse workers (and the fetch threads) before the first fetch.

    The window calls this (off the GUI thread) when it opens a workspace that
    fetches on schedule, so the first big fetch does not wait ~1 s for the workers
    (benchmarks/ingest.py: a first cold run 2.9-3.1 s, later ones 1.8-2.3 s).
    Nothing starts for workspaces whose runs parse on the fetch threads anyway.
    """
    options = options or FetchOptions()
    ((sources, feeds),) = ws.tuples(
        "SELECT count(*), count(*) FILTER (WHERE kind IN ('rss', 'file')) FROM sources "
        "WHERE NOT paused"
    )
    start_fetch_threads(options.workers, sources)
    if options.parse == "thread":
        return False
    if options.parse == "auto" and ((os.cpu_count() or 1) < 2 or feeds < PROCESS_MIN_FEEDS):
        return False
    pool = parse_pool(options.parse_workers)
    try:
        for _ in range(options.parse_workers):
            pool.submit(int)  # start them all now
    except RuntimeError:  # the process is exiting (a window closed early): no fetch comes
        return False
    import_store_path()
    return True


def import_store_path() -> None:
    """Import what storing a fetch's rows needs, ahead of the first big fetch.

    A window's first scheduled fetch otherwise imports ~120 modules while it stores
    its first batch (numpy, the query language, the after-insert hooks and the
    enrichment they import): benchmarks/window_timeline.py measured a first cold run
    of 10,000 entries at 1.9 s against 1.2 s for the next. The window calls this
    through :func:`prestart_parse_pool`, off the GUI thread, once it is up.
    """
    from engage_desktop.core import query  # noqa: F401  (the run's watch queries)
    from engage_desktop.enrich.hooks import after_insert_hooks
    from engage_desktop.listen import insert  # noqa: F401  (the column tables)
    from engage_desktop.workspace import columns  # noqa: F401  (numpy)

    after_insert_hooks()  # imports the built-in hooks (enrichment, learned model)


def _use_processes(options: FetchOptions, specs: list[SourceSpec]) -> bool:
    """Whether this run parses in the process pool.

    "auto" uses processes for runs with at least :data:`PROCESS_MIN_FEEDS` feed
    sources on a machine with more than one core, where they pay off
    (benchmarks/ingest.py measures both); a handful of feeds (fetch now, a new
    source) parse on the fetch threads without starting any process.
    """
    if options.parse != "auto":
        return options.parse == "process"
    feeds = sum(1 for s in specs if s.kind in ("rss", "file"))
    return (os.cpu_count() or 1) > 1 and feeds >= PROCESS_MIN_FEEDS


def run_fetch(
    state: TaskState,
    ws: Workspace,
    *,
    force: bool = False,
    source_ids: list[int] | None = None,
    options: FetchOptions | None = None,
) -> FetchSummary:
    """Fetch due sources, store new mentions, record every source's health.

    Args:
        state: Progress and cancellation (``ui.tasks.TaskState`` or :class:`PlainState`).
        ws: An open, writable workspace.
        force: Fetch every unpaused source now, whatever its interval.
        source_ids: Fetch exactly these sources.
        options: Concurrency and limits (default: :func:`fetch_options` of ``ws``).

    Returns:
        The run's summary. A failing source is reported in it, never raised.
    """
    options = options or fetch_options(ws)
    started = time.perf_counter()
    now = datetime.now(UTC)
    specs, stored, held = due_sources(ws, force=force, source_ids=source_ids, now=now)
    timeline.mark("sources read")
    summary = FetchSummary(skipped=held)
    total = len(specs)
    state.progress(0, total)
    if not specs:
        summary.seconds = time.perf_counter() - started
        return summary
    in_processes = _use_processes(options, specs)
    # Parsed on this process's threads in a window, rows are left unscored: the
    # after-insert enrichment scores them in the window's scoring worker, so VADER
    # never holds this process's GIL against the GUI thread (enrich/sentiment/window_pool.py).
    config, problems = load_matchers(ws, score=in_processes or not serves_window())
    summary.warnings.extend(problems)
    batch = MentionBatch(config)
    rules = insert_rules(ws)  # once per run, not once per stored batch
    timeline.mark("matchers and rules read")
    healths: dict[int, Health] = {}
    done = 0
    http = HttpClient(options.limits)
    parser: Executor | None = parse_pool(options.parse_workers) if in_processes else None
    if parser is not None:
        for _ in range(options.parse_workers):
            parser.submit(int)  # start any worker not running yet, while the network works

    def fetch_then_parse(spec: SourceSpec) -> tuple[FetchOutcome, Future | PreparedFeed | None]:
        """On a fetch thread: fetch, then hand a feed document straight to the parser.

        Handing it over here rather than on the run's thread keeps the workers busy
        while that thread stores a batch.
        """
        timeline.mark("first request")
        outcome = _fetch_one(spec, http)
        timeline.mark("first response")
        timeline.mark_last("last response")
        if outcome.document is None:
            return outcome, None
        source = RowSource(spec.id, spec.name, spec.channel, bool(stored[spec.id]["keep_all"]))
        args = (
            outcome.document, outcome.feed_url or spec.url, outcome.content_type, now, source,
            config,
        )  # fmt: skip
        if parser is None:
            return outcome, parse_and_prepare(*args)
        return outcome, parser.submit(parse_and_prepare, *args)

    # Finished futures arrive on a queue (one callback each), so the run's thread
    # neither polls nor rescans every pending future after each completion.
    arrived: queue.SimpleQueue[Future] = queue.SimpleQueue()
    pending: dict[Future, tuple[SourceSpec, FetchOutcome | None]] = {}

    def watch(fut: Future, spec: SourceSpec, outcome: FetchOutcome | None) -> None:
        pending[fut] = (spec, outcome)
        fut.add_done_callback(arrived.put)

    def finish(
        spec: SourceSpec,
        outcome: FetchOutcome | None,
        parsed: PreparedFeed | None,
        error: FetchError | None,
    ) -> None:
        nonlocal done
        done += 1
        if error is not None:
            healths[spec.id] = Health(
                spec.id, spec.name, ok=False, error=str(error), retry_after=error.retry_after
            )
        elif parsed is not None and parsed.error:
            healths[spec.id] = Health(spec.id, spec.name, ok=False, error=parsed.error)
        else:
            assert outcome is not None
            if parsed is not None:
                found = parsed.items_found
                batch.add_rows(spec.id, parsed.rows)
                if parsed.slow_items:
                    summary.warnings.append(
                        f"{spec.name}: {len(parsed.slow_items)} item(s) took too long to "
                        "match; they were checked against only some watch queries"
                    )
            else:
                found = len(outcome.items or [])
                batch.add(spec, outcome.items or [], bool(stored[spec.id]["keep_all"]))
            summary.items_seen += found
            healths[spec.id] = Health(
                spec.id, spec.name, ok=True, not_modified=outcome.not_modified,
                items_found=found, etag=outcome.etag,
                last_modified=outcome.last_modified,
                cursor=outcome.cursor if outcome.cursor is not None else spec.cursor,
                feed_title=parsed.title if parsed is not None else None,
                moved_to=outcome.moved_to, note=outcome.note, wait_s=outcome.wait_s,
            )  # fmt: skip
        state.progress(done, total)

    fetchers = borrow_fetch_threads(max(1, options.workers))
    fetches: list[Future] = []
    for spec in across_hosts(specs):
        fetches.append(fetchers.submit(fetch_then_parse, spec))
        watch(fetches[-1], spec, None)
    try:
        while pending:
            if state.is_cancelled():
                summary.cancelled = True
                break
            try:
                fut = arrived.get(timeout=0.25)
            except queue.Empty:
                continue
            spec, outcome = pending.pop(fut)
            try:
                result = fut.result()
            except FetchError as exc:
                finish(spec, outcome, None, exc)
                continue
            except Exception as exc:  # a bug in one adapter must not stop the run
                fault = explain_fault(exc)  # a full disk, a denied file: in words
                words = fault or f"unexpected error: {type(exc).__name__}: {exc}"
                finish(spec, outcome, None, FetchError(words))
                continue
            if outcome is not None:  # a parse job's result
                timeline.mark("first parse done")
                timeline.mark_last("last parse done")
                if result.spent is not None:
                    timeline.span(f"pid {result.spent[3]}", *result.spent[:3])
                finish(spec, outcome, result, None)
            else:
                fetched, parsed = result
                if isinstance(parsed, Future):
                    watch(parsed, spec, fetched)
                else:
                    finish(spec, fetched, parsed, None)
            # Mid-run stores only while documents are still coming: the last rows go
            # in with the health, in one transaction.
            if len(batch) >= STORE_BATCH and pending:
                _store(ws, batch, summary, rules)
                if MID_RUN_FOLD and not summary.store_error:
                    _fold(ws, MID_RUN_FOLD)
    finally:
        for fut in pending:
            fut.cancel()
        if summary.cancelled:
            http.close()  # aborts requests in flight, so cancelling is quick
        wait(fetches)  # every fetch of this run has ended before its threads go back
        return_fetch_threads(fetchers)
        http.close()
    timeline.mark("fetch and parse done")
    for sid, n in batch.kept_by_source.items():
        if sid in healths:
            healths[sid].new_mentions = n
    results = [healths[s.id] for s in specs if s.id in healths]
    # The last rows and every source's health in one transaction: one commit (and
    # log sync) fewer, and no source's new validators stored without its rows.
    if not _store(ws, batch, summary, rules, (results, stored, now)):
        if summary.store_error:
            _unstored(results, summary.store_error)
        try:
            summary.warnings.extend(record_health(ws, results, stored, now))
        except (duckdb.Error, OSError) as exc:
            fault = explain_fault(exc, ws.path) or f"{type(exc).__name__}: {exc}"
            summary.warnings.append(f"the sources' health could not be recorded: {fault}")
            summary.store_error = summary.store_error or fault
    timeline.mark("health recorded")
    if summary.new_ids and not summary.store_error:
        # The run that grew DuckDB's log folds it, rather than the next write (an
        # unchanged refresh, a triage click) paying 0.1-0.2 s for it: workspace/wal.py.
        _fold(ws)
    summary.results = results
    summary.seconds = time.perf_counter() - started
    return summary


def _fold(ws: Workspace, share: float = 1.0) -> None:
    """Fold DuckDB's log into the file if it passed ``share`` of its threshold."""
    cur = ws.cursor()
    try:
        if fold_log_if_due(cur, share):
            timeline.mark("log folded into the file" if share >= 1 else "log folded mid-run")
    finally:
        cur.close()


def _unstored(results: list[Health], fault: str) -> None:
    """Sources whose items were fetched but not stored count as failed this run.

    Their validators (ETag, Last-Modified, cursor) must not be saved: the next run
    would get "not modified" and the items would never be stored.
    """
    for h in results:
        if h.ok and not h.not_modified and h.items_found:
            h.ok = False
            h.error = f"fetched, but the mentions could not be stored: {fault}"
            h.retry_after = None


def _store(
    ws: Workspace,
    batch: MentionBatch,
    summary: FetchSummary,
    rules: InsertRules,
    health: tuple[list[Health], dict[int, dict[str, Any]], datetime] | None = None,
) -> bool:
    """Store the queued rows in one transaction, with the run's health when given.

    Returns:
        Whether the health was written (False: the caller records it on its own, as
        when the rows could not be stored).
    """
    table = batch.take()
    if table is None and health is None:
        return False
    if summary.store_error:  # the disk already refused: keep going for the health
        return False
    timeline.mark("first store starts")
    try:
        with ws.write() as cur:
            ids = insert_fetched(cur, table, rules) if table is not None else []
            if health is not None:
                summary.warnings.extend(write_health(ws, cur, *health))
    except (duckdb.Error, OSError) as exc:
        fault = explain_fault(exc, ws.path)
        if fault is None:
            raise
        summary.store_error = fault
        return False
    summary.new_ids.extend(ids)
    timeline.mark_last("last store done")

    def hook_failed(name: str, exc: Exception) -> None:  # it must not lose the fetch
        summary.warnings.append(f"after-insert hook {name} failed: {exc}")

    # Plugins (enrichment first) see each stored batch: enrich/hooks.py.
    after_insert(ws, ids, on_error=hook_failed)
    return health is not None
