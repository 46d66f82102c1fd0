"""engage-desktop inbox: the window's filters, views and triage from a script."""

from __future__ import annotations

from engage_desktop.cli import main
from engage_desktop.workspace.database import Workspace


def test_list_views_and_triage(demo_path, capsys):
    w = ["-w", str(demo_path)]
    assert main([*w, "inbox", "list", "--status", "new", "--count"]) == 0
    with Workspace.open(demo_path, read_only=True) as ws:
        new = ws.scalar("SELECT count(*) FROM mentions WHERE status = 'new'")
        orbit = ws.scalar("SELECT count(*) FROM mentions WHERE list_contains(topics, 'Orbit')")
    assert capsys.readouterr().out.strip() == f"{new:,} mentions"
    assert main([*w, "inbox", "list", "--search", '"mesh pro"', "--limit", "3"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4 and lines[0].endswith("mentions")
    ids = [int(line.split()[0]) for line in lines[1:]]
    # Read-only workspaces list the default views without storing them.
    assert main([*w, "--read-only", "inbox", "views"]) == 0
    assert f"{orbit:>9,}  Competitor: Orbit" in capsys.readouterr().out
    assert main([*w, "inbox", "list", "--view", "competitor: orbit", "--count"]) == 0
    assert capsys.readouterr().out.strip() == f"{orbit:,} mentions"
    assert main([*w, "inbox", "status", "resolved", *map(str, ids)]) == 0
    assert "Resolved" in capsys.readouterr().out
    assert main([*w, "inbox", "tag", "outage-0612", str(ids[0])]) == 0
    with Workspace.open(demo_path, read_only=True) as ws:
        assert ws.scalar(
            "SELECT count(*) FROM mentions WHERE status = 'resolved' "
            "AND id IN (SELECT unnest(?::BIGINT[]))",
            [ids],
        ) == len(ids)
        assert ws.scalar("SELECT tags FROM mentions WHERE id = ?", [ids[0]]) == ["outage-0612"]
        assert ws.scalar("SELECT count(*) FROM events WHERE action = 'tag'") == 1


def test_bad_input_is_one_clear_line(demo_path, capsys):
    w = ["-w", str(demo_path)]
    assert main([*w, "inbox", "status", "resolved", "999999999"]) == 2
    assert "no mention with id or external id 999999999" in capsys.readouterr().err
    assert main([*w, "inbox", "list", "--view", "Nope"]) == 2
    assert "no saved view called 'Nope'" in capsys.readouterr().err
    assert main([*w, "--read-only", "inbox", "tag", "x", "1"]) == 2
    assert "drop --read-only" in capsys.readouterr().err
