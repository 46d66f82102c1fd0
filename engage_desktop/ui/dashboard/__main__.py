"""Show the dashboard alone: ``python -m engage_desktop.ui.dashboard PATH``.

``--png OUT`` renders the whole dashboard (every card, not only what fits the
window) to a PNG and exits; used for the README's screenshots.
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Open (or render) the dashboard of one workspace, read-only."""
    parser = argparse.ArgumentParser(prog="python -m engage_desktop.ui.dashboard")
    parser.add_argument("path", help="a workspace file")
    parser.add_argument("--png", metavar="OUT", help="render the whole dashboard to OUT and exit")
    parser.add_argument("--range", default="Last 90 days", help="a range preset label")
    parser.add_argument("--topic", default=None, help="a topic (default: all topics)")
    parser.add_argument("--width", type=int, default=1440)
    args = parser.parse_args(argv)

    if args.png:
        import os

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from pathlib import Path

    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from engage_desktop.ui.dashboard.pane import DashboardPane
    from engage_desktop.ui.opening import OpeningShell, OpenRequest
    from engage_desktop.ui.theme import STYLE_SHEET

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyleSheet(STYLE_SHEET)
    # Opened as the app's window opens it (ui/opening.py): in a task, not on this thread.
    shell = OpeningShell(
        OpenRequest(Path(args.path), read_only=True),
        lambda ws, tasks: DashboardPane(ws, tasks=tasks),
    )
    shell.resize(args.width, 900)
    opening = QEventLoop()
    shell.opened.connect(opening.quit)
    shell.open_failed.connect(opening.quit)
    shell.show()
    opening.exec()
    pane = shell.view
    if not isinstance(pane, DashboardPane):  # the shell says why; so does stderr
        print(f"engage-desktop: {shell.page.text.text()}", file=sys.stderr)
        if args.png:
            shell.close()
            return 1
        return int(app.exec())
    pane.wait_until_ready()
    pane.set_range(args.range)
    pane.set_topic(args.topic)
    pane.wait_until_ready()
    if not args.png:
        return int(app.exec())
    content = pane.content
    height = content.sizeHint().height()
    pane.scroll.takeWidget()
    content.setParent(None)
    content.resize(args.width, max(height, 900))
    # A picture for a client: no buttons, no check boxes, only what they show.
    for card in pane.cards:
        for button in card.tool_buttons:
            button.hide()
    content.setStyleSheet(
        content.styleSheet() + " QCheckBox::indicator { width: 0px; height: 0px; }"
    )
    content.show()
    for _ in range(10):
        app.processEvents()
    ok = content.grab().save(args.png)
    shell.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
