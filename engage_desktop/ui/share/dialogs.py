"""File › Share with a client… and File › Export report…: the two sharing dialogs.

Each dialog asks for the file, the range, the topics and whether to pseudonymise,
then runs the Qt-free job (:func:`export_workspace`, the report writers) through the
window's TaskRunner with a progress bar and Cancel; the GUI thread never touches
the database.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engage_desktop.dashboard.analytics import DashboardFilter
from engage_desktop.ui.tasks import Task, TaskRunner
from engage_desktop.workspace.database import Workspace


def _qdate(moment: datetime) -> QDate:
    return QDate(moment.year, moment.month, moment.day)


def _day(value: QDate, *, end: bool = False) -> datetime:
    day = datetime(value.year(), value.month(), value.day(), tzinfo=UTC)
    return day + timedelta(days=1) if end else day


class _SharingDialog(QDialog):
    """The common form: output file, range, topics, pseudonyms, progress and Cancel."""

    task_key = "share"
    suffixes = "Workspaces (*.engage)"
    default_suffix = ".engage"

    def __init__(
        self,
        ws: Workspace,
        tasks: TaskRunner,
        flt: DashboardFilter,
        topics: tuple[str, ...],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ws, self.tasks = ws, tasks
        self.task: Task | None = None
        self.result_line = ""
        self.setMinimumWidth(520)
        self.form = QFormLayout()
        self.path = QLineEdit(str(Path.home() / f"{ws.path.stem}{self.suggested_suffix()}"))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        self.form.addRow("Save to", row)

        self.all_time = QCheckBox("All time")
        self.start = QDateEdit()
        self.end = QDateEdit()
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd MMM yyyy")
        today = datetime.now(UTC)
        self.start.setDate(_qdate(flt.start or today - timedelta(days=30)))
        self.end.setDate(_qdate((flt.end or today + timedelta(days=1)) - timedelta(days=1)))
        self.all_time.setChecked(flt.start is None and flt.end is None)
        self.all_time.toggled.connect(self._sync_dates)
        dates = QHBoxLayout()
        dates.addWidget(self.start)
        dates.addWidget(QLabel("to"))
        dates.addWidget(self.end)
        dates.addWidget(self.all_time)
        dates.addStretch(1)
        self.form.addRow("Range (UTC days)", dates)
        self._topic_widget(topics, flt.topic)
        self.pseudonymize = QCheckBox('Replace authors by pseudonyms ("Author 4821")')
        self.pseudonymize.setToolTip(
            "Names, handles and @handles in texts become stable pseudonyms; links to "
            "profiles and to the original posts are dropped"
        )
        self.form.addRow("", self.pseudonymize)
        self.extra_rows()

        self.progress = QProgressBar()
        self.progress.hide()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.ok_text)
        self.buttons.accepted.connect(self.start_task)
        self.buttons.rejected.connect(self._cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self._sync_dates()

    ok_text = "Share"

    def suggested_suffix(self) -> str:
        return f"-shared{self.default_suffix}"

    def _topic_widget(self, topics: tuple[str, ...], current: str | None) -> None:
        self.topics = QListWidget()
        self.topics.setMaximumHeight(110)
        for name in topics:
            item = QListWidgetItem(name, self.topics)
            item.setCheckState(
                Qt.CheckState.Checked if name == current else Qt.CheckState.Unchecked
            )
        self.form.addRow("Topics (none: all)", self.topics)

    def extra_rows(self) -> None:
        """Rows a subclass adds to the form."""

    def chosen_topics(self) -> tuple[str, ...]:
        """The ticked topics."""
        items = (self.topics.item(i) for i in range(self.topics.count()))
        return tuple(i.text() for i in items if i.checkState() == Qt.CheckState.Checked)

    def chosen_range(self) -> tuple[datetime | None, datetime | None]:
        """(start, end) as UTC midnights, end exclusive; None for all time."""
        if self.all_time.isChecked():
            return None, None
        return _day(self.start.date()), _day(self.end.date(), end=True)

    def _sync_dates(self) -> None:
        for edit in (self.start, self.end):
            edit.setEnabled(not self.all_time.isChecked())

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.windowTitle(), self.path.text(), self.suffixes
        )
        if path:
            self.path.setText(path)

    def target(self) -> Path | None:
        """The output path, with the suffix added; None (and a message) when unusable."""
        text = self.path.text().strip()
        if not text:
            self.message.setText("Choose where to save the file.")
            return None
        path = Path(text).expanduser()
        if path.suffix.lower() not in self.allowed_suffixes():
            path = path.with_name(path.name + self.default_suffix)
        return path

    def allowed_suffixes(self) -> tuple[str, ...]:
        return (self.default_suffix,)

    def job(self, path: Path):
        """(function, args) of the background job; the function takes the state first."""
        raise NotImplementedError

    def start_task(self) -> None:
        """Run the job in the background, with progress and Cancel."""
        path = self.target()
        if path is None or self.task is not None:
            return
        start, end = self.chosen_range()
        if start is not None and end is not None and end <= start:
            self.message.setText("The range ends before it starts; pick the first day first.")
            return
        fn, args = self.job(path)
        self.task = self.tasks.start(self.task_key, fn, *args)
        self.task.progressed.connect(self._on_progress)
        self.task.succeeded.connect(self._on_done)
        self.task.failed.connect(self._on_failed)
        self.task.done.connect(self._on_finished)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.message.setText("Working… you can keep using the window.")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _on_done(self, summary) -> None:
        self.result_line = summary.line()
        self.message.setText(self.result_line[0].upper() + self.result_line[1:])
        self.accept()

    def _on_failed(self, message: str) -> None:
        self.message.setText(message)

    def _on_finished(self) -> None:
        self.task = None
        self.progress.hide()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)

    def _cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.message.setText("Cancelled; no file was written.")
        self.reject()


class ShareDialog(_SharingDialog):
    """File › Share with a client…: the executive copy."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.setWindowTitle("Share with a client")

    def extra_rows(self) -> None:
        # Customer segments sit under the pseudonyms: both decide what the reader
        # learns about people, and the words under the box say exactly what travels.
        self.keep_segments = QCheckBox("Keep customer segments")
        self.keep_segments.setToolTip(
            "Each mention keeps its author's customer tier and whether that is the top tier"
        )
        self.form.addRow("", self.keep_segments)
        self.form.addRow("", _note(
            "Customer records never leave: no names, e-mails, values or ids. Ticked, each "
            "mention keeps only its author's tier (for example \"Enterprise\") and whether "
            "that is the top tier, so the reader can filter by segment.",
            indent=22,  # under the box's text, not its square
        ))  # fmt: skip
        self.shared_by = QLineEdit(self.ws.actor)
        self.shared_by.setToolTip('Shown to the reader: "Shared by … on …"')
        self.form.addRow("Shared by", self.shared_by)
        self.form.addRow("", _note(
            "The copy keeps mentions, sentiment, topics, statuses, our public replies, "
            "authors' figures, the learned sentiment model and the dashboard. Drafts, the "
            "outbox, notes, saved replies, accounts, the audit log and the team's settings "
            "are left out. It opens read-only."
        ))  # fmt: skip

    def job(self, path: Path):
        from engage_desktop.dashboard.share.copy import ShareOptions

        start, end = self.chosen_range()
        options = ShareOptions(
            start,
            end,
            self.chosen_topics(),
            self.pseudonymize.isChecked(),
            self.shared_by.text().strip() or None,
            keep_segments=self.keep_segments.isChecked(),
        )
        return _share_replacing, (self.ws, path, options)

    def start_task(self) -> None:
        path = self.target()
        if path is not None and path.exists() and not self._confirmed(path):
            return
        super().start_task()

    def _confirmed(self, path: Path) -> bool:
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(self, "Replace file?", f"{path} exists. Replace it?")
        return answer == QMessageBox.StandardButton.Yes


