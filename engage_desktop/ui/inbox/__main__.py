"""Show the inbox alone: ``python -m engage_desktop.ui.inbox [PATH]``.

Without PATH it opens the demo workspace (created on first use). The inbox stage
imports nothing of the app that composes it (``ui/app.py``): the window is the one
place that knows every stage.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    """Open the inbox on a workspace in its own window."""
    from PySide6.QtWidgets import QApplication

    from engage_desktop.core.errors import EngageError
    from engage_desktop.paths import demo_workspace_path
    from engage_desktop.ui.inbox.view import InboxView
    from engage_desktop.ui.theme import STYLE_SHEET
    from engage_desktop.workspace.database import Workspace

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyleSheet(STYLE_SHEET)
    path = argv[0] if argv else demo_workspace_path()
    try:
        if not argv and not demo_workspace_path().exists():
            from engage_desktop.demo.build import build_demo

            build_demo(path, 20_000)
        ws = Workspace.open(path)
    except EngageError as exc:
        print(f"engage-desktop: {exc}", file=sys.stderr)
        return 1
    view = InboxView(ws)
    view.setWindowTitle(f"Inbox — {ws.path.stem}")
    view.resize(1440, 900)
    view.show()
    code = app.exec()
    view.shutdown()
    view.tasks.shutdown()
    ws.close()
    return int(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
