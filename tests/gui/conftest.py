"""GUI test fixtures: a main window on a private demo workspace."""

from __future__ import annotations

import pytest


@pytest.fixture
def qtbot(qapp, request):
    """pytest-qt's bot, with waits that outlast a busy machine (see ``patient_qtbot``)."""
    from tests.gui.patient_qtbot import PatientQtBot

    return PatientQtBot(request)


@pytest.fixture
def settings(tmp_path):
    from engage_desktop.ui.app import make_settings

    return make_settings()


@pytest.fixture
def window(qtbot, demo_path, settings):
    from engage_desktop.ui.main_window import MainWindow
    from engage_desktop.workspace.database import Workspace

    ws = Workspace.open(demo_path)
    win = MainWindow(ws, settings)
    # No scheduled fetch: on a busy machine a test outlives the 30 s schedule check,
    # and the demo's feeds then add mentions (and a spike) in the middle of it. The
    # choice is made before the stored one (read in a task) arrives.
    win.feeds.set_schedule(False)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    # The views read off the GUI thread: wait for their first rows (an event loop
    # turning until nothing is on its way, never a sleep).
    assert win.settle()
    yield win
    win.close()
    ws.close()
    # Drop the window now: DuckDB objects still referenced from Qt at interpreter exit
    # make nanobind print leak warnings after pytest's summary.
    win.deleteLater()
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    import gc

    gc.collect()
