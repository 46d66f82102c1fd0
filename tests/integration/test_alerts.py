"""Alert rules in the workspace, back-tests over the demo history, stored firings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engage_desktop.cli import main
from engage_desktop.core.errors import Conflict, InvalidInput, NotFound
from engage_desktop.dashboard.spikes import (
    AlertRule,
    add_rule,
    backtest,
    check_alerts,
    default_rules,
    ensure_default_rules,
    episode_query,
    list_alerts,
    list_rules,
    remove_rule,
)
from engage_desktop.inbox.pager import MentionPager
from engage_desktop.workspace.database import Workspace

DEMO_END = datetime(2026, 11, 1, tzinfo=UTC)  # the session demo's end (tests/conftest.py)
INCIDENT = (DEMO_END - timedelta(days=38)).replace(hour=14)


def count(ws, query) -> int:
    pager = MentionPager(ws, query)
    try:
        return pager.count()
    finally:
        pager.close()


def test_backtest_finds_the_demo_outage_once(demo_path):
    with Workspace.open(demo_path, read_only=True) as ws:
        volume = next(r for r in default_rules() if r.kind == "volume_spike")
        episodes = backtest(ws, volume)
        assert [ep.start for ep in episodes] == [INCIDENT]
        ep = episodes[0]
        assert ep.end - ep.start <= timedelta(hours=12)
        assert ep.peak >= 3 * ep.baseline and ep.z >= 6
        # The episode's drill-down lists exactly the mentions it counted.
        assert count(ws, episode_query(ep)) == ep.mentions


def test_negative_spikes_per_topic(demo_path):
    with Workspace.open(demo_path) as ws:
        with ws.write() as cur:  # the outage posts are the negative ones here
            cur.execute(
                "UPDATE mentions SET sentiment = -0.6, sentiment_label = 'negative' "
                "WHERE list_contains(topics, 'Outage')"
            )
        negative = next(r for r in default_rules() if r.kind == "negative_spike")
        episodes = backtest(ws, negative)
        outage = [ep for ep in episodes if ep.topic == "Outage"]
        assert [ep.start for ep in outage] == [INCIDENT]
        assert count(ws, episode_query(outage[0])) == outage[0].mentions


def test_rules_are_stored_and_firings_recorded_once(demo_path):
    with Workspace.open(demo_path) as ws:
        assert list_rules(ws) == []
        assert check_alerts(ws, days=3) == []  # nothing fired lately: nothing written
        assert list_rules(ws) == []
        rules = ensure_default_rules(ws)
        assert {r.name for r in rules} == {"Volume spike", "Negative spike per topic"}
        assert all(r.id > 0 for r in rules)
        with pytest.raises(Conflict, match="exists"):
            add_rule(ws, AlertRule(0, "Volume spike", "volume_spike"))
        with pytest.raises(NotFound, match="no topic"):
            add_rule(ws, AlertRule(0, "x", "volume_spike", topic="Nope"))
        daily = add_rule(ws, AlertRule(0, "Daily outage", "volume_spike", "Outage", "day"))
        assert daily.id > 0 and daily.params["bucket"] == "day"
        new = check_alerts(ws, days=60)
        assert {(ep.rule, ep.start) for ep in new} >= {("Volume spike", INCIDENT)}
        assert check_alerts(ws, days=60) == []  # the same incident is not notified twice
        stored = list_alerts(ws)
        assert len(stored) == len(new)
        remove_rule(ws, "Daily outage")
        assert "Daily outage" not in {r.name for r in list_rules(ws)}
        events = ws.scalar("SELECT count(*) FROM events WHERE entity = 'alert_rule'")
        assert events == 4  # two defaults, the daily rule, its removal
        assert [r.name for r in list_rules(ws)] == ["Negative spike per topic", "Volume spike"]


def test_other_kinds_of_rules_share_the_table(demo_path, capsys):
    from engage_desktop.inbox import mention_alerts

    with Workspace.open(demo_path) as ws:
        mention_alerts.ensure_default_rule(ws)  # a mention_match rule, another service's
        assert list_rules(ws) == []
        mention_alerts.match_new_mentions(ws, 0)  # records a mention_match firing
    assert main(["-w", str(demo_path), "alerts", "list"]) == 0
    assert "Negative from a large audience" in capsys.readouterr().out


def test_bad_rules_say_what_to_do():
    with pytest.raises(InvalidInput, match="unknown alert kind"):
        AlertRule(0, "x", "sentiment_dip")
    with pytest.raises(InvalidInput, match="hour or day"):
        AlertRule(0, "x", "volume_spike", bucket="minute")


def test_alerts_command_line(demo_path, capsys):
    ws_args = ["-w", str(demo_path)]
    assert main([*ws_args, "alerts", "rules"]) == 0
    assert "no rules stored yet" in capsys.readouterr().out
    assert main([*ws_args, "alerts", "backtest"]) == 0
    out = capsys.readouterr().out
    assert f"{INCIDENT:%Y-%m-%d %H:%M}" in out and "Volume spike: 1 firing" in out
    assert (
        main([*ws_args, "alerts", "add", "Outage daily", "--topic", "Outage", "--bucket", "day"])
        == 0
    )
    assert "added Outage daily" in capsys.readouterr().out
    assert main([*ws_args, "alerts", "add", "bad", "--topic", "Nope"]) == 2
    assert "no topic named 'Nope'" in capsys.readouterr().err
    assert main([*ws_args, "alerts", "check", "--days", "60"]) == 0
    assert "new alert" in capsys.readouterr().out
    assert main([*ws_args, "alerts", "list"]) == 0
    assert "Volume spike" in capsys.readouterr().out
    assert main([*ws_args, "--read-only", "alerts", "check"]) == 2
