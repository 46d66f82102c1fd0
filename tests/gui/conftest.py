"""GUI test fixtures: a main window on a private demo workspace."""

from __future__ import annotations

import pytest

from tests.gui.waiting import TIMEOUT_S


@pytest.fixture
def qtbot(qapp, request):
    """pytest-qt's bot, with waits that outlast a busy machine (see ``patient_qtbot``)."""
    from tests.gui.patient_qtbot import PatientQtBot

    return PatientQtBot(request)


@pytest.fixture
def settings(tmp_path):
    from engage_desktop.ui.app import make_settings

    return make_settings()


def open_demo_window(path, settings):
    """A main window on ``path``, shown at 1280×800, with its first reads done."""
    from engage_desktop.ui.main_window import MainWindow
    from engage_desktop.workspace.database import Workspace

    ws = Workspace.open(path)
    win = MainWindow(ws, settings)
    # No scheduled fetch: on a busy machine a test outlives the 30 s schedule check,
    # and the demo's feeds then add mentions (and a spike) in the middle of it. The
    # choice is made before the stored one (read in a task) arrives.
    win.feeds.set_schedule(False)
    win.resize(1280, 800)
    win.show()
    # The views read off the GUI thread: wait for their first rows (an event loop
    # turning until nothing is on its way, never a sleep).
    assert win.settle(TIMEOUT_S)
    return win, ws


def close_demo_window(win, ws) -> None:
    """Close the window and its workspace, and drop the window now."""
    win.close()
    ws.close()
    # DuckDB objects still referenced from Qt at interpreter exit make nanobind print
    # leak warnings after pytest's summary.
    win.deleteLater()
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    import gc

    gc.collect()


@pytest.fixture
def window(qtbot, demo_path, settings):
    win, ws = open_demo_window(demo_path, settings)
    qtbot.addWidget(win)
    yield win
    close_demo_window(win, ws)


@pytest.fixture(scope="module")
def module_window(qapp, demo_template, tmp_path_factory):
    """One window for a module whose tests only look, click and drill down.

    Building a window and drawing its dashboard is most of such a test's time; the
    module's tests share one (on a private copy of the demo, with private settings),
    and each puts back what it changes through its own fixture.
    """
    import shutil

    from engage_desktop.ui.app import make_settings
    from tests.conftest import use_private_dirs

    folder = tmp_path_factory.mktemp("module_window")
    path = folder / "demo.engage"
    shutil.copy2(demo_template, path)
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_private_dirs(folder / "home", monkeypatch)
        win, ws = open_demo_window(path, make_settings())
        yield win
        close_demo_window(win, ws)


def dashboard_as_first_opened(window, qtbot):
    """``window``'s dashboard put back as it first opens (for a shared window): 1280×800,
    default range, all topics, every series shown, the default zoom, no notifications.
    """
    from engage_desktop.ui.dashboard.pane import DEFAULT_RANGE, RANGES

    window.resize(1280, 800)
    window.show_view("dashboard")
    pane = window.dashboard
    pane.set_range(RANGES[DEFAULT_RANGE][0])
    pane.set_topic(None)
    for box in pane.volume.legend.boxes.values():
        box.setChecked(True)
    pane.volume.reset_view()
    pane.notifier.shown.clear()
    days = RANGES[DEFAULT_RANGE][1]

    def as_first_opened() -> bool:
        data = pane.data
        return data is not None and data.filter.topic is None and len(data.volume.days) == days

    qtbot.waitUntil(as_first_opened)
    assert pane.wait_until_ready(TIMEOUT_S)
    assert window.settle(TIMEOUT_S)
    return pane
