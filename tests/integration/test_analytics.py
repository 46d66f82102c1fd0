"""Dashboard numbers against values worked out by hand, and drill-down counts.

The workspace is tests/integration/analytics_fixture.py; each expected value below
says how it follows from that table (SLA: 4 business hours, Mon–Fri 09:00–17:00 UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from engage_desktop.dashboard.analytics import (
    DAY_S,
    DAY_SQL,
    LABEL_SQL,
    LABELS,
    ChartElement,
    DashboardFilter,
    mention_query,
    rebucket,
)
from engage_desktop.dashboard.session import DashboardSession
from engage_desktop.dashboard.terms import rising_terms
from engage_desktop.inbox.pager import MentionPager
from engage_desktop.workspace.database import Workspace
from tests.integration.analytics_fixture import build

WEEK = DashboardFilter(datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 10, tzinfo=UTC))
DAY = lambda d: datetime(2026, 3, d, tzinfo=UTC).timestamp()  # noqa: E731


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    path = build(tmp_path_factory.mktemp("analytics") / "hand.engage")
    with Workspace.open(path, read_only=True) as ws:
        yield ws


@pytest.fixture(scope="module")
def session(ws):
    return DashboardSession(ws)


def count(ws, query) -> int:
    pager = MentionPager(ws, query)
    try:
        return pager.count()
    finally:
        pager.close()


def test_volume_per_day_and_label(session):
    vol = session.cube.volume(WEEK)
    assert list(vol.days) == [DAY(d) for d in range(2, 10)]
    # 2 Mar: #1 positive, #2 negative, #3 neutral; 3 Mar: #4 negative, #5 positive;
    # 4 Mar: #6 unscored; 6 Mar: #8 positive; 7 Mar: #9 neutral; 9 Mar: #7 negative.
    assert list(vol.counts["negative"]) == [1, 1, 0, 0, 0, 0, 0, 1]
    assert list(vol.counts["neutral"]) == [1, 0, 0, 0, 0, 1, 0, 0]
    assert list(vol.counts["positive"]) == [1, 1, 0, 0, 1, 0, 0, 0]
    assert list(vol.counts["unscored"]) == [0, 0, 1, 0, 0, 0, 0, 0]
    starts, ends, weekly = rebucket(vol.days, vol.total, "week")
    assert list(starts) == [DAY(2), DAY(9)] and list(ends) == [DAY(9), DAY(16)]
    assert list(weekly) == [8, 1]
    outage = session.cube.volume(DashboardFilter(WEEK.start, WEEK.end, "Outage"))
    assert outage.counts["negative"].sum() == 2 and outage.total.sum() == 2  # #2 and #4


def _score_demo(ws: Workspace) -> None:
    """A deterministic spread of scores: compound in [-1, 1), labels by VADER's cut-offs."""
    with ws.write() as cur:
        cur.execute(
            "UPDATE mentions SET sentiment = ((id * 37) % 200 - 100) / 100.0, "
            "sentiment_label = CASE WHEN ((id * 37) % 200 - 100) / 100.0 >= 0.05 "
            "THEN 'positive' WHEN ((id * 37) % 200 - 100) / 100.0 <= -0.05 "
            "THEN 'negative' ELSE 'neutral' END WHERE id % 10 <> 0"
        )


