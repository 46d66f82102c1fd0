"""The composition root: settings, workspace, services and the QApplication.

Only this module and ``ui/`` import Qt. ``run_gui`` decides which workspace to open
(the given one, the last one, else the demo, created on first start), turns opening
problems into dialogs (or one stderr line in screenshot mode), and can render a view
to PNG without a screen.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from engage_desktop.core.errors import EngageError, WorkspaceLockedError
from engage_desktop.paths import config_dir, demo_workspace_path
from engage_desktop.workspace.database import Workspace

ORG = "engage-desktop"
APP = "engage-desktop"
FIRST_START_MENTIONS = 20_000


def _ensure_platform(screenshot: bool) -> None:
    """Without a display, screenshots use the offscreen platform instead of aborting."""
    has_display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if screenshot and not os.environ.get("QT_QPA_PLATFORM") and not has_display:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def make_settings():
    """QSettings in the per-user config folder (overridable for tests)."""
    from PySide6.QtCore import QSettings

    return QSettings(str(config_dir() / "gui.ini"), QSettings.Format.IniFormat)


def resolve_workspace_path(path: str | None, settings) -> Path:
    """The given path, else the last workspace, else the demo (created if missing)."""
    if path:
        return Path(path)
    last = settings.value("last_workspace")
    if last and Path(str(last)).is_file():
        return Path(str(last))
    demo = demo_workspace_path()
    if not demo.exists():
        from engage_desktop.demo.build import build_demo

        build_demo(demo, FIRST_START_MENTIONS)
    return demo


def open_for_gui(
    path: Path, *, read_only: bool, snapshot: bool, parent=None, interactive: bool = True
) -> Workspace | None:
    """Open a workspace; on a lock, offer a read-only copy; else show the error."""
    from PySide6.QtWidgets import QMessageBox

    try:
        if snapshot:
            return Workspace.open_snapshot(path)
        return Workspace.open(path, read_only=read_only)
    except WorkspaceLockedError as exc:
        if not interactive:
            raise
        answer = QMessageBox.question(
            parent,
            "Workspace in use",
            f"{exc}\n\nOpen a read-only copy instead?",
            QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Open:
            return Workspace.open_snapshot(path)
        return None
    except EngageError as exc:
        if not interactive:
            raise
        QMessageBox.critical(parent, "Cannot open workspace", str(exc))
        return None


def run_gui(
    path: str | None = None,
    *,
    read_only: bool = False,
    snapshot: bool = False,
    screenshot: str | None = None,
    view: str = "inbox",
    size: str = "1440x900",
) -> int:
    """Open the window (or render one view to ``screenshot`` and exit)."""
    _ensure_platform(bool(screenshot))
    from PySide6.QtWidgets import QApplication

    from engage_desktop.ui.first_paint import watch_first_paint
    from engage_desktop.ui.main_window import MainWindow, grab_view
    from engage_desktop.ui.theme import STYLE_SHEET

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORG)
    app.setApplicationName(APP)
    app.setStyleSheet(STYLE_SHEET)
    if not screenshot:  # a one-shot rendering reports on stderr, like any command
        from engage_desktop.ui.errors import install_error_handlers

        install_error_handlers(app)
    from PySide6.QtGui import QIcon

    from engage_desktop.resources import resource

    app.setWindowIcon(QIcon(str(resource("icons", "engage-desktop.svg"))))
    settings = make_settings()
    target = resolve_workspace_path(path, settings)
    ws = open_for_gui(target, read_only=read_only, snapshot=snapshot, interactive=not screenshot)
    if ws is None:
        return 1
    window = MainWindow(ws, settings)
    watch_first_paint(window)  # only with ENGAGE_DESKTOP_PAINT_TIME=1 (benchmarks/bundle.py)
    windows = [window]

    def reopen(new_path: str, create: bool = False) -> None:
        try:
            new_ws = Workspace.create(new_path, overwrite=True) if create else None
        except EngageError as exc:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.critical(window, "Cannot create workspace", str(exc))
            return
        if new_ws is None:
            new_ws = open_for_gui(Path(new_path), read_only=False, snapshot=False, parent=window)
        if new_ws is None:
            return
        other = MainWindow(new_ws, settings)
        other.open_requested.connect(reopen)
        other.new_requested.connect(lambda p: reopen(p, create=True))
        windows.append(other)
        other.show()

    window.open_requested.connect(reopen)
    window.new_requested.connect(lambda p: reopen(p, create=True))

    if screenshot:
        width, height = (int(v) for v in size.lower().split("x"))
        window.resize(width, height)
        window.show()
        grab_view(window, view)
        for _ in range(5):
            app.processEvents()
        Path(screenshot).parent.mkdir(parents=True, exist_ok=True)
        ok = window.grab().save(screenshot)
        window.close()
        ws.close()
        if not ok:
            raise EngageError(
                f"could not write {screenshot}; check the folder exists and is writable"
            )
        return 0
    window.show()
    code = app.exec()
    for w in windows:
        w.ws.close()
    return int(code)