def _note(text: str, indent: int = 0) -> QLabel:
    """A wrapped explanation in the form's subtitle style (plain text, never markup)."""
    note = QLabel(text)
    note.setWordWrap(True)
    note.setObjectName("subtitle")
    note.setTextFormat(Qt.TextFormat.PlainText)
    note.setIndent(indent)
    # The form sizes the row by the label's size hint, which Qt guesses for a narrow
    # width (twice the lines needed here): a realistic minimum width fixes the guess.
    note.setMinimumWidth(420)
    return note


def _share_replacing(state, ws: Workspace, path: Path, options):
    """The share job: the user already agreed to replace an existing file."""
    from engage_desktop.dashboard.share.copy import export_workspace

    return export_workspace(state, ws, path, options, overwrite=True)


class ReportDialog(_SharingDialog):
    """File › Export report…: the period's report as PDF or HTML."""

    task_key = "report"
    suffixes = "PDF (*.pdf);;HTML (*.html)"
    default_suffix = ".pdf"
    ok_text = "Export"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.setWindowTitle("Export report")

    def suggested_suffix(self) -> str:
        return "-report.pdf"

    def allowed_suffixes(self) -> tuple[str, ...]:
        return (".pdf", ".html", ".htm")

    def _topic_widget(self, topics: tuple[str, ...], current: str | None) -> None:
        # A report follows one topic, like the dashboard's selector.
        self.topic_box = QComboBox()
        self.topic_box.addItem("All topics")
        self.topic_box.addItems(list(topics))
        if current in topics:
            self.topic_box.setCurrentText(current)
        self.form.addRow("Topic", self.topic_box)

    def chosen_topics(self) -> tuple[str, ...]:
        index = self.topic_box.currentIndex()
        return () if index <= 0 else (self.topic_box.currentText(),)

    def extra_rows(self) -> None:
        self.title_edit = QLineEdit()
        # The name the window shows (read in a task), not a query here.
        name = getattr(self.parentWidget(), "workspace_name", None) or self.ws.path.stem
        self.title_edit.setPlaceholderText(f"{name}: engagement report")
        self.form.addRow("Title", self.title_edit)
        self.page = QComboBox()
        self.page.addItems(["A4", "Letter"])
        self.form.addRow("PDF page", self.page)

    def job(self, path: Path):
        from engage_desktop.dashboard.share.report import ReportOptions, write_html
        from engage_desktop.ui.share.pdf import write_pdf

        start, end = self.chosen_range()
        options = ReportOptions(
            start,
            end,
            self.chosen_topics(),
            self.title_edit.text().strip() or None,
            self.pseudonymize.isChecked(),
            self.page.currentText().lower(),
        )
        fn = write_pdf if path.suffix.lower() == ".pdf" else write_html
        return fn, (self.ws, path, options)
