"""The inbox table's columns: sized to their content, the text stretched, the user's
choice of width, order and visibility kept between sessions.

Widths come from the fonts and the longest value a column can hold (a time, the
widest intent chip, a 3-digit priority), not from reading rows: the table pages
through the database and must not load rows to size itself.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QHeaderView, QMenu, QTableView

from engage_desktop.core.intents import DEFAULT_RULES
from engage_desktop.inbox.filters import STATUSES
from engage_desktop.ui.inbox.delegates import chips_width
from engage_desktop.ui.inbox.model import (
    COL_AUTHOR,
    COL_CHANNEL,
    COL_INTENT,
    COL_MARK,
    COL_OWNER,
    COL_PRIORITY,
    COL_SENTIMENT,
    COL_SNIPPET,
    COL_STATUS,
    COL_TIME,
    COL_TOPIC,
    COLUMNS,
    SENTIMENT_SOURCES,
    sentiment_text,
)

#: The text column never gets narrower than this, whatever the others take.
MIN_TEXT_WIDTH = 280
#: Columns that cannot be hidden (the text, and the mark that bulk actions need).
ALWAYS_SHOWN = frozenset({COL_SNIPPET, COL_MARK})
#: Column names for the header menu (some headers are icons, without a name).
MENU_NAMES = {COL_MARK: "Mark / star", COL_CHANNEL: "Channel"}
SETTINGS_KEY = "inbox/header"
#: Shown from the header's menu: the text needs the room on a 1280-pixel screen, and
#: the Sort box orders by priority without its column.
HIDDEN_AT_FIRST = (COL_TOPIC, COL_OWNER, COL_PRIORITY)


def content_widths(table: QTableView) -> dict[int, int]:
    """A width per column that fits what the column can show."""
    font = table.font()
    bold = QFont(font)
    bold.setBold(True)  # unread rows are bold
    text = QFontMetrics(bold)
    header = QFontMetrics(table.horizontalHeader().font())
    pad = 18

    def fit(*samples: str) -> int:
        return max(text.horizontalAdvance(s) for s in samples) + pad

    intents = [name for name, _pattern in DEFAULT_RULES]
    widths = {
        COL_MARK: 28,
        COL_CHANNEL: 28,
        COL_TIME: fit("30 Oct 14:00"),
        COL_AUTHOR: fit("Nadia Murphy  ·  16.3k"),
        # The widest label and score with each scorer's mark ("negative −0.95 ✎").
        COL_SENTIMENT: chips_width(
            font,
            [sentiment_text("negative", -0.95, s, chip=True) for s in SENTIMENT_SOURCES]
            + ["not scored"],
        ),
        COL_INTENT: chips_width(font, intents),
        COL_TOPIC: fit("competitor"),
        COL_STATUS: chips_width(font, list(STATUSES)),
        COL_OWNER: fit("Unassigned"),
        COL_PRIORITY: fit("100"),
    }
    for col, width in widths.items():  # a header must never be cut either
        name = COLUMNS[col]
        if name:
            widths[col] = max(width, header.horizontalAdvance(name) + 28)
    return widths


def set_up(table: QTableView) -> None:
    """Size, stretch, movable sections and the show/hide menu on the header."""
    header = table.horizontalHeader()
    for col, width in content_widths(table).items():
        table.setColumnWidth(col, width)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setSectionResizeMode(COL_SNIPPET, QHeaderView.ResizeMode.Stretch)
    header.setMinimumSectionSize(24)
    header.setSectionsMovable(True)
    header.setFirstSectionMovable(False)
    for col in HIDDEN_AT_FIRST:
        header.setSectionHidden(col, True)
    header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    header.customContextMenuRequested.connect(
        lambda pos: column_menu(table).popup(header.mapToGlobal(pos))
    )
    header.setToolTip("Drag to reorder or resize; right-click to show or hide columns")


def column_menu(table: QTableView) -> QMenu:
    """The header's menu: a check box per column, and Reset columns."""
    header = table.horizontalHeader()
    menu = QMenu(header)
    menu.addSection("Columns")
    for visual in range(header.count()):
        col = header.logicalIndex(visual)
        action = menu.addAction(COLUMNS[col] or MENU_NAMES.get(col, ""))
        action.setCheckable(True)
        action.setChecked(not header.isSectionHidden(col))
        action.setEnabled(col not in ALWAYS_SHOWN)
        action.toggled.connect(lambda on, c=col: header.setSectionHidden(c, not on))
    menu.addSeparator()
    menu.addAction("Reset columns", lambda: reset(table))
    return menu


def reset(table: QTableView) -> None:
    """Every column shown, in the original order, at its content width."""
    header = table.horizontalHeader()
    for col in range(header.count()):
        header.setSectionHidden(col, False)
        header.moveSection(header.visualIndex(col), col)
    for col, width in content_widths(table).items():
        table.setColumnWidth(col, width)
    for col in HIDDEN_AT_FIRST:
        header.setSectionHidden(col, True)


def save(table: QTableView, settings) -> None:
    """Remember widths, order and hidden columns."""
    settings.setValue(SETTINGS_KEY, table.horizontalHeader().saveState())


def restore(table: QTableView, settings) -> None:
    """Put back what the user arranged last time (a layout of other columns is ignored)."""
    state = settings.value(SETTINGS_KEY)
    if not isinstance(state, QByteArray | bytes) or not state:
        return
    header = table.horizontalHeader()
    if not header.restoreState(QByteArray(state)) or header.count() != len(COLUMNS):
        reset(table)
    for col in ALWAYS_SHOWN:
        header.setSectionHidden(col, False)
    header.setSectionResizeMode(COL_SNIPPET, QHeaderView.ResizeMode.Stretch)
