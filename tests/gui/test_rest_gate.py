"""Re-reads the inbox holds while the user moves (``ui/inbox/rest_gate.py``).

Each mark-read or triage key re-reads the rows; the jump anchors' scan that followed
each one (a sort of every row of the view) stalled the next keys. It now waits for
the keys to rest, and nothing waits for it (a deep jump reads anchors itself).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest

from engage_desktop.inbox.pager import insert_mentions
from engage_desktop.workspace.database import Workspace
from tests.conftest import new_workspace


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """300 mentions: more than one page of the inbox (200), so anchors apply."""
    path = tmp_path_factory.mktemp("rest") / "rest.engage"
    n = 300
    base = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp() * 1e6)
    texts = [f"mention number {i}" for i in range(n)]
    table = pa.table(
        {
            "item_key": [f"item-{i}" for i in range(n)],
            "channel": ["blog"] * n,
            "text": texts,
            "text_norm": texts,
            "published": pa.array(
                [base + i * 60_000_000 for i in range(n)], pa.timestamp("us", tz="UTC")
            ),
        }
    )
    with new_workspace(path) as ws:
        insert_mentions(ws, table)
    return path


def test_a_background_job_waits_for_rest_and_nothing_waits_for_it(qtbot):
    from engage_desktop.ui.inbox.rest_gate import RestGate

    gate = RestGate(rest_ms=60_000)
    ran: list[str] = []
    gate.moved()
    gate.run("anchors", lambda: ran.append("anchors"), background=True)
    assert ran == [] and not gate.pending()  # held, but nobody waits for it
    gate.run("counts", lambda: ran.append("counts"))
    assert gate.pending()
    gate.rest_ms = 0  # the keys rest
    gate._release()
    assert sorted(ran) == ["anchors", "counts"] and not gate.pending()
    gate.run("anchors", lambda: ran.append("at rest"), background=True)
    assert ran[-1] == "at rest"  # at rest it runs at once


def test_anchors_and_counts_wait_while_the_user_moves_and_run_at_rest(qtbot, workspace):
    from engage_desktop.ui.inbox.view import ANCHORS_TASK, InboxView

    with Workspace.open(workspace, read_only=True) as ws:
        view = InboxView(ws)
        qtbot.addWidget(view)
        view._anchors_later.setInterval(0)  # (a second after the rows in the app)
        qtbot.waitUntil(lambda: view.model.pager is not None and view.model.pager.has_anchors)
        view.rest_gate.rest_ms = 60_000
        view.select_row(2)  # j/k: the user moves
        with qtbot.waitSignal(view.model.loaded):
            view.model.refresh()  # as after a mark-read: new rows, no anchors yet
        qtbot.waitUntil(lambda: not view.tasks.running() and not view._anchors_later.isActive())
        assert not view.model.pager.has_anchors  # no scan ran: it would have set them
        assert not view.news_pending()  # the window counts as settled meanwhile
        view.rest_gate.rest_ms = 0  # the keys rest
        view.rest_gate._release()
        assert ANCHORS_TASK in view.tasks._running  # started at once
        qtbot.waitUntil(lambda: view.model.pager.has_anchors)
        qtbot.waitUntil(lambda: not view.tasks.running())
        # After a triage key the views' counts wait too, and the window waits for them.
        view.rest_gate.rest_ms = 60_000
        view.select_row(3)
        view._after_change(advance=False)
        qtbot.waitUntil(lambda: not view.model.is_loading())
        assert view.news_pending() and "inbox-view-counts" not in view.tasks._running
        view.rest_gate.rest_ms = 0
        view.rest_gate._release()
        assert "inbox-view-counts" in view.tasks._running and not view.news_pending()
        qtbot.waitUntil(lambda: not view.tasks.running())
        view.shutdown()
        assert view.tasks.shutdown()


def test_a_new_filter_drops_the_anchors_scan_the_old_rows_had_coming(qtbot, workspace):
    """The old rows' scan, due a second after they came, ran under the new rows' first
    paint (the longest stalls of a sort change): a new filter stops it, held or timed."""
    from engage_desktop.inbox.filters import InboxFilter
    from engage_desktop.ui.inbox.view import ANCHORS_TASK, InboxView

    with Workspace.open(workspace, read_only=True) as ws:
        view = InboxView(ws)
        qtbot.addWidget(view)
        view._anchors_later.setInterval(600_000)  # due long after the rows: only the filter
        qtbot.waitUntil(lambda: view.model.pager is not None and view._anchors_later.isActive())
        view.rest_gate.rest_ms = 60_000
        view.rest_gate.moved()  # and one held for the keys to rest
        view.rest_gate.run(ANCHORS_TASK, view._scan_anchors, background=True)
        assert view.background_pending()
        with qtbot.waitSignal(view.model.loaded):
            view.apply_filter(InboxFilter(sort="oldest"))
            assert not view.background_pending()  # neither is due any more
            assert ANCHORS_TASK not in view.tasks._running
        qtbot.waitUntil(lambda: view._anchors_later.isActive())  # the new rows' own scan
        assert view.model.filter.sort == "oldest"
        view.shutdown()
        assert view.tasks.shutdown()
