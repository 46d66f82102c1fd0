"""Saved views in a sidebar, each with a live count.

The views and their counts are read by the inbox in a task (:meth:`set_views`,
:meth:`set_counts`); saving and deleting go through the window's writer.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHeaderView,
    QInputDialog,
    QLabel,
    QMenu,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engage_desktop.inbox.filters import InboxFilter, describe
from engage_desktop.inbox.saved_views import SavedView, delete_view, save_view
from engage_desktop.ui.ops import OpChanges, Operations
from engage_desktop.ui.safe_text import plain_tooltip
from engage_desktop.ui.tasks import Task
from engage_desktop.workspace.database import Workspace

ViewRole = Qt.ItemDataRole.UserRole + 1
ALL = SavedView(-1, "All mentions", InboxFilter())


class SavedViewsSidebar(QWidget):
    """ "All mentions" and the saved views; choosing one emits its filter."""

    view_chosen = Signal(object)  # InboxFilter
    save_requested = Signal()
    views_changed = Signal()

    def __init__(self, ws: Workspace, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.ops = ops
        self.tree = QTreeWidget()
        self.tree.setObjectName("views")
        self.tree.setColumnCount(2)
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(0)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(False)
        self.tree.itemClicked.connect(self._clicked)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.save_button = QPushButton("Save current view…")
        self.save_button.setEnabled(not ws.read_only)
        self.save_button.clicked.connect(self.save_requested)
        heading = QLabel("Views")
        heading.setStyleSheet("font-weight: 600; color: #374151;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.save_button)
        self.setMinimumWidth(200)
        self.views: list[SavedView] = []
        self.set_views([])

    def set_views(self, saved: list[SavedView]) -> None:
        """Show ``saved`` after "All mentions" (counts come with :meth:`set_counts`)."""
        if [ALL, *saved] == self.views:
            return
        self.views = [ALL, *saved]
        current = self.current_view_id()
        self.tree.clear()
        for view in self.views:
            item = QTreeWidgetItem([view.name, "…"])
            item.setData(0, ViewRole, view.id)
            item.setToolTip(0, plain_tooltip(describe(view.filter)))
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setForeground(1, Qt.GlobalColor.darkGray)
            self.tree.addTopLevelItem(item)
        wanted = getattr(self, "_select_when_listed", None)
        self._select_when_listed = None
        self.select_view(wanted or (current if current is not None else ALL.id))

    def filters(self) -> list[InboxFilter]:
        """The filter of every row, in order (for counting)."""
        return [v.filter for v in self.views]

    def set_counts(self, counts: list[int]) -> None:
        """Show live counts (one per row, as from :meth:`filters`)."""
        for i, count in enumerate(counts[: self.tree.topLevelItemCount()]):
            self.tree.topLevelItem(i).setText(1, f"{count:,}")

    def count_of(self, name: str) -> str:
        """The count shown next to a view (for tests and screen readers)."""
        for i, view in enumerate(self.views):
            if view.name == name:
                return self.tree.topLevelItem(i).text(1)
        raise KeyError(name)

    def current_view_id(self) -> int | None:
        """The highlighted view, if any."""
        item = self.tree.currentItem()
        return None if item is None else item.data(0, ViewRole)

    def select_view(self, view_id: int | None) -> None:
        """Highlight a view without emitting (the filter was set elsewhere)."""
        self.tree.blockSignals(True)
        self.tree.clearSelection()
        self.tree.setCurrentItem(None)
        for i, view in enumerate(self.views):
            if view.id == view_id:
                self.tree.setCurrentItem(self.tree.topLevelItem(i))
        self.tree.blockSignals(False)

    def choose(self, name: str) -> None:
        """Open the view called ``name`` (what a click does)."""
        for i, view in enumerate(self.views):
            if view.name == name:
                item = self.tree.topLevelItem(i)
                self.tree.setCurrentItem(item)
                self._clicked(item)
                return
        raise KeyError(name)

    def view_matching(self, flt: InboxFilter) -> int | None:
        """The id of the view whose filter is exactly ``flt``."""
        for view in self.views:
            if view.filter == flt:
                return view.id
        return None

    def save(self, name: str, flt: InboxFilter) -> Task:
        """Save ``flt`` as a view (by the writer); it shows once the views are re-read."""
        task = self.ops.write(OpChanges(views=True), save_view, self.ws, name, flt)
        task.succeeded.connect(self._saved)
        return task

    def _saved(self, view: SavedView) -> None:
        self._select_when_listed = view.id
        self.views_changed.emit()

    def ask_and_save(self, flt: InboxFilter) -> Task | None:
        """Ask for a name, then save."""
        name, ok = QInputDialog.getText(self, "Save view", "Name of the view:")
        if not ok or not name.strip():
            return None
        return self.save(name, flt)

    def _clicked(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        view_id = item.data(0, ViewRole)
        for view in self.views:
            if view.id == view_id:
                self.view_chosen.emit(view.filter)
                return

    def _context_menu(self, pos) -> None:
        item = self.tree.itemAt(pos)
        if item is None or self.ws.read_only:
            return
        view_id = item.data(0, ViewRole)
        if view_id is None or view_id <= 0:
            return
        menu = QMenu(self)
        remove = menu.addAction(f"Delete “{item.text(0)}”")
        if menu.exec(self.tree.viewport().mapToGlobal(pos)) is remove:
            task = self.ops.write(OpChanges(views=True), delete_view, self.ws, view_id)
            task.succeeded.connect(lambda _r: self.views_changed.emit())
