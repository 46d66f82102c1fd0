"""The main window: navigation, the four areas, menus and the status bar."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from engage_desktop import __version__
from engage_desktop.storage.mentions import counts
from engage_desktop.storage.workspace import Workspace
from engage_desktop.ui.composer.pane import ComposerPane
from engage_desktop.ui.dashboard.pane import DashboardPane
from engage_desktop.ui.feeds.pane import FeedsPane
from engage_desktop.ui.inbox.view import InboxView
from engage_desktop.ui.tasks import TaskRunner

VIEWS = ("feeds", "inbox", "composer", "dashboard")
MAX_RECENT = 8


class MainWindow(QMainWindow):
    """One workspace in one window."""

    open_requested = Signal(str)  # a path; the application decides how to open it
    new_requested = Signal(str)

    def __init__(self, ws: Workspace, settings: QSettings) -> None:
        super().__init__()
        self.ws = ws
        self.settings = settings
        self.tasks = TaskRunner(self)
        self.setWindowTitle(
            f"{ws.name} — engage-desktop" + (" (read-only)" if ws.read_only else "")
        )
        self.setMinimumSize(960, 600)

        self.feeds = FeedsPane(ws)
        self.inbox = InboxView(ws)
        self.composer = ComposerPane(ws)
        self.dashboard = DashboardPane(ws, tasks=self.tasks)
        self.pages = QStackedWidget()
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(168)
        for name, page in zip(
            VIEWS, (self.feeds, self.inbox, self.composer, self.dashboard), strict=True
        ):
            self.pages.addWidget(page)
            QListWidgetItem(name.title(), self.nav)
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.inbox.mention_selected.connect(self.composer.set_mention)
        self.dashboard.drill_requested.connect(self.show_drill_down)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self._build_menus()
        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)
        self.update_status()
        self.show_view("inbox")
        self._restore_geometry()
        self.add_recent(str(ws.path))

    # -- views ---------------------------------------------------------------------

    def show_view(self, name: str) -> None:
        """Switch to one of :data:`VIEWS`."""
        self.nav.setCurrentRow(VIEWS.index(name))

    def show_drill_down(self, query, description: str) -> None:
        """Open the inbox on the mentions behind a dashboard element."""
        self.inbox.model.set_query(query)
        self.inbox.refresh()  # the inbox's own header follows its new rows
        self.show_view("inbox")
        self.statusBar().showMessage(
            f"{description} — {self.inbox.model.rowCount():,} mentions", 15_000
        )

    def update_status(self) -> None:
        """Workspace name and counts in the status bar."""
        c = counts(self.ws)
        mode = " · read-only" if self.ws.read_only else ""
        self.status_label.setText(
            f"{self.ws.name}{mode}  ·  {c['mentions']:,} mentions  ·  {c['new']:,} new  ·  "
            f"{c['open']:,} waiting  ·  {c['sources']} sources  "
        )

    # -- menus ---------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        new = QAction("&New Workspace…", self, shortcut=QKeySequence.StandardKey.New)
        new.triggered.connect(self._new)
        opn = QAction("&Open Workspace…", self, shortcut=QKeySequence.StandardKey.Open)
        opn.triggered.connect(self._open)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(new)
        file_menu.addAction(opn)
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        self._fill_recent()

        view_menu = self.menuBar().addMenu("&View")
        for i, name in enumerate(VIEWS, start=1):
            action = QAction(name.title(), self, shortcut=QKeySequence(f"Ctrl+{i}"))
            action.triggered.connect(lambda _=False, n=name: self.show_view(n))
            view_menu.addAction(action)
        refresh = QAction("&Refresh", self, shortcut=QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self.refresh)
        view_menu.addSeparator()
        view_menu.addAction(refresh)

        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About engage-desktop", self)
        about.triggered.connect(
            lambda: QMessageBox.about(
                self,
                "About engage-desktop",
                f"engage-desktop {__version__}\nOffline-first customer engagement.\n\n"
                f"Workspace: {self.ws.path}",
            )
        )
        help_menu.addAction(about)

    def refresh(self) -> None:
        """Re-read every view from the workspace."""
        self.feeds.refresh()
        self.inbox.refresh()
        self.dashboard.refresh()
        self.update_status()

    def _new(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "New workspace", str(Path.home()), "Workspaces (*.engage)"
        )
        if path:
            if not path.endswith(".engage"):
                path += ".engage"
            self.new_requested.emit(path)

    def _open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open workspace", str(Path.home()), "Workspaces (*.engage);;All files (*)"
        )
        if path:
            self.open_requested.emit(path)

    # -- recent files and geometry (QSettings) ----------------------------------------

    def recent_files(self) -> list[str]:
        """Recently opened workspaces, newest first."""
        value = self.settings.value("recent_files", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in value or []]

    def add_recent(self, path: str) -> None:
        """Put ``path`` first in the recent list."""
        items = [p for p in self.recent_files() if p != path]
        items.insert(0, path)
        self.settings.setValue("recent_files", items[:MAX_RECENT])
        self.settings.setValue("last_workspace", path)
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.recent_files():
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _=False, p=path: self.open_requested.emit(p))
        self.recent_menu.setEnabled(bool(self.recent_files()))

    def _restore_geometry(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1440, 900)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save the draft and the geometry; wait for background work."""
        self.composer.save()
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.tasks.shutdown()
        self.inbox.model.close()
        event.accept()


def grab_view(window: MainWindow, view: str) -> None:
    """Prepare ``view`` for a screenshot: realistic selection and focus."""
    window.show_view(view)
    if view == "dashboard":
        window.dashboard.wait_until_ready()
    if view in ("inbox", "composer") and window.inbox.model.rowCount():
        window.inbox.select_row(0)
        window.show_view(view)
    window.pages.currentWidget().setFocus(Qt.FocusReason.OtherFocusReason)
