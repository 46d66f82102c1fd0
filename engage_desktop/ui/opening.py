"""Opening a workspace behind a window that is already on screen.

The window paints its frame first, with "Opening <file>…" where the views will be,
and :func:`open_workspace` runs as a task: it opens (and migrates) the file and
imports the views' modules on the worker thread, so the GUI thread neither waits on
DuckDB nor on the imports. When the file cannot be opened, :class:`OpeningPage`
says why in one line, in the window, with what the user can do next (a read-only
copy of a workspace another window holds, another file, or closing the window).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engage_desktop.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from engage_desktop.workspace.database import Workspace

#: What the window builds once the workspace is open, imported while it opens
#: (pyqtgraph and the dashboard stay out: the dashboard is built when first shown).
VIEW_MODULES = (
    "engage_desktop.enrich.pipeline",
    "engage_desktop.inbox.pager",
    "engage_desktop.ui.inbox.view",
    "engage_desktop.ui.inbox.columns",
    "engage_desktop.ui.listen.pane",
    "engage_desktop.ui.listen.where_panel",
    "engage_desktop.ui.composer.pane",
    "engage_desktop.ui.outbox.view",
    "engage_desktop.ui.command_server",
    "engage_desktop.ui.learner",
    "engage_desktop.ui.share.window",
    "engage_desktop.ui.settings_dialog",
    "engage_desktop.ui.dashboard.notify",
)


@dataclass(frozen=True)
class OpenRequest:
    """Which file to open, and how.

    Attributes:
        path: The workspace file.
        read_only: Open it read-only (nothing is written, not even a migration).
        snapshot: Open a read-only copy (the file stays with the window holding it).
        create: Create a new, empty workspace there first (File › New's brief did not).
    """

    path: Path
    read_only: bool = False
    snapshot: bool = False
    create: bool = False


def open_workspace(state: Any, request: OpenRequest) -> Workspace:
    """Open the workspace of ``request`` and import the views (on a worker thread).

    Cancelling the task (the window closed meanwhile) stops the opening at once, a
    migration in progress included: its queries are interrupted, it is rolled back
    and the file is let go (``workspace/interrupt.py``).

    Raises:
        WorkspaceError: The file is missing, locked, foreign, damaged or too new
            (a subclass says which; its message is the one line to show), or
            :class:`~engage_desktop.core.errors.OpenStoppedError` when cancelled.
    """
    from engage_desktop.cli.plugins import install_plugins
    from engage_desktop.workspace.database import Workspace
    from engage_desktop.workspace.interrupt import OpenInterrupt

    stop = OpenInterrupt()
    if hasattr(state, "on_cancel"):  # the window's tasks (ui/tasks.py)
        state.on_cancel(stop.stop)
    try:
        install_plugins()  # the stages' after-insert hooks, as every command has them
        if request.create:
            ws = Workspace.create(request.path, overwrite=True, stop=stop)
        elif request.snapshot:
            ws = Workspace.open_snapshot(request.path, stop=stop)
        else:
            ws = Workspace.open(request.path, read_only=request.read_only, stop=stop)
        try:
            for name in VIEW_MODULES:
                stop.check(request.path)
                importlib.import_module(name)
            stop.check(request.path)
        except BaseException:
            ws.close()
            raise
    finally:
        stop.finish()
    return ws


def open_and_hold(state: Any, request: OpenRequest, opened: list) -> Workspace:
    """:func:`open_workspace`, keeping the workspace in ``opened`` until a window takes
    it: one closed meanwhile never receives it (a cancelled task delivers no result)
    and closes what is left there."""
    ws = open_workspace(state, request)
    opened.append(ws)
    return ws


class OpeningPage(QWidget):
    """Where the views will be: "Opening <file>…", or why it could not be opened."""

    copy_requested = Signal()  # open a read-only copy (the file is locked)
    other_requested = Signal()  # choose another workspace
    close_requested = Signal()

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.heading = QLabel(f"Opening {path.name}…")
        self.heading.setObjectName("title")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = QLabel(str(path.parent))
        self.text.setObjectName("subtitle")
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setFixedWidth(640)  # a wrapped label needs a width to know its height
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # busy: opening has no steps to count
        self.busy.setFixedWidth(240)
        self.busy.setTextVisible(False)
        self.copy_button = QPushButton("Open a read-only copy")
        self.copy_button.clicked.connect(self.copy_requested)
        self.other_button = QPushButton("Open another workspace…")
        self.other_button.clicked.connect(self.other_requested)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.close_requested)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.copy_button, self.other_button, self.close_button):
            button.hide()
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.heading)
        layout.addSpacing(6)
        layout.addWidget(self.text, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(12)
        layout.addWidget(self.busy, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(buttons)
        layout.addStretch(2)

    def show_error(self, path: Path, message: str, *, locked: bool) -> None:
        """Say why ``path`` did not open (one line) and offer what can be done."""
        self.heading.setText(f"Cannot open {path.name}")
        line = message.strip().splitlines()[0] if message.strip() else "unknown error"
        self.text.setText(line[:1].upper() + line[1:])
        self.text.setStyleSheet("color: #374151;")  # a message to read, not a path to skim
        self.text.setMinimumHeight(self.text.heightForWidth(self.text.width()))
        self.busy.hide()
        self.copy_button.setVisible(locked)
        self.other_button.show()
        self.close_button.show()
        (self.copy_button if locked else self.other_button).setDefault(True)


class OpeningShell(QWidget):
    """A window that opens its workspace as the app's window does, then shows one view.

    For the stages' developer entry points (``python -m engage_desktop.ui.inbox``,
    ``python -m engage_desktop.ui.dashboard``): "Opening <file>…" first, the file
    opened (and migrated) in a task, the view built by ``build(ws, tasks)`` once it is
    open, or the one line saying why not. Closing it stops an opening in progress.
    """

    opened = Signal(object)  # the view
    open_failed = Signal(str)

    def __init__(
        self, request: OpenRequest, build: Callable[[Workspace, TaskRunner], QWidget]
    ) -> None:
        super().__init__()
        self.setObjectName("page")
        self.request = request
        self._build = build
        self.tasks = TaskRunner(self)
        self.ws: Workspace | None = None
        self.view: QWidget | None = None
        self._held: list[Workspace] = []  # opened by the task, not yet taken
        self._closing = False
        self._started = False
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.page = self._new_page()
        self.setWindowTitle(f"Opening {request.path.name}…")

    def _new_page(self) -> OpeningPage:
        page = OpeningPage(self.request.path)
        page.close_requested.connect(self.close)
        page.copy_requested.connect(
            lambda: self._restart(OpenRequest(self.request.path, read_only=True, snapshot=True))
        )
        page.other_requested.connect(self._choose_other)
        self._layout.addWidget(page)
        return page

    def showEvent(self, event) -> None:
        """The frame is on screen: start opening (once)."""
        super().showEvent(event)
        if not self._started:
            self._started = True
            self._start()

    def _start(self) -> None:
        from engage_desktop.core.errors import WorkspaceLockedError

        task = self.tasks.start("open-workspace", open_and_hold, self.request, self._held)
        locked: list[bool] = []
        task.errored.connect(lambda exc: locked.append(isinstance(exc, WorkspaceLockedError)))
        task.failed.connect(lambda message: self._failed(message, any(locked)))
        task.succeeded.connect(self._opened)

    def _restart(self, request: OpenRequest) -> None:
        self.request = request
        self._layout.removeWidget(self.page)
        self.page.deleteLater()
        self.page = self._new_page()
        self._start()

    def _choose_other(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open workspace", str(self.request.path.parent),
            "Workspaces (*.engage);;All files (*)",
        )  # fmt: skip
        if path:
            self._restart(OpenRequest(Path(path), read_only=self.request.read_only))

    def _failed(self, message: str, locked: bool) -> None:
        if self._closing:
            return
        self.page.show_error(self.request.path, message, locked=locked)
        self.open_failed.emit(message)

    def _opened(self, ws: Workspace) -> None:
        if self._closing:  # closeEvent lets it go
            return
        self._held.clear()
        self.ws = ws
        self.view = self._build(ws, self.tasks)
        self._layout.removeWidget(self.page)
        self.page.deleteLater()
        self._layout.addWidget(self.view)
        self.setWindowTitle(ws.path.stem)
        self.opened.emit(self.view)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop the view's polls and an opening in progress; let the file go."""
        self._closing = True
        if self.view is None:  # whoever waits for the outcome hears it
            self.open_failed.emit("the window was closed while the workspace opened")
        shutdown = getattr(self.view, "shutdown", None)
        if shutdown is not None:
            shutdown()
        self.tasks.shutdown()  # interrupts an opening (see open_workspace)
        for ws in [*self._held, *([self.ws] if self.ws is not None else [])]:
            ws.close()
        self._held.clear()
        event.accept()
