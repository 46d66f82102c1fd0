"""What the screenshot scripts share: a themed offscreen app, a demo copy, a window.

Imported by the ``make_*.py`` scripts beside it (run as ``python
docs/screenshots/make_NAME.py``, so this folder is on ``sys.path``).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def themed_app():
    """The QApplication, created once, with the app's style sheet."""
    from PySide6.QtWidgets import QApplication

    from engage_desktop.ui.theme import STYLE_SHEET

    app = QApplication.instance() or QApplication([])
    app.setStyleSheet(STYLE_SHEET)
    return app


def open_copy(source: str | Path):
    """A writable copy of the workspace ``source`` in a fresh temporary folder."""
    from engage_desktop.workspace.database import Workspace

    copy = Path(tempfile.mkdtemp()) / "shots.engage"
    shutil.copy2(source, copy)
    return Workspace.open(copy)


def close_copy(ws) -> None:
    """Close a workspace from :func:`open_copy` and remove its folder."""
    folder = Path(ws.path).parent
    ws.close()
    shutil.rmtree(folder, ignore_errors=True)


def main_window(ws, size: tuple[int, int] = (1440, 900), view: str | None = None):
    """The main window on ``ws``, shown at ``size`` (and on ``view``), no scheduled fetch."""
    from engage_desktop.ui.app import make_settings
    from engage_desktop.ui.main_window import MainWindow

    win = MainWindow(ws, make_settings())
    win.feeds.auto_fetch.setChecked(False)
    win.resize(*size)
    win.show()
    if view is not None:
        win.show_view(view)
    return win


def settle(tasks, rounds: int = 200, pause_s: float = 0.01) -> None:
    """Process events until ``tasks`` (a TaskRunner) has nothing running, or give up."""
    from PySide6.QtWidgets import QApplication

    for _ in range(rounds):
        QApplication.processEvents()
        if not tasks.running():
            break
        time.sleep(pause_s)
    QApplication.processEvents()