def test_cube_equals_direct_counts_on_the_demo(demo_path):
    """Every day's count per label and topic, the sentiment sums, the reply rows and
    the topic lists of the cube equal plain SQL over the mentions (the 3,000-mention
    demo, with sentiment written by the test)."""
    with Workspace.open(demo_path) as ws:
        _score_demo(ws)
        session = DashboardSession(ws)
        cube, flt = session.cube, DashboardFilter()
        days = cube.days(flt)
        first = int(days[0] // DAY_S)
        topics = [None, *session.ctx.topics]
        assert len(topics) > 2
        for topic in topics:
            where = "list_contains(topics, ?)" if topic else "true"
            params = [topic] if topic else []
            vol = cube.volume(DashboardFilter(topic=topic))
            for label in LABELS:
                expected = np.zeros(len(days))
                for day, n in ws.tuples(
                    f"SELECT {DAY_SQL}, count(*) FROM mentions WHERE {where} "
                    f"AND {LABEL_SQL} = ? GROUP BY 1",
                    [*params, label],
                ):
                    expected[int(day) - first] = n
                assert list(vol.counts[label]) == list(expected), (topic, label)
            trend = cube.sentiment_trend(DashboardFilter(topic=topic))
            scored = np.zeros(len(days))
            for day, n in ws.tuples(
                f"SELECT {DAY_SQL}, count(sentiment) FROM mentions WHERE {where} GROUP BY 1",
                params,
            ):
                scored[int(day) - first] = n
            assert list(trend.scored) == list(scored), topic
        answered = ws.scalar("SELECT count(*) FROM mentions WHERE first_reply_at IS NOT NULL")
        assert answered > 0 and cube.responses(flt).answered == answered
        lists = {frozenset(t) for (t,) in ws.tuples("SELECT DISTINCT topics FROM mentions")}
        assert set(cube.combos) == lists
        # A topic list's own row counts in no chart: every row left is a mention or reply row.
        assert ((cube.c["label"] >= 0) | (cube.c["bin"] >= 0)).all()


def test_rebucket_by_month_sums_calendar_months():
    days = np.arange(DAY(2) - 5 * DAY_S, DAY(2) + 3 * DAY_S, DAY_S)  # 25 Feb – 4 Mar
    starts, ends, sums = rebucket(days, np.ones(len(days)), "month")
    feb, mar = datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)
    assert list(starts) == [feb.timestamp(), mar.timestamp()]
    assert ends[0] == mar.timestamp() and list(sums) == [4, 4]


def test_sentiment_trend(session):
    trend = session.cube.sentiment_trend(WEEK, window=7)
    # 2 Mar: (0.6 - 0.5 + 0) / 3; net (1 positive - 1 negative) / 3 scored = 0 %.
    assert trend.mean[0] == pytest.approx(0.1 / 3)
    assert trend.net[0] == pytest.approx(0.0)
    # 3 Mar: (-0.8 + 0.4) / 2 = -0.2. 4 Mar: only #6, unscored: no mean.
    assert trend.mean[1] == pytest.approx(-0.2)
    assert np.isnan(trend.mean[2]) and trend.scored[2] == 0
    assert trend.net[4] == pytest.approx(100.0)  # 6 Mar: #8 positive only
    assert trend.net[7] == pytest.approx(-100.0)  # 9 Mar: #7 negative only
    # The 7-day band on 3 Mar: mean and population sd of the daily means 0.0333, -0.2.
    assert trend.band_mid[1] == pytest.approx((0.1 / 3 - 0.2) / 2)
    assert trend.band_high[1] - trend.band_mid[1] == pytest.approx(abs(0.1 / 3 + 0.2) / 2)


def test_share_of_voice(session):
    sov = session.cube.share_of_voice(WEEK)
    # Brand = Acme + AcmePhone: #1 #2 #3 #4 #6 #8 #9; Rival: #5 #6; Other: #7.
    assert sov.entities == ("Acme", "Other", "Rival")
    assert list(sov.totals) == [7, 1, 2]
    assert list(sov.shares) == pytest.approx([70.0, 10.0, 20.0])
    assert sov.weekly[:, 0].tolist() == [7, 0, 2] and sov.weekly[:, 1].tolist() == [0, 1, 0]
    # The topic selector does not change share of voice.
    topical = session.cube.share_of_voice(DashboardFilter(WEEK.start, WEEK.end, "Outage"))
    assert list(topical.totals) == [7, 1, 2]


