"""Painting of inbox cells: snippets with highlighted matches, and chips.

Both delegates draw the item background through the style first, so selection,
alternating rows and focus look native; then they paint their own content.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QModelIndex, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from engage_desktop.ui.inbox.model import ChipsRole, HighlightRole

HIGHLIGHT = QColor("#fde68a")


class SnippetDelegate(QStyledItemDelegate):
    """The mention text on one line, elided, with matched terms on a yellow mark."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text, opt.text = opt.text, ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        spans = index.data(HighlightRole) or []
        rect = opt.rect.adjusted(6, 0, -6, 0)
        metrics = QFontMetrics(opt.font)
        painter.save()
        painter.setFont(opt.font)
        painter.setClipRect(opt.rect)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        color = opt.palette.highlightedText() if selected else opt.palette.text()
        painter.setPen(color.color())
        # Elide once, then paint the visible text in plain and marked runs.
        shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        x = float(rect.left())
        baseline = rect.top() + (rect.height() + metrics.ascent() - metrics.descent()) / 2
        pos = 0
        for start, end in [*spans, (len(text), len(text))]:
            for a, b, marked in ((pos, start, False), (start, end, True)):
                a, b = min(a, len(shown)), min(b, len(shown))
                if b <= a:
                    continue
                piece = shown[a:b]
                width = metrics.horizontalAdvance(piece)
                if marked:
                    painter.fillRect(QRectF(x, rect.top() + 4, width, rect.height() - 8), HIGHLIGHT)
                painter.drawText(int(x), int(baseline), piece)
                x += width
            pos = max(pos, end)
        painter.restore()


def chip_font(base: QFont) -> QFont:
    """The pills' font (also used to size their columns)."""
    font = QFont(base)
    font.setPixelSize(11)
    font.setBold(True)
    return font


def chips_width(base: QFont, texts: list[str]) -> int:
    """Room for the widest single pill of ``texts`` (with the cell's margins)."""
    metrics = QFontMetrics(chip_font(base))
    return max(metrics.horizontalAdvance(t) for t in texts) + 12 + 12


#: Pills drawn once and kept (sentiment scores, statuses, intents, tags repeat; each
#: pixmap is ~5 kB, so at most ~2.5 MB).
PILL_CACHE_SIZE = 512


class ChipDelegate(QStyledItemDelegate):
    """Rounded pills (sentiment, status, intents, tags) from the model's ChipsRole.

    Each distinct pill is drawn once into a pixmap and then copied: an antialiased
    rounded rectangle and its centred text cost ~20 µs a pill, on the GUI thread, for
    the three or four chip columns of every row painted (a first paint after a sort
    draws ~40 such cells), and a copy ~1 µs.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._pills: dict[tuple, QPixmap] = {}
        self._fonts: dict[str, tuple[QFont, QFontMetrics]] = {}

    def _font(self, base: QFont) -> tuple[QFont, QFontMetrics]:
        key = base.key()
        found = self._fonts.get(key)
        if found is None:
            font = chip_font(base)
            found = self._fonts[key] = (font, QFontMetrics(font))
        return found

    def _pill(
        self, chip: tuple, font: QFont, width: int, height: int, offset: float, ratio: float
    ) -> QPixmap:
        """One pill, drawn at ``offset`` pixels below the pixmap's top (a row's half pixel)."""
        key = (chip, font.key(), width, height, offset, ratio)
        pixmap = self._pills.get(key)
        if pixmap is not None:
            return pixmap
        if len(self._pills) >= PILL_CACHE_SIZE:
            self._pills.clear()
        text, color = chip[0], chip[1]
        pixmap = QPixmap(math.ceil(width * ratio), math.ceil((height + offset) * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(font)
        pill = QRectF(0, offset, width, height)
        if len(chip) > 2:  # the user's tags: outlined, the model's intents: filled
            painter.setPen(QColor(color))
            painter.setBrush(QColor("white"))
            painter.drawRoundedRect(pill.adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(color))
            painter.drawRoundedRect(pill, height / 2, height / 2)
            painter.setPen(QColor("white"))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()
        self._pills[key] = pixmap
        return pixmap

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        chips = index.data(ChipsRole)
        if not chips:
            super().paint(painter, option, index)
            return
        # Only the cell's background (selection, alternate rows) and focus frame come
        # from the style: initStyleOption would ask the model for ten roles per cell,
        # and the chip columns are four of every row repainted on each j/k.
        opt = option
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, opt.widget)
        if opt.state & QStyle.StateFlag.State_HasFocus:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_FrameFocusRect, opt, painter, opt.widget)
        font, metrics = self._font(opt.font)
        rect = opt.rect
        x = rect.left() + 4
        height = min(18, rect.height() - 6)
        top = rect.top() + (rect.height() - height) / 2
        row_top = math.floor(top)
        ratio = painter.device().devicePixelRatioF()
        painter.save()
        painter.setClipRect(rect)
        for chip in chips:
            width = metrics.horizontalAdvance(chip[0]) + 12
            if x + width > rect.right() and x > rect.left() + 4:
                painter.setFont(font)
                painter.setPen(opt.palette.text().color())
                painter.drawText(int(x), int(top + height - 4), "…")
                break
            pixmap = self._pill(chip, font, width, height, top - row_top, ratio)
            painter.drawPixmap(QPointF(x, row_top), pixmap)
            x += width + 4
        painter.restore()
