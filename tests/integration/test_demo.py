"""The demo workspace: deterministic and realistic."""

from __future__ import annotations

from datetime import UTC, datetime

from engage_desktop.demo.build import CHANNELS, INCIDENT_DAYS_BEFORE_END, build_demo
from engage_desktop.workspace.database import Workspace

END = datetime(2026, 6, 1, tzinfo=UTC)
FINGERPRINT = (
    "SELECT md5(string_agg(concat_ws('|', id, item_key, channel, author_handle, title, text, "
    "epoch_us(published), status, owner, topics::VARCHAR, parent_id), '\n' ORDER BY id)) "
    "FROM mentions"
)
REPLY_FINGERPRINT = (
    "SELECT md5(string_agg(concat_ws('|', mention_id, body, epoch_us(sent_at)), '\n' "
    "ORDER BY id)) FROM replies"
)


def fingerprint(path):
    with Workspace.open(path, read_only=True) as ws:
        return ws.scalar(FINGERPRINT), ws.scalar(REPLY_FINGERPRINT)


def test_same_seed_same_data(tmp_path):
    a = build_demo(tmp_path / "a.engage", 4000, seed=3, end=END)
    b = build_demo(tmp_path / "b.engage", 4000, seed=3, end=END)
    assert a.mentions == b.mentions == 4000
    assert fingerprint(a.path) == fingerprint(b.path)


def test_other_seed_other_data(tmp_path):
    a = build_demo(tmp_path / "a.engage", 2000, seed=3, end=END)
    b = build_demo(tmp_path / "b.engage", 2000, seed=4, end=END)
    assert fingerprint(a.path)[0] != fingerprint(b.path)[0]


def test_demo_is_realistic(demo_path):
    with Workspace.open(demo_path, read_only=True) as ws:
        q = ws.cursor()
        assert ws.scalar("SELECT count(*) FROM mentions") == 3000
        channels = {r[0] for r in q.execute("SELECT DISTINCT channel FROM mentions").fetchall()}
        assert channels == set(CHANNELS)
        span = ws.scalar("SELECT date_diff('day', min(published), max(published)) FROM mentions")
        assert 170 <= span <= 180
        # The incident: the busiest day is the outage day, at 14:00 UTC or later.
        day, hour = q.execute(
            "SELECT date_trunc('day', published), min(hour(published)) FROM mentions "
            "WHERE list_contains(topics, 'Outage') AND text ILIKE '%outage%' "
            "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        busiest = q.execute(
            "SELECT date_trunc('day', published) FROM mentions GROUP BY 1 "
            "ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
        assert day == busiest
        assert (datetime(2026, 11, 1, tzinfo=UTC) - day).days == INCIDENT_DAYS_BEFORE_END
        assert hour >= 14
        # Authors: follower counts, a few prolific ones.
        top_share = ws.scalar(
            "SELECT sum(n) / 3000 FROM (SELECT count(*) n FROM mentions GROUP BY author_id "
            "ORDER BY n DESC LIMIT 10)"
        )
        assert top_share > 0.05
        assert ws.scalar("SELECT max(followers) FROM authors") > 10_000
        # Threads and answered mentions with response times.
        assert ws.scalar("SELECT count(*) FROM mentions WHERE parent_id IS NOT NULL") > 100
        answered = ws.scalar("SELECT count(*) FROM replies")
        assert 0.2 * 3000 < answered < 0.6 * 3000
        median_h = ws.scalar("SELECT median(response_time_s) / 3600 FROM replies")
        assert 0.5 < median_h < 8
        assert (
            ws.scalar(
                "SELECT count(*) FROM mentions m JOIN replies r ON r.mention_id = m.id "
                "WHERE m.first_reply_at IS NULL"
            )
            == 0
        )
        # Competitors and products are present as topics.
        topics = {
            r[0] for r in q.execute("SELECT DISTINCT unnest(topics) FROM mentions").fetchall()
        }
        assert {"Nimbus", "Router X2", "Orbit", "Skylink"} <= topics
        assert ws.scalar("SELECT count(*) FROM mentions WHERE language <> 'en'") > 0
        assert ws.scalar("SELECT count(*) FROM sources") == len(CHANNELS)