def test_response_performance(session):
    data = session.compute(WEEK)
    perf = data.response
    # Answered: #1 1 h, #2 6 h, #4 10 min, #6 48 h, #7 5 min, #8 66 h (wall clock).
    assert perf.bins == ("<15m", "15–60m", "1–4h", "4–24h", "1–3d", ">3d")
    assert perf.bin_counts.tolist() == [2, 0, 1, 1, 2, 0]
    # Business hours: #1 1 h, #2 5 h (breach), #4 0 h (before 09:00), #6 Wed 10:00 →
    # Fri 10:00 = 7 + 8 + 1 = 16 h (breach), #7 5 min, #8 Fri 16:00 → Mon 10:00 = 2 h.
    assert (perf.answered, perf.within_sla) == (6, 4)
    assert perf.sla_share == pytest.approx(400 / 6)
    assert perf.bin_within.tolist() == [2, 0, 1, 0, 1, 0]
    # Weekly median by publication week: 600, 3600, 21600, 172800, 237600 s → 6 h;
    # the week of 9 Mar has only #7: 300 s.
    assert list(perf.weeks) == [DAY(2), DAY(9)]
    assert perf.weekly_median_h.tolist() == pytest.approx([6.0, 300 / 3600])
    assert perf.weekly_answered.tolist() == [5, 1]
    # Awaiting at each day's end: #3 (open, never answered) from 2 Mar; #6 on 4–5 Mar;
    # #8 from 6 Mar until Monday; #9 (new) from 7 Mar. #5 was ignored: never waits.
    assert perf.backlog.tolist() == [1, 1, 2, 2, 2, 3, 3, 2]


def test_rankings(session):
    data = session.compute(WEEK)
    top = data.authors.top
    # reach × volume: dave 1 × 5000, bob 3 × 1000, alice 3 × 100, erin 1 × 50, carol 1 × 10
    assert [(r.label.split(" · ")[0], r.value) for r in top] == [
        ("Dave", 5000),
        ("Bob", 3000),
        ("Alice", 300),
        ("Erin", 50),
        ("Carol", 10),
    ]
    # alice: mean (0.6 + 0.9 + 0.02) / 3 ≥ 0.25; bob: (-0.5 - 0.8 - 0.3) / 3 ≤ -0.25.
    assert [r.key for r in data.authors.advocates] == ["id:1"]
    assert [r.key for r in data.authors.detractors] == ["id:2"]
    assert data.authors.advocates[0].sentiment == pytest.approx(1.52 / 3)
    assert [(r.key, r.mentions) for r in data.channels] == [
        ("mastodon", 4),
        ("forum", 2),
        ("reddit", 2),
        ("blog", 1),
    ]


def test_rising_terms(ws):
    result = rising_terms(ws, WEEK, min_count=5)
    # Current period 2–10 Mar: 9 mentions, 6 say "firmware bug"; the 8 days before
    # have 6 mentions, none does. lift = ((6 + 1) / (9 + 1)) / ((0 + 1) / (6 + 1)) = 4.9.
    terms = {r.term: r for r in result.terms}
    assert {"firmware", "bug", "firmware bug"} <= set(terms)
    assert terms["firmware bug"].current == 6 and terms["firmware bug"].previous == 0
    assert terms["firmware bug"].lift == pytest.approx(4.9)
    assert "acme" not in terms  # in every mention of both periods: no rise
    assert (result.current_total, result.previous_total) == (9, 6)


