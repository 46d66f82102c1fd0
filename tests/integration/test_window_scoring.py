"""In a window's process every batch is scored by its child process, never on its threads."""

from __future__ import annotations

import os
import shutil

import pytest

from engage_desktop.core import priority
from engage_desktop.enrich import pipeline
from engage_desktop.enrich.pipeline import enrich
from engage_desktop.enrich.sentiment import VaderScorer, window_pool
from engage_desktop.workspace.database import Workspace

SCORES = (
    "SELECT id, language, model_sentiment, model_label, sentiment_pos, sentiment_neu, "
    "sentiment_neg, scorer_version FROM mentions ORDER BY id"
)


def _refuse(*_args, **_kwargs):
    raise AssertionError("scored on a thread of the window's own process")


def test_the_window_scores_in_its_child_process_like_the_cli_row_for_row(
    demo_path, tmp_path, monkeypatch
):
    with Workspace.open(demo_path) as ws, ws.write() as cur:  # a backlog of 300 posts
        cur.execute("UPDATE mentions SET scored_at = NULL WHERE id <= 300")
        cur.execute("UPDATE mentions SET language = NULL WHERE id <= 300 AND id % 5 = 0")
    path = shutil.copy2(demo_path, tmp_path / "cli.engage")
    with Workspace.open(path) as ws:  # a command line: in-process
        assert enrich(ws).done == 300
        expected = ws.tuples(SCORES)

    monkeypatch.setattr(priority, "_window", True)
    # Nothing may score or detect in this process now: the workers are spawned, so
    # they keep the real scorer while these refuse.
    monkeypatch.setattr(VaderScorer, "score_many", _refuse)
    monkeypatch.setattr(VaderScorer, "values", _refuse)
    monkeypatch.setattr(pipeline, "detect_language", _refuse)
    with Workspace.open(demo_path) as ws:
        stopped = enrich(ws, chunk_size=100, is_cancelled=lambda: _after_first_chunk(ws))
        assert stopped.cancelled and stopped.done == 100  # whole chunks only
        pool = window_pool._shared
        assert pool is not None and pool.processes == window_pool.SMALL_WORKERS
        workers = list(pool._executor._processes.values())
        assert workers and os.getpid() not in {w.pid for w in workers}
        rest = enrich(ws, chunk_size=100)  # the same pool, its worker reused
        assert window_pool._shared is pool and rest.done == 200
        assert ws.tuples(SCORES) == expected
    window_pool.close_window_pool()
    assert window_pool._shared is None
    for worker in workers:
        worker.join(timeout=30)
        assert not worker.is_alive()


def _after_first_chunk(ws: Workspace) -> bool:
    return (
        int(ws.scalar("SELECT count(*) FROM mentions WHERE id <= 300 AND scored_at IS NOT NULL"))
        >= 100
    )


@pytest.mark.parametrize("in_window", [False, True])
def test_a_command_line_scores_small_batches_in_process(monkeypatch, in_window):
    monkeypatch.setattr(priority, "_window", in_window)
    with window_pool.scoring_pool(VaderScorer(), 50) as pool:
        assert (pool is None) is not in_window
    with window_pool.scoring_pool(VaderScorer(), 50, processes=1) as pool:
        assert (pool is None) is not in_window  # a window ignores "in-process"
