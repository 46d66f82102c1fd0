"""The main window: navigation, the four areas, menus and the status bar.

The window never waits on the workspace: views read in tasks, and every write goes
through :class:`~engage_desktop.ui.ops.Operations` (one writer thread), whose record
of what changed (:class:`~engage_desktop.ui.ops.OpChanges`) the window hands to the
views that show it.

It paints before it has a workspace: given an :class:`~engage_desktop.ui.opening.OpenRequest`
instead of an open workspace, it shows its frame with "Opening <file>…", opens the
file in a task after its first paint, and only then builds its views (their modules
are imported on the worker too). A file that cannot be opened is said in the window.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QWidget,
)

from engage_desktop import __version__
from engage_desktop.core.heap import freeze_long_lived
from engage_desktop.core.priority import serve_window
from engage_desktop.ui.opening import OpeningPage, OpenRequest, open_and_hold
from engage_desktop.ui.ops import OpChanges, Operations
from engage_desktop.ui.tasks import Task, TaskRunner

if TYPE_CHECKING:  # the views are imported when the workspace is open (see _attach)
    from engage_desktop.enrich.pipeline import EnrichSummary
    from engage_desktop.ui.command_server import CommandServer
    from engage_desktop.ui.dashboard.pane import DashboardPane
    from engage_desktop.workspace.database import Workspace

VIEWS = ("feeds", "inbox", "composer", "dashboard")
MAX_RECENT = 8
# Keys of the short reads that fill the views (and of the writer's steps): a window
# with none of them running shows what the workspace holds (see is_settled).
VIEW_READS = (
    "inbox", "author-panel", "customer-card", "composer", "feeds-rows", "outbox-rows",
    "status-counts", "filter-choices", "write-",
)  # fmt: skip
# The first alert check of an unbuilt dashboard waits for the window to be painted.
ALERTS_DELAY_MS = 2000
#: The longest a scoring chunk waits for the inbox's keys to rest (so it never starves).
BACKFILL_HOLD_S = 3.0


class MainWindow(QMainWindow):
    """One workspace in one window."""

    open_requested = Signal(str)  # a path; the application decides how to open it
    new_requested = Signal(str)
    opened = Signal()  # the workspace opened in a task is open and the views are built
    open_failed = Signal(str)  # it could not be opened: why, in one line

    def __init__(
        self, ws: Workspace | None, settings: QSettings, *, opening: OpenRequest | None = None
    ) -> None:
        """A window on ``ws``, or, with ``opening``, on the file it opens in a task."""
        super().__init__()
        serve_window()  # worker processes started from now on yield the CPU to it
        self.enrich_task: Task | None = None
        self._enrich_asked = False
        self._closing = False
        self.ws: Workspace = None  # type: ignore[assignment]  # set by _attach
        self.settings = settings
        self.tasks = TaskRunner(self)
        self.ops = Operations(self.tasks, self)
        self.setMinimumSize(960, 600)
        self.pages = QStackedWidget()
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(168)
        for name in VIEWS:
            QListWidgetItem(name.title(), self.nav)
        self.nav.setCurrentRow(VIEWS.index("inbox"))  # where the window opens
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)
        self._restore_geometry()
        self.opening_page: OpeningPage | None = None
        self._opened_here: list[Workspace] = []  # what an open task opened (see closeEvent)
        self._open_locked = False
        if ws is not None:
            self._attach(ws)
        elif opening is not None:
            self.open_workspace(opening)

    # -- opening the workspace -------------------------------------------------------

    def open_workspace(self, request: OpenRequest) -> None:
        """Show "Opening <file>…" and open it in a task once the window has painted."""
        self.request = request
        self._set_title(request.path.stem, read_only=request.read_only or request.snapshot)
        page = OpeningPage(request.path)
        page.copy_requested.connect(
            lambda: self._reopen_here(OpenRequest(request.path, read_only=True, snapshot=True))
        )
        page.other_requested.connect(self._choose_other)
        page.close_requested.connect(self.close)
        if self.opening_page is not None:
            self.pages.removeWidget(self.opening_page)
            self.opening_page.deleteLater()
        self.opening_page = page
        self.pages.addWidget(page)
        self.pages.setCurrentWidget(page)
        self.nav.setEnabled(False)
        self.statusBar().showMessage(f"Opening {request.path}…")
        if self.isVisible():
            self._start_opening()
        else:  # the first paint goes first; the task starts after it
            self._paint_then_open = True

    def paintEvent(self, event) -> None:
        """The first paint of a window that is opening its workspace starts the task."""
        super().paintEvent(event)
        if getattr(self, "_paint_then_open", False):
            self._paint_then_open = False
            QTimer.singleShot(0, self._start_opening)

    def showEvent(self, event) -> None:
        """Shown without a paint (a minimised start): open anyway, a moment later."""
        super().showEvent(event)
        if getattr(self, "_paint_then_open", False):
            QTimer.singleShot(250, self._start_opening_if_waiting)

    def _start_opening_if_waiting(self) -> None:
        if getattr(self, "_paint_then_open", False):
            self._paint_then_open = False
            self._start_opening()

    def _start_opening(self) -> None:
        if self._closing or self.ws is not None:
            return
        self._open_locked = False
        task = self.tasks.start("open-workspace", open_and_hold, self.request, self._opened_here)
        task.errored.connect(self._open_errored)
        task.failed.connect(self._open_failed)
        task.succeeded.connect(self._opened)

    def _open_errored(self, exc: BaseException) -> None:
        from engage_desktop.core.errors import WorkspaceLockedError

        self._open_locked = isinstance(exc, WorkspaceLockedError)

    def _open_failed(self, message: str) -> None:
        if self._closing:  # stopped by closeEvent: the window is going away
            return
        assert self.opening_page is not None
        self.opening_page.show_error(self.request.path, message, locked=self._open_locked)
        self.statusBar().clearMessage()
        self.open_failed.emit(message)

    def _opened(self, ws: Workspace) -> None:
        if self._closing:  # closed while opening: closeEvent releases it
            return
        self._opened_here.clear()
        page, self.opening_page = self.opening_page, None
        if page is not None:
            self.pages.removeWidget(page)
            page.deleteLater()
        self.nav.setEnabled(True)
        self.statusBar().clearMessage()
        self._attach(ws)
        self.opened.emit()

    def _reopen_here(self, request: OpenRequest) -> None:
        """After a failure: open another file (or a read-only copy) in this window."""
        self.open_workspace(request)

    def _choose_other(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open workspace", str(Path.home()), "Workspaces (*.engage);;All files (*)"
        )
        if path:
            self._reopen_here(OpenRequest(Path(path)))

    def _attach(self, ws: Workspace) -> None:
        """Build the views on the open workspace ``ws`` (imports them the first time)."""
        from engage_desktop.ui.composer.pane import ComposerPane
        from engage_desktop.ui.dashboard.notify import Notifier
        from engage_desktop.ui.inbox import columns as inbox_columns
        from engage_desktop.ui.inbox.view import InboxView
        from engage_desktop.ui.learner import BackgroundLearner
        from engage_desktop.ui.listen.pane import FeedsPane
        from engage_desktop.ui.outbox.view import OutboxView
        from engage_desktop.ui.share.window import install as install_sharing

        self.ws = ws
        settings = self.settings
        # The file's name until the workspace's own name is read (update_status).
        self._set_title(ws.path.stem)

        # The inbox first: its first rows are read while the other views are built.
        self.inbox = InboxView(ws, tasks=self.tasks, ops=self.ops)
        inbox_columns.restore(self.inbox.table, settings)
        self.feeds = FeedsPane(ws, self.tasks, ops=self.ops)
        # The outbox is a tab of the composer's page; the window puts it there, so
        # the two stages' widgets stay independent of each other.
        self.outbox = OutboxView(ws, tasks=self.tasks, ops=self.ops)
        self.composer = ComposerPane(ws, tasks=self.tasks, ops=self.ops, outbox=self.outbox)
        # The dashboard (pyqtgraph, numpy and its chart modules: about a third of the
        # start-up) is built the first time it is shown or asked for; until then a
        # blank page holds its place. Its alerts are the window's: checked after the
        # start and whenever mentions change, built or not (check_alerts).
        self._dashboard: DashboardPane | None = None
        self._dashboard_slot = QWidget()
        self.alert_notifier = Notifier(self)
        self._alerts_running = self._alerts_again = False
        for page in (self.feeds, self.inbox, self.composer, self._dashboard_slot):
            self.pages.addWidget(page)
        self.nav.currentRowChanged.connect(self._show_page)
        self.inbox.mention_selected.connect(self._follow_inbox)
        self.inbox.reply_requested.connect(self.reply_to)
        self._drill_description: str | None = None
        self.inbox.filter_applied.connect(self._filter_applied)
        self.composer.accounts_requested.connect(self.open_accounts)
        # VADER loads for the composer's tone check once the start-up is painted.
        self.inbox.first_rows.painted.connect(self.composer.warm_up)
        # What start-up built lives as long as the window: out of the GC's full passes.
        self.inbox.first_rows.painted.connect(lambda: freeze_long_lived("start-up"))
        self.ops.changed.connect(self.workspace_changed)
        for pane in (self.inbox, self.feeds, self.outbox):  # the dashboard's: on build
            pane.empty_action.connect(self.empty_state_action)

        self.archive_note = ""
        self._build_menus()
        self.inbox.status_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self._build_task_widgets()
        self.update_status()
        self.show_view("inbox")
        self.pages.setCurrentIndex(VIEWS.index("inbox"))  # the row may have been current
        self.add_recent(str(ws.path))
        self.command_server = self._serve_commands()
        # Corrections teach the workspace's sentiment model; it retrains when enough arrived.
        self.learner = BackgroundLearner(ws, self.tasks, self.statusBar())
        self.inbox.sentiment_corrected.connect(self.learner.check)
        self.learner.finished.connect(self._on_learned)
        self.start_backfill()
        # An archive attached earlier: say so in the status bar once it is read.
        connected = threading.Event()
        self.tasks.start("archive", _archive_note_job, ws, connected).succeeded.connect(
            self._on_archive_noted
        )
        connected.set()
        install_sharing(self)  # File › Share…, Export report…; a shared copy's reader mode
        alerts = QTimer(self)  # a child: closing the window stops it
        alerts.setSingleShot(True)
        # (And not under the inbox's keys: its first run also imports the statistics.)
        alerts.timeout.connect(lambda: self.inbox.rest_gate.run("alerts", self.check_alerts))
        alerts.start(ALERTS_DELAY_MS)

    # -- the dashboard, built on first use ----------------------------------------

    @property
    def dashboard(self) -> DashboardPane:
        """The dashboard pane; the first use builds it."""
        return self._dashboard or self._build_dashboard()

    def _build_dashboard(self) -> DashboardPane:
        """Build the dashboard pane in the place held for it (the view shown stays)."""
        from engage_desktop.ui.dashboard.pane import DashboardPane

        pane = DashboardPane(self.ws, tasks=self.tasks, notifier=self.alert_notifier)
        pane.drill_requested.connect(self.show_drill_down)
        pane.empty_action.connect(self.empty_state_action)
        slot = self._dashboard_slot
        self.pages.insertWidget(self.pages.indexOf(slot), pane)
        self.pages.removeWidget(slot)
        slot.deleteLater()
        self.pages.setCurrentIndex(max(self.nav.currentRow(), 0))
        self._dashboard = pane
        return pane

    def _show_page(self, row: int) -> None:
        if VIEWS[row] == "dashboard" and self._dashboard is None:
            self._build_dashboard()
        self.pages.setCurrentIndex(row)

    def _refresh_dashboard(self) -> None:
        """Mentions changed: re-read the dashboard if it is built, and check the alerts."""
        if self._dashboard is not None:
            self._dashboard.refresh()
        self.check_alerts()

    def check_alerts(self) -> None:
        """Run the alert rules in the background; new episodes notify, each once.

        One check at a time: a newer task of the same key would cancel the running
        one after it stored its episodes, and they would never be notified. A request
        during a check runs one more check after it.
        """
        if self.ws.read_only or self.tasks.closed:
            return
        if self._alerts_running:
            self._alerts_again = True
            return
        self._alerts_running = True
        task = self.tasks.start("window.alerts", _alerts_job, self.ws)
        task.succeeded.connect(self.alert_notifier.notify)
        task.done.connect(self._alerts_checked)

    def _alerts_checked(self) -> None:
        self._alerts_running = False
        if self._alerts_again:
            self._alerts_again = False
            self.check_alerts()

    # -- background enrichment (the backfill) ---------------------------------------

    def _build_task_widgets(self) -> None:
        """Progress and Cancel of background work, in the status bar (hidden when idle)."""
        self.task_label = QLabel()
        self.task_bar = QProgressBar()
        self.task_bar.setFixedWidth(180)
        self.task_bar.setTextVisible(True)
        self.task_bar.setFormat("%p%")
        self.task_cancel = QPushButton("Cancel")
        self.task_cancel.setToolTip("Stop scoring; the mentions scored so far are kept")
        self.task_cancel.clicked.connect(self.cancel_backfill)
        for widget in (self.task_label, self.task_bar, self.task_cancel):
            self.statusBar().addPermanentWidget(widget)
            widget.hide()
        self.job_task: Task | None = None
        self.job_label = QLabel()
        self.job_bar = QProgressBar()
        self.job_bar.setFixedWidth(180)
        self.job_cancel = QPushButton("Cancel")
        self.job_cancel.setToolTip("Stop; an interrupted import writes nothing")
        self.job_cancel.clicked.connect(self._cancel_job)
        for widget in (self.job_label, self.job_bar, self.job_cancel):
            self.statusBar().addPermanentWidget(widget)
            widget.hide()

    def start_backfill(self, rescore: bool = False) -> Task | None:
        """Score the backlog (or with ``rescore`` every mention) in the background.

        Nothing starts when read-only or when scoring already runs. The task counts
        what is due itself (its first progress report); the progress bar shows only
        when there is something to score.
        """
        if self.ws.read_only or self.enrich_task is not None:
            return None
        from engage_desktop.enrich.pipeline import backfill, rescore_all

        task = self.tasks.start("enrich", rescore_all if rescore else backfill, self.ws)
        # Between chunks the scoring waits while the user moves through the inbox (at
        # most BACKFILL_HOLD_S a chunk): its writes took the CPUs the j/k keys need.
        task.state.hold_while(self.inbox.rest_gate.busy_ms, BACKFILL_HOLD_S)
        self.enrich_task = task
        self._enrich_what = "Re-scoring" if rescore else "Scoring"
        self._enrich_shown = False
        task.progressed.connect(self._on_enrich_progress)
        task.succeeded.connect(self._on_enrich_succeeded)
        task.failed.connect(self._on_enrich_failed)
        task.done.connect(self._on_enrich_done)
        return task

    def cancel_backfill(self) -> None:
        """Ask the backfill to stop after the chunk it is storing."""
        if self.enrich_task is not None:
            self.enrich_task.cancel()
            self.task_cancel.setEnabled(False)
            self.task_label.setText("Stopping after the current batch…")

    def _on_enrich_progress(self, done: int, total: int) -> None:
        if not total:
            return
        if not self._enrich_shown:  # the first report says how many are due
            self._enrich_shown = True
            stopping = self.enrich_task is not None and self.enrich_task.state.is_cancelled()
            self.task_label.setText(
                "Stopping after the current batch…"
                if stopping
                else f"{self._enrich_what} sentiment of {total:,} mentions…"
            )
            self.task_cancel.setEnabled(not stopping)
            for widget in (self.task_label, self.task_bar, self.task_cancel):
                widget.show()
            if not done:
                self.task_bar.setRange(0, total)
                self.task_bar.setValue(0)
                return
        self.task_bar.setRange(0, max(total, 1))
        self.task_bar.setValue(done)
        if self.task_cancel.isEnabled():
            self.task_label.setText(f"Scoring sentiment: {done:,} of {total:,} mentions")

    def _on_enrich_succeeded(self, summary: EnrichSummary) -> None:
        if summary.total:
            self.statusBar().showMessage(summary.line().capitalize(), 15_000)
        elif self._enrich_asked:  # File › Score with nothing to do: say so
            self.statusBar().showMessage(
                "Every mention is scored already; Re-score all mentions scores them again"
                if self._enrich_what == "Scoring"
                else "There are no mentions to score yet",
                10_000,
            )

    def _on_learned(self, line: str) -> None:
        self.statusBar().showMessage(line[:1].upper() + line[1:], 15_000)
        if not self._closing:
            self.refresh()

    def _on_enrich_failed(self, message: str) -> None:
        self.statusBar().showMessage(f"Scoring stopped: {message}", 30_000)

    def _on_enrich_done(self) -> None:
        for widget in (self.task_label, self.task_bar, self.task_cancel):
            widget.hide()
        if self.enrich_task is not None and self.enrich_task.state.is_cancelled():
            self.statusBar().showMessage(
                "Scoring cancelled; what was scored is kept, the rest resumes next time", 15_000
            )
        scored = self._enrich_shown
        self.enrich_task = None
        self._enrich_asked = False
        if not self._closing and scored:
            self.ops.publish(OpChanges(sentiment=True))

    # -- the command line's server ------------------------------------------------------

    def _serve_commands(self) -> CommandServer | None:
        """Run ``engage-desktop`` commands on this workspace here while the window has it."""
        if getattr(self.ws, "_snapshot_dir", None) is not None:
            return None  # a copy: command-line runs open the original themselves
        from engage_desktop.ui.command_server import CommandServer

        server = CommandServer(self.ws, self.tasks, self)
        if not server.listen():
            self.statusBar().showMessage(
                f"Command-line runs on this workspace will be refused: {server.error}", 15_000
            )
            return None
        server.started.connect(lambda command: self.statusBar().showMessage(f"Running {command}…"))
        server.progressed.connect(
            lambda line: self.statusBar().showMessage(f"Command line: {line}")
        )
        server.finished.connect(self._command_finished)
        return server

    def _command_finished(self, command: str, status: int) -> None:
        outcome = "done" if status == 0 else f"failed (exit status {status})"
        self.statusBar().showMessage(f"{command}: {outcome}", 15_000)
        if not self._closing:
            self.ops.publish(OpChanges.everything())  # the command may have changed anything

    # -- views ---------------------------------------------------------------------

    def is_settled(self) -> bool:
        """True when no view read or write is on its way (long jobs may still run)."""
        if self.ws is None:  # still opening (or it failed: nothing will arrive)
            return self.opening_page is not None and self.opening_page.busy.isHidden()
        if self.inbox.model.is_loading() or self.inbox.model.pager is None:
            return False
        if self.inbox.author_pending() or self.inbox.news_pending():
            return False
        return not any(t.key.startswith(VIEW_READS) for t in self.tasks.running())

    def settle(self, timeout_s: float = 20.0) -> bool:
        """Run the event loop until :meth:`is_settled` (for screenshots and scripts)."""
        import time

        from PySide6.QtCore import QCoreApplication, QThread

        end = time.monotonic() + timeout_s
        while not self.is_settled():
            if time.monotonic() > end:
                return False
            QCoreApplication.processEvents()
            QThread.msleep(5)
        QCoreApplication.processEvents()
        return True

    def show_view(self, name: str) -> None:
        """Switch to one of :data:`VIEWS`."""
        self.nav.setCurrentRow(VIEWS.index(name))

    def show_drill_down(self, query, description: str) -> None:
        """Open the inbox on the mentions behind a dashboard element, as a filter chip.

        The chip survives sorting, and Clear filters (or its ✕) removes it.
        """
        from engage_desktop.inbox.filters import with_drill

        label = description.removeprefix("Dashboard: ")
        sort = self.inbox.model.filter.sort
        self._drill_description = description  # said with the count once the rows land
        self.inbox.filter_bar.set_filter(with_drill(sort, query.where, query.params, label))
        self.show_view("inbox")

    def _filter_applied(self, count: int) -> None:
        description, self._drill_description = self._drill_description, None
        if description:
            self.statusBar().showMessage(f"{description} — {count:,} mentions", 15_000)

    def empty_state_action(self, name: str) -> None:
        """A button of an empty view: add a source, import, the brief, or the inbox."""
        if name == "add_source":
            self.show_view("feeds")
            self.feeds.add_source()
        elif name == "brief":
            self.new_action.trigger()
        elif name == "inbox":
            self.show_view("inbox")
        elif name == "import":
            importer = getattr(self, "action_import_mentions", None)
            if importer is not None:
                importer.trigger()
            else:  # the window's own import dialog is not there yet
                QMessageBox.information(
                    self,
                    "Import mentions",
                    "Import a CSV, JSON Lines, XLSX or Parquet export with\n\n"
                    f"    engage-desktop -w {self.ws.path} import FILE\n\n"
                    "While this window is open the command runs here, and the inbox "
                    "shows the new mentions when it is done.",
                )

    def _follow_inbox(self, mention_id: int) -> None:
        """Bind the composer to the inbox's current mention, unless it is in front.

        After a reply the inbox's list refreshes and its current row moves on; the
        composer in front must stay on the customer it answered until the user moves.
        """
        if self.pages.currentWidget() is not self.composer:
            self.composer.follow(mention_id)  # bound when its page shows, not before

    def open_accounts(self) -> QDialog:
        """The composer's Accounts…: the outbox's dialog; routes are re-read after it."""
        from engage_desktop.ui.outbox.accounts_dialog import AccountsDialog

        dialog = AccountsDialog(self.ws, self.tasks, self)
        dialog.finished.connect(lambda _r: self.ops.publish(OpChanges(settings=True)))
        dialog.open()
        return dialog

    def reply_to(self, mention_id: int) -> None:
        """Open the composer on a mention (the inbox's r key)."""
        self.composer.set_mention(mention_id)
        self.show_view("composer")
        self.composer.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _set_title(self, name: str, read_only: bool | None = None) -> None:
        self.workspace_name = name  # suggested file names (the dashboard may be unbuilt)
        if read_only is None:
            read_only = self.ws is not None and self.ws.read_only
        if self.ws is not None and self.ws.manifest is not None:  # someone's shared copy
            self.setWindowTitle(f"{name} — shared copy, read-only — engage-desktop")
            return
        self.setWindowTitle(f"{name} — engage-desktop" + (" (read-only)" if read_only else ""))

    def update_status(self) -> Task:
        """Workspace name and counts in the status bar (and the attached archive's note)."""
        task = self.tasks.start_latest("status-counts", _status_job, self.ws)
        task.succeeded.connect(self._show_status)
        return task

    def _show_status(self, found: tuple[str, dict[str, int]]) -> None:
        name, c = found
        self._set_title(name)
        mode = " · read-only" if self.ws.read_only else ""
        note = f"  ·  {self.archive_note}" if self.archive_note else ""
        self.status_label.setText(
            f"{name}{mode}  ·  {c['mentions']:,} mentions  ·  {c['new']:,} new  ·  "
            f"{c['open']:,} waiting  ·  {c['sources']} sources{note}  "
        )

    # -- the attached archive ------------------------------------------------------

    def _choose_archive(self) -> None:
        """File › Attach Archive…: pick an archive folder."""
        folder = QFileDialog.getExistingDirectory(
            self, "Attach archive (a folder written by 'archive export')", str(Path.home())
        )
        if folder:
            self.attach_archive(folder)

    def attach_archive(self, folder: str | None) -> Task:
        """Attach ``folder`` (None detaches) off the GUI thread, then re-read every view."""
        # A bad folder fails within microseconds: the job waits until the results are
        # connected, or a queued signal emitted before that would reach nobody.
        connected = threading.Event()
        task = self.tasks.start("archive", _archive_job, self.ws, folder, connected)
        task.succeeded.connect(self._on_archive_changed)
        task.failed.connect(
            lambda message: self.statusBar().showMessage(f"Archive not attached: {message}", 30_000)
        )
        connected.set()
        return task

    def _on_archive_noted(self, note: str) -> None:
        self.archive_note = note
        self.detach_action.setEnabled(bool(note))
        if note:
            self.update_status()

    def _on_archive_changed(self, note: str) -> None:
        self.archive_note = note
        self.detach_action.setEnabled(bool(note))
        self.ops.publish(OpChanges.everything())
        self.statusBar().showMessage(note or "Archive detached", 15_000)

    # -- menus ---------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.file_menu = file_menu
        new = QAction("&New Workspace…", self, shortcut=QKeySequence.StandardKey.New)
        new.triggered.connect(self._new)
        self.new_action = new
        opn = QAction("&Open Workspace…", self, shortcut=QKeySequence.StandardKey.Open)
        opn.triggered.connect(self._open)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.action_import_mentions = QAction("&Import Mentions…", self)
        self.action_import_mentions.setStatusTip(
            "Mentions exported by another tool: CSV, JSON Lines, Excel or Parquet"
        )
        self.action_import_mentions.triggered.connect(self.import_mentions_dialog)
        self.action_import_opml = QAction("Import &OPML…", self)
        self.action_import_opml.setStatusTip("Feeds from another reader's OPML subscription list")
        self.action_import_opml.triggered.connect(self.import_opml_dialog)
        self.action_export_mentions = QAction("&Export Mentions…", self)
        self.action_export_mentions.setStatusTip(
            "Every mention with its sentiment, status, tags and external id"
        )
        self.action_export_mentions.triggered.connect(self.export_mentions_dialog)
        for action in (self.action_import_mentions, self.action_import_opml):
            action.setEnabled(not self.ws.read_only)
        file_menu.addAction(new)
        file_menu.addAction(opn)
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.action_import_mentions)
        file_menu.addAction(self.action_import_opml)
        file_menu.addAction(self.action_export_mentions)
        self._add_scoring_actions(file_menu)
        file_menu.addSeparator()
        self.name_action = QAction("Your &name…", self)
        self.name_action.triggered.connect(self.ask_display_name)
        file_menu.addAction(self.name_action)
        attach = QAction("&Attach Archive…", self)
        attach.setStatusTip("Read an archive folder (Parquet) together with this workspace")
        attach.triggered.connect(self._choose_archive)
        self.detach_action = QAction("&Detach Archive", self, enabled=False)
        self.detach_action.triggered.connect(lambda: self.attach_archive(None))
        file_menu.addAction(attach)
        file_menu.addAction(self.detach_action)
        file_menu.addSeparator()
        self.action_settings = QAction(
            "Workspace &Settings…", self, shortcut=QKeySequence.StandardKey.Preferences
        )
        self.action_settings.triggered.connect(self.open_settings)
        file_menu.addAction(self.action_settings)
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

        customers_menu = self.menuBar().addMenu("&Customers")
        import_action = QAction("&Import customers…", self)
        import_action.setToolTip("Customer records from a CRM export (CSV or JSON Lines)")
        import_action.setEnabled(not self.ws.read_only)
        import_action.triggered.connect(self.import_customers)
        customers_menu.addAction(import_action)
        advocates = QAction("&Advocates by influence…", self)
        advocates.triggered.connect(self.show_advocates)
        customers_menu.addAction(advocates)

        help_menu = self.menuBar().addMenu("&Help")
        shortcuts = QAction("&Keyboard shortcuts", self, shortcut=QKeySequence("F1"))
        shortcuts.triggered.connect(self.show_shortcuts)
        help_menu.addAction(shortcuts)
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

    def _add_scoring_actions(self, menu) -> None:
        """File › Score new mentions / Re-score all mentions (progress and Cancel below)."""
        self.score_action = QAction("&Score new mentions", self)
        self.score_action.setToolTip("Score sentiment, language and intents not yet scored")
        self.score_action.triggered.connect(lambda: self.score(rescore=False))
        self.rescore_action = QAction("&Re-score all mentions", self)
        self.rescore_action.setToolTip(
            "Score every mention again (after lexicon or intent changes); corrections are kept"
        )
        self.rescore_action.triggered.connect(lambda: self.score(rescore=True))
        for action in (self.score_action, self.rescore_action):
            action.setEnabled(not self.ws.read_only)
            menu.addAction(action)

    def score(self, rescore: bool = False) -> Task | None:
        """Start scoring from the menu, or say in the status bar why nothing started."""
        if self.enrich_task is not None:
            self.statusBar().showMessage("Scoring is already running (see below)", 8000)
            return None
        task = self.start_backfill(rescore=rescore)
        self._enrich_asked = task is not None  # nothing due is then said in words
        return task

    def ask_display_name(self) -> None:
        """File › Your name…: change the name replies are signed and changes logged with."""
        from engage_desktop.ui.profile_dialog import DisplayNameDialog

        dialog = DisplayNameDialog(self)
        dialog.accepted.connect(lambda: self._name_changed(dialog.saved))
        self._name_dialog = dialog
        dialog.open()

    def _name_changed(self, name: str | None) -> None:
        if name:
            self.ws.actor = name
            self.statusBar().showMessage(f"Replies are now signed and logged as {name}", 8000)

    def import_customers(self, path: str | None = None) -> Task | None:
        """Customers › Import: a CRM export, imported and linked in the background."""
        from engage_desktop.ui.crm.window_actions import import_and_link

        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self, "Import customers", "", "CRM export (*.csv *.jsonl *.ndjson *.xlsx)"
            )
        if not path:
            return None
        self.statusBar().showMessage("Importing customers…")
        task = self.tasks.start("customer-import", import_and_link, self.ws, path)
        task.succeeded.connect(
            lambda text: (
                self.statusBar().showMessage(text),
                self.ops.publish(OpChanges(customers=True, mentions=True)),
            )
        )
        task.failed.connect(lambda message: self.statusBar().showMessage(message))
        return task

    def show_advocates(self) -> QDialog:
        """Customers › Advocates by influence."""
        from engage_desktop.ui.crm.window_actions import AdvocatesDialog

        dialog = AdvocatesDialog(self.ws, self.tasks, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def show_shortcuts(self) -> None:
        """Help › Keyboard shortcuts."""
        from engage_desktop.ui.inbox.shortcuts import ShortcutsDialog

        self._shortcuts_dialog = ShortcutsDialog(self)
        self._shortcuts_dialog.show()

    def mentions_arrived(self) -> None:
        """An import stored mentions: every view hears it from the writer's record."""
        self.ops.publish(OpChanges(mentions=True))

    def workspace_changed(self, changes: OpChanges, _initiator: object) -> None:
        """A write (or a background job) changed the workspace: refresh what shows it.

        The inbox, the composer and the outbox listen to the same record themselves;
        the window refreshes the dashboard (if built) and checks the alerts, the feeds
        and the status bar.
        """
        if self._closing:
            return
        # Each of these re-reads scans the mentions on both CPUs: while the user moves
        # through the inbox (a fetch landing, a run of triage keys) they wait for the
        # keys to rest, the latest of each kind once.
        later = self.inbox.rest_gate.run
        if changes.rows_moved() or changes.settings:
            if self._dashboard is not None:
                later("dashboard", self._dashboard.refresh)
            # Spike alerts count mentions and their sentiment: a triage change (read,
            # status, tags) moves neither, and a check is a full scan per rule.
            if changes.mentions or changes.sentiment or changes.settings:
                later("alerts", self.check_alerts)
        if changes.sources or changes.settings:
            later("feeds", self.feeds.refresh)
        if changes.rows_moved() or changes.sources or changes.settings:
            later("status", self.update_status)

    def refresh(self) -> None:
        """Re-read every view from the workspace."""
        self.feeds.refresh()
        self.inbox.refresh()
        self._refresh_dashboard()
        self.update_status()

    # -- settings ----------------------------------------------------------------

    def open_settings(self) -> Task:
        """Read the settings in a task, then show the Settings dialog with them."""
        from engage_desktop.ui.settings_dialog import load_values

        task = self.tasks.start("settings", load_values, self.ws)
        task.succeeded.connect(self._show_settings)
        task.failed.connect(lambda msg: self.statusBar().showMessage(msg, 15_000))
        return task

    def _show_settings(self, values: dict) -> None:
        from engage_desktop.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(values, read_only=self.ws.read_only, parent=self)
        self.settings_dialog = dialog
        dialog.accepted.connect(lambda: self._save_settings(dialog.changes()))
        dialog.open()

    def _save_settings(self, changes: dict) -> None:
        if not changes:
            return
        from engage_desktop.ui.settings_dialog import save_values

        task = self.tasks.start("settings", save_values, self.ws, changes)
        task.succeeded.connect(self._settings_saved)
        task.failed.connect(lambda msg: self.statusBar().showMessage(msg, 15_000))

    def _settings_saved(self, saved: dict) -> None:
        self.statusBar().showMessage(f"Saved {len(saved['keys'])} setting(s)", 8000)
        self._set_title(saved["name"])
        self.ops.publish(OpChanges(settings=True))

    def _new(self) -> None:
        """File › New: the brief dialog; the created workspace opens in a new window."""
        from engage_desktop.ui.listen.brief_dialog import BriefDialog

        self._brief_dialog = BriefDialog(self)
        if self._brief_dialog.exec() == BriefDialog.DialogCode.Accepted:
            created = self._brief_dialog.created
            if created is not None:
                self.open_requested.emit(str(created.path))

    # -- import and export (File menu) ---------------------------------------------------

    def import_mentions_dialog(self, path: str | None = None) -> None:
        """File › Import Mentions…: choose a file, check the mapping, import it."""
        from engage_desktop.ui.inbox.import_dialog import ImportDialog

        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self, "Import mentions", str(Path.home()),
                "Exports (*.csv *.jsonl *.ndjson *.xlsx *.parquet);;All files (*)",
            )  # fmt: skip
        if not path:
            return
        self.import_dialog = ImportDialog(path, self.tasks, self)
        self.import_dialog.accepted.connect(
            lambda d=self.import_dialog: self.start_import(
                d.path, d.mapping(), d.zone.currentText()
            )
        )
        self.import_dialog.open()

    def start_import(self, path, mapping: dict[str, str], zone: str = "UTC") -> Task:
        """Import in the background with progress and Cancel (nothing written if cancelled)."""
        task = self.tasks.start("import", _import_job, self.ws, str(path), mapping, zone)
        self._show_job(task, f"Importing {Path(path).name}…")
        task.succeeded.connect(self._imported)
        return task

    def _imported(self, summary) -> None:
        self.statusBar().showMessage(summary.line().capitalize(), 30_000)
        self.mentions_arrived()

    def import_opml_dialog(self, path: str | None = None) -> None:
        """File › Import OPML…: add every feed of a subscription list (nothing fetched)."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self, "Import OPML", str(Path.home()), "OPML (*.opml *.xml);;All files (*)"
            )
        if not path:
            return
        task = self.tasks.start("import.opml", _opml_job, self.ws, path)
        self._show_job(task, f"Adding the feeds of {Path(path).name}…")
        task.succeeded.connect(self._opml_imported)

    def _opml_imported(self, result: tuple[int, int]) -> None:
        added, skipped = result
        extra = f"; {skipped} were already sources" if skipped else ""
        self.statusBar().showMessage(
            f"Added {added} feeds{extra}; fetch them from Feeds when ready", 20_000
        )
        self.ops.publish(OpChanges(sources=True))

    def export_mentions_dialog(self, path: str | None = None) -> None:
        """File › Export Mentions…: every mention, in the format of the file's extension."""
        if path is None:
            name = f"{self.workspace_name}-mentions.csv"
            path, _ = QFileDialog.getSaveFileName(
                self, "Export mentions", str(Path.home() / name),
                "CSV (*.csv);;Excel (*.xlsx);;JSON Lines (*.jsonl);;Parquet (*.parquet)",
            )  # fmt: skip
        if not path:
            return
        task = self.tasks.start("export.mentions", _export_job, self.ws, path)
        self._show_job(task, f"Exporting to {Path(path).name}…")
        task.succeeded.connect(
            lambda n, p=path: self.statusBar().showMessage(
                f"Exported {n:,} mentions to {p}", 20_000
            )
        )

    def _show_job(self, task: Task, label: str) -> None:
        """Progress and Cancel of an import or export in the status bar."""
        self.job_task = task
        self.job_label.setText(label)
        self.job_bar.setRange(0, 0)
        self.job_cancel.setEnabled(True)
        for widget in (self.job_label, self.job_bar, self.job_cancel):
            widget.show()
        task.progressed.connect(self._job_progress)
        task.failed.connect(
            lambda message: QMessageBox.warning(self, "Import or export stopped", message)
        )
        task.done.connect(self._job_done)

    def _job_progress(self, done: int, total: int) -> None:
        self.job_bar.setRange(0, max(total, 1))
        self.job_bar.setValue(done)

    def _cancel_job(self) -> None:
        if self.job_task is not None:
            self.job_task.cancel()
            self.job_cancel.setEnabled(False)
            self.job_label.setText("Stopping; nothing half-written is kept…")

    def _job_done(self) -> None:
        task, self.job_task = self.job_task, None
        for widget in (self.job_label, self.job_bar, self.job_cancel):
            widget.hide()
        if task is not None and task.state.is_cancelled():
            self.statusBar().showMessage("Cancelled; nothing was written", 15_000)

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
            self.resize(*fitting_size(self))

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save the draft and the geometry, stop every timer, release the workspace.

        Closing one of several windows must end its scheduled fetches and polls and
        free its workspace file for other windows and the command line at once, not
        when the whole application quits.
        """
        self._closing = True
        self._paint_then_open = False
        self.settings.setValue("window/geometry", self.saveGeometry())
        if self.ws is None:  # closed while opening, or after opening failed
            # Cancelling the open task interrupts its migration (ui/opening.py), so
            # this returns once the file is let go, not when the migration would end.
            self.tasks.shutdown()
            for ws in self._opened_here:  # opened after all: let go of the file
                ws.close()
            self._opened_here.clear()
            event.accept()
            return
        from engage_desktop.ui.inbox import columns as inbox_columns

        self.composer.shutdown()
        inbox_columns.save(self.inbox.table, self.settings)
        self.inbox.shutdown()
        if self.command_server is not None:
            self.command_server.close()
        for timer in self.findChildren(QTimer):
            timer.stop()
        self.tasks.shutdown()
        if not any(w is not self and isinstance(w, MainWindow) and w.isVisible()
                   for w in QApplication.topLevelWidgets()):  # fmt: skip
            # The last window: its scoring worker ends with it (imported here, not at
            # start-up: the scoring modules are not on the path to the first paint).
            from engage_desktop.enrich.sentiment.window_pool import close_window_pool

            close_window_pool()
        # Released once the results the workers posted before stopping are delivered
        # (they may still read the workspace), on the next turn of the event loop.
        QTimer.singleShot(0, self.ws.close)
        event.accept()


def fitting_size(window: QMainWindow, wanted: tuple[int, int] = (1440, 900)) -> tuple[int, int]:
    """The first-start size: ``wanted``, or less on a smaller screen (1280×1024 too)."""
    screen = window.screen()
    if screen is None:
        return wanted
    room = screen.availableGeometry()
    # Leave room for the window's frame and title bar, which the geometry excludes.
    return min(wanted[0], room.width() - 40), min(wanted[1], room.height() - 80)


def _status_job(_state, ws: Workspace) -> tuple[str, dict[str, int]]:
    """The workspace's name and the status bar's counts."""
    from engage_desktop.inbox.pager import counts

    return ws.name, counts(ws)


def _import_job(state, ws: Workspace, path: str, mapping: dict[str, str], zone: str):
    from engage_desktop.enrich.hooks import run_after_insert
    from engage_desktop.inbox.mention_import import import_mentions

    summary = import_mentions(
        ws, path, mapping=mapping, assume_zone=zone,
        progress=state.progress, is_cancelled=state.is_cancelled,
    )  # fmt: skip
    # The rows went in scored; plugins registered after insert run as for a fetch.
    run_after_insert(ws, summary.mention_ids, state)
    return summary


def _opml_job(state, ws: Workspace, path: str) -> tuple[int, int]:
    from engage_desktop.core.errors import EngageError
    from engage_desktop.listen.subscriptions import import_opml

    try:
        return import_opml(ws, path)
    except ValueError as exc:  # not OPML: the reader says why
        raise EngageError(str(exc)) from None


def _export_job(state, ws: Workspace, path: str) -> int:
    from engage_desktop.inbox.mention_export import export_mentions

    return export_mentions(ws, path, progress=state.progress)


def _archive_job(_state, ws: Workspace, folder: str | None, connected: threading.Event) -> str:
    """Attach (or with None detach) an archive; returns the status-bar note."""
    from engage_desktop.archive.views import archive_note, attach, detach

    connected.wait(10)
    if folder is None:
        detach(ws)
        return ""
    attach(ws, folder)
    return archive_note(ws)


def _alerts_job(_state, ws: Workspace) -> list:
    from engage_desktop.dashboard.spikes import check_alerts

    return check_alerts(ws)


def _archive_note_job(_state, ws: Workspace, connected: threading.Event) -> str:
    from engage_desktop.archive.views import archive_note

    connected.wait(10)
    return archive_note(ws)


def grab_view(window: MainWindow, view: str) -> None:
    """Prepare ``view`` for a screenshot: realistic selection and focus."""
    if view == "where":  # "Where they talk", a tab of the Feeds page
        window.show_view("feeds")
        window.feeds.show_where()
        window.feeds.where.wait_until_ready()
        if window.feeds.where.table.rowCount():
            window.feeds.where.table.selectRow(0)
        window.feeds.where.table.setFocus(Qt.FocusReason.OtherFocusReason)
        return
    window.show_view(view)
    window.settle()
    if view == "dashboard":
        window.dashboard.wait_until_ready()
    if view == "feeds":
        window.feeds.prepare_screenshot()
    if view in ("inbox", "composer") and window.inbox.model.rowCount():
        window.show_view("inbox")
        window.inbox.select_row(0)
        window.settle()
        window.show_view(view)
    window.settle()
    window.pages.currentWidget().setFocus(Qt.FocusReason.OtherFocusReason)