def _elements(session, flt):
    """Every clickable element of every chart, with the number the chart shows."""
    data = session.compute(flt)
    out = []
    vol = data.volume
    for unit in ("day", "week", "month"):
        matrix = np.vstack([vol.counts[k] for k in vol.counts])
        starts, ends, sums = rebucket(vol.days, matrix, unit)
        for k, label in enumerate(vol.counts):
            for i in range(len(starts)):
                out.append((ChartElement("volume", starts[i], ends[i], label), sums[k, i]))
            out.append((ChartElement("volume", key=label), vol.counts[label].sum()))
    t = data.sentiment
    for i, day in enumerate(t.days):
        out.append((ChartElement("sentiment", day, day + DAY_S), t.scored[i]))
    sov = data.share_of_voice
    for i, entity in enumerate(sov.entities):
        out.append((ChartElement("share_of_voice", key=entity), sov.totals[i]))
        for w, week in enumerate(sov.weeks):
            element = ChartElement("share_of_voice", week, week + 7 * DAY_S, entity)
            out.append((element, sov.weekly[i, w]))
    p = data.response
    for i, name in enumerate(p.bins):
        out.append((ChartElement("response_time", key=name), p.bin_counts[i]))
    for w, week in enumerate(p.weeks):
        out.append((ChartElement("response_time", week, week + 7 * DAY_S), p.weekly_answered[w]))
    out.append((ChartElement("sla", key="within"), p.within_sla))
    out.append((ChartElement("sla", key="breached"), p.answered - p.within_sla))
    for i, day in enumerate(p.days):
        out.append((ChartElement("backlog", end=day + DAY_S), p.backlog[i]))
    for row in [*data.authors.top, *data.authors.advocates, *data.authors.detractors]:
        out.append((ChartElement("author", key=row.key), row.mentions))
    for row in data.channels:
        out.append((ChartElement("channel", key=row.key), row.mentions))
    for row in data.sources:
        out.append((ChartElement("source", key=row.key), row.mentions))
    return out


@pytest.mark.parametrize("topic", [None, "Acme", "Outage"])
def test_every_chart_element_drills_to_its_number(ws, session, topic):
    flt = DashboardFilter(WEEK.start, WEEK.end, topic)
    elements = _elements(session, flt)
    assert len(elements) > 60
    for element, value in elements:
        query = mention_query(session.ctx, flt, element)
        assert count(ws, query) == value, element


def test_rising_terms_drill_to_their_counts(ws, session):
    result = rising_terms(ws, WEEK, min_count=5)
    for term in result.terms:
        element = ChartElement("term", result.start.timestamp(), result.end.timestamp(), term.term)
        assert count(ws, mention_query(session.ctx, WEEK, element)) == term.current


def test_demo_drill_down_matches_every_chart(demo_path):
    """The same on the 3,000-mention demo, with sentiment written by the test."""
    with Workspace.open(demo_path) as ws:
        _score_demo(ws)
        session = DashboardSession(ws)
        newest = session.newest
        for flt in (
            DashboardFilter(),
            DashboardFilter(newest.replace(day=1), None, "Outage"),
        ):
            elements = _elements(session, flt)
            assert sum(v for _, v in elements) > 1000
            for element, value in elements:
                assert count(ws, mention_query(session.ctx, flt, element)) == value, element
        terms = rising_terms(ws, DashboardFilter())
        for term in terms.terms:
            element = ChartElement(
                "term", terms.start.timestamp(), terms.end.timestamp(), term.term
            )
            assert count(ws, mention_query(session.ctx, DashboardFilter(), element)) == term.current


def test_filter_rejects_partial_days():
    with pytest.raises(ValueError, match="midnight"):
        DashboardFilter(datetime(2026, 3, 2, 12, tzinfo=UTC))


def test_ranked_names_come_from_profiles_or_mentions(tmp_path):
    """A profiled author shows its profile's name; one without an id keeps its handle key."""
    from engage_desktop.dashboard.analytics import author_rankings

    path = build(tmp_path / "names.engage")
    with Workspace.open(path) as w:
        with w.write() as con:
            con.execute(
                "INSERT INTO authors (id, channel, handle, name) "
                "VALUES (4, 'blog', 'dave', 'Dave from the profile')"
            )
            con.execute(
                "UPDATE mentions SET author_id = NULL, author_handle = 'drifter', "
                "author_name = 'Drifter' WHERE author_id = 5"
            )
        top = author_rankings(w, WEEK).top
    labels = {r.key: r.label.split(" · ")[0] for r in top}
    assert labels["id:4"] == "Dave from the profile"  # from the authors table
    assert labels["id:1"] == "Alice"  # no profile: from its mentions
    drifter = next(r for r in top if r.key.startswith("h:"))
    assert drifter.key.endswith("/drifter") and labels[drifter.key] == "Drifter"
