"""The walking skeleton: four areas on real workspace data."""

from __future__ import annotations

from PySide6.QtCore import Qt

from engage_desktop.composer.drafts import get_draft
from engage_desktop.ui.main_window import VIEWS
from engage_desktop.workspace.database import Workspace
from tests.gui.waiting import TIMEOUT_S


def test_four_areas_show_workspace_data(module_window):
    window = module_window  # looks only: the module's shared window
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == [
        v.title() for v in VIEWS
    ]
    assert window.feeds.sources.rowCount() == 7
    assert window.feeds.queries.rowCount() == 7
    assert window.inbox.model.rowCount() == 3000
    assert "3,000 mentions" in window.inbox.subtitle.text()
    assert window.dashboard.wait_until_ready(TIMEOUT_S)
    assert window.dashboard.data.volume.total.sum() > 0
    assert "3,000 mentions" in window.status_label.text()
    assert "Nimbus (demo)" in window.windowTitle()


def test_view_shortcuts(module_window, qtbot):
    window = module_window
    for i, name in enumerate(VIEWS, start=1):
        qtbot.keyClick(window, Qt.Key.Key_0 + i, Qt.KeyboardModifier.ControlModifier)
        assert window.pages.currentIndex() == VIEWS.index(name)


def test_selecting_a_mention_binds_the_composer_when_shown_and_saves_a_draft(window, qtbot):
    window.inbox.select_row(3)
    mention_id = window.inbox.current_mention_id()
    assert window.settle(TIMEOUT_S)
    assert window.composer.mention_id is None  # hidden: not bound on every selection
    window.show_view("composer")
    assert window.settle(TIMEOUT_S)
    assert window.composer.mention_id == mention_id
    assert "Answering" in window.composer.subtitle.text()
    qtbot.keyClicks(window.composer.editor, "Hi there, sorry about that!")
    qtbot.waitUntil(lambda: get_draft(window.ws, mention_id) is not None)
    saved = get_draft(window.ws, mention_id)["body"]
    # Channels that need it get the author's handle filled in before the text.
    assert saved.endswith("Hi there, sorry about that!")
    # Switching mentions (in the inbox) and back reloads the saved draft.
    window.show_view("inbox")
    window.inbox.select_row(5)
    window.show_view("composer")
    assert window.settle(TIMEOUT_S)
    assert "sorry about that" not in window.composer.editor.toPlainText()
    window.show_view("inbox")
    window.inbox.select_row(3)
    window.show_view("composer")
    assert window.settle(TIMEOUT_S)
    assert window.composer.editor.toPlainText() == saved


def test_closing_saves_pending_draft_and_remembers_workspace(window, qtbot, settings):
    window.inbox.select_row(0)
    mention_id = window.inbox.current_mention_id()
    window.show_view("composer")
    assert window.settle(TIMEOUT_S)
    window.composer.editor.setPlainText("typed just before closing")
    window.close()
    qtbot.waitUntil(lambda: window.ws.closed)  # released on close, not on quitting
    with Workspace.open(window.ws.path) as ws:
        assert get_draft(ws, mention_id)["body"] == "typed just before closing"
    assert settings.value("last_workspace") == str(window.ws.path)
    assert settings.value("window/geometry") is not None
    assert window.recent_files()[0] == str(window.ws.path)


def test_inbox_model_pages_lazily(window, qtbot):
    model = window.inbox.model
    last = model.index(model.rowCount() - 1, 3)
    assert model.data(last) is None  # not read yet: asked for, off the GUI thread
    qtbot.waitUntil(lambda: model.data(last) is not None)
    assert model.data(last)
    assert len(model._pager._pages) <= model._pager.cache_pages
