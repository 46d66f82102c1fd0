"""The feed-watch pane: sources with their health, fetching, and the watch queries.

Fetches run through the window's TaskRunner (never on the GUI thread); a QTimer only
decides when a scheduled fetch is due. The tables are read in a task. After a fetch
that stored something the pane publishes ``OpChanges(mentions=True)`` through the
window's :class:`~engage_desktop.ui.ops.Operations`, so the inbox and dashboard
refresh; pausing and deleting a source go through its writer.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engage_desktop.listen.source_store import FAILING_AFTER, list_sources, list_watch_queries
from engage_desktop.ui.empty_state import EmptyState
from engage_desktop.ui.listen.query_editor import QueryEditor
from engage_desktop.ui.ops import OpChanges, Operations
from engage_desktop.ui.safe_text import plain_label, plain_tooltip
from engage_desktop.ui.tasks import Task, TaskRunner
from engage_desktop.ui.theme import channel_icon
from engage_desktop.workspace import settings as S
from engage_desktop.workspace.database import Workspace

SOURCE_COLUMNS = ("Source", "Kind", "Health", "Stored", "Last run", "Last fetch", "Next run",
                  "Every")  # fmt: skip
QUERY_COLUMNS = ("Topic", "Kind", "Name", "Query", "Matched")
SCHEDULE_CHECK_MS = 30_000
PRESTART_DELAY_MS = 1_500  # parse workers start this long after the pane is built
HEALTH_COLORS = {"ok": "#15803d", "failing": "#b91c1c", "error": "#d97706",
                 "paused": "#6b7280", "new": "#2563eb"}  # fmt: skip


def _ago(when: datetime | None) -> str:
    if when is None:
        return "never"
    secs = (datetime.now(UTC) - when).total_seconds()
    if secs < 0:
        return _in(when)
    if secs < 90:
        return "just now"
    if secs < 5400:
        return f"{secs / 60:.0f} min ago"
    if secs < 36 * 3600:
        return f"{secs / 3600:.0f} h ago"
    return f"{secs / 86400:.0f} days ago"


def _in(when: datetime | None) -> str:
    if when is None:
        return "when due"
    secs = (when - datetime.now(UTC)).total_seconds()
    if secs <= 60:
        return "due now"
    if secs < 5400:
        return f"in {secs / 60:.0f} min"
    return f"in {secs / 3600:.1f} h"


def health_of(s: dict, failing_after: int) -> tuple[str, str, str]:
    """(word, colour key, tooltip) of a source's health."""
    last_run = "-" if s["items_last_run"] is None else s["items_last_run"]
    tip = (
        f"Last fetch: {_ago(s['last_fetch_at'])}\nLast success: {_ago(s['last_success_at'])}"
        f"\nItems in the last run: {last_run}"
        f"\nNext run: {_in(s['next_run_at']) if not s['paused'] else 'paused'}"
    )
    note = _note(s.get("config"))
    if note:  # words a working run left: a quota left, paging cut short
        tip += f"\nNote: {note}"
    if s["last_error"]:
        tip = f"Last error: {s['last_error']}\nFailed {s['failures']} times in a row\n" + tip
    if s["paused"]:
        return "paused", "paused", tip
    if s["last_error"]:
        if s["failures"] >= failing_after:
            return f"failing ({s['failures']}×)", "failing", tip
        return f"error ({s['failures']}×)", "error", tip
    if s["last_fetch_at"] is None:
        return "not fetched yet", "new", tip
    return "ok", "ok", tip


def _note(config: object) -> str | None:
    """The health note a source's last working run stored in its config."""
    import json

    try:
        data = json.loads(config) if isinstance(config, str) else config
    except ValueError:
        return None
    note = data.get("note") if isinstance(data, dict) else None
    return note if isinstance(note, str) else None


