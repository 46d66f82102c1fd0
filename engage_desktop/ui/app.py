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


NO_DISPLAY = (
    "no display to open the window on: run engage-desktop on a desktop, or under "
    "'xvfb-run -a engage-desktop', or use '--screenshot OUT.png' and the commands "
    "('engage-desktop --help')"
)


def _ensure_platform(screenshot: bool) -> None:
    """Without a display, screenshots go offscreen and the window says what to do.

    Qt would abort (exit 134) with a misleading "Reinstalling the application may fix
    this problem"; on X11/Wayland systems the missing display is found first instead.

    Raises:
        EngageError: No display, and the window (not a screenshot) was asked for.
    """
    has_display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if os.environ.get("QT_QPA_PLATFORM") or has_display:
        return
    if screenshot:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    elif sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        raise EngageError(NO_DISPLAY)


def make_settings():
    """QSettings in the per-user config folder (overridable for tests)."""
    from PySide6.QtCore import QSettings

    return QSettings(str(config_dir() / "gui.ini"), QSettings.Format.IniFormat)


def resolve_workspace_path(path: str | None, settings, *, interactive: bool = False) -> Path:
    """The given path, else the last workspace, else the demo (created if missing)."""
    if path:
        return Path(path)
    last = settings.value("last_workspace")
    if last and Path(str(last)).is_file():
        return Path(str(last))
    demo = demo_workspace_path()
    if not demo.exists():
        if interactive:
            build_demo_with_progress(demo)
        else:
            from engage_desktop.demo.build import build_demo

            build_demo(demo, FIRST_START_MENTIONS)
    return demo


def build_demo_with_progress(demo: Path) -> None:
    """First start: build the demo on a worker thread behind a progress dialog.

    Building takes seconds; without this the first start showed nothing at all.

    Raises:
        EngageError: The demo could not be built (the worker's error, in words).
    """
    import threading

    from PySide6.QtCore import QCoreApplication, QThread
    from PySide6.QtWidgets import QProgressDialog

    from engage_desktop.demo.build import build_demo

    dialog = QProgressDialog(
        "Building the demo workspace (the fictional brand Nimbus) for your first start…",
        "",
        0,
        100,
    )
    dialog.setWindowTitle("engage-desktop")
    dialog.setCancelButton(None)  # half a demo is no use; it takes seconds
    dialog.setMinimumDuration(0)
    dialog.show()
    state: dict = {"done": 0, "total": 1, "error": None}

    def progress(done: int, total: int) -> None:
        state["done"], state["total"] = done, total

    def work() -> None:
        try:
            build_demo(demo, FIRST_START_MENTIONS, progress=progress)
        except Exception as exc:  # shown below, on the GUI thread
            state["error"] = exc

    worker = threading.Thread(target=work, name="first-start-demo")
    worker.start()
    while worker.is_alive():
        dialog.setValue(int(100 * state["done"] / max(state["total"], 1)))
        QCoreApplication.processEvents()
        QThread.msleep(30)
    worker.join()
    dialog.close()
    error = state["error"]
    if error is not None:
        raise (
            error
            if isinstance(error, EngageError)
            else EngageError(f"could not build the demo workspace: {error}")
        )


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
        who = f" (process {exc.pid})" if getattr(exc, "pid", None) else ""
        answer = QMessageBox.question(
            parent,
            "Workspace in use",
            f"{path.name} is open in another engage-desktop window{who}.\n\n"
            "Switch to that window, or open a read-only copy here to read it now.",
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


def ask_display_name_once() -> None:
    """On the first start, ask the name replies are signed with (kept for next time)."""
    from engage_desktop.profile import display_name

    if display_name() is None:
        from engage_desktop.ui.profile_dialog import DisplayNameDialog

        DisplayNameDialog(first_start=True).exec()  # Cancel: the login stands in for now


def run_gui(
    path: str | None = None,
    *,
    read_only: bool = False,
    snapshot: bool = False,
    screenshot: str | None = None,
    view: str | None = None,
    size: str = "1440x900",
) -> int:
    """Open the window (or render one view to ``screenshot`` and exit).

    ``view`` None shows the view the window opens on by itself: the inbox, or the
    dashboard of a shared copy.
    """
    _ensure_platform(bool(screenshot))
    from engage_desktop.cli.plugins import install_plugins

    install_plugins()  # the stages' plugins, as every command has them
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from engage_desktop.ui.first_paint import watch_first_paint
    from engage_desktop.ui.main_window import VIEWS, MainWindow, grab_view
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
    if not screenshot:
        ask_display_name_once()
    target = resolve_workspace_path(path, settings, interactive=not screenshot)
    ws = open_for_gui(target, read_only=read_only, snapshot=snapshot, interactive=not screenshot)
    if ws is None:
        return 1
    # ENGAGE_DESKTOP_DEBUG_GUI_DB=1 records every query on this (the GUI) thread and
    # lists them on exit; =raise fails at the first one (tests/gui/test_gui_thread_db.py).
    guard = Workspace.guard_calling_thread()
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
        # A closed second window goes away (its workspace was released on close).
        other.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        other.destroyed.connect(lambda _o=None, w=other: windows.remove(w))
        windows.append(other)
        other.show()

    window.open_requested.connect(reopen)
    window.new_requested.connect(lambda p: reopen(p, create=True))

    if screenshot:
        width, height = (int(v) for v in size.lower().split("x"))
        window.resize(width, height)
        window.show()
        grab_view(window, view or VIEWS[window.nav.currentRow()])
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
    if view:
        window.show_view(view)
    window.show()
    code = app.exec()
    for w in windows:
        w.ws.close()
    if guard == "record":
        _report_guarded_queries()
    return int(code)


def _report_guarded_queries() -> None:
    """The debug guard's findings: each query the GUI thread ran, with where from."""
    found = Workspace.guarded_queries()
    print(f"engage-desktop: {len(found)} queries ran on the GUI thread", file=sys.stderr)
    for query in found:
        print(f"  {query.what}: {query.origin()}", file=sys.stderr)
