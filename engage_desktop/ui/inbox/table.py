"""The inbox's mention table: a ``QTableView`` that scrolls by moving pixels.

Qt scrolls a widget by moving what is already drawn only when the widget is opaque.
The style sheet leaves an item view's viewport see-through (it paints the sheet's
background under it), so every j/k past the last visible row repainted every
visible row: 14 rows instead of 3, twice the GUI thread's CPU per key on the 1M
demo (``benchmarks/responsiveness.py``). Turning the viewport's own background fill
back on does not last: the style sheet turns it off again whenever it re-polishes
the view (after a dialog, for one). So the viewport says it paints every pixel
itself, and the table fills the part to repaint with the sheet's base colour before
the rows are drawn over it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QTableView, QWidget

from engage_desktop.core.foreground import foreground_busy


class MentionTable(QTableView):
    """A table view whose viewport is opaque, so a one-row scroll repaints one row."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)

    def paintEvent(self, event: QPaintEvent) -> None:
        # Background threads hold back their next GIL-holding step meanwhile: a
        # full repaint is ~40 Python callbacks into the model and the delegates, and
        # between any two of them the GIL could go to a background batch.
        with foreground_busy():
            viewport = self.viewport()
            painter = QPainter(viewport)
            painter.fillRect(event.rect(), viewport.palette().base())
            painter.end()
            super().paintEvent(event)
