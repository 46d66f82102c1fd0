"""The moment the inbox has painted its first rows: when the window's start-up is over.

Work that helps later but not now (loading VADER for the composer's tone check,
warming caches) waits for :attr:`FirstRows.painted`, so it never competes with the
GUI thread for the interpreter while the window builds and paints its first screen.
The benchmarks' start-up figure (``ui/first_paint.py``) is taken at the same moment.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QTableView


class FirstRows(QObject):
    """Emits :attr:`painted` once, after the first paint that shows the inbox's rows.

    An empty inbox counts once its first load is in (it has no rows to wait for).
    """

    painted = Signal()

    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        self.table = table
        self.done = False
        table.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """On each paint of the table, until the rows are there."""
        if event.type() == QEvent.Type.Paint and not self.done and self._rows_arrived():
            self.done = True
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self, self.painted.emit)  # after this paint has run
        return False

    def _rows_arrived(self) -> bool:
        model = self.table.model()
        pager = getattr(model, "pager", None)
        if pager is None:  # the first load is still on its way
            return False
        return model.rowCount() == 0 or pager.cached_row(0) is not None
