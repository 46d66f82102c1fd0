"""Desktop notifications for alert rules: one tray message per fetch and rule.

Where the desktop has no system tray (some tiling window managers, offscreen), the
notifier says so once in the status bar and carries on; the "N new" banner in the
inbox still shows what arrived.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QSystemTrayIcon

from engage_desktop.inbox.mention_alerts import AlertGroup
from engage_desktop.ui.theme import channel_icon

NO_TRAY_MESSAGE = (
    "No system tray on this desktop: alert notifications will not pop up; "
    "new mentions still show in the inbox banner."
)


class TrayNotifier(QObject):
    """Shows grouped alert notifications in the system tray."""

    status_message = Signal(str)  # for the main window's status bar
    shown = Signal(str, str)  # title, body: every notification, for the log and tests

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tray: QSystemTrayIcon | None = None
        self._told_no_tray = False
        self.available = QSystemTrayIcon.isSystemTrayAvailable()

    def notify(self, groups: list[AlertGroup]) -> int:
        """One message per group; returns how many were shown (0 without a tray)."""
        for group in groups:
            title = f"{group.rule_name}: {group.count} new"
            body = group.message()
            self.shown.emit(title, body)
            if not self.available:
                if not self._told_no_tray:
                    self._told_no_tray = True
                    self.status_message.emit(NO_TRAY_MESSAGE)
                continue
            tray = self._ensure_tray()
            tray.showMessage(title, body, QSystemTrayIcon.MessageIcon.Warning, 10_000)
        return len(groups) if self.available else 0

    def _ensure_tray(self) -> QSystemTrayIcon:
        if self._tray is None:
            self._tray = QSystemTrayIcon(channel_icon("email"), self)
            self._tray.setToolTip("engage-desktop")
            self._tray.show()
        return self._tray
