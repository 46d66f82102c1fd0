"""File › Attach Archive…: the window reads workspace and archive together, and says so."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engage_desktop.archive.export import export_archive
from engage_desktop.dashboard.analytics import DashboardFilter
from engage_desktop.ui.inbox.model import _TOOLTIP, COL_STATUS, COL_TIME, ChipsRole
from tests.gui.waiting import TIMEOUT_S


@pytest.fixture
def moved_window(qtbot, demo_path, tmp_path, settings):
    """A window on a workspace whose mentions before September were moved out."""
    from engage_desktop.ui.main_window import MainWindow
    from engage_desktop.workspace.database import Workspace

    folder = tmp_path / "archive"
    ws = Workspace.open(demo_path)
    export_archive(ws, folder, before=datetime(2026, 9, 1, tzinfo=UTC), move=True)
    win = MainWindow(ws, settings)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    assert win.settle(TIMEOUT_S)
    yield win, folder
    win.close()
    ws.close()
    win.deleteLater()


def test_attach_shows_archived_rows_flagged_and_read_only(moved_window, qtbot):
    window, folder = moved_window
    assert window.inbox.model.rowCount() < 3000
    assert not window.detach_action.isEnabled()
    window.attach_archive(str(folder))
    qtbot.waitUntil(lambda: window.inbox.model.rowCount() == 3000)
    assert window.settle(TIMEOUT_S)
    assert "Archive attached (read-only): 1,789 mentions" in window.status_label.text()
    assert window.detach_action.isEnabled()
    model = window.inbox.model
    last = model.rowCount() - 1  # newest first: the oldest rows come from the archive
    qtbot.waitUntil(lambda: model.mention_id(last) is not None)
    status_chips = model.data(model.index(last, COL_STATUS), ChipsRole)
    assert status_chips == [("archived", "#6b7280")]
    assert "status when archived" in model.data(model.index(last, COL_STATUS), _TOOLTIP)
    assert "2026" in model.data(model.index(last, COL_TIME))  # the year of old rows
    newest_chips = model.data(model.index(0, COL_STATUS), ChipsRole)
    assert "archived" not in [text for text, _ in newest_chips]
    assert window.dashboard.wait_until_ready(TIMEOUT_S)
    everything = window.dashboard.session.cube.volume(DashboardFilter())
    assert everything.total.sum() == 3000  # the dashboard counts archived mentions too

    window.attach_archive(None)
    qtbot.waitUntil(lambda: window.inbox.model.rowCount() < 3000)
    assert window.settle(TIMEOUT_S)
    assert "Archive attached" not in window.status_label.text()


def test_attaching_a_folder_that_is_no_archive_says_so(moved_window, qtbot, tmp_path):
    window, _ = moved_window
    (tmp_path / "other").mkdir()
    shown: list[str] = []
    window.statusBar().messageChanged.connect(shown.append)
    window.attach_archive(str(tmp_path / "other"))
    qtbot.waitUntil(lambda: any("not an engage-desktop archive" in m for m in shown))
    assert "Archive attached" not in window.status_label.text()
