"""Scale-out: a synthetic archive of N mentions, bulk work on Dask, and the desktop on top.

Steps (each figure is printed with the load average at the time it was taken):

1. Writes an N-mention archive straight to Parquet (hive year=/month=, zstd, with a
   manifest), its text made by the demo's generator (demo/text.py via demo/build.py),
   three years of history in 500k-mention chunks. Cached in the temp folder.
2. ``cluster score`` on a LocalCluster of ``--workers`` worker processes, against the
   app's own process pool (enrich/sentiment/pool.py, same worker count) scoring the
   same rows read from the same files (ratio = cluster throughput / pool throughput).
   Worker memory is sampled from outside (psutil on the worker processes).
3. ``cluster cube`` over the archive.
4. A recent 20k-mention demo workspace with the archive attached: inbox first rows
   (count and first page, and the first page alone), in a fresh process each run;
   the dashboard (the real DashboardPane, 1440x900, offscreen, in a fresh process
   each run): ``*_s`` from creating the pane to its headline figures and the charts
   in view painted (``first_painted``), ``*_all_s`` to every card drawn too (the
   rankings and the charts below the first screen, ``updated``, then a paint), while
   the window's backfill runs for real in the same process: ``enrich`` re-scoring, in
   a loop, a scratch copy of the desk workspace (20k mentions; the scorer's memo is
   cleared each round, so their distinct texts go to the worker again) on a thread, as
   the window's backfill thread does: it reads rows, sends the texts to the window's
   scoring worker (one child process at nice 10, ``enrich/sentiment/window_pool.py``,
   already started as after the window's first backfill), receives the scores and
   writes them, while the worker uses the other core. Its reads, writes and Python
   glue compete with the GUI thread for the interpreter. ``*_gui_cpu_s`` is the GUI
   thread's own CPU time (load barely moves it), ``*_gui_runnable_s`` how long it
   waited for a CPU (schedstat; load), ``*_gui_blocked_s`` the rest of the draw: on
   the GIL, a lock, or idle while the pane's reads ran. From the stored cube, without the
   archive (peer),
   from the stored cube with no background work (with the process's CPU time), and
   without the stored cube (a live scan of the union). ``*_extras_s`` is until the
   rising terms, spike marks, alerts and model card, drawn afterwards, are done too.
5. ``engage-desktop archive export --move`` of a ``--move-mentions`` demo workspace,
   as a one-shot CLI run (start-up included), with the file size before and after.

Usage: python benchmarks/scale.py [--mentions 10000000] [--move-mentions 1000000]
       [--workers 2] [--runs 3] [--skip score,cube,inbox,dashboard,move]
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CHUNK = 500_000
PERIOD_DAYS = 180  # the demo generator's history per chunk
PERIODS = 6  # three years
WORKSPACE_END = datetime(2026, 12, 1, tzinfo=UTC)
# Archived ids start above the desk workspace's (the demo numbers its mentions from 1),
# so no archived mention is also in the workspace, as after a real ``--move``: an
# overlap would make every reader de-duplicate and keep the stored cube unused.
ID_BASE = 1_000_000_000


def load() -> float:
    """The 1-minute load average (the machine is shared: every figure says it)."""
    return round(os.getloadavg()[0], 2)


def note(name: str, value: float, unit: str, results: dict) -> None:
    results[name] = round(value, 4)
    results[f"{name}_load"] = load()
    print(f"{name}: {value:,.3f} {unit}  (load average {results[f'{name}_load']})", flush=True)


# -- 1. the synthetic archive ---------------------------------------------------------------


def write_archive(folder: Path, total: int) -> None:
    """Generate ``total`` mentions and write them as an archive.

    The first chunk is generated with the demo's text generator (Python: ~2 minutes per
    500k on a busy 2-core box). Later chunks are that chunk again, copied by DuckDB into
    other half-years with other ids, authors and item keys: the text mix is the
    generator's, the volume is the target's. (Re-scoring therefore meets repeated texts,
    which the scorer's memo helps with -- on the cluster and in the app alike.)
    """
    import duckdb
    import numpy as np

    from engage_desktop.archive import manifest as mf
    from engage_desktop.demo.build import _generate, _topic_columns, generated_mention_columns
    from engage_desktop.workspace import schema
    from engage_desktop.workspace.columns import ColumnTable, list_sql

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    schema.migrate(con)  # the workspace's own mentions table, in memory
    topic_sql, ids_sql = _topic_columns()
    manifest = mf.Manifest()
    start = WORKSPACE_END - timedelta(days=PERIOD_DAYS)  # the archive ends where it begins
    n = min(CHUNK, total)
    data = _generate(n, 1000, start)
    ids = np.arange(ID_BASE + 1, ID_BASE + n + 1)
    table = ColumnTable(
        {"id": ids, "item_key": [f"bench-{k}" for k in ids], **generated_mention_columns(data)}
    )
    con.register("chunk", table)
    con.execute(
        f"INSERT INTO mentions BY NAME SELECT * REPLACE ({list_sql('tags')} AS tags), "
        f"{topic_sql} AS topics, {ids_sql} AS matched_queries FROM chunk"
    )
    con.execute("CREATE TABLE template AS SELECT * FROM mentions")  # with the defaults filled
    con.unregister("chunk")
    chunks = -(-total // CHUNK)
    for i in range(chunks):
        size = min(CHUNK, total - i * CHUNK)
        shift = f"INTERVAL {PERIOD_DAYS * (i % PERIODS)} DAY"
        con.execute("DELETE FROM mentions")
        con.execute(
            f"INSERT INTO mentions SELECT * REPLACE (id + {i * CHUNK} AS id, "
            f"'bench-' || (id + {i * CHUNK}) AS item_key, author_id + {i * 100_000} AS author_id, "
            f"published - {shift} AS published, fetched_at - {shift} AS fetched_at, "
            f"first_reply_at - {shift} AS first_reply_at) "
            f"FROM template WHERE id <= {ID_BASE + size}"
        )
        _write_chunk(con, folder, manifest, f"bench{i:04d}")
        print(f"  chunk {i + 1}/{chunks}: {size:,} mentions ({load()} load)", flush=True)
    manifest.runs.append({"id": "bench", "kind": "export", "at": mf.now_iso(), "move": False})
    mf.save(folder, manifest)


def _write_chunk(con, folder: Path, manifest, run: str) -> None:
    """The in-memory ``mentions`` as one Parquet file per month, listed in ``manifest``."""
    from engage_desktop.archive import manifest as mf

    months = con.execute(
        "SELECT DISTINCT year(published), month(published) FROM mentions ORDER BY 1, 2"
    ).fetchall()
    for year, month in months:
        rel = Path("mentions") / f"year={year}" / f"month={month:02d}" / f"part-{run}.parquet"
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        where = f"year(published) = {year} AND month(published) = {month}"
        stats = con.execute(
            "SELECT count(*), min(published), max(published), min(id), max(id) "
            f"FROM mentions WHERE {where}"
        ).fetchone()
        con.execute(
            f"COPY (SELECT * FROM mentions WHERE {where} ORDER BY published, id) TO '{path}' "
            "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)"
        )
        manifest.files.append(
            mf.describe_file(
                folder,
                path,
                dataset="mentions",
                rows=int(stats[0]),
                year=year,
                month=month,
                run=run,
                min_published=stats[1].isoformat(),
                max_published=stats[2].isoformat(),
                min_id=int(stats[3]),
                max_id=int(stats[4]),
            )
        )


# -- 2. cluster score against the app's process pool -----------------------------------------


class MemorySampler:
    """Peak resident memory of each worker process, sampled from this process."""

    def __init__(self, pids: list[int]) -> None:
        import psutil

        self.procs = [psutil.Process(p) for p in pids]
        self.peak = dict.fromkeys(pids, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            for proc in self.procs:
                try:
                    self.peak[proc.pid] = max(self.peak[proc.pid], proc.memory_info().rss)
                except Exception:  # a worker restarting: sample the others
                    continue

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return max(self.peak.values())


def subset(folder: Path, rows: int) -> Path:
    """An archive of the first files holding at least ``rows`` mentions (hard links)."""
    import shutil

    from engage_desktop.archive import manifest as mf

    out = folder.with_name(folder.name + f"-first{rows}")
    shutil.rmtree(out, ignore_errors=True)
    keep, count = [], 0
    for e in mf.load(folder).files_of("mentions"):
        if count >= rows:
            break
        keep.append(e)
        count += e.rows
    for e in keep:
        (out / e.path).parent.mkdir(parents=True, exist_ok=True)
        os.link(folder / e.path, out / e.path)
    mf.save(out, mf.Manifest(files=keep))
    return out


def cluster_run(folder: Path, workers: int, results: dict | None) -> tuple[float, int]:
    """``cluster score`` on a fresh LocalCluster: (scoring seconds, peak worker RSS)."""
    from engage_desktop.cluster.score import cluster_score
    from engage_desktop.cluster.session import dask_client

    started = time.perf_counter()
    with dask_client(workers=workers, processes=True, memory_limit="2GiB") as client:
        if results is not None:
            note("cluster_start_s", time.perf_counter() - started, "s", results)
        sampler = MemorySampler(list(client.run(os.getpid).values()))
        t0 = time.perf_counter()
        summary = cluster_score(folder, client)
        seconds = time.perf_counter() - t0
        peak = sampler.stop()
    print("  " + summary.line(), flush=True)
    return seconds, peak


def app_score(folder: Path, workers: int) -> tuple[float, int]:
    """The app's own ``score --rescore`` (pool of ``workers``) on a workspace of the same rows."""
    from engage_desktop.archive import manifest as mf
    from engage_desktop.enrich.pipeline import enrich
    from engage_desktop.workspace.database import Workspace

    files = [str(folder / e.path) for e in mf.load(folder).files_of("mentions")]
    path = Path(tempfile.mkdtemp(prefix="bench-scale-app-")) / "same-rows.engage"
    with Workspace.create(path) as ws, ws.write() as cur:
        listed = "[" + ", ".join(f"'{f}'" for f in files) + "]"
        cur.execute(
            "INSERT INTO mentions BY NAME SELECT * "
            f"FROM read_parquet({listed}, hive_partitioning = false)"
        )
    with Workspace.open(path) as ws:
        rows = ws.scalar("SELECT count(*) FROM mentions")
        started = time.perf_counter()
        summary = enrich(ws, rescore=True, processes=workers)
        seconds = time.perf_counter() - started
    print("  app: " + summary.line(), flush=True)
    path.unlink()
    return seconds, rows


def bench_score(folder: Path, workers: int, ratio_rows: int, results: dict) -> None:
    from engage_desktop.archive import manifest as mf

    small = subset(folder, ratio_rows)
    rows = mf.load(small).rows()
    print(f"cluster score vs the app's score on the same {rows:,} rows", flush=True)
    cluster_s, _ = cluster_run(small, workers, None)
    app_s, app_rows = app_score(small, workers)
    assert app_rows == rows
    note("ratio_rows", rows, "rows", results)
    note("ratio_cluster_score_s", cluster_s, "s", results)
    note("ratio_app_score_s", app_s, "s", results)
    note("cluster_vs_app", app_s / cluster_s, "x throughput (>= 0.9 wanted)", results)
    pool_s = pool_peer(small, workers)
    note("ratio_pool_only_s", pool_s, "s (the pool's scoring alone, no reads/writes)", results)

    total = mf.load(folder).rows()
    print(f"cluster score over all {total:,} rows", flush=True)
    cluster_s, peak = cluster_run(folder, workers, results)
    note("cluster_score_s", cluster_s, "s", results)
    note("cluster_score_rows_per_s", total / cluster_s, "rows/s", results)
    note("worker_peak_rss_mb", peak / 2**20, "MB (<= 1024 wanted)", results)


def pool_peer(folder: Path, workers: int) -> float:
    """The app's process pool alone scoring the same rows, read from the same files."""
    import duckdb

    from engage_desktop.archive import manifest as mf
    from engage_desktop.enrich.language import is_scored_language
    from engage_desktop.enrich.sentiment import ScoringPool, default_scorer
    from engage_desktop.enrich.sentiment.columns import text_to_score

    files = [str(folder / e.path) for e in mf.load(folder).files_of("mentions")]
    con = duckdb.connect()
    started = time.perf_counter()
    with ScoringPool(default_scorer(), workers) as pool:
        for i in range(0, len(files), 6):
            got = con.execute(
                "SELECT title, text, language FROM read_parquet(?)", [files[i : i + 6]]
            ).fetchall()
            texts = [text_to_score(t, x) if is_scored_language(g) else "" for t, x, g in got]
            pool.score_batch(texts)
    return time.perf_counter() - started


# -- 3. cluster cube -------------------------------------------------------------------------


def bench_cube(folder: Path, workers: int, workspace: Path, results: dict) -> None:
    from engage_desktop.cluster.cube import cluster_cube
    from engage_desktop.cluster.session import dask_client
    from engage_desktop.dashboard.analytics import AnalyticsContext
    from engage_desktop.workspace.database import Workspace

    with Workspace.open(workspace, read_only=True) as ws:
        ctx = AnalyticsContext.load(ws)
    with dask_client(workers=workers, processes=True, memory_limit="2GiB") as client:
        started = time.perf_counter()
        summary = cluster_cube(folder, client, ctx)
        note("cluster_cube_s", time.perf_counter() - started, "s (<= 60 wanted)", results)
    print("  " + summary.line())


# -- 4. the desktop with the archive attached ---------------------------------------------------

INBOX_PROBE = """
import sys, time, json
sys.path.insert(0, {root!r})
from engage_desktop.workspace.database import Workspace
from engage_desktop.inbox.filters import InboxFilter, to_query
from engage_desktop.inbox.pager import MentionPager
ws = Workspace.open({path!r}, read_only=True)
started = time.perf_counter()
pager = MentionPager(ws, to_query(InboxFilter()))
rows = pager.page(0)
first = time.perf_counter() - started
count = pager.count()
both = time.perf_counter() - started
print(json.dumps({{"first_page_s": first, "with_count_s": both, "rows": len(rows), "count": count,
                  "archived_last": bool(pager.row(count - 1)[-1])}}))
"""

DASH_PROBE = """
import os, sys, threading, time, json
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, {root!r})
from unittest import mock
from PySide6.QtWidgets import QApplication
from engage_desktop.ui.theme import STYLE_SHEET
from engage_desktop.ui.dashboard.pane import DashboardPane
from engage_desktop.workspace.database import Workspace
from engage_desktop.enrich.pipeline import enrich, workspace_scorer
from engage_desktop.enrich.sentiment.window_pool import close_window_pool
from engage_desktop.core.priority import serve_window
app = QApplication([])
app.setStyleSheet(STYLE_SHEET)
serve_window()  # as the main window does: scoring goes to its worker, its threads yield
ws = Workspace.open({path!r}, read_only=True)
if {no_cube!r}:
    mock.patch("engage_desktop.dashboard.cube.precomputed_cube", lambda *a: None).start()
stop, warm = threading.Event(), threading.Event()
def backfill():  # the window's backfill, for real, on a scratch copy of the desk workspace
    with Workspace.open({scratch!r}) as own:
        while not stop.is_set():
            workspace_scorer(own).clear_cache()  # the texts go to the worker again
            enrich(own, rescore=True, is_cancelled=stop.is_set,
                   progress=lambda done, total: done and warm.set())
worker = threading.Thread(target=backfill, daemon=True)
if {background!r}:
    worker.start()
    warm.wait(600)  # the window's scoring worker runs, as after the window's first backfill
def run_delay():  # seconds this thread waited runnable for a CPU (Linux schedstat)
    try:
        with open("/proc/thread-self/schedstat") as f:
            return int(f.read().split()[1]) / 1e9
    except OSError:
        return 0.0
fired, painted = [], []
started, cpu, gui = time.perf_counter(), time.process_time(), time.thread_time()
queued = run_delay()
pane = DashboardPane(ws)
# The headline figures and the charts in view, painted (emitted after that paint).
pane.first_painted.connect(
    lambda: painted.append((time.perf_counter() - started, time.thread_time() - gui,
                            run_delay() - queued))
)
pane.updated.connect(lambda: fired.append(1))
pane.resize(1440, 900)
pane.show()
while not fired:
    app.processEvents()
    time.sleep(0.0005)
app.processEvents()
pane.repaint()
drawn, drawn_cpu = time.perf_counter() - started, time.process_time() - cpu
drawn_gui = time.thread_time() - gui
assert pane.wait_until_ready(600)
ready = time.perf_counter() - started
stop.set()
if {background!r}:
    worker.join()
    close_window_pool()
total = float(pane.data.volume.total.sum())
print(json.dumps({{"draw_s": painted[0][0], "draw_gui_cpu_s": painted[0][1],
                  "draw_gui_runnable_s": painted[0][2],
                  "all_s": drawn, "all_cpu_s": drawn_cpu, "all_gui_cpu_s": drawn_gui,
                  "ready_s": ready,
                  "mentions_in_range": total, "range": str(pane.data.filter)}}))
"""


def probe(code: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=1800
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def attach_archive(folder: Path, workspace: Path) -> None:
    """Attach the archive to the desk workspace (the inbox and dashboard read both)."""
    from engage_desktop.archive import views
    from engage_desktop.workspace.database import Workspace

    with Workspace.open(workspace) as ws:
        views.attach(ws, folder)


def bench_inbox(workspace: Path, runs: int, results: dict) -> None:
    inbox = [probe(INBOX_PROBE.format(root=str(ROOT), path=str(workspace))) for _ in range(runs)]
    print(
        f"  inbox: {inbox[-1]['count']:,} mentions listed; oldest from the archive: "
        f"{inbox[-1]['archived_last']}"
    )
    note("inbox_first_rows_s", statistics.median(r["first_page_s"] for r in inbox), "s", results)
    note(
        "inbox_first_rows_and_count_s",
        statistics.median(r["with_count_s"] for r in inbox),
        "s (<= 0.5 wanted)",
        results,
    )


def bench_dashboard(workspace: Path, runs: int, results: dict) -> None:
    from engage_desktop.archive import views
    from engage_desktop.workspace.database import Workspace

    alone = workspace.with_name(workspace.stem + "-alone.engage")
    import shutil

    shutil.copy2(workspace, alone)
    with Workspace.open(alone) as ws:
        views.detach(ws)
    # The background backfill re-scores its own copy (the probe reads the desk
    # workspace read-only, and a file has one writer).
    scratch = workspace.with_name(workspace.stem + "-backfill.engage")
    shutil.copy2(alone, scratch)
    cases = (
        ("dashboard_draw_workspace_alone", alone, False, True),
        ("dashboard_draw_cube", workspace, False, True),
        ("dashboard_draw_cube_quiet", workspace, False, False),
        ("dashboard_draw_scan", workspace, True, True),
    )
    for name, path, no_cube, background in cases:
        code = DASH_PROBE.format(
            root=str(ROOT), path=str(path), no_cube=no_cube, background=background,
            scratch=str(scratch),
        )  # fmt: skip
        draws = [probe(code) for _ in range(runs)]
        print(f"  {name}: {draws[-1]['mentions_in_range']:,.0f} mentions in {draws[-1]['range']}")
        note(f"{name}_s", statistics.median(d["draw_s"] for d in draws), "s", results)
        gui = statistics.median(d["draw_gui_cpu_s"] for d in draws)
        note(f"{name}_gui_cpu_s", gui, "s CPU of the GUI thread", results)
        queued = statistics.median(d["draw_gui_runnable_s"] for d in draws)
        note(f"{name}_gui_runnable_s", queued, "s the GUI thread waited for a CPU", results)
        # The rest of the wall time the GUI thread was blocked: on the GIL, a lock, or
        # idle between events while the pane's reads ran.
        rest = statistics.median(d["draw_s"] - d["draw_gui_cpu_s"] - d["draw_gui_runnable_s"]
                                 for d in draws)  # fmt: skip
        note(f"{name}_gui_blocked_s", rest, "s the GUI thread was blocked or idle", results)
        every = statistics.median(d["all_s"] for d in draws)
        note(f"{name}_all_s", every, "s (every card)", results)
        gui = statistics.median(d["all_gui_cpu_s"] for d in draws)
        note(f"{name}_all_gui_cpu_s", gui, "s CPU of the GUI thread (every card)", results)
        if not background:  # process CPU: with background work it would count that too
            cpu = statistics.median(d["all_cpu_s"] for d in draws)
            note(f"{name}_all_cpu_s", cpu, "s CPU (every card)", results)
        note(
            f"{name}_extras_s",
            statistics.median(d["ready_s"] for d in draws),
            "s (terms, spikes, alerts and the model card too)",
            results,
        )
    alone.unlink()
    scratch.unlink()


# -- 5. archive export --move of a big workspace ----------------------------------------------


def bench_move(mentions: int, results: dict) -> None:
    import shutil

    from engage_desktop.demo.build import build_demo

    base = Path(tempfile.gettempdir()) / f"bench-scale-move-{mentions}.engage"
    if not base.exists():
        print(f"building a {mentions:,}-mention demo at {base} (once)…", flush=True)
        build_demo(base, mentions, seed=3, end=WORKSPACE_END, enrich=False)
    work = base.with_name(base.stem + "-work.engage")
    shutil.copy2(base, work)
    folder = Path(tempfile.mkdtemp(prefix="bench-scale-move-archive-"))
    size_before = work.stat().st_size
    cmd = [
        sys.executable,
        "-m",
        "engage_desktop",
        "-w",
        str(work),
        "archive",
        "export",
        str(folder / "a"),
        "--before",
        WORKSPACE_END.date().isoformat(),
        "--move",
    ]
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    print("  " + done.stdout.strip().replace("\n", "\n  "))
    note("export_move_s", seconds, "s (<= 30 wanted, one-shot CLI)", results)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    note("export_move_cpu_s", cpu, "s CPU (the CLI process, all its threads)", results)
    note("workspace_mb_before", size_before / 1e6, "MB", results)
    note("workspace_mb_after", work.stat().st_size / 1e6, "MB", results)
    shutil.rmtree(folder, ignore_errors=True)
    work.unlink()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentions", type=int, default=10_000_000)
    parser.add_argument("--move-mentions", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--ratio-rows", type=int, default=500_000, help="rows of the cluster-vs-app comparison"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip", default="", help="comma list of: score,cube,inbox,dashboard,move")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    results: dict = {
        "mentions": args.mentions,
        "workers": args.workers,
        "cores": os.cpu_count(),
        "load_at_start": load(),
    }

    from engage_desktop.archive import manifest as mf
    from engage_desktop.demo.build import build_demo

    folder = Path(tempfile.gettempdir()) / f"bench-scale-ids-archive-{args.mentions}"
    if not (folder / mf.MANIFEST).exists():
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
        print(f"writing a {args.mentions:,}-mention archive to {folder} (once)…", flush=True)
        started = time.perf_counter()
        write_archive(folder, args.mentions)
        note("generate_s", time.perf_counter() - started, "s", results)
    manifest = mf.load(folder)
    size = sum(e.bytes for e in manifest.files)
    note("archive_mb", size / 1e6, "MB", results)
    note("archive_bytes_per_mention", size / max(1, manifest.rows()), "B", results)
    workspace = folder.with_name(folder.name + "-desk.engage")
    if not workspace.exists():
        build_demo(workspace, 20_000, seed=5, end=WORKSPACE_END)

    if "score" not in skip:
        bench_score(folder, args.workers, args.ratio_rows, results)
    if "cube" not in skip:
        bench_cube(folder, args.workers, workspace, results)
    if not {"inbox", "dashboard"} <= skip:
        attach_archive(folder, workspace)
    if "inbox" not in skip:
        bench_inbox(workspace, args.runs, results)
    if "dashboard" not in skip:
        bench_dashboard(workspace, args.runs, results)
    if "move" not in skip:
        bench_move(args.move_mentions, results)
    results["load_at_end"] = load()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
