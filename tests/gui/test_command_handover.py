"""The running window is the command line's server for its workspace.

A command run while a window holds the workspace is handed to the window, runs there
through the same CLI code, and prints the same output with the same exit status as
the same command run alone on an identical workspace.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from PySide6.QtCore import QTimer

from engage_desktop.ui.main_window import MainWindow
from engage_desktop.workspace.database import Workspace

CASES = (
    ["inbox", "list", "--status", "new", "--limit", "5"],
    ["correct", "{mention}", "negative"],
    ["correct", "999999999", "positive"],  # a refusal: one line on stderr, exit 2
    ["export", "mentions", "out.csv"],  # a relative path means the caller's folder
    ["inbox", "list", "--status", "nonsense"],  # bad usage: refused before any hand-over
)


def _command(workspace, args):
    return [sys.executable, "-m", "engage_desktop", "-w", str(workspace), *args]


@pytest.fixture
def held_window(qtbot, demo_path, settings):
    ws = Workspace.open(demo_path)
    win = MainWindow(ws, settings)
    # No scheduled fetch: the two copies must hold the same mentions while compared.
    win.feeds.set_schedule(False)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()
    ws.close()


def test_a_command_on_a_held_workspace_runs_in_the_window_with_the_same_result(
    held_window, qtbot, demo_template, tmp_path
):
    win = held_window
    assert win.command_server is not None
    alone = tmp_path / "alone.engage"
    shutil.copy2(demo_template, alone)
    Workspace.open(alone).close()  # migrated like the window's copy
    mention = str(win.ws.scalar("SELECT min(id) FROM mentions WHERE sentiment_label != 'negative'"))
    finished = []
    win.command_server.finished.connect(lambda command, status: finished.append(status))
    for n, case in enumerate(CASES):
        args = [a.replace("{mention}", mention) for a in case]
        (tmp_path / f"alone{n}").mkdir()
        (tmp_path / f"held{n}").mkdir()
        ran_alone = subprocess.run(
            _command(alone, args), cwd=tmp_path / f"alone{n}", capture_output=True, text=True
        )
        proc = subprocess.Popen(
            _command(win.ws.path, args),
            cwd=tmp_path / f"held{n}",
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # The window must keep its event loop running to serve the command.
        qtbot.waitUntil(lambda p=proc: p.poll() is not None, timeout=180_000)
        out, err = proc.communicate()
        assert (proc.returncode, out, err) == (
            ran_alone.returncode,
            ran_alone.stdout,
            ran_alone.stderr,
        ), args
        assert proc.returncode == (2 if n in (2, 4) else 0)
    assert finished == [0, 0, 2, 0]  # every case but the usage error ran in the window
    # The command wrote through the window's own workspace, and the file landed
    # in the caller's folder.
    label = win.ws.scalar("SELECT sentiment_label FROM mentions WHERE id = ?", [int(mention)])
    assert label == "negative"
    held_csv = (tmp_path / "held3" / "out.csv").read_text()
    assert held_csv == (tmp_path / "alone3" / "out.csv").read_text() and held_csv.count("\n") > 100
    assert "export mentions out.csv: done" in win.statusBar().currentMessage()


def test_closing_a_window_releases_its_workspace_and_stops_its_timers(held_window, qtbot):
    win = held_window
    path = win.ws.path
    assert any(t.isActive() for t in win.findChildren(QTimer))  # polls, scheduled fetch
    win.close()
    assert [t.objectName() or t for t in win.findChildren(QTimer) if t.isActive()] == []
    qtbot.waitUntil(lambda: win.ws.closed)
    # The file is free at once (not when the application quits): a command runs alone.
    ran = subprocess.run(
        _command(path, ["inbox", "list", "--limit", "1"]), capture_output=True, text=True
    )
    assert ran.returncode == 0 and ran.stderr == ""
