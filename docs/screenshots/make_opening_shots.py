"""Render the window while it opens a workspace, and when a file cannot be opened.

Usage: python docs/screenshots/make_opening_shots.py docs/screenshots

Writes opening.png (the frame painted first, "Opening <file>…") and
opening-failed.png (a file that is not a workspace, said in the window).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from shot_window import themed_app


def main(out: str) -> None:
    """Save the two pictures to ``out``."""
    from engage_desktop.ui.app import make_settings, wait_until_open
    from engage_desktop.ui.main_window import MainWindow
    from engage_desktop.ui.opening import OpenRequest

    app = themed_app()
    folder = Path(tempfile.mkdtemp()) / "Clients"
    folder.mkdir()
    opening = MainWindow(None, make_settings(), opening=OpenRequest(folder / "Acme Q3.engage"))
    opening.resize(1280, 800)
    opening._paint_then_open = False  # hold the "Opening…" state for the picture
    opening.show()
    for _ in range(5):
        app.processEvents()
    opening.grab().save(str(Path(out) / "opening.png"))
    opening.close()
    notes = folder / "Acme notes.engage"
    notes.write_text("meeting notes, not a workspace")
    failed = MainWindow(None, make_settings(), opening=OpenRequest(notes))
    failed.resize(1280, 800)
    failed.show()
    print(wait_until_open(failed))
    for _ in range(5):
        app.processEvents()
    failed.grab().save(str(Path(out) / "opening-failed.png"))
    failed.close()


if __name__ == "__main__":
    main(sys.argv[1])
