"""The user's display name: asked once, kept in the settings, used to sign and to log."""

from __future__ import annotations

import pytest

from engage_desktop.enrich.store import get_correction, set_correction
from engage_desktop.outbox.send import agent_name
from engage_desktop.profile import ENV, display_name
from engage_desktop.workspace.database import Workspace, current_user


@pytest.fixture
def first_start(monkeypatch):
    """A machine where nobody gave a name yet (the suite presets one, like CI)."""
    monkeypatch.delenv(ENV, raising=False)


def test_first_start_asks_once_and_keeps_the_name(first_start, qtbot, demo_path):
    from engage_desktop.ui.profile_dialog import DisplayNameDialog

    assert display_name() is None
    dialog = DisplayNameDialog(first_start=True)
    qtbot.addWidget(dialog)
    dialog.name.setText("   ")
    dialog.accept()
    assert dialog.isVisible() is False and dialog.result() == 0  # not accepted
    assert "type the name" in dialog.error.text()
    dialog.name.setText("  Dana   Whitfield ")
    dialog.accept()
    assert dialog.saved == "Dana Whitfield" and display_name() == "Dana Whitfield"
    assert current_user() == "Dana Whitfield"
    # The next workspace signs replies and records corrections with it, not the login.
    with Workspace.open(demo_path) as ws:
        assert agent_name(ws) == "Dana Whitfield"
        mention_id = int(ws.scalar("SELECT min(id) FROM mentions"))
        set_correction(ws, mention_id, "negative")
        assert get_correction(ws, mention_id)["corrected_by"] == "Dana Whitfield"
        actors = ws.cursor().execute("SELECT DISTINCT actor FROM events").fetchall()
        assert ("Dana Whitfield",) in actors


def test_your_name_menu_changes_who_signs(window, qtbot):
    assert window.ws.actor == "Robin Analyst"  # the suite's preset, as in CI
    window.ask_display_name()
    dialog = window._name_dialog
    dialog.name.setText("Sam Rivera")
    with qtbot.waitSignal(dialog.accepted):
        dialog.accept()
    assert window.ws.actor == "Sam Rivera"
    assert agent_name(window.ws) == "Sam Rivera"
