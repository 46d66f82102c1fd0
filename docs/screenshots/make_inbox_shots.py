"""Render the README's inbox pictures on a copy of a demo workspace.

Usage: python docs/screenshots/make_inbox_shots.py DEMO.engage docs/screenshots

inbox-triage.png: a search with highlighted matches and three rows selected for a
bulk action. inbox-author.png: one author's mentions with the author panel (a
detractor flag, tags and a private note added first, as a user would).
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

PROLIFIC_AUTHOR = (
    "SELECT author_id FROM mentions m JOIN authors a ON a.id = m.author_id "
    "WHERE a.followers > 800 GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
)


def main(source: str, out: str) -> None:
    """Open a copy of ``source`` in the main window and save two PNGs to ``out``."""
    from PySide6.QtWidgets import QApplication

    from engage_desktop.inbox import notes, people
    from engage_desktop.inbox.filters import InboxFilter
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
    win.show_view("inbox")
    inbox = win.inbox

    def settle() -> None:
        for _ in range(100):
            app.processEvents()
            if not inbox.tasks.running():
                break
            time.sleep(0.01)
        app.processEvents()

    settle()
    inbox.filter_bar.search.setText("router")
    inbox.filter_bar.apply_search()
    for row in (0, 3, 4):
        inbox.model.toggle_mark(row)
    inbox.select_row(1)
    settle()
    win.grab().save(f"{out}/inbox-triage.png")

    inbox.model.clear_marks()
    inbox.filter_bar.set_filter(InboxFilter())
    author = ws.scalar(PROLIFIC_AUTHOR)
    people.set_author_flag(ws, author, "detractor")
    people.set_author_tags(ws, author, ["router-x2", "repeat-complaint"])
    notes.add_note(
        ws, "Third router this month; offered a replacement on 12 Oct.", author_id=author
    )
    inbox.filter_by_author(author, ws.scalar("SELECT name FROM authors WHERE id = ?", [author]))
    inbox.select_row(0)
    inbox.show_author_tab()
    settle()
    win.grab().save(f"{out}/inbox-author.png")
    win.close()
    ws.close()
    shutil.rmtree(copy.parent, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
