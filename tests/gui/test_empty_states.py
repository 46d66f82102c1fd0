"""Every empty view says what to do next, with the button for it."""

from __future__ import annotations

import pytest

from engage_desktop.inbox.filters import InboxFilter
from engage_desktop.ui.main_window import MainWindow
from tests.conftest import new_workspace
from tests.gui.waiting import TIMEOUT_S


@pytest.fixture
def empty_window(qtbot, tmp_path, settings):
    ws = new_workspace(tmp_path / "empty.engage")
    win = MainWindow(ws, settings)
    qtbot.addWidget(win)
    win.resize(1280, 900)
    win.show()
    assert win.settle(TIMEOUT_S)
    yield win
    win.close()


def _shown(empty) -> list[str]:
    return [name for name, button in empty.buttons.items() if button.isVisibleTo(empty)]


def test_an_empty_workspace_says_what_to_do_in_every_view(empty_window, qtbot):
    win = empty_window
    assert win.inbox.empty.isVisible()
    assert win.inbox.empty.heading.text() == "No mentions yet"
    assert _shown(win.inbox.empty) == ["add_source", "import", "brief"]
    win.show_view("feeds")
    assert win.feeds.empty.isVisible() and _shown(win.feeds.empty) == ["add_source", "brief"]
    win.show_view("dashboard")
    assert win.dashboard.wait_until_ready(TIMEOUT_S)
    assert win.dashboard.empty.isVisible() and not win.dashboard.scroll.isVisible()
    assert win.dashboard.empty.heading.text() == "Nothing to measure yet"
    assert _shown(win.dashboard.empty) == ["add_source", "import", "brief"]
    win.show_view("composer")
    assert win.settle(TIMEOUT_S)
    win.composer.tabs.setCurrentIndex(1)
    outbox = win.composer.outbox
    assert outbox.empty.isVisible() and _shown(outbox.empty) == ["inbox"]
    outbox.empty.buttons["inbox"].click()
    assert win.pages.currentWidget() is win.inbox


def test_no_match_offers_clear_filters_and_data_hides_the_empty_state(window, qtbot):
    inbox = window.inbox
    assert not inbox.empty.isVisible()
    inbox.filter_bar.set_filter(InboxFilter(search="zzqqxxnotaword"))
    assert window.settle(TIMEOUT_S)
    assert inbox.model.rowCount() == 0 and inbox.empty.isVisible()
    assert _shown(inbox.empty) == ["clear_filters"]
    inbox.empty.buttons["clear_filters"].click()
    assert window.settle(TIMEOUT_S)
    assert inbox.model.rowCount() > 0 and not inbox.empty.isVisible()
    assert not window.feeds.empty.isVisibleTo(window.feeds)
