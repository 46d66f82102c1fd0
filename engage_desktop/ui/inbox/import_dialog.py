"""File › Import mentions…: the proposed column mapping and a preview, before any write.

The file's header and first rows are read off the GUI thread; each field shows
the column it will be read from (a drop-down the user can change), and the
preview shows the first rows as they will be imported, under our field names.
Nothing is written until Import; the import itself runs in the background
(:meth:`engage_desktop.ui.main_window.MainWindow.start_import`).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engage_desktop.inbox.import_map import FIELDS, auto_map
from engage_desktop.ui.tasks import TaskRunner

PREVIEW_ROWS = 20
#: What each field means, shown beside its drop-down.
FIELD_HELP = {
    "text": "the post itself (required)",
    "title": "headline, subject",
    "author": "name or handle",
    "published": "date and time",
    "url": "link to the post",
    "id": "their id (kept as external id)",
    "external_id": "an earlier tool's id",
    "sentiment": "their sentiment (kept apart)",
    "sentiment_label": "their sentiment label",
    "source": "site or network",
    "status": "new, open, resolved…",
    "tags": "comma-separated",
    "language": "e.g. en, de",
    "followers": "author's followers",
}
ZONES = ("UTC", "Europe/London", "Europe/Berlin", "America/New_York", "America/Chicago",
         "America/Los_Angeles", "Asia/Tokyo", "Australia/Sydney")  # fmt: skip
NOT_MAPPED = "— not imported —"


def _read_preview(state, path: str) -> tuple[list[str], list[list[str]], list[int]]:
    from engage_desktop.inbox.import_read import TableFile

    table = TableFile(path)
    rows = table.preview(PREVIEW_ROWS)
    return table.headers, rows, table.preview_lines


class ImportDialog(QDialog):
    """Shows the mapping of one file's columns and a preview; Import accepts it."""

    def __init__(self, path: str | Path, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.tasks = tasks
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self.lines: list[int] = []
        self.setWindowTitle(f"Import mentions — {self.path.name}")
        self.resize(1100, 680)

        self.summary = QLabel("Reading the file…")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)  # file names are outside text
        self.boxes: dict[str, QComboBox] = {}
        mapping_box = QGroupBox("Columns → fields")
        grid = QGridLayout(mapping_box)
        for i, field in enumerate(FIELDS):
            box = QComboBox()
            box.setMinimumWidth(180)
            box.currentIndexChanged.connect(self._refresh_preview)
            self.boxes[field] = box
            label = QLabel(f"<b>{field}</b>")
            hint = QLabel(FIELD_HELP.get(field, ""))
            hint.setObjectName("subtitle")
            row, col = divmod(i, 2)
            grid.addWidget(label, row, col * 3)
            grid.addWidget(box, row, col * 3 + 1)
            grid.addWidget(hint, row, col * 3 + 2)
        grid.setColumnStretch(2, 1)
        grid.setColumnStretch(5, 1)

        self.zone = QComboBox()
        self.zone.setEditable(True)
        self.zone.addItems(ZONES)
        self.zone.setToolTip("Dates written without a time zone are taken in this zone")
        options = QFormLayout()
        options.addRow("Dates without a time zone are in:", self.zone)

        self.preview = QTableWidget()
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.setAlternatingRowColors(True)
        self.preview.verticalHeader().setVisible(True)
        self.preview.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.preview.horizontalHeader().setStretchLastSection(True)
        self.preview.setWordWrap(False)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.import_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.import_button.setText("Import")
        self.import_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(mapping_box)
        row = QHBoxLayout()
        row.addLayout(options)
        row.addStretch(1)
        layout.addLayout(row)
        preview_title = QLabel(
            f"Preview: the first {PREVIEW_ROWS} rows as they will be imported, by field"
        )
        preview_title.setObjectName("subtitle")
        layout.addWidget(preview_title)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.buttons)

        self.task = self.tasks.start("import.preview", _read_preview, str(self.path))
        self.task.succeeded.connect(self._loaded)
        self.task.failed.connect(self._failed)

    # -- loading --------------------------------------------------------------------

    def _loaded(self, result: tuple[list[str], list[list[str]], list[int]]) -> None:
        self.headers, self.rows, self.lines = result
        proposed = auto_map(self.headers)
        for field, box in self.boxes.items():
            box.blockSignals(True)
            box.clear()
            box.addItem(NOT_MAPPED, "")
            for header in self.headers:
                box.addItem(header, header)
            chosen = proposed.get(field)
            box.setCurrentIndex(self.headers.index(chosen) + 1 if chosen else 0)
            box.blockSignals(False)
        self._refresh_preview()

    def _failed(self, message: str) -> None:
        self.summary.setText(f"Cannot import this file: {message}")
        self.import_button.setEnabled(False)

    # -- the mapping ------------------------------------------------------------------

    def mapping(self) -> dict[str, str]:
        """``{field: header}`` as chosen, with ``""`` for fields left out."""
        return {field: box.currentData() or "" for field, box in self.boxes.items()}

    def set_field(self, field: str, header: str) -> None:
        """Choose the column of a field (``""`` leaves it out)."""
        box = self.boxes[field]
        box.setCurrentIndex(max(0, box.findData(header)))

    def _refresh_preview(self) -> None:
        chosen = [(f, h) for f, h in self.mapping().items() if h]
        self.preview.clear()
        self.preview.setColumnCount(len(chosen))
        self.preview.setRowCount(len(self.rows))
        self.preview.setHorizontalHeaderLabels([f"{f}\n← {h}" for f, h in chosen])
        # The file's own line numbers, so a row can be found in the file.
        self.preview.setVerticalHeaderLabels([f"line {n}" for n in self.lines])
        for c, (_field, header) in enumerate(chosen):
            k = self.headers.index(header)
            for r, row in enumerate(self.rows):
                value = row[k] if k < len(row) else ""
                item = QTableWidgetItem(" ".join(value.split())[:200])
                item.setToolTip(value[:1000])
                self.preview.setItem(r, c, item)
        for c in range(len(chosen)):
            self.preview.setColumnWidth(c, 320 if chosen[c][0] == "text" else 150)
        used = {h for _, h in chosen}
        unused = [h for h in self.headers if h not in used]
        has_text = bool(self.mapping().get("text"))
        self.import_button.setEnabled(has_text)
        lines = [
            f"{self.path.name}: {len(self.headers)} columns; {len(chosen)} imported as fields."
        ]
        if unused:
            lines.append(f"Not imported: {', '.join(unused)}.")
        if not has_text:
            lines.append("Choose the column that holds the post's text to import.")
        else:
            lines.append(
                "Any id is kept as the mention's external id; their sentiment is kept "
                "apart from ours. Nothing is written until you press Import."
            )
        self.summary.setText(" ".join(lines))
