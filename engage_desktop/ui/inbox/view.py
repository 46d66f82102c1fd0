"""The inbox: saved views, filters, the mention table, and the mention and author panes.

Triage is keyboard-first (see :mod:`shortcuts` and :mod:`triage_actions`).
New mentions are found by a cheap poll of ``max(id)``; a banner says at once how many
arrived, and they slide in (inserted, no reset) without moving what the user looks
at once the j/k keys rest (:mod:`rest_gate`).

Nothing here reads or writes the workspace on the GUI thread: the table's rows come
from the model's lane, the mention and author panes are read as tasks, and every
change goes through the window's writer (``ui/ops.py``), whose record of what changed
(:class:`OpChanges`) tells the view what to re-read.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QImage, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from engage_desktop.core.errors import EngageError
from engage_desktop.enrich.store import get_correction
from engage_desktop.inbox import lookups, mention_alerts, notes, people, threads
from engage_desktop.inbox.filters import (
    STATUSES,
    InboxFilter,
    compile_search,
    describe,
    to_query,
    to_sql,
)
from engage_desktop.inbox.pager import get_mention
from engage_desktop.inbox.saved_views import list_views, seed_default_views, view_counts
from engage_desktop.sources.media import fetch_image
from engage_desktop.ui.empty_state import EmptyState
from engage_desktop.ui.inbox import columns
from engage_desktop.ui.inbox.author_panel import AuthorPanel
from engage_desktop.ui.inbox.correction_bar import SentimentCorrectionBar
from engage_desktop.ui.inbox.delegates import ChipDelegate, SnippetDelegate
from engage_desktop.ui.inbox.detail import MentionBrowser, sanitize, sentence_sentiment
from engage_desktop.ui.inbox.detail_ahead import MISSING, DetailAhead
from engage_desktop.ui.inbox.filter_bar import SORT_LABELS, FilterBar
from engage_desktop.ui.inbox.first_rows import FirstRows
from engage_desktop.ui.inbox.model import (
    COL_INTENT,
    COL_SENTIMENT,
    COL_SNIPPET,
    COL_STATUS,
    SORT_OF_COLUMN,
    InboxTableModel,
    Loaded,
)
from engage_desktop.ui.inbox.notify import TrayNotifier
from engage_desktop.ui.inbox.rest_gate import RestGate
from engage_desktop.ui.inbox.sentiment_actions import SentimentActions
from engage_desktop.ui.inbox.shortcuts import INBOX_SHORTCUTS, NATIVE_KEYS
from engage_desktop.ui.inbox.sidebar import SavedViewsSidebar
from engage_desktop.ui.inbox.table import MentionTable
from engage_desktop.ui.inbox.triage_actions import TriageActions
from engage_desktop.ui.ops import OpChanges, Operations
from engage_desktop.ui.safe_text import plain_label
from engage_desktop.ui.tasks import TaskRunner
from engage_desktop.ui.widgets.mention_html import mention_html
from engage_desktop.workspace.database import Workspace

__all__ = ["InboxView"]

POLL_MS = 4000
#: How long the selection rests before the author panel follows it (ms).
AUTHOR_REST_MS = 150
#: The task key of the jump anchors' scan (one at a time; a new filter stops it).
ANCHORS_TASK = "inbox-anchors"
#: How long new rows are on screen before their anchors are scanned (ms): not while
#: the fresh rows are painted (see _start_anchors).
ANCHORS_AFTER_MS = 1000


def _anchors_job(state: Any, ws: Workspace, query, page_size: int) -> list | None:
    return lookups.anchors_of(ws, query, page_size, state)


def _views_job(_state: Any, ws: Workspace) -> tuple[list, list[int]]:
    """The saved views and the count of each (with "All mentions" first)."""
    from engage_desktop.ui.inbox.sidebar import ALL

    views = list_views(ws)
    return views, view_counts(ws, [ALL.filter, *(v.filter for v in views)])


def _start_job(_state: Any, ws: Workspace) -> int:
    """First start of a workspace: its default views and alert rule; the newest id."""
    if not ws.read_only:
        seed_default_views(ws)
        mention_alerts.ensure_default_rule(ws)
    return lookups.newest_mention_id(ws)


def _detail_job(_state: Any, ws: Workspace, mention_id: int) -> dict[str, Any] | None:
    """Everything the mention pane shows about one mention (None when it is gone)."""
    m = get_mention(ws, mention_id)
    if m is None:
        return None
    return {
        "mention": m,
        "context": {
            "thread": threads.thread(ws, m),
            "replies": people.our_replies(ws, mention_id),
            "notes": notes.mention_notes(ws, mention_id),
            "queries": people.matched_query_names(ws, list(m.get("matched_queries") or [])),
        },
        "sentences": sentence_sentiment(m.get("text") or ""),
        "correction": get_correction(ws, mention_id),
        "author_id": people.author_id_of(ws, m),
    }


def _warm_search_job(_state: Any, actor: str) -> None:
    """Build the search language's word tables once, off the GUI thread.

    The first search of a session compiled them on the GUI thread when its key was
    typed: 194 ms of CPU (a 585 ms stall under load); afterwards a search compiles
    in well under a millisecond. (The tables now take ~65 ms, in steps that hand the
    GIL back every millisecond: see ``core/query/tokens.py:word_ranges``.)
    """
    warm = InboxFilter(search="warm up")
    compile_search(warm.search).highlight("warm up")
    to_query(warm, actor)


def _news_job(_state: Any, ws: Workspace, since: int, where: str, params: list, record: bool):
    """Mentions stored since id ``since``: the newest id, how many this view shows,
    and the alert groups they raise (recorded, so a rule fires once)."""
    top = lookups.newest_mention_id(ws)
    if top <= since:
        return top, 0, [], None
    in_view = lookups.new_in_view(ws, since, where, params)
    try:
        groups = mention_alerts.match_new_mentions(ws, since, record=record)
    except EngageError as exc:
        return top, in_view, [], str(exc)
    return top, in_view, groups, None


class InboxView(TriageActions, SentimentActions, QWidget):
    """Saved views | filters + table | mention and author panes."""

    mention_selected = Signal(int)
    reply_requested = Signal(int)
    status_message = Signal(str)
    filter_applied = Signal(int)  # row count after every filter change
    mentions_edited = Signal()  # statuses, tags or owners changed here (the counts moved)
    empty_action = Signal(str)  # a button of the empty state: add_source, import, brief
    new_mentions = Signal(int)
    sentiment_corrected = Signal(int)  # how many corrections were just made

    def __init__(
        self,
        ws: Workspace,
        tasks: TaskRunner | None = None,
        parent: QWidget | None = None,
        ops: Operations | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.ws = ws
        self.tasks = tasks or TaskRunner(self)
        self.ops = ops or Operations(self.tasks, self)
        self.model = InboxTableModel(ws, parent=self, tasks=self.tasks)
        self.model.loaded.connect(self._rows_loaded)
        # The mention the user is on when new rows replace the old: where they are
        # then (they may have moved on with j/k while the rows were read) is kept.
        self._current_at_reset: int | None = None
        self.model.modelAboutToBeReset.connect(
            lambda: setattr(self, "_current_at_reset", self.current_mention_id())
        )
        self.model.about_to_grow.connect(
            lambda: setattr(self, "_current_at_reset", self.current_mention_id())
        )
        # New rows and recounts wait until the keys rest (see rest_gate.py).
        self.rest_gate = RestGate(self)
        self.model.page_loaded.connect(self._page_loaded)
        # Triage actions and sentiment corrections (CorrectionUndo), newest last.
        self._undo: list[list[Any]] = []
        self._new_count = 0
        self._last_max_id: int | None = None  # known once the start-up read is back
        self._polling = False
        self._filter_pending = True  # the first rows count as a filter applied
        self._loaded_images: set[str] = set()
        self._images: list[str] = []
        self._shown_id: int | None = None
        self._wanted_id: int | None = None
        self._mention: dict[str, Any] | None = None
        # The mention pane reads the next mention before the user gets there.
        self.ahead = DetailAhead(self.tasks, lambda state, i: _detail_job(state, ws, i), self)
        self.ahead.arrived.connect(self._ahead_arrived)
        self.ahead.lost.connect(self._ahead_lost)
        self._move = 1  # the direction the user moves in the table (+1 down, -1 up)
        # False while the pane shows a mention the list does not (a link followed).
        self._pane_follows_row = True
        self._author_id: int | None = None
        self._prompt_mode: str | None = None

        self.title = QLabel("Inbox")
        self.title.setObjectName("title")
        self.subtitle = plain_label(QLabel())  # shows search text and saved-view names
        self.subtitle.setObjectName("subtitle")
        self.filter_bar = FilterBar(ws, self.ops)
        self.filter_bar.filter_changed.connect(self.apply_filter)
        # The search's rows are read while the debounce waits (ui/inbox/read_ahead.py).
        self.filter_bar.search_typed.connect(self.model.read_ahead)
        # Typing a search is moving too: the scoring and new rows wait for it to rest.
        self.filter_bar.search.textEdited.connect(lambda _t: self.rest_gate.moved())
        self.sidebar = SavedViewsSidebar(ws, self.ops)
        self.sidebar.view_chosen.connect(self.filter_bar.set_filter)
        self.sidebar.save_requested.connect(lambda: self.sidebar.ask_and_save(self.model.filter))
        self.sidebar.views_changed.connect(self.refresh_counts)

        self.banner = QPushButton()
        self.banner.setObjectName("banner")
        self.banner.setStyleSheet(
            "QPushButton#banner { background: #dbeafe; color: #1e3a8a; border: 1px solid #93c5fd;"
            " border-radius: 4px; padding: 4px; font-weight: 600; }"
        )
        self.banner.clicked.connect(self.show_newest)
        self.banner.hide()

        self.prompt_label = QLabel()
        self.prompt = QLineEdit()
        self.prompt.returnPressed.connect(self._prompt_done)
        self.prompt_bar = QWidget()
        prompt_layout = QHBoxLayout(self.prompt_bar)
        prompt_layout.setContentsMargins(0, 0, 0, 0)
        prompt_layout.addWidget(self.prompt_label)
        prompt_layout.addWidget(self.prompt, 1)
        prompt_layout.addWidget(QLabel("Enter applies · Esc cancels"))
        self.prompt_bar.hide()

        self.bulk_label = QLabel()
        self.bulk_bar = self._build_bulk_bar()
        self.bulk_bar.hide()

        self.table = MentionTable()  # scrolls by moving pixels (see table.py)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        columns.set_up(self.table)
        header.setHighlightSections(False)
        header.setSortIndicatorShown(True)
        header.sectionClicked.connect(self._header_clicked)
        self._snippet_delegate = SnippetDelegate(self.table)
        self._chip_delegate = ChipDelegate(self.table)
        self.table.setItemDelegateForColumn(COL_SNIPPET, self._snippet_delegate)
        for col in (COL_SENTIMENT, COL_INTENT, COL_STATUS):
            self.table.setItemDelegateForColumn(col, self._chip_delegate)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_bulk_bar())
        self.table.doubleClicked.connect(lambda _i: self.open_current())
        # The window's start-up ends when the first rows are painted (first_rows.py).
        self.first_rows = FirstRows(self.table)
        self.empty = EmptyState(self.table.viewport(), overlay=self.table.viewport())
        self.empty.action.connect(self._empty_clicked)
        self.model.marks_changed.connect(lambda _n: self._update_bulk_bar())

        self.undo_label = plain_label(QLabel())
        self.undo_label.setObjectName("subtitle")
        self.undo_button = QPushButton("Undo")
        self.undo_button.clicked.connect(self.undo)
        self.undo_button.hide()

        self.detail = MentionBrowser()
        self.detail.setMinimumWidth(340)
        self.detail.setHtml("<p style='color:#6b7280'>Select a mention to read it.</p>")
        self.detail.mention_link.connect(self.open_mention_id)
        self.detail.author_link.connect(lambda _a: self.show_author_tab())
        self.detail.image_requested.connect(self._load_image)
        self.note_input = QLineEdit()
        self.note_input.setPlaceholderText("Add a private note to this mention (Enter)")
        self.note_input.returnPressed.connect(self._add_note)
        self.note_input.setEnabled(not ws.read_only)
        mention_pane = QWidget()
        mention_layout = QVBoxLayout(mention_pane)
        mention_layout.setContentsMargins(0, 0, 0, 0)
        mention_layout.addWidget(self.detail, 1)
        self.correction_bar = SentimentCorrectionBar(ws, self.ops)
        self.correction_bar.corrected.connect(self._sentiment_corrected)
        mention_layout.addWidget(self.correction_bar)
        mention_layout.addWidget(self.note_input)
        self.author_panel = AuthorPanel(ws, tasks=self.tasks, ops=self.ops)
        self.author_panel.customer_card.customer_filter_requested.connect(
            lambda external: self.filter_bar.update_filter(customer=external)
        )
        self.author_panel.filter_requested.connect(self.filter_by_author)
        self.author_panel.mention_requested.connect(self.open_mention_id)
        # The mention and its author side by side under the table: the whole story
        # is visible while moving with j/k, and the table keeps room for its columns.
        self.panes = QSplitter(Qt.Orientation.Horizontal)
        self.panes.addWidget(mention_pane)
        self.panes.addWidget(self.author_panel)
        self.panes.setStretchFactor(0, 2)
        self.panes.setStretchFactor(1, 3)

        self.notifier = TrayNotifier(self)
        self.notifier.status_message.connect(self.status_message)

        center = QWidget()
        center_layout = QVBoxLayout(center)
        center_layout.setContentsMargins(0, 0, 0, 0)
        center_layout.setSpacing(6)
        center_layout.addWidget(self.filter_bar)
        center_layout.addWidget(self.banner)
        center_layout.addWidget(self.prompt_bar)
        center_layout.addWidget(self.bulk_bar)
        self.reading = QSplitter(Qt.Orientation.Vertical)
        self.reading.addWidget(self.table)
        self.reading.addWidget(self.panes)
        self.reading.setStretchFactor(0, 3)
        self.reading.setStretchFactor(1, 2)
        self.reading.setSizes([470, 430])
        center_layout.addWidget(self.reading, 1)
        undo_row = QHBoxLayout()
        undo_row.addWidget(self.undo_label, 1)
        undo_row.addWidget(self.undo_button)
        center_layout.addLayout(undo_row)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(center)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([180, 1120])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addWidget(self.subtitle, 1)
        layout.addLayout(heading)
        layout.addWidget(self.splitter, 1)

        self.shortcut_actions: dict[str, QAction] = {}
        self._bind_shortcuts()
        # The author panel follows the selection once it rests (see _fill_author).
        # The jump anchors' scan starts a while after new rows (see _start_anchors).
        self._anchors_later = QTimer(self)
        self._anchors_later.setSingleShot(True)
        self._anchors_later.setInterval(ANCHORS_AFTER_MS)
        self._anchors_later.timeout.connect(
            lambda: self.rest_gate.run(ANCHORS_TASK, self._scan_anchors, background=True)
        )
        self._author_rest = QTimer(self)
        self._author_rest.setSingleShot(True)
        self._author_rest.setInterval(AUTHOR_REST_MS)
        self._author_rest.timeout.connect(lambda: self._fill_author(now=True))
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self.check_new)
        self._poll.start()
        self._after_filter()
        start = self.tasks.start("inbox-start", _start_job, ws)
        start.succeeded.connect(self._started)
        self.ops.changed.connect(self.workspace_changed)

    def _started(self, newest_id: int) -> None:
        if self._last_max_id is None:
            self._last_max_id = newest_id
        self.refresh_counts()
        self.tasks.start("inbox-warm-search", _warm_search_job, self.ws.actor)

    def workspace_changed(self, changes: OpChanges, initiator: object) -> None:
        """Re-read what a write elsewhere changed (the writer's record says what)."""
        if changes.names():  # details read ahead may show old values now (also ours)
            self.ahead.clear()
        if initiator is self or (isinstance(initiator, QWidget) and self.isAncestorOf(initiator)):
            return  # this view re-reads after its own writes itself, keeping its place
        if changes.mentions:
            self.mentions_changed()
        elif changes.rows_moved():
            self._after_change(advance=False)
        elif changes.notes and (self.current_mention_id() or self._shown_id) is not None:
            self.show_mention(self.current_mention_id() or self._shown_id)
        if changes.views:
            self.refresh_counts()
        if changes.mentions or changes.sources or changes.customers or changes.settings:
            # Distinct channels, languages, intents…: scans of every mention.
            self.rest_gate.run("choices", self.filter_bar.reload_choices)

    # -- building ------------------------------------------------------------------

    def _build_bulk_bar(self) -> QWidget:
        bar = QWidget()
        bar.setStyleSheet("background: #eef2ff;")
        row = QHBoxLayout(bar)
        row.setContentsMargins(6, 2, 6, 2)
        row.addWidget(self.bulk_label)
        status = QPushButton("Status ▾")
        menu = QMenu(status)
        for name in STATUSES:
            menu.addAction(name.title(), lambda n=name: self.bulk_status(n))
        status.setMenu(menu)
        tag = QPushButton("Tag…")
        tag.clicked.connect(self.prompt_tag)
        assign = QPushButton("Assign…")
        assign.clicked.connect(self.prompt_assign)
        sentiment = QPushButton("Sentiment is ▾")
        sentiment.setToolTip("Correct the sentiment of the selection (teaches the model)")
        sentiment_menu = QMenu(sentiment)
        for name in ("negative", "neutral", "positive"):
            sentiment_menu.addAction(name.title(), lambda n=name: self.set_sentiment(n))
        sentiment.setMenu(sentiment_menu)
        export = QPushButton("Export…")
        export.clicked.connect(self._ask_export)
        clear = QPushButton("Clear selection")
        clear.clicked.connect(self.clear_selection)
        for w in (status, sentiment, tag, assign, export, clear):
            row.addWidget(w)
        row.addStretch(1)
        return bar

    def _bind_shortcuts(self) -> None:
        for name, keys, text in INBOX_SHORTCUTS:
            bound = [QKeySequence(k) for k in keys if k not in NATIVE_KEYS]
            if not bound:
                continue
            # Enter belongs to the table only: in the search box, a prompt or a note
            # field it must still mean "apply what I typed".
            owner = self.table if name == "open_current" else self
            action = QAction(text, owner)
            action.setShortcuts(bound)
            action.setShortcutContext(
                Qt.ShortcutContext.WidgetShortcut
                if owner is self.table
                else Qt.ShortcutContext.WidgetWithChildrenShortcut
            )
            action.triggered.connect(getattr(self, name))
            owner.addAction(action)
            self.shortcut_actions[name] = action

    # -- filtering -----------------------------------------------------------------

    def apply_filter(self, flt: InboxFilter) -> None:
        """Show ``flt``: the count and first page arrive from a task (the old rows stay
        until then), anchors for jumps come after them."""
        # The shown rows' anchors are moot now: stop their scan (it would compete
        # with the new filter's count and first page for the CPU).
        self.tasks.cancel(ANCHORS_TASK)
        try:
            self.model.set_filter(flt)
        except EngageError as exc:
            self.filter_bar.show_error(str(exc))
            self._update_header_indicator()  # the sort control changed all the same
            return
        # And the scan still to start: it read the old rows' anchors while the new
        # rows were first painted (the longest stalls of a sort change, in
        # benchmarks/responsiveness.py). The new rows start it again.
        self._anchors_later.stop()
        self.rest_gate.take(ANCHORS_TASK)
        self.filter_bar.show_error(None)
        self._filter_pending = True
        flt = self.model.filter
        self.sidebar.select_view(self.sidebar.view_matching(flt))
        self._update_header_indicator()

    def _rows_loaded(self, result: Loaded) -> None:
        """New rows are on screen: labels, anchors, and the end of a filter change."""
        if self._filter_pending:
            self._filter_pending = False
            self._after_filter()
        else:
            self._update_counts_labels()
            self._start_anchors()
        # Once whoever asked for these rows has put the selection back (next turn).
        QTimer.singleShot(0, self, self._follow_current)

    def _follow_current(self) -> None:
        """Show the current row's mention if new rows put another one under it.

        Rows that arrive while the user moves (new mentions slid in around the current
        row) can change which mention sits in the current row without Qt reporting a
        new current row; the pane must still show what the row shows.
        """
        now = self.current_mention_id()
        if self._pane_follows_row and now is not None and now != self._wanted_id:
            self.show_mention(now)

    def _after_filter(self) -> None:
        flt = self.model.filter
        self.sidebar.select_view(self.sidebar.view_matching(flt))
        self.table.scrollToTop()
        self._update_header_indicator()
        self._update_counts_labels()
        self._start_anchors()
        self.filter_applied.emit(self.model.rowCount())

    def _empty_clicked(self, name: str) -> None:
        if name == "clear_filters":
            self.filter_bar.clear()
        else:
            self.empty_action.emit(name)

    def _update_empty_state(self, n: int) -> None:
        if n:
            self.empty.hide()
        elif self.model.filter.is_empty():
            self.empty.show_message(
                "No mentions yet",
                "Mentions arrive from the sources you listen to, or from a file exported "
                "by another tool. Start from a brief to set up your brand and competitors.",
                ("add_source", "import", "brief"),
            )
        else:
            self.empty.show_message(
                "No mentions match these filters",
                "Change the filters or clear them to see every mention.",
                ("clear_filters",),
            )

    def _update_counts_labels(self) -> None:
        n = self.model.rowCount()
        self._update_empty_state(n)
        self.filter_bar.show_count(n)
        flt = self.model.filter
        sort = SORT_LABELS.get(flt.sort, flt.sort).lower()
        self.subtitle.setText(f"{n:,} mentions · {describe(flt)} · {sort}")

    def update_subtitle(self) -> None:
        """Show the number of mentions in the list."""
        self._update_counts_labels()

    def _start_anchors(self) -> None:
        """Scan the jump anchors of the rows shown, once the user rests.

        Every re-read (each mark-read, each triage key) brings a new pager without
        anchors; scanning them at once sorted every row of the view on both CPUs
        under the next keys. A jump that needs them before they came reads them itself.
        It also starts a second after the rows came, not while they are first painted
        (the stall profiler found it under the longest stalls left, at a sort change).
        """
        self._anchors_later.start()

    def _scan_anchors(self) -> None:
        pager = self.model.pager
        if pager is None or pager.has_anchors or self.model.rowCount() <= pager.page_size:
            return
        query = self.model.query
        task = self.tasks.start(ANCHORS_TASK, _anchors_job, self.ws, query, pager.page_size)
        task.succeeded.connect(lambda anchors, q=query: self._anchors_ready(q, anchors))

    def _anchors_ready(self, query, anchors: list) -> None:
        pager = self.model.pager
        if pager is not None and pager.query is query and not pager.has_anchors:
            pager.set_anchors(anchors)

    def refresh_counts(self):
        """Re-read the saved views and recount each on a worker thread."""
        # One recount at a time: every triage key asks for one (see start_latest).
        task = self.tasks.start_latest("inbox-view-counts", _views_job, self.ws)
        task.succeeded.connect(self._views_read)
        return task

    def _views_read(self, result: tuple[list, list[int]]) -> None:
        views, counts = result
        self.sidebar.set_views(views)
        self.sidebar.set_counts(counts)
        self.sidebar.select_view(self.sidebar.view_matching(self.model.filter))

    def filter_by_author(self, author_id: int, label: str) -> None:
        """Show only this author's mentions."""
        self.filter_bar.update_filter(author_id=author_id, author_label=label)

    def _header_clicked(self, section: int) -> None:
        """A header click changes the sort control (the Time header toggles newest and
        oldest first); the arrow then shows the control's sort, whatever Qt drew."""
        sort = SORT_OF_COLUMN.get(section)
        if sort is not None:
            if sort == "time" and self.filter_bar.filter.sort == "time":
                sort = "oldest"
            self.filter_bar.update_filter(sort=sort)
        self._update_header_indicator()

    def _update_header_indicator(self) -> None:
        """The header's arrow shows the sort control's choice: one state, two views.

        Read from the filter bar, not the model: a filter the model refused (a bad
        search) still changed the control, and the arrow must agree with it.
        """
        header = self.table.horizontalHeader()
        sort = self.filter_bar.filter.sort
        for col, name in SORT_OF_COLUMN.items():
            if name == sort or (sort == "oldest" and name == "time"):
                ascending = sort in ("oldest", "sentiment")
                order = Qt.SortOrder.AscendingOrder if ascending else Qt.SortOrder.DescendingOrder
                header.setSortIndicator(col, order)
                return
        header.setSortIndicator(-1, Qt.SortOrder.DescendingOrder)

    # -- current row and the side panes --------------------------------------------

    def select_row(self, row: int) -> None:
        """Make ``row`` current and the only selected row."""
        if 0 <= row < self.model.rowCount():
            index = self.model.index(row, COL_SNIPPET)
            flags = (
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows
            )
            self.table.selectionModel().setCurrentIndex(index, flags)
            self.table.scrollTo(index)

    def current_row(self) -> int | None:
        """The current row, if any."""
        index = self.table.currentIndex()
        return index.row() if index.isValid() else None

    def current_mention_id(self) -> int | None:
        """The id of the current mention (None while its row's page is on its way)."""
        row = self.current_row()
        return self.model.mention_id(row) if row is not None else None

    def _on_current(self, current, previous) -> None:
        if not current.isValid():
            return
        if previous is not None and previous.isValid() and previous.row() != current.row():
            # One row up (k) reads on upwards; anything else (j, a click, a jump) down.
            self._move = -1 if current.row() == previous.row() - 1 else 1
        self.rest_gate.moved()
        mention_id = self.model.mention_id(current.row())
        if mention_id is None:  # its page is being read: _page_loaded comes back here
            return
        self._pane_follows_row = True
        self.show_mention(mention_id)
        self.mention_selected.emit(mention_id)

    def _page_loaded(self, first: int, last: int) -> None:
        row = self.current_row()
        if row is not None and first <= row <= last:
            mention_id = self.model.mention_id(row)
            if mention_id is not None and mention_id != self._detail_wanted():
                self._on_current(self.table.currentIndex(), None)

    def _detail_wanted(self) -> int | None:
        return self._wanted_id

    def show_mention(self, mention_id: int):
        """Fill the mention pane (and the author pane): at once when it was read ahead,
        else read in a task and shown when back (the task; None when no read started)."""
        self._wanted_id = mention_id
        detail = self.ahead.take(mention_id)
        if detail is not MISSING:
            self._show_detail(mention_id, detail)
            return None
        if self.ahead.pending(mention_id):  # on its way already: _ahead_arrived shows it
            return None
        return self._read_detail(mention_id)

    def _read_detail(self, mention_id: int):
        task = self.tasks.start("inbox-detail", _detail_job, self.ws, mention_id)
        task.succeeded.connect(lambda detail, i=mention_id: self._detail_read(i, detail))
        return task

    def _detail_read(self, mention_id: int, detail: dict[str, Any] | None) -> None:
        self.ahead.keep(mention_id, detail)  # k back to it is then at once too
        self._show_detail(mention_id, detail)

    def _ahead_arrived(self, mention_id: int) -> None:
        if mention_id == self._wanted_id and mention_id != self._shown_id:
            self._show_detail(mention_id, self.ahead.take(mention_id))

    def _ahead_lost(self, mention_id: int) -> None:
        if mention_id == self._wanted_id and mention_id != self._shown_id:
            self._read_detail(mention_id)

    def _read_next_ahead(self) -> None:
        """Read the mention the user is heading to (the next row in their direction)."""
        row = self.current_row()
        if row is None or self.current_mention_id() != self._shown_id:
            return
        for nxt in (row + self._move, row - self._move):  # at an end, the other way
            if 0 <= nxt < self.model.rowCount():
                self.ahead.read_ahead(self.model.mention_id(nxt))
                return

    def _show_detail(self, mention_id: int, detail: dict[str, Any] | None) -> None:
        if detail is None or mention_id != self._wanted_id:
            return
        m = detail["mention"]
        if mention_id != self._shown_id:
            self._loaded_images = set()
        self._mention = m
        if m.get("html"):
            _html, self._images = sanitize(m["html"], self._loaded_images, m.get("url"))
        self.detail.setHtml(
            mention_html(
                m,
                context=detail["context"],
                highlight=self.model._highlight,
                loaded_images=self._loaded_images,
                sentences=detail["sentences"],
            )
        )
        self.correction_bar.set_mention(mention_id, detail["correction"])
        self._author_id = detail["author_id"]
        self._shown_id = mention_id
        self._fill_author()
        self._read_next_ahead()

    def _sentiment_corrected(self, mention_id: int) -> None:
        """An analyst relabelled a mention: redraw its row, its detail and its author."""
        self._after_change(advance=False)
        if self.author_panel.author_id is not None:  # "What they said" shows the label too
            self.author_panel.show_author(self.author_panel.author_id)
        self.sentiment_corrected.emit(1)

    def _fill_author(self, now: bool = False) -> None:
        """Show the shown mention's author; unless ``now``, once the selection rests.

        Holding j or k passes a mention every 30-50 ms: reading each passing author's
        profile, timeline and latest mentions (three scans of the mentions) would
        compete with the detail pane for the CPU, and nobody reads them in passing.
        """
        if self._shown_id is None:
            return
        author_id = self._author_id
        if author_id == self.author_panel.author_id and author_id is not None:
            self._author_rest.stop()
            return
        if not now:
            self._author_rest.start()
            return
        self._author_rest.stop()
        self.author_panel.show_author(author_id)

    def author_pending(self) -> bool:
        """True while the author panel waits for the selection to rest."""
        return self._author_rest.isActive()

    def show_author_tab(self) -> None:
        """Put the focus on the author panel of the current mention."""
        self._fill_author(now=True)
        self.author_panel.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def open_mention_id(self, mention_id: int):
        """Go to a mention: select it if this view shows it, else just show it."""
        task = self.model.position_of(mention_id)
        task.succeeded.connect(lambda position, i=mention_id: self._go_to(i, position))
        return task

    def _go_to(self, mention_id: int, position: int | None) -> None:
        if position is not None:
            self.select_row(position)
        else:
            self.show_mention(mention_id)
            self._pane_follows_row = False
            self.mention_selected.emit(mention_id)

    def _load_image(self, index: int) -> None:
        if not 0 <= index < len(self._images):
            return
        url, shown = self._images[index], self._shown_id
        self.status_message.emit(f"Loading image from {url}…")
        task = self.tasks.start("inbox-image", fetch_image, url)
        task.succeeded.connect(lambda data: self._image_loaded(shown, index, url, data))
        task.failed.connect(self.status_message)

    def _image_loaded(self, mention_id: int | None, index: int, url: str, data: bytes) -> None:
        if mention_id != self._shown_id or not data:
            return
        image = QImage.fromData(data)
        if image.isNull():
            self.status_message.emit(f"{url} could not be read as an image")
            return
        self._loaded_images.add(url)
        self.detail.put_image(index, image)
        self.show_mention(mention_id)

    def _add_note(self):
        mention_id = self.current_mention_id() or self._shown_id
        if mention_id is None:
            return None
        task = self.ops.write(
            OpChanges(notes=True), notes.add_note, self.ws, self.note_input.text(),
            mention_id=mention_id, initiator=self,
        )  # fmt: skip
        task.failed.connect(self.status_message)
        task.succeeded.connect(lambda _r, i=mention_id: self._note_added(i))
        return task

    def _note_added(self, mention_id: int) -> None:
        self.note_input.clear()
        self.show_mention(mention_id)

    # -- new mentions --------------------------------------------------------------

    def check_new(self):
        """Look for mentions stored since the last look (a fetch, an import).

        A banner counts them at once; they are inserted around the current row
        (selection and scroll stay) once the keys rest, and alert rules raise one
        grouped notification. The look runs in the writer (it records which alerts
        fired); :attr:`new_mentions` says when rows came in.
        """
        if self._polling or self._last_max_id is None:
            return None
        self._polling = True
        where, params = to_sql(self.model.filter, self.ws.actor)
        record = not self.ws.read_only
        if record:
            task = self.ops.write(
                OpChanges(), _news_job, None, self.ws, self._last_max_id, where, params, record
            )
        else:
            task = self.tasks.start(
                "inbox-news", _news_job, self.ws, self._last_max_id, where, params, record
            )
        task.succeeded.connect(self._news)
        task.done.connect(lambda: setattr(self, "_polling", False))
        return task

    def _news(self, result) -> None:
        top, in_view, groups, problem = result
        if self._last_max_id is None or top <= self._last_max_id:
            return
        self._last_max_id = top
        if problem:
            self.status_message.emit(problem)
        if groups:
            self.notifier.notify(groups)
        if in_view:  # counted in the banner now; the rows move once the keys rest
            self._new_count += in_view
            self.banner.setText(
                f"↑  {self._new_count:,} new mention{'s' if self._new_count != 1 else ''} "
                "— click to show the newest"
            )
            self.banner.show()
            self.rest_gate.run("rows", self._insert_new)
        self.rest_gate.run("counts", self.refresh_counts)

    def _insert_new(self) -> None:
        """Read the rows with the new mentions in, keeping the current one and the top row."""
        current_id = self.current_mention_id()
        row = self.current_row()
        scroll = self.table.verticalScrollBar().value()
        top_row = self.table.rowAt(0)
        top_id = self.model.mention_id(top_row) if top_row >= 0 else None
        keep = tuple(i for i in (current_id, top_id) if i is not None)
        keep_row = row if current_id is not None else (top_row if top_id is not None else None)
        task = self.model.load(
            self.model.query, keep_ids=keep, keep_row=keep_row, pages=self._visible_pages()
        )
        task.succeeded.connect(lambda result: self._new_shown(result, current_id, top_id, scroll))

    def _visible_pages(self) -> list[int]:
        pager = self.model.pager
        if pager is None:
            return []
        top = max(0, self.table.rowAt(0))
        bottom = self.table.rowAt(self.table.viewport().height() - 1)
        bottom = top + 40 if bottom < 0 else bottom
        return sorted({top // pager.page_size, bottom // pager.page_size})

    def _new_shown(
        self, result: Loaded, current_id: int | None, top_id: int | None, scroll: int
    ) -> None:
        if result.in_place:
            # Nothing moved: the selection and the scroll are the user's as they are
            # now (they may have pressed j/k while the rows were read); the mention
            # current when the rows were asked for must not pull them back.
            self._current_at_reset = None
            self.new_mentions.emit(self._new_count)
            return
        current_id, position = self.kept_place(result, current_id)
        if result.grown and self.current_mention_id() == current_id:
            position = None  # the rows were inserted around it: it is current still
        if position is not None:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(position, COL_SNIPPET),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        new_top = result.positions.get(top_id) if top_id is not None else None
        self.table.verticalScrollBar().setValue(new_top if new_top is not None else scroll)
        self.new_mentions.emit(self._new_count)

    def kept_place(self, result: Loaded, asked_id: int | None) -> tuple[int | None, int | None]:
        """The mention to keep current after new rows arrived, and its row now.

        It is the one current when the rows were replaced (the user may have moved on
        with j/k while they were read), else the one current when they were asked for.
        """
        keep = self._current_at_reset if self._current_at_reset is not None else asked_id
        self._current_at_reset = None
        if keep is None:
            return None, None
        position = result.positions.get(keep)
        if position is None:
            position = self.model.row_of(keep)  # next to where it was: on a read page
        return keep, position

    def mentions_changed(self) -> None:
        """Mentions were added or removed elsewhere (a fetch, a deleted source)."""
        task = self.check_new()
        if task is None:
            self._after_change(advance=False)
            return
        task.succeeded.connect(
            lambda result: (
                result[1] or self.rest_gate.run("rows", lambda: self._after_change(advance=False))
            )
        )

    def show_newest(self) -> None:
        """Show the new rows (if they wait for a rest), go to the top, dismiss the banner."""
        self._new_count = 0
        self.banner.hide()
        if self.rest_gate.take("rows"):
            self.model.refresh().succeeded.connect(lambda _result: self._to_top())
        else:
            self._to_top()

    def _to_top(self) -> None:
        self._current_at_reset = None
        self.table.scrollToTop()
        self.select_row(0)

    def news_pending(self) -> bool:
        """True while new rows or recounts wait for the keys to rest."""
        return self.rest_gate.pending()

    def background_pending(self) -> bool:
        """True while the jump anchors' scan is still to start (see _start_anchors)."""
        return self._anchors_later.isActive() or self.rest_gate.pending(background=True)

    def refresh(self) -> None:
        """Re-read after new mentions or changes (the rows shown stay until then)."""
        self.model.refresh()
        self.refresh_counts()
        self.filter_bar.reload_choices()

    def shutdown(self) -> None:
        """Stop polling and release the table's cursor (the window is closing)."""
        self._poll.stop()
        self._anchors_later.stop()
        self.rest_gate.stop()
        self.model.close()
