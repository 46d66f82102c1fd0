"""Render the README's learned-model pictures on a copy of a demo workspace.

Usage: python docs/screenshots/make_learn_shots.py DEMO.engage docs/screenshots

learn-teach.png: the inbox's "Teach the model" view (least certain first, spread
over channels and topics), before any correction. learn-model-card.png: the
dashboard's model card after 160 corrections made over four weeks (the analyst
marks anyone who waited on hold as negative, which VADER calls neutral), trained
and applied with ``engage-desktop learn``'s own functions. The correction dates are
spread by hand so the card's weekly agreement has points to show.
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
    """Open a copy of ``source`` in the main window and save two PNGs to ``out``."""
    from PySide6.QtWidgets import QApplication

    from engage_desktop.enrich.learned.apply import rescore
    from engage_desktop.enrich.learned.corrections import set_corrections
    from engage_desktop.enrich.learned.train import train_workspace
    from engage_desktop.ui.app import make_settings
    from engage_desktop.ui.main_window import MainWindow
    from engage_desktop.ui.theme import STYLE_SHEET
    from engage_desktop.workspace.database import Workspace

    app = QApplication.instance() or QApplication([])
    app.setStyleSheet(STYLE_SHEET)
    copy = Path(tempfile.mkdtemp()) / "shots.engage"
    shutil.copy2(source, copy)
    ws = Workspace.open(copy)
    win = MainWindow(ws, make_settings())
    win.resize(1440, 900)
    win.show()

    def settle(tasks) -> None:
        for _ in range(3000):
            app.processEvents()
            if not tasks.running():
                break
            time.sleep(0.01)
        app.processEvents()

    win.show_view("inbox")
    inbox = win.inbox
    settle(inbox.tasks)
    inbox.sidebar.choose("Teach the model")
    inbox.select_row(0)
    settle(inbox.tasks)
    win.grab().save(f"{out}/learn-teach.png")

    cur = ws.cursor()
    sample = cur.execute(
        "SELECT id, model_label, text ILIKE '%waited%' FROM mentions "
        "WHERE model_label IN ('positive', 'neutral', 'negative') "
        "ORDER BY text ILIKE '%waited%' DESC, hash(id) LIMIT 160"
    ).fetchall()
    set_corrections(ws, [(i, "negative" if w else lab) for i, lab, w in sample], "analyst")
    with ws.write() as w:
        w.execute(
            "UPDATE sentiment_corrections SET corrected_at = now() - "
            "to_days(CAST(hash(mention_id) % 28 AS INTEGER))"
        )
    train_workspace(ws)
    rescore(ws)
    win.show_view("dashboard")
    win.dashboard.refresh()
    settle(win.tasks)
    win.dashboard.scroll.ensureWidgetVisible(win.dashboard.model_card)
    settle(win.tasks)
    win.grab().save(f"{out}/learn-model-card.png")
    win.show_view("inbox")
    inbox.sidebar.choose("Teach the model")
    inbox.select_row(0)
    settle(inbox.tasks)
    win.grab().save(f"{out}/learn-teach-after.png")
    win.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
