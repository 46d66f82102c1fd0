"""Colours, icons and the style sheet: one palette for the whole app.

Positive, neutral and negative have the same colour in every table, chip and chart.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

SENTIMENT_COLORS = {
    "positive": "#2f9e5b",
    "neutral": "#8c96a8",
    "negative": "#d64545",
    "unscored": "#c9a227",
}
STATUS_COLORS = {
    "new": "#2563eb",
    "open": "#7c3aed",
    "pending": "#d97706",
    "resolved": "#15803d",
    "ignored": "#6b7280",
    "spam": "#9f1239",
}
CHANNEL_STYLE = {  # channel -> (badge text, colour)
    "mastodon": ("M", "#6364ff"),
    "bluesky": ("B", "#1185fe"),
    "reddit": ("R", "#ff4500"),
    "hn": ("Y", "#ff6600"),
    "forum": ("F", "#0f766e"),
    "blog": ("W", "#475569"),
    "review": ("★", "#ca8a04"),
    "news": ("N", "#334155"),
    "email": ("@", "#64748b"),
    "file": ("⇪", "#64748b"),
}
ACCENT = "#2563eb"

STYLE_SHEET = """
QMainWindow, QWidget#page { background: #f6f7f9; }
QListWidget#nav { background: #1f2937; color: #e5e7eb; border: none; font-size: 14px;
                  padding-top: 8px; }
QListWidget#nav::item { padding: 10px 14px; border-left: 3px solid transparent; }
QListWidget#nav::item:selected { background: #374151; color: white;
                                 border-left: 3px solid #60a5fa; }
QLabel#title { font-size: 18px; font-weight: 600; color: #111827; }
QLabel#subtitle { color: #6b7280; }
QTableView { background: white; alternate-background-color: #f9fafb; gridline-color: #eef0f3;
             selection-background-color: #dbeafe; selection-color: #111827;
             border: 1px solid #e5e7eb; }
QHeaderView::section { background: #f3f4f6; color: #374151; padding: 4px 6px; border: none;
                       border-bottom: 1px solid #e5e7eb; font-weight: 600; }
QTextBrowser, QPlainTextEdit { background: white; border: 1px solid #e5e7eb; }
QPushButton { padding: 5px 14px; }
QStatusBar { background: #eef0f3; color: #374151; }
"""


def sentiment_color(label: str | None) -> QColor:
    """The colour of a sentiment label (grey when unknown)."""
    return QColor(SENTIMENT_COLORS.get(label or "", "#b8bec9"))


@cache
def channel_icon(channel: str, size: int = 18) -> QIcon:
    """A round badge for a channel: a letter on the channel's colour."""
    text, color = CHANNEL_STYLE.get(channel, ("?", "#94a3b8"))
    pix = QPixmap(size * 2, size * 2)  # drawn at 2x for high-DPI screens
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(color))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(0, 0, size * 2, size * 2)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(size * 1.1))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(pix.rect(), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    pix.setDevicePixelRatio(2.0)
    return QIcon(pix)
