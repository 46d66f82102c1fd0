"""``cluster score`` and ``cluster cube`` on a real ``distributed.LocalCluster`` (127.0.0.1).

The reference is the app itself: the workspace re-scored by ``enrich`` (the pipeline
behind ``engage-desktop score``) must hold exactly the scores the cluster writes
into the archive, row for row. Worker faults are real: a worker process is SIGKILLed
mid-job, a partition file is damaged.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow.parquet as pq
import pytest

from engage_desktop.archive import manifest as mf
from engage_desktop.archive import views
from engage_desktop.archive.export import export_archive
from engage_desktop.cluster.cube import cluster_cube
from engage_desktop.cluster.score import ScoringCancelled, cluster_score
from engage_desktop.cluster.session import dask_client
from engage_desktop.dashboard.analytics import AnalyticsContext, DashboardFilter
from engage_desktop.dashboard.cube import MentionCube
from engage_desktop.enrich import store
from engage_desktop.enrich.pipeline import enrich, workspace_scorer
from engage_desktop.workspace.database import Workspace

CUT = datetime(2026, 9, 1, tzinfo=UTC)
SCORE_COLUMNS = (
    "language",
    "model_sentiment",
    "model_label",
    "sentiment_pos",
    "sentiment_neu",
    "sentiment_neg",
    "sentiment",
    "sentiment_label",
    "scorer_version",
    "priority",
)


@pytest.fixture(autouse=True)
def _stop_dask_offload_thread():
    """distributed keeps one module-level offload thread; replace it after each test.

    Without this the suite's leftover-thread check fails every test that used a
    Client (the thread is created on first use and lives as long as the process).
    """
    yield
    import distributed.utils as du

    old = du._offload_executor
    du._offload_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="Dask-Offload")
    old.shutdown(wait=True)


@pytest.fixture
def client():
    with dask_client(workers=2, processes=False) as c:
        yield c


@pytest.fixture
def rescored(demo_path, tmp_path):
    """(workspace path, archive): the archive holds old scores, the workspace new ones.

    An analyst's correction is archived with its mention; then the analyst adds lexicon
    words and the app re-scores the workspace, so only a faithful re-score of the
    archive (the correction still winning) can match it.
    """
    folder = tmp_path / "arch"
    with Workspace.open(demo_path) as ws:
        first = ws.scalar("SELECT min(id) FROM mentions WHERE model_label = 'positive'")
        store.set_correction(ws, first, "negative")  # archived with its mention
        # Two runs: August then holds two files of the same partition.
        export_archive(ws, folder, before=datetime(2026, 8, 15, tzinfo=UTC))
        export_archive(ws, folder, before=CUT)
        store.set_lexicon_adjustment(ws, "firmware", 2.5)
        store.set_lexicon_adjustment(ws, "router", -1.5)
        enrich(ws, rescore=True, processes=1)
    return demo_path, folder


def archive_scores(folder: Path) -> dict[int, tuple]:
    manifest = mf.load(folder)
    files = [str(folder / e.path) for e in manifest.files_of("mentions")]
    cols = ", ".join(SCORE_COLUMNS)
    rows = duckdb.connect().execute(f"SELECT id, {cols} FROM read_parquet(?)", [files]).fetchall()
    return {r[0]: r[1:] for r in rows}


def workspace_scores(path: Path, ids) -> dict[int, tuple]:
    with Workspace.open(path, read_only=True) as ws:
        rows = (
            ws.cursor()
            .execute(
                f"SELECT id, {', '.join(SCORE_COLUMNS)} FROM mentions WHERE id IN "
                "(SELECT unnest(?::BIGINT[]))",
                [list(ids)],
            )
            .fetchall()
        )
    return {r[0]: r[1:] for r in rows}


def test_cluster_scores_equal_the_apps_row_for_row(rescored, client):
    path, folder = rescored
    old = archive_scores(folder)
    with Workspace.open(path, read_only=True) as ws:
        scorer = workspace_scorer(ws)
    seen = []
    summary = cluster_score(folder, client, scorer, progress=lambda d, t: seen.append((d, t)))
    new = archive_scores(folder)
    assert new.keys() == old.keys() and summary.rows == len(new)
    expected = workspace_scores(path, new.keys())
    assert new == expected  # every score column of every row, the correction included
    assert new != old  # the lexicon change really changed scores
    august = [e for e in mf.load(folder).files_of("mentions") if e.month == 8]
    assert len(august) == 2
    # The new files have exactly the old files' columns (nothing added, nothing lost).
    first_new = folder / mf.load(folder).files_of("mentions")[0].path
    first_old = folder / mf.load(folder).superseded[0]
    assert pq.read_schema(first_new).names == pq.read_schema(first_old).names
    assert seen[-1][0] == seen[-1][1] == summary.files
    assert mf.verify(folder) == []
    # New files beside the old ones; the old ones go with the next run.
    manifest = mf.load(folder)
    assert {e.run for e in manifest.files_of("mentions")} == {summary.run}
    assert manifest.superseded and all((folder / p).exists() for p in manifest.superseded)
    # Replies and corrections are not re-written.
    assert manifest.rows("replies") > 0 and manifest.rows("corrections") == 1


def test_thread_workers_run_in_a_process_bigger_than_their_memory_limit():
    """Thread workers share the host process: its size must not pause them.

    A long test run (or the app) holds more than a worker's limit; Dask measured the
    whole process against each thread worker's limit, paused them all, and a scatter
    failed with "No valid workers found" (or tasks waited forever) -- why this file
    once needed a pytest process of its own.
    """
    import psutil

    assert psutil.Process().memory_info().rss > 64 * 2**20  # above 80 % of the limit

    async def monitor_tick(dask_worker):
        # What the worker's periodic memory check does, now rather than in 100 ms.
        if "memory_monitor" in dask_worker.periodic_callbacks:
            await dask_worker.memory_manager.memory_monitor(dask_worker)
        return dask_worker.status.name

    with dask_client(workers=1, processes=False, memory_limit="64MiB") as c:
        assert list(c.run(monitor_tick).values()) == ["running"]
        c.scatter({"probe": 41}, broadcast=True, hash=False)
        assert c.submit(lambda x: x + 1, 41).result(timeout=180) == 42


def test_killed_worker_still_gives_complete_correct_result(rescored):
    path, folder = rescored
    with Workspace.open(path, read_only=True) as ws:
        scorer = workspace_scorer(ws)
    killed = []
    with dask_client(workers=2, processes=True) as c:
        pids = list(c.run(os.getpid).values())

        def kill_one(done: int, total: int) -> None:
            if not killed:  # right after submission: both workers are busy
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])

        summary = cluster_score(folder, c, scorer, progress=kill_one, retries=0)
    assert killed
    new = archive_scores(folder)
    assert summary.rows == len(new) == mf.load(folder).rows()
    assert new == workspace_scores(path, new.keys())


def test_cancel_and_a_failing_partition_leave_the_archive_unchanged(rescored, client):
    _, folder = rescored
    manifest_bytes = (folder / mf.MANIFEST).read_bytes()
    files = {p: mf.sha256_of(p) for p in folder.rglob("*.parquet")}
    with pytest.raises(ScoringCancelled):
        cluster_score(folder, client, is_cancelled=lambda: True)
    assert (folder / mf.MANIFEST).read_bytes() == manifest_bytes
    assert {p: mf.sha256_of(p) for p in folder.rglob("*.parquet")} == files
    assert not list(folder.glob(".staging-*"))
    # A damaged partition: the run fails with the reason and nothing is swapped.
    victim = folder / mf.load(folder).files_of("mentions")[0].path
    victim.write_bytes(b"not parquet at all")
    with pytest.raises(mf.ArchiveError, match="partition failed"):
        cluster_score(folder, client, retries=0)
    assert (folder / mf.MANIFEST).read_bytes() == manifest_bytes
    assert {p for p in folder.rglob("*.parquet")} == set(files)
    assert not list(folder.glob(".staging-*"))


def test_cluster_cube_opens_the_dashboard_and_equals_a_live_scan(demo_path, tmp_path, client):
    folder = tmp_path / "arch"
    whole = tmp_path / "whole.engage"
    shutil.copy2(demo_path, whole)
    with Workspace.open(demo_path) as ws:
        export_archive(ws, folder, before=CUT, move=True)
        views.attach(ws, folder)
        ctx = AnalyticsContext.load(ws)
        summary = cluster_cube(folder, client, ctx)
        assert summary.mentions == mf.load(folder).rows() and summary.rows > 0
        within = ctx.hours.within_sla_sql(ctx.sla_s)
        assert views.precomputed_cube(ws, within) == summary.path
        stored = MentionCube.load(ws, ctx)
        # Other SLA rules: the stored cube no longer applies; the dashboard scans instead.
        assert views.precomputed_cube(ws, within + " AND false") is None
    with Workspace.open(whole, read_only=True) as ws:
        live = MentionCube.load(ws, AnalyticsContext.load(ws))
    flt = DashboardFilter()
    a, b = stored.volume(flt), live.volume(flt)
    assert all(np.array_equal(a.counts[k], b.counts[k]) for k in a.counts)
    ra, rb = stored.responses(flt), live.responses(flt)
    assert np.array_equal(ra.bin_counts, rb.bin_counts) and ra.within_sla == rb.within_sla
    assert np.array_equal(ra.backlog, rb.backlog)
    sa, sb = stored.share_of_voice(flt), live.share_of_voice(flt)
    assert np.array_equal(sa.totals, sb.totals)
    mean_a, mean_b = stored.sentiment_trend(flt).mean, live.sentiment_trend(flt).mean
    assert np.allclose(mean_a, mean_b, equal_nan=True)


def test_cluster_command_without_dask_says_what_to_install(tmp_path):
    code = (
        "import sys; sys.modules['distributed'] = None; "
        "from engage_desktop.cli import main; "
        f"sys.exit(main(['cluster', 'score', {str(tmp_path)!r}]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "engage-desktop: this command needs Dask and pyarrow (distributed is not installed): "
        "pip install 'engage-desktop[cluster]'"
    ]


def test_cluster_commands_name_pyarrow_when_only_it_is_missing(monkeypatch):
    from engage_desktop.cluster import ClusterUnavailable, require_dask

    require_dask()  # Dask and distributed load (the test extra has them)
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as in the desktop install
    with pytest.raises(ClusterUnavailable, match=r"pyarrow is not installed\): pip install"):
        require_dask()
