"""File › Workspace Settings…: values read and written by tasks, typed editors."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QLineEdit

from engage_desktop.workspace import settings as S


def test_settings_dialog_reads_edits_and_saves(window, qtbot):
    window.open_settings()
    qtbot.waitUntil(lambda: getattr(window, "settings_dialog", None) is not None)
    dialog = window.settings_dialog
    editors = dialog._editors
    assert isinstance(editors["approval.required"], QCheckBox)
    sla = editors["sla.first_response_hours"]
    assert isinstance(sla, QDoubleSpinBox)
    assert sla.value() == S.get(window.ws, S.SLA_HOURS)
    sla.setValue(2.0)
    editors["approval.required"].setChecked(True)
    name = editors["workspace.name"]
    assert isinstance(name, QLineEdit)
    name.setText("Client <b>X</b>")
    dialog._accept()
    assert dialog.changes() == {
        "sla.first_response_hours": 2.0,
        "approval.required": True,
        "workspace.name": "Client <b>X</b>",
    }
    qtbot.waitUntil(lambda: window.ws.get_setting("approval.required") is True)
    qtbot.waitUntil(lambda: window.windowTitle().startswith("Client <b>X</b>"))
    assert S.get(window.ws, S.SLA_HOURS) == 2.0


def test_a_bad_value_is_said_in_the_dialog_and_nothing_is_saved(window, qtbot):
    window.open_settings()
    qtbot.waitUntil(lambda: getattr(window, "settings_dialog", None) is not None)
    dialog = window.settings_dialog
    dialog._editors["sla.business_hours"].setText("{not json")
    dialog._accept()
    assert dialog.isVisible()
    assert "Business hours" in dialog.error.text()
    dialog.reject()
