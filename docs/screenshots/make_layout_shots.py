"""Render the README's layout pictures: inbox and dashboard at several widths, the
dashboard drill-down chip, and every empty state.

Usage: python docs/screenshots/make_layout_shots.py DEMO.engage docs/screenshots

Writes inbox-1280.png, inbox-1920.png, dashboard-1024.png, dashboard-1920.png,
dashboard-drilldown.png and empty-{inbox,feeds,dashboard,outbox}.png.
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


def main(source: str, out: str) -> None:
    """Open a copy of ``source`` and an empty workspace; save the PNGs to ``out``."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from engage_desktop.dashboard.spikes import Episode
    from engage_desktop.ui.app import make_settings
    from engage_desktop.ui.main_window import MainWindow, grab_view
    from engage_desktop.ui.theme import STYLE_SHEET
    from engage_desktop.workspace.database import Workspace

    app = QApplication.instance() or QApplication([])
    app.setStyleSheet(STYLE_SHEET)
    folder = Path(tempfile.mkdtemp())
    out_dir = Path(out)

    def settle(win) -> None:
        for _ in range(200):
            app.processEvents()
            if not win.tasks.running():
                break
            time.sleep(0.02)
        app.processEvents()

    def shot(win, view: str, size: tuple[int, int], name: str) -> None:
        win.resize(*size)
        grab_view(win, view)
        settle(win)
        win.grab().save(str(out_dir / name))

    copy = folder / "demo.engage"
    shutil.copy2(source, copy)
    win = MainWindow(Workspace.open(copy), make_settings())
    win.feeds.auto_fetch.setChecked(False)
    win.show()
    shot(win, "inbox", (1280, 900), "inbox-1280.png")
    shot(win, "inbox", (1920, 1080), "inbox-1920.png")
    shot(win, "dashboard", (1024, 768), "dashboard-1024.png")
    shot(win, "dashboard", (1920, 1080), "dashboard-1920.png")
    alerts = win.dashboard.alerts_list
    for i in range(alerts.count()):
        if isinstance(alerts.item(i).data(Qt.ItemDataRole.UserRole), Episode):
            win.resize(1440, 900)
            alerts.itemClicked.emit(alerts.item(i))
            settle(win)
            win.inbox.select_row(0)
            settle(win)
            win.grab().save(str(out_dir / "dashboard-drilldown.png"))
            break
    win.close()

    empty = MainWindow(Workspace.create(folder / "empty.engage"), make_settings())
    empty.show()
    for view in ("inbox", "feeds", "dashboard"):
        shot(empty, view, (1280, 800), f"empty-{view}.png")
    empty.show_view("composer")
    empty.composer.tabs.setCurrentIndex(1)
    settle(empty)
    empty.grab().save(str(out_dir / "empty-outbox.png"))
    empty.close()
    settle(empty)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
