"""Sharing in the main window: the File menu entries, and the reader's mode.

A shared copy (``ws.manifest`` set; the workspace layer opened it read-only by
itself) is shown for reading: the window starts on the Dashboard under a banner
("Shared by … on …, read-only"), the Composer and every fetch control are hidden,
and nothing goes online (no fetch, no scheduled job, no remote image). Read-only
already stops every write; this mode also removes what a reader has no use for.
"""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget

BANNER_STYLE = (
    "QLabel#sharedBanner { background: #fef3c7; color: #78350f; border-bottom: 1px solid "
    "#f59e0b; padding: 6px 12px; font-weight: 600; }"
)


def install(window: QMainWindow) -> None:
    """Add File › Share with a client… and Export report…; apply the reader's mode."""
    file_menu = window.menuBar().actions()[0].menu()
    share = QAction("&Share with a client…", window)
    share.setToolTip("Write a read-only copy of this workspace for someone who reads, not works")
    share.triggered.connect(lambda: open_dialog(window, "share"))
    report = QAction("Export &report…", window)
    report.setToolTip("Write the period's report as PDF or HTML")
    report.triggered.connect(lambda: open_dialog(window, "report"))
    quit_separator = next((a for a in file_menu.actions() if a.isSeparator()), None)
    file_menu.insertSeparator(quit_separator)
    file_menu.insertAction(quit_separator, share)
    file_menu.insertAction(quit_separator, report)
    window.share_action, window.report_action = share, report
    if window.ws.manifest is not None:
        reader_mode(window)


def open_dialog(window, kind: str):
    """Show the Share or Export report dialog, seeded with the dashboard's choice."""
    from engage_desktop.ui.share.dialogs import ReportDialog, ShareDialog

    dash = window.dashboard
    topics = dash.session.ctx.topics if dash.session is not None else ()
    cls = ShareDialog if kind == "share" else ReportDialog
    dialog = cls(window.ws, window.tasks, dash.filter, topics, window)
    dialog.finished.connect(
        lambda _r: (
            dialog.result_line
            and window.statusBar().showMessage(
                dialog.result_line[0].upper() + dialog.result_line[1:], 20_000
            )
        )
    )
    window.share_dialog = dialog
    dialog.open()
    return dialog


def reader_mode(window) -> None:
    """Show a shared copy for reading (see the module docstring)."""
    manifest = window.ws.manifest
    banner = QLabel(manifest.banner())
    banner.setObjectName("sharedBanner")
    banner.setStyleSheet(BANNER_STYLE)
    banner.setTextFormat(Qt.TextFormat.PlainText)  # the file's text, never markup
    banner.setToolTip(_details(manifest))
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(banner)
    layout.addWidget(window.takeCentralWidget(), 1)
    window.setCentralWidget(holder)
    window.shared_banner = banner
    window._set_title(window.workspace_name)  # the file's name until the status read names it

    # The Composer has nothing to do here: hide its page in the navigation.
    composer_row = window.pages.indexOf(window.composer)
    window.nav.item(composer_row).setHidden(True)
    for action in window.menuBar().actions()[1].menu().actions():
        if action.text().replace("&", "") == "Composer":
            action.setVisible(False)
    # No fetching: the controls go, the schedule never runs.
    feeds = window.feeds
    feeds.timer.stop()
    feeds.auto_fetch.setChecked(False)
    for widget in (
        feeds.auto_fetch,
        feeds.fetch_all_button,
        feeds.fetch_one_button,
        feeds.add_button,
        feeds.edit_button,
        feeds.pause_button,
        feeds.delete_button,
    ):
        widget.hide()
    # Images stay dark: a shared copy never goes online, not even on a click.
    detail = window.inbox.detail
    detail.image_requested.disconnect()
    detail.image_requested.connect(
        lambda _i: window.statusBar().showMessage(
            "Images are not loaded in a shared copy: it never goes online", 8000
        )
    )
    window.share_action.setEnabled(False)  # a reader does not re-share the client's data
    # A copy of a range up to a year holds just that range: show all of it.
    lo, hi = manifest.range_start, manifest.range_end
    if lo is not None and hi is not None and timedelta(0) < hi - lo <= timedelta(days=366):
        window.dashboard.set_range("All time")
    window.show_view("dashboard")


def _details(manifest) -> str:
    start = f"{manifest.range_start:%d %b %Y}" if manifest.range_start else "the beginning"
    last = manifest.range_end - timedelta(days=1) if manifest.range_end else None
    end = f"{last:%d %b %Y}" if last else "the end"
    topics = ", ".join(manifest.topics) or "all topics"
    left = "\n".join(f"• {x}" for x in manifest.left_out)
    return f"{manifest.mentions:,} mentions from {start} to {end}, {topics}.\nLeft out:\n{left}"
