"""Render File › Share with a client… to a PNG (the dialog the README describes).

Usage: python docs/screenshots/make_share_dialog_shot.py OUT_DIR

share-dialog.png: the dialog over an empty workspace, with pseudonyms and the
customer segments ticked, as a sharer would fill it in.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(out: str) -> None:
    """Save share-dialog.png to ``out``."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from engage_desktop.dashboard.analytics import DashboardFilter
    from engage_desktop.ui.share.dialogs import ShareDialog
    from engage_desktop.ui.tasks import TaskRunner
    from engage_desktop.ui.theme import STYLE_SHEET
    from engage_desktop.workspace.database import Workspace

    app = QApplication.instance() or QApplication([])
    app.setStyleSheet(STYLE_SHEET)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="engage-shots-"))
    ws = Workspace.create(tmp / "nimbus.engage")
    try:
        topics = ("Nimbus", "Router X2", "Orbit", "Skylink")
        dialog = ShareDialog(ws, TaskRunner(), DashboardFilter(), topics)
        dialog.path.setText("~/clients/nimbus-march-shared.engage")
        dialog.topics.item(0).setCheckState(Qt.CheckState.Checked)
        dialog.pseudonymize.setChecked(True)
        dialog.keep_segments.setChecked(True)
        dialog.shared_by.setText("Dana Reyes, Northwind Agency")
        dialog.setMinimumWidth(640)
        dialog.adjustSize()
        dialog.show()
        app.processEvents()
        dialog.grab().save(str(folder / "share-dialog.png"))
        dialog.close()
    finally:
        ws.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
