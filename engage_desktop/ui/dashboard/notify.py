"""Grouped desktop notifications for new alert episodes.

Where the platform has a system tray, one notification lists every new episode of a
check (not one per bucket or per alert). Where it has none (some Linux desktops,
the offscreen platform), the dashboard says so once and alerts stay on its list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QSystemTrayIcon

if TYPE_CHECKING:  # spikes needs numpy; the window makes a Notifier before any chart
    from engage_desktop.dashboard.spikes import Episode

UNAVAILABLE = (
    "Desktop notifications are not available on this system, so new alerts are only listed here."
)


def _bell_icon() -> QIcon:
    pix = QPixmap(32, 32)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor("#b91c1c"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(2, 2, 28, 28)
    painter.setPen(QColor("white"))
    painter.drawText(pix.rect(), Qt.AlignmentFlag.AlignCenter, "!")
    painter.end()
    return QIcon(pix)


class Notifier(QObject):
    """Shows one grouped notification per batch of new episodes."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.available = QSystemTrayIcon.isSystemTrayAvailable()
        self.tray: QSystemTrayIcon | None = None
        self.shown: list[tuple[str, str]] = []  # (title, body) of each notification

    def unavailable_note(self) -> str | None:
        """The one sentence to show where notifications cannot appear."""
        return None if self.available else UNAVAILABLE

    def notify(self, episodes: list[Episode]) -> None:
        """Group ``episodes`` into one notification."""
        if not episodes:
            return
        title = f"{len(episodes)} new alert{'s' if len(episodes) > 1 else ''}"
        lines = [f"{ep.rule}: {ep.describe()}" for ep in episodes[:5]]
        if len(episodes) > 5:
            lines.append(f"… and {len(episodes) - 5} more on the dashboard")
        body = "\n".join(lines)
        self.shown.append((title, body))
        if not self.available:
            return
        if self.tray is None:
            self.tray = QSystemTrayIcon(_bell_icon(), self)
            self.tray.setToolTip("engage-desktop alerts")
            self.tray.show()
        self.tray.showMessage(title, body, QSystemTrayIcon.MessageIcon.Warning, 15_000)
