"""No stored date, whatever it is, breaks a chart, an alert check or a back-test.

The values are written straight into the table, as a workspace from elsewhere (or
one written before dates were checked) can hold them. ``published`` is NOT NULL;
the reply time, which may be NULL, gets NULL and the extremes too.
"""

from __future__ import annotations

import pytest

from engage_desktop.dashboard.session import DashboardSession
from engage_desktop.dashboard.spikes import check_alerts
from engage_desktop.ui.dashboard.work import filter_for
from engage_desktop.workspace.database import Workspace
from tests.security.hostile import run_cli


@pytest.fixture
def extreme(demo_path):
    with Workspace.open(demo_path) as ws, ws.write() as cur:
        ids = [r[0] for r in cur.execute("SELECT id FROM mentions ORDER BY id LIMIT 6").fetchall()]
        for mid, stamp in zip(ids, ["9999-12-31 23:59:59", "0001-01-01 00:00:00"], strict=False):
            cur.execute(
                f"UPDATE mentions SET published = TIMESTAMPTZ '{stamp}+00' WHERE id = ?", [mid]
            )
        for mid, stamp in zip(
            ids[2:], ["9999-12-31 00:00:00", "0001-01-01 00:00:00"], strict=False
        ):
            cur.execute(
                f"UPDATE mentions SET first_reply_at = TIMESTAMPTZ '{stamp}+00' WHERE id = ?",
                [mid],
            )
        cur.execute("UPDATE mentions SET first_reply_at = NULL WHERE id = ?", [ids[4]])
    return demo_path


def test_every_dashboard_range_computes(extreme):
    with Workspace.open(extreme) as ws:
        session = DashboardSession(ws)
        assert session.newest is not None and session.newest.year < 2100
        for spec in ((7, None, None), (90, None, None), (365, None, None), (0, None, None)):
            data = session.compute(filter_for(session, spec, None))
            assert data is not None and data.volume.total.sum() > 0
            assert len(data.volume.days) < 20_000


def test_alert_checks_run(extreme):
    with Workspace.open(extreme) as ws:
        check_alerts(ws, days=3)


@pytest.mark.parametrize(
    "command", [["alerts", "check"], ["alerts", "backtest"], ["inbox", "list"]]
)
def test_the_cli_runs(extreme, command):
    done = run_cli(*command, "-w", str(extreme))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "unexpected error" not in done.stderr
