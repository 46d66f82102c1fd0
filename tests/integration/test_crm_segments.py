"""Customer segments in the inbox, and advocates by influence, on the demo workspace."""

from __future__ import annotations

import csv

import pytest

from engage_desktop.crm.advocates import ECHO_WEIGHT, export_advocates, rank_advocates
from engage_desktop.inbox.filters import TOP_TIER, InboxFilter, to_query
from engage_desktop.inbox.pager import MentionPager
from engage_desktop.inbox.saved_views import list_views, view_counts
from engage_desktop.workspace.database import Workspace

# Each segment, and the same set written independently as SQL over the raw tables.
LINKED = "EXISTS (SELECT 1 FROM customer_links l WHERE l.author_id = m.author_id)"
SEGMENTS = [
    (InboxFilter(customers=True), LINKED),
    (InboxFilter(customers=False), f"NOT {LINKED}"),
    (InboxFilter(customer_tiers=("Pro", "Basic")), "c.tier IN ('Pro', 'Basic')"),
    (InboxFilter(customer_tiers=(TOP_TIER,)), "c.tier = 'Enterprise'"),
    (InboxFilter(min_value=1000, max_value=10000), "c.value BETWEEN 1000 AND 10000"),
    (InboxFilter(customer="CRM-100003"), "c.external_id = 'CRM-100003'"),
    (
        InboxFilter(sentiments=("negative",), has_reply=False, customer_tiers=(TOP_TIER,)),
        "c.tier = 'Enterprise' AND m.sentiment_label = 'negative' AND m.first_reply_at IS NULL",
    ),
]  # fmt: skip


def _sql_count(ws: Workspace, condition: str) -> int:
    return int(
        ws.scalar(
            "SELECT count(*) FROM mentions m LEFT JOIN customer_links l2 "
            "ON l2.author_id = m.author_id LEFT JOIN customers c ON c.id = l2.customer_id "
            f"WHERE {condition}"
        )
    )


@pytest.fixture
def demo(demo_path):
    ws = Workspace.open(demo_path)
    yield ws
    ws.close()


def test_the_demo_has_customers_linked_and_suggested(demo):
    linked = demo.scalar("SELECT count(*) FROM customer_links")
    authors = demo.scalar("SELECT count(*) FROM authors")
    assert 0.2 * authors < linked < 0.4 * authors
    assert demo.scalar("SELECT count(*) FROM customer_suggestions WHERE state = 'pending'") > 0
    rules = {
        r[0] for r in demo.cursor().execute("SELECT DISTINCT rule FROM customer_links").fetchall()
    }
    assert rules == {"email", "handle"}


@pytest.mark.parametrize(("flt", "condition"), SEGMENTS)
def test_segment_filters_count_like_sql(demo, flt, condition):
    expected = _sql_count(demo, condition)
    pager = MentionPager(demo, to_query(flt, demo.actor))
    try:
        assert pager.count() == expected
    finally:
        pager.close()
    assert view_counts(demo, [flt]) == [expected]


def test_segments_split_the_inbox_and_the_default_view_matches(demo):
    total = demo.scalar("SELECT count(*) FROM mentions")
    yes, no = view_counts(demo, [InboxFilter(customers=True), InboxFilter(customers=False)])
    assert yes > 0 and no > 0 and yes + no == total
    view = next(v for v in list_views(demo) if v.name == "Negative, unanswered, top-tier customers")
    assert view_counts(demo, [view.filter]) == [_sql_count(demo, SEGMENTS[-1][1])]


def test_advocates_ranked_by_influence_and_exported(demo, tmp_path):
    ranked = rank_advocates(demo, limit=20)
    assert len(ranked) == 20
    scores = [a.influence for a in ranked]
    assert scores == sorted(scores, reverse=True)
    for a in ranked:
        assert a.influence == pytest.approx(a.reach + a.engagement + ECHO_WEIGHT * a.echo, abs=0.02)
        assert a.positive_posts >= 3
    top = ranked[0]
    positives = demo.scalar(
        "SELECT count(*) FROM mentions WHERE author_id = ? AND sentiment_label = 'positive'",
        [top.author_id],
    )
    assert top.positive_posts == positives
    assert any(a.echo > 0 for a in ranked) and any(a.customer_id for a in ranked)
    out = tmp_path / "advocates.csv"
    assert export_advocates(ranked, out) == 20
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert rows[0]["author_id"] == str(top.author_id) and rows[0]["rank"] == "1"


def test_advocate_export_defuses_spreadsheet_formulas(demo, tmp_path):
    ranked = rank_advocates(demo, limit=1)
    with demo.write() as cur:
        cur.execute(
            "UPDATE authors SET name = '=HYPERLINK(\"x\")' WHERE id = ?", [ranked[0].author_id]
        )
    out = tmp_path / "a.csv"
    export_advocates(rank_advocates(demo, limit=1), out)
    row = next(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert row["name"].startswith("'=")
