"""The composition root: settings, workspace, services and the QApplication.

Only this module and ``ui/`` import Qt. ``run_gui`` decides which workspace to open
(the given one, the last one, else the demo, created on first start), shows the main
window at once with "Opening <file>…" while a task opens the file (a problem is said
in the window, or on one stderr line in screenshot mode), and can render a view to
PNG without a screen. Nothing here imports DuckDB or the views before the window's
first paint: they load on the worker that opens the workspace.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from engage_desktop.core.errors import EngageError
from engage_desktop.paths import config_dir, demo_workspace_path

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
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from engage_desktop.ui.first_paint import watch_first_paint
    from engage_desktop.ui.main_window import VIEWS, MainWindow, grab_view
    from engage_desktop.ui.opening import OpenRequest
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
    guard = _guard_gui_thread()
    request = OpenRequest(target, read_only=read_only, snapshot=snapshot)
    window = MainWindow(None, settings, opening=request)
    watch_first_paint(window)  # only with ENGAGE_DESKTOP_PAINT_TIME (benchmarks)
    windows = [window]

    def reopen(new_path: str, create: bool = False) -> None:
        other = MainWindow(None, settings, opening=OpenRequest(Path(new_path), create=create))
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
        failure = wait_until_open(window)
        if failure is not None:
            window.close()
            raise EngageError(failure)
        grab_view(window, view or VIEWS[window.nav.currentRow()])
        for _ in range(5):
            app.processEvents()
        Path(screenshot).parent.mkdir(parents=True, exist_ok=True)
        ok = window.grab().save(screenshot)
        window.close()
        window.ws.close()
        if not ok:
            raise EngageError(
                f"could not write {screenshot}; check the folder exists and is writable"
            )
        return 0
    if view:
        window.opened.connect(lambda: window.show_view(view))
    window.show()
    code = app.exec()
    for w in windows:
        if w.ws is not None:
            w.ws.close()
    if guard == "record":
        _report_guarded_queries()
    return int(code)


def wait_until_open(window) -> str | None:
    """Run the event loop until ``window`` opened its workspace; None, or why it did not."""
    from PySide6.QtCore import QEventLoop

    loop = QEventLoop()
    failure: list[str] = []
    window.opened.connect(loop.quit)
    window.open_failed.connect(lambda message: (failure.append(message), loop.quit()))
    if window.ws is None:
        loop.exec()
    return failure[0] if failure else None


def _guard_gui_thread() -> str | None:
    """The debug guard on this (the GUI) thread, when ``ENGAGE_DESKTOP_DEBUG_GUI_DB`` asks.

    ``=1`` records every query on the GUI thread and lists them on exit; ``=raise``
    fails at the first one (tests/gui/test_gui_thread_db.py). The variable is read
    here so that without it the workspace module (and DuckDB) loads on the worker.
    """
    if not os.environ.get("ENGAGE_DESKTOP_DEBUG_GUI_DB"):
        return None
    from engage_desktop.workspace.database import Workspace

    return Workspace.guard_calling_thread()


def _report_guarded_queries() -> None:
    """The debug guard's findings: each query the GUI thread ran, with where from."""
    from engage_desktop.workspace.database import Workspace

    found = Workspace.guarded_queries()
    print(f"engage-desktop: {len(found)} queries ran on the GUI thread", file=sys.stderr)
    for query in found:
        print(f"  {query.what}: {query.origin()}", file=sys.stderr)
