"""The inbox's chip cells draw each distinct pill once and copy it afterwards."""

from __future__ import annotations


def test_chip_cells_copy_cached_pills(qtbot):
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QColor, QImage, QPainter, QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QStyleOptionViewItem

    from engage_desktop.ui.inbox.delegates import ChipDelegate
    from engage_desktop.ui.inbox.model import ChipsRole

    model = QStandardItemModel(1, 1)
    item = QStandardItem()
    item.setData([("negative", "#dc2626"), ("#vip", "#0f766e", "outline")], ChipsRole)
    model.setItem(0, 0, item)
    delegate = ChipDelegate()
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 220, 27)  # an odd height: the pills sit half a pixel down

    def painted() -> QImage:
        image = QImage(220, 27, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(QColor("white"))
        painter = QPainter(image)
        delegate.paint(painter, option, model.index(0, 0))
        painter.end()
        return image

    first = painted()
    assert len(delegate._pills) == 2  # one pixmap per distinct pill
    assert painted() == first  # the copies paint what the drawing did
    assert len(delegate._pills) == 2
    assert first.pixelColor(6, 13) == QColor("#dc2626")  # inside the filled pill
    item.setData([("positive", "#16a34a")], ChipsRole)
    painted()
    assert len(delegate._pills) == 3
