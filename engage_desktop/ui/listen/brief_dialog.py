"""File › New: a workspace from a client's brief.

The user types the brand, products, competitors and languages; Preview shows the
topics with their watch queries (editable) and the suggested sources (ticked by
the user, none by default); Create writes the workspace (atomically, see
:mod:`engage_desktop.listen.brief`). Nothing is fetched.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engage_desktop.core.errors import EngageError
from engage_desktop.listen.brief import (
    BriefPlan,
    CreateSummary,
    create_from_brief,
    make_brief,
    plan_brief,
)
from engage_desktop.ui.tasks import TaskRunner


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


class BriefDialog(QDialog):
    """Brief → preview of topics, queries and sources → create."""

    def __init__(self, parent: QWidget | None = None, folder: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New workspace from a brief")
        self.resize(980, 720)
        self.plan: BriefPlan | None = None
        self.created: CreateSummary | None = None
        self.tasks = TaskRunner(self)
        self.folder = folder or Path.home()

        self.path = QLineEdit()
        self.path.setPlaceholderText("Where the workspace file goes, e.g. ~/clients/acme.engage")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        self.brand = QLineEdit()
        self.brand.setPlaceholderText("e.g. Nimbus")
        self.products = QLineEdit()
        self.products.setPlaceholderText("comma-separated, e.g. Router X2, Mesh Pro")
        self.competitors = QLineEdit()
        self.competitors.setPlaceholderText("comma-separated, e.g. Orbit, Skylink")
        self.languages = QLineEdit("en")
        self.languages.setPlaceholderText("comma-separated codes, e.g. en, de")
        form = QFormLayout()
        form.addRow("Workspace file:", path_row)
        form.addRow("Brand:", self.brand)
        form.addRow("Products:", self.products)
        form.addRow("Competitors:", self.competitors)
        form.addRow("Languages:", self.languages)
        self.preview_button = QPushButton("Preview topics and sources")
        self.preview_button.clicked.connect(self.preview)
        for edit in (self.brand, self.products, self.competitors):
            edit.returnPressed.connect(self.preview)

        self.topics = QTableWidget(0, 3)
        self.topics.setHorizontalHeaderLabels(["Topic", "Kind", "Watch query (edit freely)"])
        self.topics.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.topics.setColumnWidth(0, 180)
        self.topics.setColumnWidth(1, 100)
        self.topics.verticalHeader().setVisible(False)
        self.topics.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.sources = QListWidget()
        self.sources.setSpacing(3)
        self.sources.setToolTip("Tick the sources to add; nothing is fetched until you fetch")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.create_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.create_button.setText("Create workspace")
        self.create_button.setEnabled(False)
        self.buttons.accepted.connect(self.create)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.preview_button, 0, Qt.AlignmentFlag.AlignLeft)
        topics_title = QLabel("Topics and watch queries")
        topics_title.setObjectName("title")
        layout.addWidget(topics_title)
        layout.addWidget(self.topics, 3)
        sources_title = QLabel("Suggested sources — tick the ones to add (none is fetched yet)")
        sources_title.setObjectName("title")
        layout.addWidget(sources_title)
        layout.addWidget(self.sources, 2)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "New workspace", str(self.folder / "client.engage"), "Workspaces (*.engage)"
        )
        if path:
            self.path.setText(path)

    def preview(self) -> None:
        """Turn the brief into topics, queries and suggested sources."""
        try:
            brief = make_brief(
                self.brand.text(), _names(self.products.text()),
                _names(self.competitors.text()), _names(self.languages.text()),
            )  # fmt: skip
            self.plan = plan_brief(brief)
        except EngageError as exc:
            self.message.setText(str(exc))
            self.create_button.setEnabled(False)
            return
        self.topics.setRowCount(len(self.plan.topics))
        for r, topic in enumerate(self.plan.topics):
            for c, value in enumerate((topic.name, topic.kind, topic.query)):
                item = QTableWidgetItem(value)
                if c < 2:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.topics.setItem(r, c, item)
        self.sources.clear()
        for source in self.plan.sources:
            item = QListWidgetItem(f"{source.name}    {source.url}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if source.checked else Qt.CheckState.Unchecked)
            self.sources.addItem(item)
        self.message.setText(
            f"{len(self.plan.topics)} topics with their watch queries; "
            f"{len(self.plan.sources)} suggested sources. Edit the queries, tick sources, "
            "then create the workspace."
        )
        self.create_button.setEnabled(True)

    def create(self) -> None:
        """Write the workspace with the edited queries and the ticked sources."""
        if self.plan is None:
            self.preview()
            if self.plan is None:
                return
        text = self.path.text().strip()
        if not text:
            self.message.setText("Choose where the workspace file goes first.")
            return
        for r, topic in enumerate(self.plan.topics):
            topic.query = self.topics.item(r, 2).text().strip()
        for i, source in enumerate(self.plan.sources):
            source.checked = self.sources.item(i).checkState() == Qt.CheckState.Checked
        # Writing the new file (schema, topics, sources) is disk work: a task's.
        self.buttons.setEnabled(False)  # Cancel too: the file is being written
        self.message.setText("Creating the workspace…")
        task = self.tasks.start(
            "brief.create", lambda _state, path, plan: create_from_brief(path, plan),
            Path(text).expanduser(), self.plan,
        )  # fmt: skip
        task.succeeded.connect(self._created)
        task.failed.connect(self._not_created)

    def _created(self, summary: CreateSummary) -> None:
        self.created = summary
        self.accept()

    def _not_created(self, message: str) -> None:
        self.message.setText(message)
        self.buttons.setEnabled(True)
