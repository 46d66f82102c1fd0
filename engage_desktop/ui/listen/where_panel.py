""" "Where they talk": the places customers mention the brand, ranked, with a source
to add for each place nobody listens to yet.

Every read and write runs through the window's TaskRunner: ``locate`` when the panel
is shown or refreshed, the back-test when a place is chosen, and the add after the
user confirmed the back-test. Names, addresses and samples come from outside and are
shown as plain text only.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engage_desktop.listen.locate import (
    Located,
    Place,
    PlaceBacktest,
    add_place,
    backtest_place,
    kind_words,
    locate,
)
from engage_desktop.ui.ops import OpChanges, Operations
from engage_desktop.ui.safe_text import plain_label, plain_tooltip
from engage_desktop.ui.tasks import TaskRunner
from engage_desktop.workspace.database import Workspace

COLUMNS = ("#", "Place", "Kind", "Mentions", "Growth", "Negative", "Listening", "Source to add")
DAY_CHOICES = (7, 30, 90)
_GREEN, _AMBER, _RED, _GREY = "#15803d", "#b45309", "#b91c1c", "#6b7280"


def _right(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _locate_job(state, ws: Workspace, days: int) -> Located:
    return locate(ws, days, state=state)


def _backtest_job(state, ws: Workspace, place: Place) -> tuple[Place, PlaceBacktest]:
    return place, backtest_place(ws, place)


def _add_job(ws: Workspace, place: Place):
    return add_place(ws, place)


class WherePanel(QWidget):
    """The ranked places, their figures, and "Add source…" with its back-test."""

    source_added = Signal(int)  # the new source's id

    def __init__(
        self,
        ws: Workspace,
        tasks: TaskRunner,
        parent: QWidget | None = None,
        ops: Operations | None = None,
    ) -> None:
        super().__init__(parent)
        self.ws = ws
        self.tasks = tasks
        # Reads are this panel's tasks; adding a source goes through the window's writer.
        self.ops = ops or Operations(tasks, self)
        self.located: Located | None = None
        self.loading = False
        self.pending_confirm: QMessageBox | None = None  # the open confirmation, if any
        self.intro = QLabel(
            "<b>Where they talk</b> — places in your stored mentions and the links inside "
            "them, the ones nobody listens to yet first"
        )
        self.days = QComboBox()
        for d in DAY_CHOICES:
            self.days.addItem(f"last {d} days", d)
        self.days.setCurrentIndex(DAY_CHOICES.index(30))
        self.days.setToolTip("Growth compares this window with the one before it")
        self.refresh_button = QPushButton("Refresh")
        self.add_button = QPushButton("Add source…")
        self.add_button.setObjectName("primary")
        self.add_button.setToolTip("Shows what the source would have matched, then adds it")
        self.status = plain_label(QLabel())
        self.status.setObjectName("subtitle")
        bar = QHBoxLayout()
        bar.addWidget(self.intro, 1)
        bar.addWidget(self.days)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.add_button)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(7, QHeaderView.ResizeMode.Stretch)
        for col, width in ((0, 34), (1, 230), (2, 124), (3, 80), (4, 66), (5, 74), (6, 236)):
            self.table.setColumnWidth(col, width)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)

        self.refresh_button.clicked.connect(self.refresh)
        self.days.currentIndexChanged.connect(lambda _i: self.refresh())
        self.add_button.clicked.connect(self.add_selected)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _i: self.add_selected())
        self._update_buttons()

    # -- reading ---------------------------------------------------------------------

    def refresh(self) -> None:
        """Rank the places again in the background (the table stays until it is done)."""
        days = int(self.days.currentData())
        self.loading = True
        self.status.setText(f"Reading the last {2 * days} days of mentions…")
        task = self.tasks.start("locate", _locate_job, self.ws, days)
        task.succeeded.connect(self._show)
        task.failed.connect(lambda msg: self.status.setText(f"Could not rank places: {msg}"))
        task.done.connect(self._loaded)

    def _loaded(self) -> None:
        self.loading = False
        self._update_buttons()

    def selected_place(self) -> Place | None:
        """The place of the selected row."""
        rows = self.table.selectionModel().selectedRows()
        if not rows or self.located is None:
            return None
        return self.located.places[rows[0].row()]

    def _update_buttons(self) -> None:
        place = self.selected_place()
        can_add = place is not None and not place.watched and place.suggestion is not None
        self.add_button.setEnabled(can_add and not self.ws.read_only and not self.loading)

    def _show(self, found: Located) -> None:
        keep = self.selected_place()
        self.located = found
        self.table.setRowCount(len(found.places))
        for r, p in enumerate(found.places):
            negative = _right(f"{p.share_negative:.0%}")
            if p.share_negative >= 0.4:
                negative.setForeground(QBrush(QColor(_RED)))
            growth = _right(p.growth_words())
            if p.growth is None or p.growth > 0.25:
                growth.setForeground(QBrush(QColor(_AMBER)))
            listening = QTableWidgetItem("✓ " + p.watched_by if p.watched_by else "not yet")
            listening.setForeground(QBrush(QColor(_GREEN if p.watched else _GREY)))
            offer = p.suggestion
            source = QTableWidgetItem(offer.label if offer else "—")
            if offer is not None:
                needs = f"\nNeeds: {offer.needs}" if offer.needs else ""
                tip = f"{offer.kind}: {offer.url}{needs}"
                source.setToolTip(plain_tooltip(tip))
            name = QTableWidgetItem(p.name)
            linked = f"\n{p.linked:,} of them only link here" if p.linked else ""
            name.setToolTip(plain_tooltip(f"{p.key}{linked}"))
            cells = (_right(str(p.rank)), name, QTableWidgetItem(kind_words(p.kind)),
                     _right(f"{p.volume:,}"), growth, negative, listening, source)  # fmt: skip
            for c, item in enumerate(cells):
                self.table.setItem(r, c, item)
            if keep is not None and p.key == keep.key:
                self.table.selectRow(r)
        waiting = sum(1 for p in found.places if not p.watched)
        self.status.setText(
            f"{len(found.places)} places in {found.mentions:,} mentions of the last "
            f"{found.days} days · {waiting} not listened to yet · ranked in "
            f"{found.seconds:.1f} s"
            if found.places
            else f"No mentions in the last {found.days} days: fetch or import some first."
        )
        self._update_buttons()

    # -- adding ----------------------------------------------------------------------

    def add_selected(self) -> None:
        """Back-test the selected place's source in the background, then ask to add it."""
        place = self.selected_place()
        if place is None or place.watched or place.suggestion is None or self.ws.read_only:
            return
        self.status.setText(f"Back-testing {place.name}…")
        self.add_button.setEnabled(False)
        task = self.tasks.start("locate.backtest", _backtest_job, self.ws, place)
        task.succeeded.connect(lambda result: self._confirm(*result))
        task.failed.connect(lambda msg: self.status.setText(f"Back-test failed: {msg}"))
        task.done.connect(self._update_buttons)

    def confirm_text(self, place: Place, test: PlaceBacktest) -> str:
        """What the confirmation says (also used by tests)."""
        offer = place.suggestion
        assert offer is not None
        lines = [f"{offer.label}\n{offer.url}", ""]
        if test.matched:
            lines.append(
                f"In the stored history it would have matched {test.matched:,} mentions "
                f"({test.negative:,} negative), {test.first:%Y-%m-%d} to {test.last:%Y-%m-%d}:"
            )
            lines += [f"  {when:%Y-%m-%d}  {head[:90]}" for when, head in test.samples]
        else:
            lines.append("No stored mention there matches a watch query yet.")
        if offer.needs:
            lines += ["", f"Note: {offer.needs}."]
        return "\n".join(lines)

    def _confirm(self, place: Place, test: PlaceBacktest) -> None:
        self.status.setText("")
        box = QMessageBox(self)
        box.setWindowTitle("Add source")
        box.setTextFormat(Qt.TextFormat.PlainText)  # names and samples come from outside
        box.setText(f"Listen at {place.name}?")
        box.setInformativeText(self.confirm_text(place, test))
        box.setStandardButtons(QMessageBox.StandardButton.Cancel)
        add = box.addButton("Add source", QMessageBox.ButtonRole.AcceptRole)
        self.pending_confirm = box  # tests answer it
        box.exec()
        self.pending_confirm = None
        if box.clickedButton() is add:
            self.add_confirmed(place)

    def add_confirmed(self, place: Place) -> None:
        """Add the place's source in the background, then rank again."""
        self.status.setText(f"Adding {place.name}…")
        task = self.ops.write(OpChanges(sources=True), _add_job, self.ws, place, initiator=self)
        task.succeeded.connect(self._added)
        task.failed.connect(lambda msg: self.status.setText(f"Could not add the source: {msg}"))

    def _added(self, result) -> None:
        self.status.setText(f"Added source {result.name}; it is fetched with the others.")
        self.source_added.emit(result.id)
        self.refresh()

    def wait_until_ready(self, timeout_s: float = 30.0) -> bool:
        """Process events until the ranking is shown (screenshots)."""
        from PySide6.QtCore import QCoreApplication, QThread

        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.located is not None and not self.loading:
                QCoreApplication.processEvents()
                return True
            QCoreApplication.processEvents()
            QThread.msleep(10)
        return False