def _table(columns: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.verticalHeader().setDefaultSectionSize(26)
    return table


def _right(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class FeedsPane(QWidget):
    """Sources with health and actions; watch queries with the query editor."""

    empty_action = Signal(str)  # "brief" from the empty state
    refreshed = Signal()  # the tables show what was just read

    def __init__(
        self, ws: Workspace, tasks: TaskRunner | None = None, parent: QWidget | None = None,
        *, schedule: bool = True, ops: Operations | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("page")
        self.ws = ws
        self.tasks = tasks or TaskRunner(self)
        # A window passes its own record of changes, and re-reads this pane from it.
        self._window_refreshes = ops is not None
        self.ops = ops or Operations(self.tasks, self)
        self._published = False  # the last fetch published new mentions (see _fetch_done)
        self._source_rows: list[dict] = []
        self._query_rows: list[dict] = []
        self._fetch_task = None
        title = QLabel("Feeds")
        title.setObjectName("title")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("subtitle")

        self.add_button = QPushButton("Add Source…")
        self.edit_button = QPushButton("Edit…")
        self.pause_button = QPushButton("Pause")
        self.fetch_one_button = QPushButton("Fetch now")
        self.delete_button = QPushButton("Delete…")
        self.fetch_all_button = QPushButton("Fetch all")
        self.fetch_all_button.setObjectName("primary")
        self.progress = QProgressBar()
        self.progress.setFixedWidth(220)
        self.progress.setFormat("%v of %m sources")
        self.cancel_button = QPushButton("Cancel")
        self.run_label = plain_label(QLabel())  # fetch summaries name sources
        self.run_label.setObjectName("subtitle")
        self.auto_fetch = QCheckBox("Fetch on schedule")
        # A workspace made from a brief fetches nothing until the user says so; the
        # stored choice is read in a task and ticks the box when it says so.
        self.auto_fetch.setChecked(False)
        self.auto_fetch.setToolTip("While the window is open, fetch each source on its interval")
        bar = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.pause_button, self.fetch_one_button,
                  self.delete_button):  # fmt: skip
            bar.addWidget(b)
        bar.addStretch(1)
        bar.addWidget(self.auto_fetch)
        bar.addWidget(self.progress)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.fetch_all_button)
        self.progress.hide()
        self.cancel_button.hide()

        self.sources = _table(SOURCE_COLUMNS)
        self.sources.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.queries = _table(QUERY_COLUMNS)
        self.queries.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.editor = QueryEditor(ws, self.tasks)

        sources_box = QWidget()
        sl = QVBoxLayout(sources_box)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(QLabel("<b>Sources</b> — where we listen (hover Health for details)"))
        sl.addLayout(bar)
        sl.addWidget(self.sources)
        sl.addWidget(self.run_label)
        queries_box = QWidget()
        ql = QVBoxLayout(queries_box)
        ql.setContentsMargins(0, 0, 0, 0)
        ql.addWidget(QLabel("<b>Watch queries</b> — what we listen for, grouped by topic"))
        ql.addWidget(self.queries)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(queries_box)
        lower.addWidget(self.editor)
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 2)
        # "Where they talk" beside the sources: find places first, then listen there.
        from engage_desktop.ui.listen.where_panel import WherePanel

        self.where = WherePanel(ws, self.tasks, ops=self.ops)
        self.upper = QTabWidget()
        self.upper.addTab(sources_box, "Sources")
        self.upper.addTab(self.where, "Where they talk")
        self.upper.currentChanged.connect(self._tab_changed)
        self.where.source_added.connect(self._located_source_added)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.upper)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(title)
        layout.addWidget(self.subtitle)
        layout.addWidget(splitter, 1)

        self.add_button.clicked.connect(self.add_source)
        self.edit_button.clicked.connect(self.edit_source)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.fetch_one_button.clicked.connect(self.fetch_selected)
        self.delete_button.clicked.connect(self.delete_source)
        self.fetch_all_button.clicked.connect(lambda: self.start_fetch(force=True))
        self.cancel_button.clicked.connect(self.cancel_fetch)
        self.sources.itemSelectionChanged.connect(self._update_buttons)
        self.sources.doubleClicked.connect(lambda _i: self.edit_source())
        self.queries.itemSelectionChanged.connect(self._query_selected)
        self.editor.saved.connect(self.refresh)

        self.empty = EmptyState(self.sources.viewport(), overlay=self.sources.viewport())
        self.empty.action.connect(
            lambda name: self.add_source() if name == "add_source" else self.empty_action.emit(name)
        )
        self.timer = QTimer(self)
        self.timer.setInterval(SCHEDULE_CHECK_MS)
        self.timer.timeout.connect(self._scheduled_check)
        self.prestart_task: Task | None = None  # the delayed start, once it has begun
        self.auto_fetch.toggled.connect(self._schedule_toggled)
        self._schedule_chosen = False  # the user (or a test) ticked or unticked the box
        if schedule and not ws.read_only:
            task = self.tasks.start("fetch.schedule-read", _read_schedule, ws)
            task.succeeded.connect(self._schedule_read)
        self.refresh()

    def set_schedule(self, on: bool) -> None:
        """Tick or untick "Fetch on schedule" (as a click would; the stored choice loses)."""
        self._schedule_chosen = True
        self.auto_fetch.setChecked(on)

    def _schedule_read(self, on: bool) -> None:
        """The stored choice arrived: start the schedule, unless the box was used since."""
        if not on or self._schedule_chosen:
            return
        self.auto_fetch.blockSignals(True)
        self.auto_fetch.setChecked(True)
        self.auto_fetch.blockSignals(False)
        self.timer.start()
        # Scheduled fetches will come: start the parse workers in the background once
        # the window is up (importing the fetch stack alongside the window's own
        # imports slowed its first paint; benchmarks/bundle.py).
        QTimer.singleShot(PRESTART_DELAY_MS, self, self._prestart_workers)

    def _prestart_workers(self) -> None:
        if not self.tasks.closed and self.auto_fetch.isChecked():
            self.prestart_task = self.tasks.start("fetch.prestart", _prestart_parse_pool, self.ws)

    # -- reading ---------------------------------------------------------------------

    def selected_source(self) -> dict | None:
        """The source row selected in the table."""
        rows = self.sources.selectionModel().selectedRows()
        return self._source_rows[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        src = self.selected_source()
        writable = not self.ws.read_only
        for b in (self.edit_button, self.pause_button, self.fetch_one_button, self.delete_button):
            b.setEnabled(src is not None and writable)
        self.add_button.setEnabled(writable)
        self.fetch_all_button.setEnabled(writable and self._fetch_task is None)
        self.pause_button.setText("Resume" if src and src["paused"] else "Pause")

    def refresh(self) -> Task:
        """Re-read sources and queries in a task; the tables keep the selection."""
        task = self.tasks.start("feeds-rows", _read_rows, self.ws)
        task.succeeded.connect(self._show_rows)
        return task

    def _show_rows(self, found: tuple[list[dict], list[dict]]) -> None:
        keep = self.selected_source()
        self._source_rows, self._query_rows = found
        self.sources.setRowCount(len(self._source_rows))
        if self._source_rows:
            self.empty.hide()
        else:
            self.empty.show_message(
                "No sources yet",
                "Listen where your customers talk: an RSS or Atom feed, a Mastodon or Bluesky "
                "search, Hacker News, Reddit or a local file. Or start from a brief with your "
                "brand, products and competitors.",
                ("add_source", "brief") if not self.ws.read_only else (),
            )
        failing = 0
        for r, s in enumerate(self._source_rows):
            name = QTableWidgetItem(channel_icon(s["channel"]), s["name"])
            name.setToolTip(
                plain_tooltip(s["url"] + ("\nkeeps every item" if s["keep_all"] else ""))
            )
            word, key, tip = health_of(s, FAILING_AFTER)
            failing += key == "failing"
            health = QTableWidgetItem(("● " if key != "paused" else "‖ ") + word)
            health.setForeground(QBrush(QColor(HEALTH_COLORS[key])))
            health.setToolTip(plain_tooltip(tip))  # a server's error text
            last_run = s["items_last_run"]
            cells = (
                name,
                QTableWidgetItem(s["kind"] + (" · all" if s["keep_all"] else "")),
                health,
                _right(f"{s['items']:,}"),
                _right("-" if last_run is None else f"{last_run:,} items"),
                QTableWidgetItem(_ago(s["last_fetch_at"])),
                QTableWidgetItem("paused" if s["paused"] else _in(s["next_run_at"])),
                _right(f"{s['interval_s'] // 60} min"),
            )
            for c, item in enumerate(cells):
                self.sources.setItem(r, c, item)
            if keep is not None and s["id"] == keep["id"]:
                self.sources.selectRow(r)
        for col, width in ((1, 90), (2, 130), (3, 80), (4, 90), (5, 100), (6, 95), (7, 70)):
            self.sources.setColumnWidth(col, width)

        self.queries.setRowCount(len(self._query_rows))
        for r, q in enumerate(self._query_rows):
            query = QTableWidgetItem(q["query"])
            query.setToolTip(plain_tooltip(q["query"]))
            name = QTableWidgetItem(q["name"] + ("" if q["enabled"] else " (off)"))
            cells = (QTableWidgetItem(q["topic"]), QTableWidgetItem(q["topic_kind"] or ""),
                     name, query, _right(f"{q['matched']:,}"))  # fmt: skip
            for c, item in enumerate(cells):
                self.queries.setItem(r, c, item)
        self.queries.setColumnWidth(0, 110)
        self.queries.setColumnWidth(1, 85)
        self.queries.setColumnWidth(2, 110)
        self.queries.setColumnWidth(4, 75)
        extra = f" · {failing} failing" if failing else ""
        self.subtitle.setText(
            f"{len(self._source_rows)} sources · {len(self._query_rows)} watch queries{extra}"
        )
        self._update_buttons()
        self.refreshed.emit()

    def _query_selected(self) -> None:
        rows = self.queries.selectionModel().selectedRows()
        if rows:
            self.editor.load(self._query_rows[rows[0].row()])

    def prepare_screenshot(self) -> None:
        """Show a realistic state: a source and a query selected, its back-test counted."""
        if self._source_rows:
            self.sources.selectRow(0)
        if self._query_rows:
            self.queries.selectRow(min(4, len(self._query_rows) - 1))
            self.editor.backtest_now()

    def show_where(self) -> None:
        """Show "Where they talk" (it ranks the places the first time it is shown)."""
        self.upper.setCurrentWidget(self.where)

    def _tab_changed(self, _index: int) -> None:
        if self.upper.currentWidget() is self.where and self.where.located is None:
            self.where.refresh()

    def _located_source_added(self, source_id: int) -> None:
        self.refresh()
        self.start_fetch(source_ids=[source_id])

    # -- actions ---------------------------------------------------------------------

    def add_source(self) -> None:
        """Open the Add Source dialog; fetch the new source right away."""
        from engage_desktop.ui.listen.source_dialog import SourceDialog

        dialog = SourceDialog(self.ws, self.tasks, parent=self)
        if dialog.exec() and dialog.added_id is not None:
            self.refresh()
            self.start_fetch(source_ids=[dialog.added_id])

    def edit_source(self) -> None:
        """Edit the selected source."""
        from engage_desktop.ui.listen.source_dialog import SourceDialog

        src = self.selected_source()
        if src is None or self.ws.read_only:
            return
        if SourceDialog(self.ws, self.tasks, src, parent=self).exec():
            self.refresh()

    def toggle_pause(self) -> None:
        """Pause or resume the selected source."""
        from engage_desktop.listen.source_store import update_source

        src = self.selected_source()
        if src is not None:
            self.ops.write(
                OpChanges(sources=True), update_source, self.ws, src["id"],
                paused=not src["paused"],
            )  # fmt: skip

    def fetch_selected(self) -> None:
        """Fetch the selected source now (even if paused)."""
        src = self.selected_source()
        if src is not None:
            self.start_fetch(source_ids=[src["id"]])

    def delete_source(self) -> None:
        """Delete the selected source after spelling out what goes with it."""
        from engage_desktop.listen.source_store import deletion_impact

        src = self.selected_source()
        if src is None:
            return
        task = self.ops.read("feeds-deletion-impact", deletion_impact, self.ws, src["id"])
        task.succeeded.connect(lambda impact, s=src: self._confirm_delete(s, impact))

    def _confirm_delete(self, src: dict, impact: dict) -> None:
        from engage_desktop.listen.source_store import delete_source as delete

        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Delete source")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(f"Delete the source “{src['name']}”?")
        box.setInformativeText(
            f"{src['url']}\n\nIt will no longer be fetched. Its {impact['mentions']:,} stored "
            "mentions stay in the inbox unless you tick the box below."
        )
        also = QCheckBox(
            f"Also delete its {impact['removed']:,} mentions nobody worked on "
            f"({impact['kept']:,} answered, drafted or annotated ones are kept)"
        )
        box.setCheckBox(also)
        box.setStandardButtons(QMessageBox.StandardButton.Cancel)
        delete_button = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        box.exec()
        if box.clickedButton() is delete_button:
            changes = OpChanges(sources=True, mentions=also.isChecked())
            self.ops.write(changes, delete, self.ws, src["id"], with_mentions=also.isChecked())

    # -- fetching --------------------------------------------------------------------

    def fetching(self) -> bool:
        """True while a fetch runs."""
        return self._fetch_task is not None

    def start_fetch(self, *, force: bool = False, source_ids: list[int] | None = None) -> None:
        """Fetch in the background with progress and Cancel."""
        from engage_desktop.listen.fetch import run_fetch

        if self.ws.read_only or self._fetch_task is not None:
            return
        task = self.tasks.start("fetch", run_fetch, self.ws, force=force, source_ids=source_ids)
        self._fetch_task = task
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self.run_label.setText("Fetching…")
        task.progressed.connect(self._progressed)
        task.succeeded.connect(self._fetched)
        task.failed.connect(lambda msg: self.run_label.setText(f"Fetch failed: {msg}"))
        task.done.connect(self._fetch_done)
        self._update_buttons()

    def cancel_fetch(self) -> None:
        """Ask the running fetch to stop (what was fetched is kept)."""
        if self._fetch_task is not None:
            self._fetch_task.cancel()
            self.cancel_button.setEnabled(False)
            self.run_label.setText("Cancelling…")

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _fetched(self, summary) -> None:
        failed = "; ".join(f"{h.name}: {h.error}" for h in summary.failed[:3])
        self.run_label.setText(
            f"Last run: {summary.line()}" + (f" — failed: {failed}" if failed else "")
        )
        self._published = bool(summary.new_mentions)
        if summary.new_mentions:
            self.ops.publish(OpChanges(mentions=True, sources=True))

    def _fetch_done(self) -> None:
        task = self._fetch_task
        self._fetch_task = None
        self.progress.hide()
        self.cancel_button.hide()
        if task is not None and task.state.is_cancelled():
            self.run_label.setText("Fetch cancelled; what was fetched before is kept.")
        published, self._published = self._published, False
        # New mentions went out as a record of changes, and the window re-reads this
        # pane from it once the inbox's keys rest; a second read here, at once, ran
        # beside the inbox's repaint of the new rows (a stall of the window over
        # 100 ms in benchmarks/responsiveness.py).
        if not (published and self._window_refreshes):
            self.refresh()

    def _schedule_toggled(self, on: bool) -> None:
        """Start or stop the schedule, and remember the choice in the workspace."""
        self._schedule_chosen = True
        if on:
            self.timer.start()
        else:
            self.timer.stop()
        if not self.ws.read_only:
            self.tasks.start("fetch.schedule", _remember_schedule, self.ws, on)

    def _scheduled_check(self) -> None:
        """Start a fetch when any source is due (the fetch itself is off-thread)."""
        if self.ws.closed:  # the workspace went away under a pane that outlived it
            self.timer.stop()
            return
        if self._fetch_task is not None or self.ws.read_only:
            return
        task = self.tasks.start("fetch.due", _any_due, self.ws)
        task.succeeded.connect(lambda due: due and self.start_fetch())


def _any_due(_state, ws: Workspace) -> bool:
    from engage_desktop.listen.fetch import due_sources

    return bool(due_sources(ws)[0])


def _read_rows(_state, ws: Workspace) -> tuple[list[dict], list[dict]]:
    return list_sources(ws), list_watch_queries(ws)


def _read_schedule(_state, ws: Workspace) -> bool:
    return bool(S.get(ws, S.FETCH_ON_SCHEDULE))


def _remember_schedule(state, ws: Workspace, on: bool) -> None:
    S.put(ws, S.FETCH_ON_SCHEDULE, on)


def _prestart_parse_pool(state, ws: Workspace) -> bool:
    from engage_desktop.listen.fetch import prestart_parse_pool

    return prestart_parse_pool(ws)
