"""Show the inbox alone: ``python -m engage_desktop.ui.inbox [PATH]``.

Without PATH it opens the demo workspace (created on first use, before the window).
The window opens the file as the app's does (``ui/opening.py``): "Opening <file>…"
first, the file opened and migrated in a task. The inbox stage imports nothing of
the app that composes it (``ui/app.py``): the window is the one place that knows
every stage.
"""

from __future__ import annotations

import sys
from pathlib import Path

from engage_desktop.ui.opening import OpeningShell


def open_inbox(path: Path) -> OpeningShell:
    """A window that opens ``path`` and then shows its inbox (not yet shown)."""
    from engage_desktop.ui.inbox.view import InboxView
    from engage_desktop.ui.opening import OpenRequest

    shell = OpeningShell(OpenRequest(path), lambda ws, tasks: InboxView(ws, tasks))
    shell.resize(1440, 900)
    return shell


def main(argv: list[str]) -> int:
    """Open the inbox on a workspace in its own window."""
    from PySide6.QtWidgets import QApplication

    from engage_desktop.core.errors import EngageError
    from engage_desktop.paths import demo_workspace_path
    from engage_desktop.ui.theme import STYLE_SHEET

    path = Path(argv[0]) if argv else demo_workspace_path()
    if not argv and not path.exists():
        from engage_desktop.demo.build import build_demo

        try:
            build_demo(path, 20_000)
        except EngageError as exc:
            print(f"engage-desktop: {exc}", file=sys.stderr)
            return 1
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyleSheet(STYLE_SHEET)
    shell = open_inbox(path)
    shell.show()
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
