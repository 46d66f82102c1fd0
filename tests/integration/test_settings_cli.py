"""``engage-desktop settings``: typed values in, the audit log written, errors in words."""

from __future__ import annotations

import json

from engage_desktop.cli import main
from engage_desktop.workspace.database import Workspace
from tests.conftest import new_workspace


def test_set_get_and_list(tmp_path, capsys):
    path = tmp_path / "s.engage"
    new_workspace(path).close()
    assert main(["-w", str(path), "settings", "set", "sla.first_response_hours", "2.5"]) == 0
    assert capsys.readouterr().out.strip() == "sla.first_response_hours = 2.5"
    assert main(["-w", str(path), "settings", "get", "sla.first_response_hours"]) == 0
    assert json.loads(capsys.readouterr().out) == 2.5
    assert main(["-w", str(path), "settings", "get", "approval.required"]) == 0
    assert json.loads(capsys.readouterr().out) is False  # the declared default
    assert main(["-w", str(path), "settings", "list"]) == 0
    listing = capsys.readouterr().out
    assert 'reply.status_after_send = "pending"' in listing
    assert "inbox.views_seeded" not in listing  # internal markers are not offered
    with Workspace.open(path, read_only=True) as ws:
        logged = ws.scalar(
            "SELECT new_value FROM events WHERE entity = 'setting' AND entity_id = ?",
            ["sla.first_response_hours"],
        )
    assert logged == "2.5"


def test_wrong_values_and_keys_are_usage_errors(tmp_path, capsys):
    path = tmp_path / "s.engage"
    new_workspace(path).close()
    before = path.read_bytes()
    assert main(["-w", str(path), "settings", "set", "approval.required", "maybe"]) == 2
    assert "Replies need approval: 'maybe' is not a valid bool" in capsys.readouterr().err
    assert main(["-w", str(path), "settings", "set", "sla.hours", "3"]) == 2
    assert "there is no setting 'sla.hours'" in capsys.readouterr().err
    assert path.read_bytes() == before
