"""Render the README's layout pictures: inbox and dashboard at several widths, the
dashboard drill-down chip, and every empty state.

Usage: python docs/screenshots/make_layout_shots.py DEMO.engage docs/screenshots

Writes inbox-1280.png, inbox-1920.png, dashboard-1024.png, dashboard-1920.png,
dashboard-drilldown.png and empty-{inbox,feeds,dashboard,outbox}.png.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from shot_window import main_window, open_copy, settle, themed_app


def main(source: str, out: str) -> None:
    """Open a copy of ``source`` and an empty workspace; save the PNGs to ``out``."""
    from PySide6.QtCore import Qt

    from engage_desktop.dashboard.spikes import Episode
    from engage_desktop.ui.main_window import grab_view
    from engage_desktop.workspace.database import Workspace

    themed_app()
    folder = Path(tempfile.mkdtemp())
    out_dir = Path(out)

    def shot(win, view: str, size: tuple[int, int], name: str) -> None:
        win.resize(*size)
        grab_view(win, view)
        settle(win.tasks, pause_s=0.02)
        win.grab().save(str(out_dir / name))

    win = main_window(open_copy(source))
    shot(win, "inbox", (1280, 900), "inbox-1280.png")
    shot(win, "inbox", (1920, 1080), "inbox-1920.png")
    shot(win, "dashboard", (1024, 768), "dashboard-1024.png")
    shot(win, "dashboard", (1920, 1080), "dashboard-1920.png")
    alerts = win.dashboard.alerts_list
    for i in range(alerts.count()):
        if isinstance(alerts.item(i).data(Qt.ItemDataRole.UserRole), Episode):
            win.resize(1440, 900)
            alerts.itemClicked.emit(alerts.item(i))
            settle(win.tasks, pause_s=0.02)
            win.inbox.select_row(0)
            settle(win.tasks, pause_s=0.02)
            win.grab().save(str(out_dir / "dashboard-drilldown.png"))
            break
    win.close()

    empty = main_window(Workspace.create(folder / "empty.engage"))
    for view in ("inbox", "feeds", "dashboard"):
        shot(empty, view, (1280, 800), f"empty-{view}.png")
    empty.show_view("composer")
    empty.composer.tabs.setCurrentIndex(1)
    settle(empty.tasks, pause_s=0.02)
    empty.grab().save(str(out_dir / "empty-outbox.png"))
    empty.close()
    settle(empty.tasks, pause_s=0.02)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
