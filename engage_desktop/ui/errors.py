"""Where unexpected errors go: the log file, and one dialog the user can copy from.

An :class:`~engage_desktop.core.errors.EngageError` is a problem in words (a locked
file, a refused token) and is shown where it happened. Anything else is a bug: it is
written with its traceback to a rotating log in the user log folder and shown once in
:class:`ErrorDialog`, with "Copy details" for a bug report. Nothing vanishes silently,
and no traceback is ever the first thing a user reads.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from engage_desktop import __version__
from engage_desktop.paths import log_dir

LOG_NAME = "engage-desktop.log"
_log = logging.getLogger("engage_desktop")


def setup_logging(folder: Path | None = None) -> Path:
    """Log INFO and above of the app to a rotating file (1 MB x 3); return its path."""
    path = (folder or log_dir()) / LOG_NAME
    for handler in _log.handlers:
        if isinstance(handler, RotatingFileHandler) and Path(handler.baseFilename) == path:
            return path
    handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    )
    _log.addHandler(handler)
    _log.setLevel(logging.INFO)
    return path


def details(exc: BaseException) -> str:
    """The text behind "Copy details": version, platform and the traceback."""
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    python = sys.version.split()[0]
    return f"engage-desktop {__version__} on Python {python}, {sys.platform}\n\n{trace}"


class ErrorDialog(QDialog):
    """One unexpected error: what to do in words, the details folded below."""

    def __init__(self, exc: BaseException, log_path: Path | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Something went wrong")
        self.details_text = details(exc)
        where = f" The details are also in {log_path}." if log_path else ""
        message = QLabel(
            f"engage-desktop hit an unexpected error ({type(exc).__name__}). Your data is "
            "safe: nothing half-written was kept. Copy the details into a bug report." + where
        )
        message.setTextFormat(Qt.TextFormat.PlainText)
        message.setWordWrap(True)
        self.details = QPlainTextEdit(self.details_text)
        self.details.setReadOnly(True)
        self.details.setMinimumSize(560, 200)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = buttons.addButton("Copy details", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(message)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)

    def copy_details(self) -> None:
        """Put the details on the clipboard."""
        QApplication.clipboard().setText(self.details_text)


class ErrorReporter(QObject):
    """Receives errors from any thread and shows them on the GUI thread."""

    reported = Signal(object)

    def __init__(self, log_path: Path | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_path = log_path
        self.dialogs: list[ErrorDialog] = []
        # Queued: the hooks run on whatever thread failed; widgets live on this one.
        self.reported.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def report(self, exc: BaseException) -> None:
        """Log an unexpected error with its traceback and show it (thread-safe)."""
        _log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
        self.reported.emit(exc)

    def _show(self, exc: BaseException) -> None:
        if any(d.isVisible() and d.details_text == details(exc) for d in self.dialogs):
            return  # the same error twice in a row is one dialog
        parent = QApplication.activeWindow()
        dialog = ErrorDialog(exc, self.log_path, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r, d=dialog: self.dialogs.remove(d))
        self.dialogs.append(dialog)
        dialog.open()

    def excepthook(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        """``sys.excepthook``: an exception that reached the event loop."""
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        self.report(exc.with_traceback(tb))

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        """``threading.excepthook``: an exception that ended a Python thread."""
        if args.exc_value is not None:
            self.report(args.exc_value)


_reporter: ErrorReporter | None = None


def install_error_handlers(app: QApplication) -> ErrorReporter:
    """Log to the user log folder and route uncaught errors of every thread here."""
    global _reporter
    if _reporter is None:
        try:
            log_path: Path | None = setup_logging()
        except OSError:  # an unwritable log folder must not stop the app
            log_path = None
        _reporter = ErrorReporter(log_path, app)
        sys.excepthook = _reporter.excepthook
        threading.excepthook = _reporter.thread_excepthook
    return _reporter


def report_unexpected(exc: BaseException) -> None:
    """Show and log a bug caught somewhere else (a task); logs only before the app runs."""
    if _reporter is not None:
        _reporter.report(exc)
    else:
        _log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
