"""Fixes from a first-time user's walk: priority choices, live counts, drill-down chips,
columns and the author panel."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from engage_desktop.inbox.filters import InboxFilter
from engage_desktop.inbox.pager import counts
from engage_desktop.ui.inbox.filter_bar import PRIORITY_CHOICES
from engage_desktop.ui.inbox.model import COL_PRIORITY
from tests.gui.test_inbox import EVENT_TIMEOUT_MS, wait_for_counts
from tests.gui.waiting import TIMEOUT_S, settle


@pytest.fixture
def inbox(window, qtbot):
    window.show_view("inbox")
    view = window.inbox
    wait_for_counts(qtbot, view)
    yield view
    qtbot.waitUntil(lambda: not view.tasks.running(), timeout=EVENT_TIMEOUT_MS)


def test_priority_choices_are_on_the_priority_scale(inbox, qtbot):
    ws = inbox.ws
    top = ws.scalar("SELECT max(priority) FROM mentions")
    assert 1 < top <= 100  # priorities are 0–100 …
    total = inbox.model.rowCount()
    for text, value in PRIORITY_CHOICES:
        if value is None:
            continue
        assert 0 < value < 100, text  # … and so are the choices
        inbox.filter_bar.set_filter(InboxFilter(min_priority=value))
        settle(qtbot, inbox)
        expected = ws.scalar("SELECT count(*) FROM mentions WHERE priority >= ?", [value])
        assert inbox.model.rowCount() == expected
        assert 0 < expected < total, f"{text} keeps {expected} of {total}"
    shown = inbox.model.index(0, COL_PRIORITY)
    assert "." not in str(inbox.model.data(shown)), "priority reads as a whole number of 100"


def test_status_bar_follows_bulk_changes(window, inbox, qtbot):
    ws = inbox.ws
    inbox.filter_bar.set_filter(InboxFilter(statuses=("new", "open")))
    settle(qtbot, inbox)
    before = counts(ws)["open"]
    assert f"{before:,} waiting" in window.status_label.text()
    for row in range(5):
        inbox.select_row(row)
        inbox.toggle_mark()
    inbox.bulk_status("resolved")
    settle(qtbot, inbox)
    after = counts(ws)["open"]
    assert after == before - 5
    assert f"{after:,} waiting" in window.status_label.text()


def test_columns_fit_content_text_stretches_and_the_layout_is_remembered(
    qtbot, demo_path, settings
):
    from PySide6.QtWidgets import QHeaderView

    from engage_desktop.core.intents import DEFAULT_RULES
    from engage_desktop.inbox import triage
    from engage_desktop.ui.inbox import columns
    from engage_desktop.ui.inbox.delegates import chips_width
    from engage_desktop.ui.inbox.model import (
        COL_INTENT,
        COL_OWNER,
        COL_SNIPPET,
        COL_TIME,
        OUTLINE,
        ChipsRole,
    )
    from engage_desktop.ui.main_window import MainWindow
    from engage_desktop.workspace.database import Workspace

    ws = Workspace.open(demo_path)
    win = MainWindow(ws, settings)
    qtbot.addWidget(win)
    win.resize(1280, 900)
    win.show()
    assert win.settle(TIMEOUT_S)
    table = win.inbox.table
    header = table.horizontalHeader()
    assert header.sectionResizeMode(COL_SNIPPET) == QHeaderView.ResizeMode.Stretch
    assert header.sectionResizeMode(COL_TIME) == QHeaderView.ResizeMode.Interactive
    shown = [c for c in range(header.count()) if not header.isSectionHidden(c)]
    assert header.sectionSize(COL_SNIPPET) == max(header.sectionSize(c) for c in shown)
    widest_intent = chips_width(table.font(), [name for name, _ in DEFAULT_RULES])
    assert header.sectionSize(COL_INTENT) >= widest_intent  # a chip is never clipped
    # User tags sit with the intents, outlined instead of filled.
    first = win.inbox.model.mention_id(0)
    triage.add_tag(ws, [first], "outage-0612")
    win.inbox.mentions_changed()
    assert win.settle(TIMEOUT_S)
    chips = win.inbox.model.data(win.inbox.model.index(0, COL_INTENT), ChipsRole)
    assert ("#outage-0612", chips[-1][1], OUTLINE) == chips[-1]
    assert all(len(c) == 2 for c in chips[:-1])
    # Hide, reorder and resize from the header; the next window has it so.
    menu = columns.column_menu(table)
    owner = next(a for a in menu.actions() if a.text() == "Owner")
    owner.setChecked(True)  # shown from the menu
    status = next(a for a in menu.actions() if a.text() == "Status")
    status.setChecked(False)  # hidden from the menu
    assert not next(a for a in menu.actions() if a.text() == "Mention").isEnabled()
    header.moveSection(header.visualIndex(COL_TIME), 5)
    table.setColumnWidth(COL_OWNER, 150)
    win.close()
    qtbot.waitUntil(lambda: win.ws.closed)

    ws = Workspace.open(demo_path)
    again = MainWindow(ws, settings)
    qtbot.addWidget(again)
    again.resize(1280, 900)
    again.show()
    header = again.inbox.table.horizontalHeader()
    from engage_desktop.ui.inbox.model import COL_STATUS

    assert header.isSectionHidden(COL_STATUS) and not header.isSectionHidden(COL_OWNER)
    assert header.visualIndex(COL_TIME) == 5 and header.sectionSize(COL_OWNER) == 150
    assert header.sectionResizeMode(COL_SNIPPET) == QHeaderView.ResizeMode.Stretch
    again.close()


def test_author_panel_shows_what_they_said_and_follows_a_correction(inbox, qtbot):
    from engage_desktop.ui.inbox.author_panel import SentimentRole

    inbox.resize(1280, 800)
    inbox.select_row(0)
    settle(qtbot, inbox)
    panel = inbox.author_panel
    mention_id = inbox.current_mention_id()
    assert panel.mentions.topLevelItemCount() > 0
    items = [panel.mentions.topLevelItem(i) for i in range(panel.mentions.topLevelItemCount())]
    item = next(i for i in items if i.data(0, Qt.ItemDataRole.UserRole + 1) == mention_id)
    assert panel.mentions.columnWidth(1) > 200 or panel.mentions.header().sectionSize(1) > 200
    assert len(item.text(1)) > 20  # the text itself, not its first eight characters
    before = item.data(1, SentimentRole)
    label = "negative" if before != "negative" else "positive"
    inbox.correction_bar.correct(label)
    settle(qtbot, inbox)
    items = [panel.mentions.topLevelItem(i) for i in range(panel.mentions.topLevelItemCount())]
    item = next(i for i in items if i.data(0, Qt.ItemDataRole.UserRole + 1) == mention_id)
    assert item.data(1, SentimentRole) == label
