"""The report as PDF, painted with Qt's own PDF writer (QPdfWriter + QPainter).

The blocks of :mod:`engage_desktop.dashboard.share.document` flow down A4 or Letter
pages with a header line and "Page N of M" on each; charts are the report's SVG,
painted by QSvgRenderer as vector paths; Qt embeds the (subset) fonts. Layout runs
twice: a dry pass counts the pages, the second paints them.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)
from PySide6.QtSvg import QSvgRenderer

from engage_desktop.core.errors import EngageError
from engage_desktop.dashboard.share.document import (
    TONE_COLORS,
    Block,
    Chart,
    Document,
    Figures,
    Heading,
    Para,
    Quote,
    Table,
)
from engage_desktop.dashboard.share.report import ReportOptions, ReportSummary, prepare
from engage_desktop.workspace.database import Workspace

DPI = 96  # one layout unit is one CSS pixel, like the SVG charts
MARGIN_MM = 16
INK, MUTED, RULE = QColor("#1f2937"), QColor("#6b7280"), QColor("#e5e7eb")
FAMILY = "DejaVu Sans"
PAGE_SIZES = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}


def _font(size: float, bold: bool = False) -> QFont:
    font = QFont(FAMILY)
    font.setPointSizeF(size)
    font.setBold(bold)
    return font


class _Flow:
    """Blocks flowing down pages; ``paint`` False only measures (counts pages)."""

    def __init__(
        self, writer: QPdfWriter, doc: Document, painter: QPainter | None, total: int = 0
    ) -> None:
        self.writer, self.doc, self.p = writer, doc, painter
        rect = writer.pageLayout().paintRectPixels(DPI)
        self.width = float(rect.width())
        self.height = float(rect.height())
        self.top = 34.0  # below the running header
        self.bottom = self.height - 30.0  # above the page number
        self.y = self.top
        self.page = 1
        self.total = total
        self._decorate()

    # -- pages ----------------------------------------------------------------------

    def _decorate(self) -> None:
        if self.p is None:
            return
        p = self.p
        p.setFont(_font(8))
        p.setPen(MUTED)
        header = QFontMetricsF(p.font(), self.writer).elidedText(
            self.doc.header, Qt.TextElideMode.ElideRight, self.width - 120
        )
        p.drawText(QRectF(0, 0, self.width - 110, 16), Qt.AlignmentFlag.AlignLeft, header)
        p.drawText(
            QRectF(self.width - 110, 0, 110, 16), Qt.AlignmentFlag.AlignRight, "engage-desktop"
        )
        p.setPen(QPen(RULE, 1))
        p.drawLine(0, 20, int(self.width), 20)
        p.setPen(MUTED)
        p.drawText(
            QRectF(0, self.height - 16, self.width, 16),
            Qt.AlignmentFlag.AlignCenter,
            f"Page {self.page} of {self.total}",
        )

    def new_page(self) -> None:
        if self.p is not None:
            self.writer.newPage()
        self.page += 1
        self.y = self.top
        self._decorate()

    def need(self, height: float) -> None:
        """Start a new page unless ``height`` fits below the cursor."""
        if self.y + height > self.bottom and self.y > self.top:
            self.new_page()

    # -- text -----------------------------------------------------------------------

    def text_height(self, text: str, font: QFont, width: float) -> float:
        metrics = QFontMetricsF(font, self.writer)
        flags = int(Qt.TextFlag.TextWordWrap)
        return metrics.boundingRect(QRectF(0, 0, width, 1e6), flags, text).height()

    def text(
        self, text: str, font: QFont, color: QColor, x: float = 0.0, width: float | None = None
    ) -> float:
        width = self.width - x if width is None else width
        h = self.text_height(text, font, width)
        if self.p is not None:
            self.p.setFont(font)
            self.p.setPen(color)
            self.p.drawText(QRectF(x, self.y, width, h + 2), int(Qt.TextFlag.TextWordWrap), text)
        return h

    # -- blocks ---------------------------------------------------------------------

    def title(self) -> None:
        self.y += self.text(self.doc.title, _font(20, True), INK) + 4
        self.y += self.text(self.doc.subtitle, _font(9), MUTED) + 14

    def block(self, block: Block, next_block: Block | None) -> None:
        if isinstance(block, Heading):
            self.heading(block, next_block)
        elif isinstance(block, Para):
            font = _font(8.5 if block.muted else 9.5)
            self.need(self.text_height(block.text, font, self.width))
            self.y += self.text(block.text, font, MUTED if block.muted else INK) + 8
        elif isinstance(block, Figures):
            self.figures(block)
        elif isinstance(block, Chart):
            self.chart(block)
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Quote):
            self.quote(block)

    def heading(self, block: Heading, next_block: Block | None) -> None:
        font = _font(14 if block.level == 1 else 11, True)
        h = self.text_height(block.text, font, self.width)
        # A heading stays with the start of what it introduces.
        follow = 90.0
        if isinstance(next_block, Chart):  # the chart, its caption and their spacing
            follow = min(next_block.height * self.width / next_block.width, 260.0) + 70
        elif isinstance(next_block, Table):  # as much of the table as table() keeps whole
            row_h = QFontMetricsF(_font(8.5), self.writer).height() + 7
            whole = row_h * (len(next_block.rows) + 1)
            follow = (whole if whole < (self.bottom - self.top) / 2 else row_h * 4) + 4
        if block.new_page and self.y > self.top:
            self.new_page()
        self.need(h + 14 + follow)
        self.y += 10 if block.level == 1 else 4
        self.y += self.text(block.text, font, INK)
        if block.level == 1 and self.p is not None:
            self.p.setPen(QPen(RULE, 1.5))
            self.p.drawLine(0, int(self.y + 3), int(self.width), int(self.y + 3))
        self.y += 10 if block.level == 1 else 5

    def figures(self, block: Figures) -> None:
        per_row, gap, h = 3, 10.0, 66.0
        w = (self.width - gap * (per_row - 1)) / per_row
        for start in range(0, len(block.items), per_row):
            self.need(h + gap)
            for i, fig in enumerate(block.items[start : start + per_row]):
                x = i * (w + gap)
                if self.p is None:
                    continue
                p = self.p
                p.setPen(QPen(RULE, 1))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRoundedRect(QRectF(x, self.y, w, h), 5, 5)
                self._line(fig.label, _font(8), MUTED, x + 9, self.y + 6, w - 18)
                self._line(fig.value, _font(15, True), INK, x + 9, self.y + 20, w - 18)
                self._line(
                    fig.change,
                    _font(7.5),
                    QColor(TONE_COLORS.get(fig.tone, "#6b7280")),
                    x + 9,
                    self.y + 46,
                    w - 18,
                )
            self.y += h + gap
        self.y += 4

    def _line(self, text: str, font: QFont, color: QColor, x: float, y: float, w: float) -> None:
        """One line of text, elided to ``w``."""
        metrics = QFontMetricsF(font, self.writer)
        shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, w)
        self.p.setFont(font)
        self.p.setPen(color)
        self.p.drawText(QRectF(x, y, w, metrics.height() + 2), Qt.AlignmentFlag.AlignLeft, shown)

    def chart(self, block: Chart) -> None:
        scale = min(1.0, self.width / block.width)
        w, h = block.width * scale, block.height * scale
        cap_font = _font(8)
        cap = self.text_height(block.caption, cap_font, self.width) if block.caption else 0
        self.need(h + cap + 12)
        if self.p is not None:
            renderer = QSvgRenderer(QByteArray(block.svg.encode("utf-8")))
            renderer.render(self.p, QRectF(0, self.y, w, h))
        self.y += h + 4
        if block.caption:
            self.y += self.text(block.caption, cap_font, MUTED)
        self.y += 12

    def table(self, block: Table) -> None:
        font, head_font = _font(8.5), _font(8)
        row_h = QFontMetricsF(font, self.writer).height() + 7
        widths = block.widths or tuple(1 / len(block.headers) for _ in block.headers)
        xs = [0.0]
        for frac in widths:
            xs.append(xs[-1] + frac * self.width)
        # A table that fits on half a page stays whole; a longer one starts with a few rows.
        whole = row_h * (len(block.rows) + 1)
        self.need(whole if whole < (self.bottom - self.top) / 2 else row_h * 4)
        self._row(block.headers, head_font, MUTED, xs, row_h, block.numeric)
        for row in block.rows:
            if self.y + row_h > self.bottom:
                self.new_page()
                self._row(block.headers, head_font, MUTED, xs, row_h, block.numeric)
            self._row(row, font, INK, xs, row_h, block.numeric)
        self.y += 10

    def _row(self, cells, font, color, xs, row_h, numeric) -> None:
        if self.p is not None:
            metrics = QFontMetricsF(font, self.writer)
            self.p.setFont(font)
            self.p.setPen(color)
            for i, cell in enumerate(cells):
                left, right = xs[i] + 4, xs[i + 1] - 4
                shown = metrics.elidedText(str(cell), Qt.TextElideMode.ElideRight, right - left)
                align = Qt.AlignmentFlag.AlignRight if i in numeric else Qt.AlignmentFlag.AlignLeft
                self.p.drawText(
                    QRectF(left, self.y + 3, right - left, row_h - 3),
                    align | Qt.AlignmentFlag.AlignVCenter,
                    shown,
                )
            self.p.setPen(QPen(RULE, 1))
            self.p.drawLine(0, int(self.y + row_h), int(self.width), int(self.y + row_h))
        self.y += row_h

    def quote(self, block: Quote) -> None:
        meta = f"{block.who} · {block.when}" + (f" · {block.sentiment}" if block.sentiment else "")
        meta_font, body_font = _font(7.5), _font(9)
        inner = self.width - 14
        h = (
            self.text_height(meta, meta_font, inner)
            + self.text_height(block.text, body_font, inner)
            + 6
        )
        self.need(h + 8)
        top = self.y
        self.y += self.text(meta, meta_font, MUTED, 14, inner) + 2
        self.y += self.text(block.text, body_font, INK, 14, inner)
        if self.p is not None:
            self.p.setPen(QPen(RULE, 3))
            self.p.drawLine(4, int(top), 4, int(self.y + 2))
        self.y += 10


def _writer(path: str, page: str, doc: Document) -> QPdfWriter:
    writer = QPdfWriter(path)
    writer.setResolution(DPI)
    writer.setTitle(doc.title)
    writer.setCreator("engage-desktop")
    margins = QMarginsF(MARGIN_MM, MARGIN_MM - 4, MARGIN_MM, MARGIN_MM - 6)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(PAGE_SIZES[page]),
            QPageLayout.Orientation.Portrait,
            margins,
            QPageLayout.Unit.Millimeter,
        )
    )
    return writer


def _flow(flow: _Flow) -> None:
    flow.title()
    blocks = flow.doc.blocks
    for i, block in enumerate(blocks):
        flow.block(block, blocks[i + 1] if i + 1 < len(blocks) else None)


def paint_pdf(doc: Document, out: Path, page: str = "a4") -> int:
    """Paint ``doc`` into the PDF ``out``; returns the number of pages."""
    if page not in PAGE_SIZES:
        raise EngageError(f"unknown page size {page!r}; use a4 or letter")
    partial = out.with_name(out.name + ".partial")
    counter = _writer(os.devnull, page, doc)
    dry = _Flow(counter, doc, None)
    _flow(dry)
    writer = _writer(str(partial), page, doc)
    painter = QPainter()
    if not painter.begin(writer):
        raise EngageError(f"cannot write {out}; check the folder exists and is writable")
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    try:
        flow = _Flow(writer, doc, painter, total=dry.page)
        _flow(flow)
    finally:
        painter.end()
    try:
        partial.replace(out)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise EngageError(f"cannot write {out}: {exc.strerror}; choose another folder") from None
    return flow.page


def ensure_gui_application() -> Any:
    """Fonts need an application object: make one (offscreen without a display) if none.

    A QApplication, not a QGuiApplication: the process may show widgets later (the
    window, or tests after an in-process ``report``), and those need the former.
    """
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication(["engage-desktop"])
    return app


def write_pdf(state: Any, ws: Workspace, out: Path, options: ReportOptions) -> ReportSummary:
    """Compute the report and paint it to ``out`` (a task function: state first)."""
    started = time.perf_counter()
    ensure_gui_application()
    doc, period = prepare(state, ws, options)
    pages = paint_pdf(doc, Path(out), options.page)
    return ReportSummary(Path(out), pages, time.perf_counter() - started, period)
