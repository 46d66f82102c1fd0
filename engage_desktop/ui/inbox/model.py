"""The inbox table model: a thin Qt adapter over :class:`MentionPager`.

``rowCount`` is the filtered count; rows are read a page at a time as the view asks
for them, so a million mentions never sit in memory. Marks (the ``x`` key) are kept
as mention ids, so they survive refreshes, sorting and new mentions arriving.

The model never reads on the GUI thread. A new query (or a reload after a change) is
counted and its first pages read in the model's own lane of the task runner (one
thread, since a pager is not thread-safe); until the result lands the old rows stay
on screen, and a newer query makes an older one stop. A page the view asks for that
is not in the cache shows as a blank row and is read in the lane; the row repaints
when it arrives (:attr:`InboxTableModel.page_loaded`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from engage_desktop.core.errors import EngageError
from engage_desktop.inbox.filters import InboxFilter, compile_search, to_query
from engage_desktop.inbox.pager import ROW_FIELDS, MentionPager, MentionQuery
from engage_desktop.ui.inbox.read_ahead import Ahead, ReadAhead
from engage_desktop.ui.safe_text import plain_tooltip
from engage_desktop.ui.tasks import Task, TaskRunner
from engage_desktop.ui.theme import SENTIMENT_COLORS, STATUS_COLORS, channel_icon
from engage_desktop.workspace.database import Workspace

COLUMNS = (
    "",
    "Time",
    "",
    "Author",
    "Mention",
    "Sentiment",
    "Intent · tags",
    "Topic",
    "Status",
    "Owner",
    "Priority",
)
COL_MARK, COL_TIME, COL_CHANNEL, COL_AUTHOR, COL_SNIPPET = 0, 1, 2, 3, 4
COL_SENTIMENT, COL_INTENT, COL_TOPIC, COL_STATUS, COL_OWNER, COL_PRIORITY = range(5, 11)
_COLUMN_COUNT = len(COLUMNS)
# Header clicks sort by these (the others have no meaningful order in the inbox).
SORT_OF_COLUMN = {
    COL_TIME: "time",
    COL_AUTHOR: "reach",
    COL_SENTIMENT: "sentiment",
    COL_PRIORITY: "priority",
}
_F = {name: i for i, name in enumerate(ROW_FIELDS)}
MentionIdRole = Qt.ItemDataRole.UserRole + 1
ChipsRole = Qt.ItemDataRole.UserRole + 2  # list of (text, colour) pills
HighlightRole = Qt.ItemDataRole.UserRole + 3  # spans of matched terms in the display text

Index = QModelIndex | QPersistentModelIndex
# Roles and flags as plain values: enum arithmetic in Python costs ~20 µs a call.
_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_CHECK = Qt.ItemDataRole.CheckStateRole.value
_DECORATION = Qt.ItemDataRole.DecorationRole.value
_FONT = Qt.ItemDataRole.FontRole.value
_FOREGROUND = Qt.ItemDataRole.ForegroundRole.value
_ALIGN = Qt.ItemDataRole.TextAlignmentRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_ROLES_USED = frozenset((_DISPLAY, _CHECK, _DECORATION, _FONT, _FOREGROUND, _ALIGN, _TOOLTIP)) | {
    int(MentionIdRole),
    int(ChipsRole),
    int(HighlightRole),
}
_CHECKED, _UNCHECKED = Qt.CheckState.Checked, Qt.CheckState.Unchecked
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_MARK_FLAGS = _FLAGS | Qt.ItemFlag.ItemIsUserCheckable
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
_BOLD_COLUMNS = frozenset((COL_AUTHOR, COL_SNIPPET, COL_TIME))
INTENT_COLOR = "#64748b"
#: The user's own tags: outlined "#tag" pills, apart from the filled intent chips.
TAG_COLOR = "#0f766e"
OUTLINE = "outline"
ARCHIVE_COLOR = "#6b7280"


def reach_text(followers: int | None) -> str:
    """Followers as 1.2k / 3.4M."""
    if not followers:
        return ""
    if followers >= 1_000_000:
        return f"{followers / 1e6:.1f}M"
    if followers >= 1000:
        return f"{followers / 1e3:.1f}k"
    return str(followers)


@dataclass
class _RowCells:
    """What the view shows for one row, computed once per row and reset."""

    mention_id: int
    display: list[str | None]
    chips: dict[int, list[tuple[str, str]] | None]
    icon: Any
    unread: bool
    starred: bool
    spans: list[tuple[int, int]] | None = None


#: Who can give the shown label (the pager's ``sentiment_source``).
SENTIMENT_SOURCES = ("analyst", "model", "VADER")
#: The chip's short mark of who gave the label: a pencil for an analyst's correction,
#: a spark for the learned model, none for VADER (every row's default). The cell's
#: text and tooltip name the scorer in words.
SOURCE_MARKS = {"analyst": "✎", "model": "✦"}


def sentiment_text(
    label: str | None, score: float | None, source: str | None, *, chip: bool = False
) -> str:
    """The Sentiment cell: label, score and who gave it ("negative −0.42 · analyst").

    With ``chip``, the scorer is a mark instead ("negative −0.42 ✎"), so the pill fits
    the column without taking the text's room.
    """
    if not label or label == "unscored":
        return "not scored"
    text = label if score is None else f"{label} {score:+.2f}"
    if chip:
        mark = SOURCE_MARKS.get(source or "")
        return f"{text} {mark}" if mark else text
    return f"{text} · {source}" if source else text


def sentiment_tooltip(row: tuple[Any, ...]) -> str | None:
    """Who gave the shown label, and what VADER said beside it."""
    source = row[_F["sentiment_source"]]
    vader_label, vader_score = row[_F["model_label"]], row[_F["model_sentiment"]]
    vader = (
        f"VADER says {vader_label} ({vader_score:+.2f})"
        if vader_label and vader_score is not None
        else "VADER did not score it"
    )
    if source == "analyst":
        return f"Corrected by an analyst; this wins over every model. {vader}."
    if source == "model":
        confidence = row[_F["learned_confidence"]]
        sure = f" ({confidence:.0%} sure)" if confidence is not None else ""
        return f"From this workspace's learned model{sure}. {vader}."
    if source == "VADER":
        return f"{vader}; no learned model in this workspace yet."
    return None


@dataclass
class Loaded:
    """A query counted and its first pages read, ready to be shown.

    Attributes:
        pager: The pager (its cursor lives in the model's lane).
        positions: Where each mention the caller wanted to keep sits now (None
            when the new rows do not have it).
        in_place: True when the rows did not move: shown without a reset, so the
            selection and the scroll position stay.
        grown: True when new rows came in around the kept mention: they were
            inserted above and below it (no reset), so Qt's selection and current
            row moved with it and nothing was re-read for the detail pane.
    """

    pager: MentionPager
    positions: dict[int, int | None]
    in_place: bool = False
    grown: bool = False


def load_query(
    state: Any,
    ws: Workspace,
    query: MentionQuery,
    page_size: int,
    keep_ids: tuple[int, ...],
    pages: Iterable[int],
) -> Loaded | None:
    """Count ``query`` and read the pages the view shows (in the model's lane).

    A newer load cancels this one and interrupts its query (a search scans every
    text): the newest keystroke's search then starts at once instead of queueing
    behind scans nobody will see. Returns None when cancelled.
    """
    if state.is_cancelled():  # superseded while it waited in the lane
        return None
    pager = MentionPager(ws, query, page_size=page_size)
    try:
        with state.interrupting(pager.interrupt):
            count = pager.count()
            positions = {i: pager.position_of(i) for i in keep_ids}
            wanted = {0, *pages}
            wanted.update(p // page_size for p in positions.values() if p is not None)
            for number in sorted(wanted):
                if state.is_cancelled():
                    break
                if number * page_size < count:
                    pager.page(number)
    except BaseException:
        pager.close()
        raise
    if state.is_cancelled():  # a newer query won: its result will be ignored
        pager.close()
        return None
    return Loaded(pager, positions)


def _read_page(_state: Any, pager: MentionPager, number: int) -> int:
    pager.page(number)
    return number


def _close_pager(_state: Any, pager: MentionPager) -> None:
    pager.close()


def _position_of(_state: Any, pager: MentionPager, mention_id: int) -> int | None:
    return pager.position_of(mention_id)


def _ids_in_range(_state: Any, pager: MentionPager, ranges: list[tuple[int, int]]) -> list[int]:
    ids: list[int] = []
    for start, stop in ranges:
        ids.extend(pager.ids_in_range(start, stop))
    return ids


class InboxTableModel(QAbstractTableModel):
    """Mentions of one :class:`InboxFilter`, newest first by default."""

    marks_changed = Signal(int)
    loaded = Signal(object)  # a Loaded, after it is shown
    page_loaded = Signal(int, int)  # first and last row whose values just arrived
    about_to_grow = Signal()  # new rows are about to be inserted around the current one

    def __init__(
        self,
        ws: Workspace,
        query: MentionQuery | None = None,
        parent=None,
        tasks: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self._ws = ws
        self.tasks = tasks or TaskRunner(self)
        self._lane = f"inbox-pages-{id(self)}"
        self._filter = InboxFilter()
        self._query = query or to_query(self._filter, ws.actor)
        self._pager: MentionPager | None = None
        self._count = 0
        self._generation = 0
        self._loading: Task | None = None
        self._read_ahead = ReadAhead(self._discard)
        self._ahead_serial = 0
        # The filter read ahead last and the "now" its relative dates were read at:
        # set_filter reuses that "now", or a "last 7 days" query would never equal
        # the one read ahead (its start is computed from the clock).
        self._ahead_clock: tuple[InboxFilter, datetime] | None = None
        self._wanted: set[int] = set()
        self._highlight: Callable[[str], list[tuple[int, int]]] = lambda _t: []
        self.marked: set[int] = set()
        self._cells: dict[int, _RowCells] = {}
        self._bold = QFont()
        self._bold.setBold(True)
        self._star_brush = QBrush(QColor("#ca8a04"))
        self.load(self._query)

    # -- what is shown -------------------------------------------------------------

    @property
    def query(self) -> MentionQuery:
        """The SQL filter and sort asked for last (its rows may still be on their way)."""
        return self._query

    @property
    def filter(self) -> InboxFilter:
        """The current inbox filter."""
        return self._filter

    @property
    def pager(self) -> MentionPager | None:
        """The pager behind the shown rows (None before the first load arrives)."""
        return self._pager

    @property
    def lane(self) -> str:
        """The task-runner lane where this model's pager reads."""
        return self._lane

    def is_loading(self) -> bool:
        """True while a query or a reload is on its way."""
        return self._loading is not None

    def set_filter(self, flt: InboxFilter) -> Task:
        """Show another filter or sort (count and first page, read off the GUI thread).

        Raises:
            InvalidInput: The search text or a date cannot be read.
        """
        clock, self._ahead_clock = self._ahead_clock, None
        now = clock[1] if clock is not None and clock[0] == flt else None
        query = to_query(flt, self._ws.actor, now)
        search = compile_search(flt.search)
        self._filter = flt
        self._highlight = search.highlight
        return self.set_query(query)

    def set_query(self, query: MentionQuery) -> Task:
        """Show a raw query (used by tests and by click-to-filter from charts)."""
        return self.load(query)

    def read_ahead(self, flt: InboxFilter) -> Task | None:
        """Start reading ``flt``'s rows without showing them (a search being typed).

        :meth:`set_filter` with the same filter then shows them as soon as they are
        read, or at once when they already are (see ``read_ahead.py``). A filter that
        does not compile yet (an open quote) is simply not read ahead.

        Returns:
            The reading task, or None when nothing new is read.
        """
        now = datetime.now(UTC)
        try:
            query = to_query(flt, self._ws.actor, now)
        except EngageError:
            return None
        self._ahead_clock = (flt, now)
        if query == self._query:  # back to what is asked for: an older read ahead is moot
            self._read_ahead.drop()
            return None
        if query == self._read_ahead.query:
            return None
        # A key of its own: under a shared one the runner would cancel the previous
        # read ahead even once the model took it over as its load (its rows would
        # then never show). ReadAhead cancels the one it still holds itself.
        self._ahead_serial += 1
        task = self.tasks.start_in(
            self._lane, f"{self._lane}-ahead-{self._ahead_serial}", load_query, self._ws, query,
            self._page_size(), (), (),
        )  # fmt: skip
        task.discarded.connect(self._discard_loaded)
        self._read_ahead.start(query, task)
        return task

    def _page_size(self) -> int:
        return self._pager.page_size if self._pager is not None else 200

    def refresh(self) -> Task:
        """Re-read counts and pages (after a fetch or a change); old rows stay meanwhile."""
        return self.load(self._query, pages=self._cached_pages())

    def load(
        self,
        query: MentionQuery,
        *,
        keep_ids: tuple[int, ...] = (),
        keep_row: int | None = None,
        pages: Iterable[int] = (),
    ) -> Task:
        """Count ``query`` and read its pages in the lane; show them when they arrive.

        Args:
            query: What to show.
            keep_ids: Mentions whose new positions the result should carry.
            keep_row: Where the first of ``keep_ids`` is now: when the count and
                its position did not change, the new rows replace the old in place
                (no reset, so the selection and scroll position stay).
            pages: Page numbers to read besides the first.
        """
        keep_id = keep_ids[0] if keep_ids else None
        if self._loading is not None:  # superseded: stop its query (it may be a read ahead)
            self._loading.cancel()
        ahead = self._read_ahead.take(query) if not keep_ids and not pages else None
        self._read_ahead.drop()
        self._query = query
        self._generation += 1
        generation = self._generation
        if ahead is not None:
            return self._take_ahead(ahead, generation)
        task = self.tasks.start_in(
            self._lane, f"{self._lane}-load", load_query, self._ws, query, self._page_size(),
            keep_ids, tuple(pages),
        )  # fmt: skip
        self._loading = task
        task.succeeded.connect(
            lambda result, g=generation, k=keep_id, r=keep_row: self._arrived(result, g, k, r)
        )
        task.discarded.connect(self._discard_loaded)
        task.done.connect(lambda t=task: self._load_done(t))
        return task

    def _take_ahead(self, ahead: Ahead, generation: int) -> Task:
        """Show a read ahead's rows: when they arrive, or next turn of the event loop."""
        task = self._loading = ahead.task
        if ahead.result is not None:
            # Not at once: the caller (the view's apply_filter) expects the rows to
            # arrive after it returns, as from any load.
            result = ahead.result

            def show() -> None:
                self._arrived(result, generation, None, None)
                self._load_done(task)

            QTimer.singleShot(0, self, show)
        else:
            task.succeeded.connect(lambda r, g=generation: self._arrived(r, g, None, None))
            task.done.connect(lambda t=task: self._load_done(t))
        return task

    def _load_done(self, task: Task) -> None:
        if self._loading is task:
            self._loading = None

    def _arrived(
        self, result: Loaded, generation: int, keep_id: int | None, keep_row: int | None
    ) -> None:
        if generation != self._generation:  # a newer query was asked for meanwhile
            self._discard(result.pager)
            return
        old = self._pager
        result.in_place = (
            old is not None
            and result.pager.count() == self._count
            and (keep_id is None or result.positions.get(keep_id) == keep_row)
        )
        above = self._grown_above(result, keep_id, keep_row)
        if result.in_place:
            self._pager = result.pager
            self._cells.clear()
            self._wanted.clear()
            self.rows_changed()
        elif above is not None:
            result.grown = True
            self._grow(result.pager, above)
        else:
            self.beginResetModel()
            self._cells.clear()
            self._wanted.clear()
            self._pager = result.pager
            self._count = result.pager.count()
            self.endResetModel()
        if old is not None:
            self._discard(old)
        self.loaded.emit(result)

    def _grown_above(self, result: Loaded, keep_id: int | None, keep_row: int | None) -> int | None:
        """How many new rows sort above the kept mention, when new rows only came in.

        None when the rows cannot be shown by inserting (fewer rows, the kept mention
        gone, or more rows above it than came in): then the model is reset.
        """
        if self._pager is None or keep_id is None or keep_row is None:
            return None
        added = result.pager.count() - self._count
        now = result.positions.get(keep_id)
        if added <= 0 or now is None or not 0 <= now - keep_row <= added:
            return None
        return now - keep_row

    def _grow(self, pager: MentionPager, above: int) -> None:
        """Show ``pager``'s rows as ``above`` rows inserted at the top and the rest at the end.

        Where exactly the new rows sit does not matter to Qt's bookkeeping: what it
        keeps (the current row, the selection) moves by the rows inserted above it,
        which is exact for the kept mention, and every row is repainted from the new
        pages. A reset instead drops the selection, re-reads the detail and author
        panes and repaints from a blank table: on a busy machine a j/k stall each
        time a fetch lands (measured in ``benchmarks/responsiveness.py``).
        """
        below = pager.count() - self._count - above
        self.about_to_grow.emit()
        self._cells.clear()
        self._wanted.clear()
        self._pager = pager
        if above:
            self.beginInsertRows(QModelIndex(), 0, above - 1)
            self._count += above
            self.endInsertRows()
        if below:
            self.beginInsertRows(QModelIndex(), self._count, self._count + below - 1)
            self._count += below
            self.endInsertRows()
        self.rows_changed()

    def _discard_loaded(self, result: Loaded) -> None:
        """Close the pager of rows read for a load cancelled after they were read."""
        self._discard(result.pager)

    def _discard(self, pager: MentionPager) -> None:
        """Close a pager in the lane, after whatever it is still reading."""
        self.tasks.start_in(self._lane, f"{self._lane}-close-{id(pager)}", _close_pager, pager)

    def _cached_pages(self) -> list[int]:
        return [] if self._pager is None else list(self._pager._pages)

    def request_page(self, number: int) -> None:
        """Read page ``number`` in the lane unless it is cached or already asked for."""
        pager = self._pager
        if pager is None or number in self._wanted or number * pager.page_size >= self._count:
            return
        self._wanted.add(number)
        generation = self._generation
        task = self.tasks.start_in(
            self._lane, f"{self._lane}-page-{generation}-{number}", _read_page, pager, number
        )
        task.succeeded.connect(lambda n, g=generation: self._page_arrived(n, g))

    def _page_arrived(self, number: int, generation: int) -> None:
        if generation != self._generation or self._pager is None:
            return
        self._wanted.discard(number)
        size = self._pager.page_size
        first = number * size
        last = min(self._count, first + size) - 1
        if last < first:
            return
        for row in range(first, last + 1):
            self._cells.pop(row, None)
        self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
        self.page_loaded.emit(first, last)

    def position_of(self, mention_id: int) -> Task:
        """Where ``mention_id`` sits in the shown rows (a task; None when not there)."""
        if self._pager is None:
            return self.tasks.start(f"{self._lane}-position", lambda _s: None)
        return self.tasks.start_in(
            self._lane, f"{self._lane}-position", _position_of, self._pager, mention_id
        )

    def ids_in_range(self, ranges: list[tuple[int, int]]) -> list[int] | Task:
        """Ids of the rows in ``ranges`` (start, stop): at once when cached, else a task."""
        pager = self._pager
        if pager is None:
            return []
        ids: list[int] = []
        for start, stop in ranges:
            for row in range(start, stop):
                cached = pager.cached_row(row)
                if cached is None:
                    return self.tasks.start_in(
                        self._lane, f"{self._lane}-ids", _ids_in_range, pager, ranges
                    )
                ids.append(int(cached[_F["id"]]))
        return ids

    def rows_changed(self) -> None:
        """Repaint every row after its values changed in place (rows did not move)."""
        self._cells.clear()
        if self.rowCount():
            self.dataChanged.emit(
                self.index(0, 0), self.index(self.rowCount() - 1, len(COLUMNS) - 1)
            )

    def close(self) -> None:
        """Release the database cursor (in the lane, after what it still reads)."""
        self._generation += 1
        self._read_ahead.drop()
        if self._pager is not None:
            self._discard(self._pager)
            self._pager = None

    def _cached(self, row: int) -> tuple[Any, ...] | None:
        pager = self._pager
        if pager is None or not 0 <= row < self._count:
            return None
        found = pager.cached_row(row)
        if found is None:
            self.request_page(row // pager.page_size)
        return found

    def mention_id(self, row: int) -> int | None:
        """The id of the mention shown in ``row`` (None while its page is on its way)."""
        found = self._cached(row)
        return None if found is None else int(found[_F["id"]])

    def field(self, row: int, name: str) -> Any:
        """One field of a shown row (see ``ROW_FIELDS``; None while on its way)."""
        found = self._cached(row)
        return None if found is None else found[_F[name]]

    def row_of(self, mention_id: int) -> int | None:
        """The row of ``mention_id`` among the cached pages, if it is there."""
        pager = self._pager
        if pager is None:
            return None
        for number, rows in list(pager._pages.items()):
            for offset, found in enumerate(rows):
                if found[0] == mention_id:
                    return number * pager.page_size + offset
        return None

    # -- marks ---------------------------------------------------------------------

    def toggle_mark(self, row: int) -> None:
        """Mark or unmark a row for a bulk action."""
        mention_id = self.mention_id(row)
        if mention_id is None:
            return
        if mention_id in self.marked:
            self.marked.discard(mention_id)
        else:
            self.marked.add(mention_id)
        index = self.index(row, COL_MARK)
        self.dataChanged.emit(index, index)
        self.marks_changed.emit(len(self.marked))

    def clear_marks(self) -> None:
        """Unmark everything."""
        if self.marked:
            self.marked.clear()
            if self.rowCount():
                self.dataChanged.emit(
                    self.index(0, COL_MARK), self.index(self.rowCount() - 1, COL_MARK)
                )
            self.marks_changed.emit(0)

    # -- Qt model API --------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _MARK_FLAGS if index.column() == COL_MARK else _FLAGS

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if index.column() == COL_MARK and role == Qt.ItemDataRole.CheckStateRole:
            self.toggle_mark(index.row())
            return True
        return False

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            if section in SORT_OF_COLUMN:
                return f"Click to sort by {SORT_OF_COLUMN[section]}"
            if section == COL_MARK:
                return "Selected for a bulk action (x)"
        return None

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        # The view asks for the index of every cell it paints; the base class checks
        # it through rowCount and columnCount, two more Python callbacks per cell.
        if 0 <= row < self._count and 0 <= column < _COLUMN_COUNT and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # The view asks ~10 roles per visible cell on every paint: answer the
        # uninteresting ones at once and serve the rest from a per-row cache.
        if role not in _ROLES_USED or not index.isValid():
            return None
        cells = self._cells.get(index.row()) or self._row_cells(index.row())
        if cells is None:  # its page is on its way; the row repaints when it lands
            return None
        return self._value(cells, index.row(), index.column(), role)

    def multiData(self, index: Index, roleDataSpan: Any) -> None:
        """Every role a delegate asks of one cell, in one call.

        A painted cell's style option asks seven roles at once through this; each
        answered by ``data()`` was a callback of its own, and between callbacks the
        GUI thread may lose the GIL to a background thread (a stall under load).
        """
        cells = None
        if index.isValid():
            r, col = index.row(), index.column()
            cells = self._cells.get(r) or self._row_cells(r)
        if cells is None:  # its page is on its way; the row repaints when it lands
            for role_data in roleDataSpan:
                role_data.clearData()
            return
        value_of = self._value
        for role_data in roleDataSpan:
            role = role_data.role()
            value = value_of(cells, r, col, role) if role in _ROLES_USED else None
            if value is None:
                role_data.clearData()
            else:
                role_data.setData(value)

    def _value(self, cells: _RowCells, r: int, col: int, role: int) -> Any:
        """What ``data()`` answers for one cell and role (None: nothing)."""
        if role == _DISPLAY:
            return cells.display[col]
        if role == _CHECK:
            if col != COL_MARK:
                return None
            return _CHECKED if cells.mention_id in self.marked else _UNCHECKED
        if role == ChipsRole:
            return cells.chips.get(col)
        if role == HighlightRole:
            if col != COL_SNIPPET:
                return None
            if cells.spans is None:
                cells.spans = self._highlight(cells.display[COL_SNIPPET] or "")
            return cells.spans
        if role == _DECORATION:
            return cells.icon if col == COL_CHANNEL else None
        if role == _FONT:
            return self._bold if cells.unread and col in _BOLD_COLUMNS else None
        if role == _FOREGROUND:
            return self._star_brush if col == COL_MARK and cells.starred else None
        if role == _ALIGN:
            return _RIGHT if col == COL_PRIORITY else None
        if role == MentionIdRole:
            return cells.mention_id
        if role == _TOOLTIP:
            # Names, sources and snippets come from outside: shown literally.
            found = self._cached(r)
            return None if found is None else plain_tooltip(self._tooltip(found, col))
        return None

    def _row_cells(self, r: int) -> _RowCells | None:
        row = self._cached(r)
        if row is None:
            return None
        if len(self._cells) > 4 * 200:
            self._cells.clear()
        cells = _RowCells(
            mention_id=int(row[_F["id"]]),
            display=[self._display(row, c) for c in range(len(COLUMNS))],
            chips={c: self._chips(row, c) for c in (COL_SENTIMENT, COL_STATUS, COL_INTENT)},
            icon=channel_icon(row[_F["channel"]]),
            unread=bool(row[_F["unread"]]),
            starred=bool(row[_F["starred"]]),
        )
        self._cells[r] = cells
        return cells

    @staticmethod
    def _tooltip(row: tuple[Any, ...], col: int) -> str | None:
        if col == COL_CHANNEL:
            return f"{row[_F['channel']]} · {row[_F['source_name']] or ''}"
        if col == COL_SNIPPET:
            return row[_F["snippet"]]
        if col == COL_AUTHOR:
            followers = row[_F["followers"]]
            handle = row[_F["author_handle"]] or ""
            return f"@{handle}" + (f" · {followers:,} followers" if followers else "")
        if col == COL_MARK and row[_F["starred"]]:
            return "Starred"
        if col == COL_INTENT:
            intents = ", ".join(row[_F["intents"]] or []) or "none"
            tags = ", ".join(f"#{t}" for t in row[_F["tags"]] or []) or "none"
            return f"Intents (from the rules): {intents}\nYour tags: {tags}"
        if col == COL_SENTIMENT:
            return sentiment_tooltip(row)
        if col == COL_STATUS and row[_F["from_archive"]]:
            return (
                f"From the attached archive (read-only); status when archived: "
                f"{row[_F['status']]}. File › Detach Archive hides archived mentions."
            )
        return None

    @staticmethod
    def _chips(row: tuple[Any, ...], col: int) -> list[tuple[str, str]] | None:
        if col == COL_SENTIMENT:
            label = row[_F["sentiment_label"]]
            source = row[_F["sentiment_source"]]
            text = sentiment_text(label, row[_F["sentiment"]], source, chip=True)
            if text == "not scored":
                return [(text, SENTIMENT_COLORS["unscored"])]
            return [(text, SENTIMENT_COLORS.get(label, "#8c96a8"))]
        if col == COL_STATUS:
            status = row[_F["status"]]
            if row[_F["from_archive"]]:  # read-only history; its status is in the tooltip
                return [("archived", ARCHIVE_COLOR)]
            return [(status, STATUS_COLORS.get(status, "#374151"))]
        if col == COL_INTENT:  # the model's intents filled, the user's tags outlined
            intents = [(i, INTENT_COLOR) for i in (row[_F["intents"]] or [])]
            return intents + [(f"#{t}", TAG_COLOR, OUTLINE) for t in (row[_F["tags"]] or [])]
        return None

    @staticmethod
    def _display(row: tuple[Any, ...], col: int) -> str | None:
        if col == COL_MARK:
            return "★" if row[_F["starred"]] else ""
        if col == COL_TIME:
            published: datetime = row[_F["published"]]
            # Archived rows are often from other years: say which.
            return published.strftime("%d %b %Y" if row[_F["from_archive"]] else "%d %b %H:%M")
        if col == COL_AUTHOR:
            reach = reach_text(row[_F["followers"]])
            name = row[_F["author_name"]] or row[_F["author_handle"]] or "unknown"
            return f"{name}  ·  {reach}" if reach else name
        if col == COL_SNIPPET:
            title, snippet = row[_F["title"]], (row[_F["snippet"]] or "").replace("\n", " ")
            return f"{title} — {snippet}" if title else snippet
        if col == COL_SENTIMENT:
            return sentiment_text(
                row[_F["sentiment_label"]], row[_F["sentiment"]], row[_F["sentiment_source"]]
            )
        if col == COL_INTENT:
            tags = [f"#{t}" for t in row[_F["tags"]] or []]
            return ", ".join([*(row[_F["intents"]] or []), *tags])
        if col == COL_TOPIC:
            return ", ".join(row[_F["topics"]] or [])
        if col == COL_STATUS:
            return row[_F["status"]]
        if col == COL_OWNER:
            return row[_F["owner"]] or ""
        if col == COL_PRIORITY:
            priority = row[_F["priority"]]
            return "" if priority is None else f"{priority:.0f}"  # of 100
        return None
