"""Fixes from a first-time user's walk: priority choices, live counts, drill-down chips,
columns and the author panel."""

from __future__ import annotations

import pytest

from engage_desktop.inbox.filters import InboxFilter
from engage_desktop.inbox.pager import counts
from engage_desktop.ui.inbox.filter_bar import PRIORITY_CHOICES
from engage_desktop.ui.inbox.model import COL_PRIORITY
from tests.gui.test_inbox import wait_for_counts


@pytest.fixture
def inbox(window, qtbot):
    window.show_view("inbox")
    view = window.inbox
    wait_for_counts(qtbot, view)
    yield view
    qtbot.waitUntil(lambda: not view.tasks.running(), timeout=15000)


def test_priority_choices_are_on_the_priority_scale(inbox):
    ws = inbox.ws
    top = ws.scalar("SELECT max(priority) FROM mentions")
    assert 1 < top <= 100  # priorities are 0–100 …
    total = inbox.model.rowCount()
    for text, value in PRIORITY_CHOICES:
        if value is None:
            continue
        assert 0 < value < 100, text  # … and so are the choices
        inbox.filter_bar.set_filter(InboxFilter(min_priority=value))
        expected = ws.scalar("SELECT count(*) FROM mentions WHERE priority >= ?", [value])
        assert inbox.model.rowCount() == expected
        assert 0 < expected < total, f"{text} keeps {expected} of {total}"
    shown = inbox.model.index(0, COL_PRIORITY)
    assert "." not in str(inbox.model.data(shown)), "priority reads as a whole number of 100"


def test_status_bar_follows_bulk_changes(window, inbox, qtbot):
    ws = inbox.ws
    inbox.filter_bar.set_filter(InboxFilter(statuses=("new", "open")))
    before = counts(ws)["open"]
    assert f"{before:,} waiting" in window.status_label.text()
    for row in range(5):
        inbox.select_row(row)
        inbox.toggle_mark()
    inbox.bulk_status("resolved")
    after = counts(ws)["open"]
    assert after == before - 5
    assert f"{after:,} waiting" in window.status_label.text()
