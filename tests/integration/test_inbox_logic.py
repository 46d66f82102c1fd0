"""The inbox's Qt-free logic on a real demo workspace: filters, triage, views, people."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime

import pytest

from engage_desktop.core.errors import InvalidInput
from engage_desktop.inbox import mention_alerts, notes, people, saved_views, threads, triage
from engage_desktop.inbox.filters import (
    ME,
    UNASSIGNED,
    InboxFilter,
    compile_search,
    highlight_terms,
    to_query,
)
from engage_desktop.inbox.pager import MentionPager
from engage_desktop.workspace.database import Workspace

NOW = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def ws(demo_path):
    with Workspace.open(demo_path) as ws:
        # The demo is not scored yet: give it deterministic sentiment to filter on.
        with ws.write() as cur:
            cur.execute(
                "UPDATE mentions SET sentiment = CASE WHEN text_norm LIKE '%terrible%' OR "
                "text_norm LIKE '%down%' THEN -0.6 WHEN text_norm LIKE '%love%' THEN 0.7 "
                "ELSE 0.0 END"
            )
            cur.execute(
                "UPDATE mentions SET sentiment_label = CASE WHEN sentiment < -0.05 THEN "
                "'negative' WHEN sentiment > 0.05 THEN 'positive' ELSE 'neutral' END"
            )
        yield ws


def ids_where(ws, sql, params=()):
    cur = ws.cursor()
    try:
        rows = cur.execute(f"SELECT id FROM mentions WHERE {sql}", list(params)).fetchall()
        return {r[0] for r in rows}
    finally:
        cur.close()


def query_ids(ws, flt):
    q = to_query(flt, ws.actor, NOW)
    return ids_where(ws, q.where, q.params)


def test_filters_combine_with_and_and_values_with_or(ws):
    flt = InboxFilter(
        statuses=("new", "open"), channels=("mastodon", "reddit"), sentiments=("negative",)
    )
    expected = ids_where(
        ws,
        "status IN ('new','open') AND channel IN ('mastodon','reddit') "
        "AND sentiment_label = 'negative'",
    )
    assert expected and query_ids(ws, flt) == expected
    assert query_ids(ws, InboxFilter(topics=("Orbit", "Skylink"))) == ids_where(
        ws, "list_has_any(topics, ['Orbit', 'Skylink'])"
    )
    assert query_ids(ws, InboxFilter(has_reply=False, languages=("en",))) == ids_where(
        ws, "first_reply_at IS NULL AND language = 'en'"
    )
    assert query_ids(ws, InboxFilter(query_ids=(5,), min_reach=1000)) == ids_where(
        ws, "list_contains(matched_queries, 5) AND followers >= 1000"
    )
    day = query_ids(ws, InboxFilter(since="2026-10-01", until="2026-10-01"))
    assert day == ids_where(
        ws, "published >= '2026-10-01'::TIMESTAMPTZ AND published < '2026-10-02'::TIMESTAMPTZ"
    )
    assert query_ids(ws, InboxFilter(owners=(UNASSIGNED,))) == ids_where(ws, "owner IS NULL")
    week = query_ids(ws, InboxFilter(within_days=7))
    assert week == ids_where(ws, "published >= ?", [datetime(2026, 10, 25, tzinfo=UTC)])


def test_filter_json_round_trip_and_bad_dates():
    flt = InboxFilter(statuses=("new",), within_days=7, has_reply=False, sort="reach")
    assert InboxFilter.from_dict(json.loads(json.dumps(flt.to_dict()))) == flt
    assert InboxFilter.from_dict({"sort": "nonsense", "future_key": 1}) == InboxFilter()
    with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
        to_query(InboxFilter(since="last tuesday"))


def test_search_words_phrases_and_exclusions(ws):
    assert query_ids(ws, InboxFilter(search="Router")) == ids_where(ws, "text_norm LIKE '%router%'")
    phrase = query_ids(ws, InboxFilter(search='"mesh pro" -firmware'))
    assert phrase == ids_where(
        ws, "text_norm LIKE '%mesh pro%' AND text_norm NOT LIKE '%firmware%'"
    )
    # Accents fold both ways: Zürich is found by zurich and highlighted in the original.
    assert query_ids(ws, InboxFilter(search="zurich"))
    assert highlight_terms("Down in Zürich again", ["zurich"]) == [(8, 14)]
    search = compile_search('router "mesh pro"')
    assert search.highlight("A Router and a Mesh Pro") == [(2, 8), (15, 23)]
    assert compile_search("   ").sql == "true"
    assert query_ids(ws, InboxFilter(search="100%")) == ids_where(ws, "contains(text_norm, '100%')")


def test_status_changes_are_logged_and_undone(ws):
    ids = sorted(ids_where(ws, "status = 'new'"))[:5]
    action = triage.set_status(ws, ids, "resolved")
    assert action.count == 5 and action.label == "Resolved 5 mentions"
    assert ids_where(
        ws, "status = 'resolved' AND id IN (SELECT unnest(?::BIGINT[]))", [ids]
    ) == set(ids)
    cur = ws.cursor()
    events = cur.execute(
        "SELECT entity_id, action, old_value, new_value, actor FROM events "
        "WHERE entity = 'mention' ORDER BY id"
    ).fetchall()
    assert events == [(str(i), "status", "new", "resolved", ws.actor) for i in ids]
    # Setting the same status again changes (and logs) nothing.
    assert triage.set_status(ws, ids, "resolved").count == 0
    assert triage.undo(ws, action) == 5
    assert ids_where(ws, "status = 'new' AND id IN (SELECT unnest(?::BIGINT[]))", [ids]) == set(ids)
    undo_events = cur.execute(
        "SELECT count(*) FROM events WHERE action = 'undo status' AND new_value = 'new'"
    ).fetchone()[0]
    cur.close()
    assert undo_events == 5
    with pytest.raises(InvalidInput, match="unknown status"):
        triage.set_status(ws, ids, "done")


def test_tags_owner_star_read_and_undo(ws):
    ids = sorted(ids_where(ws, "true"))[:20]
    tagged = triage.add_tag(ws, ids, "outage-0612")
    assert tagged.count == 20
    assert triage.add_tag(ws, ids, "outage-0612").count == 0
    assert ids_where(ws, "list_contains(tags, 'outage-0612')") == set(ids)
    triage.undo(ws, tagged)
    assert not ids_where(ws, "list_contains(tags, 'outage-0612')")
    assigned = triage.assign(ws, ids[:3], ws.actor)
    assert query_ids(ws, InboxFilter(owners=(ME,))) == set(ids[:3])
    triage.undo(ws, assigned)
    assert not query_ids(ws, InboxFilter(owners=(ME,)))
    triage.set_starred(ws, ids[:2], True)
    assert query_ids(ws, InboxFilter(starred=True)) == set(ids[:2])
    opened = triage.open_mention(ws, sorted(ids_where(ws, "status = 'new'"))[0])
    assert {a.column for a in opened} == {"unread", "status"}
    with pytest.raises(InvalidInput):
        triage.add_tag(ws, ids, "  ")


def test_bulk_status_on_ten_thousand_is_one_transaction(tmp_path):
    from engage_desktop.demo.build import build_demo

    path = tmp_path / "bulk.engage"
    build_demo(path, 12_000, seed=3, end=NOW)
    with Workspace.open(path) as ws:
        pager = MentionPager(ws, to_query(InboxFilter()))
        ids = pager.ids_in_range(500, 10_500)
        assert len(ids) == 10_000 and ids[0] == pager.row(500)[0]
        assert ids[-1] == pager.row(10_499)[0]
        pager.close()
        action = triage.set_status(ws, ids, "spam")
        assert ws.scalar("SELECT count(*) FROM mentions WHERE status = 'spam'") >= 10_000
        assert ws.scalar("SELECT count(*) FROM events WHERE new_value = 'spam'") == action.count
        triage.undo(ws, action)
        assert ws.scalar("SELECT count(*) FROM mentions WHERE status = 'spam'") < 200


def test_export_selected(ws, tmp_path):
    ids = sorted(ids_where(ws, "true"))[:7]
    triage.add_tag(ws, ids[:2], "vip")
    assert triage.export_mentions(ws, ids, tmp_path / "out.csv") == 7
    rows = list(csv.DictReader((tmp_path / "out.csv").read_text().splitlines()))
    assert {int(r["id"]) for r in rows} == set(ids)
    assert {
        "id",
        "source",
        "url",
        "author",
        "title",
        "text",
        "published",
        "sentiment",
        "sentiment_label",
        "status",
        "tags",
    } <= set(rows[0])
    assert sum(r["tags"] == "vip" for r in rows) == 2
    assert triage.export_mentions(ws, ids, tmp_path / "out.jsonl") == 7
    with pytest.raises(InvalidInput, match=r"\.csv"):
        triage.export_mentions(ws, ids, tmp_path / "out.docx")


def test_saved_views_seed_once_and_count_in_one_scan(ws):
    assert not saved_views.seed_default_views(ws)  # the demo is built with its views
    views = saved_views.list_views(ws)
    names = [v.name for v in views]
    assert "Negative & unanswered this week" in names and "Competitor: Orbit" in names
    assert "Outage" in names  # the demo's own incident view
    for v in views:
        saved_views.delete_view(ws, v.id)
    assert not saved_views.seed_default_views(ws)  # deleted stays deleted
    mine = saved_views.save_view(
        ws, "Orbit, negative", InboxFilter(topics=("Orbit",), sentiments=("negative",))
    )
    again = saved_views.save_view(ws, "Orbit, negative", InboxFilter(topics=("Orbit",)))
    assert again.id == mine.id and len(saved_views.list_views(ws)) == 1
    flts = [InboxFilter(), InboxFilter(statuses=("new",)), InboxFilter(topics=("Orbit",))]
    counts = saved_views.view_counts(ws, flts, NOW)
    assert counts == [len(query_ids(ws, f)) for f in flts]
    with pytest.raises(InvalidInput):
        saved_views.save_view(ws, " ", InboxFilter())


def test_author_profile_notes_flag_and_thread(ws):
    author_id = ws.scalar(
        "SELECT author_id FROM mentions GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
    )
    profile = people.author_profile(ws, author_id)
    assert profile.mentions["total"] == ws.scalar(
        "SELECT count(*) FROM mentions WHERE author_id = ?", [author_id]
    )
    assert profile.reach == ws.scalar("SELECT followers FROM authors WHERE id = ?", [author_id])
    people.set_author_flag(ws, author_id, "detractor")
    people.set_author_tags(ws, author_id, ["vip", " vip", "press"])
    notes.add_note(ws, "Called twice about the X2", author_id=author_id)
    profile = people.author_profile(ws, author_id)
    assert profile.author["flag"] == "detractor"
    assert profile.author["tags"] == ["vip", "press"]
    assert profile.notes[0]["body"] == "Called twice about the X2"
    timeline = people.author_timeline(ws, author_id)
    assert sum(r["total"] for r in timeline) == profile.mentions["total"]
    assert len(people.author_mentions(ws, author_id, limit=5)) == min(5, profile.mentions["total"])
    # A second account with the same e-mail is the same person, across channels.
    other = ws.scalar("SELECT id FROM authors WHERE id <> ? LIMIT 1", [author_id])
    with ws.write() as cur:
        cur.execute(
            "UPDATE authors SET email = 'p@example.org' WHERE id IN (?, ?)", [author_id, other]
        )
    assert set(people.linked_author_ids(ws, author_id)) == {author_id, other}
    with pytest.raises(InvalidInput):
        people.set_author_flag(ws, author_id, "fan")
    child = ws.scalar("SELECT id FROM mentions WHERE parent_id IS NOT NULL LIMIT 1")
    from engage_desktop.inbox.pager import get_mention

    m = get_mention(ws, child)
    thread = threads.thread(ws, m)
    assert thread.parent["id"] != child
    parent = get_mention(ws, thread.parent["id"])
    assert child in {r["id"] for r in threads.thread(ws, parent).answers}


def test_alert_rule_groups_new_mentions(ws):
    mention_alerts.ensure_default_rule(ws)
    mention_alerts.ensure_default_rule(ws)
    assert len(mention_alerts.mention_rules(ws)) == 1
    top = ws.scalar("SELECT max(id) FROM mentions")
    expected = ws.scalar(
        "SELECT count(*) FROM mentions WHERE id > ? AND sentiment_label = 'negative' "
        "AND followers >= ?",
        [0, mention_alerts.DEFAULT_REACH],
    )
    groups = mention_alerts.match_new_mentions(ws, 0)
    assert expected > 0 and len(groups) == 1 and groups[0].count == expected
    assert f"{expected} new mention" in groups[0].message()
    assert ws.scalar("SELECT count(*) FROM alerts") == 1
    assert mention_alerts.match_new_mentions(ws, top) == []


def test_pager_position_of(ws):
    pager = MentionPager(ws, to_query(InboxFilter(statuses=("resolved",), sort="reach")))
    for index in (0, 5, 250, pager.count() - 1):
        assert pager.position_of(pager.row(index)[0]) == index
    assert pager.position_of(ids_where(ws, "status = 'new'").pop()) is None
    pager.close()


def test_pager_pages_keep_every_sort_and_say_who_labelled_a_row(ws):
    from engage_desktop.enrich.learned.corrections import set_corrections
    from engage_desktop.inbox.pager import ROW_FIELDS, SORTS

    cur = ws.cursor()
    for sort in ("time", "oldest", "priority", "reach", "sentiment"):
        key, desc = SORTS[sort]
        way = "DESC" if desc else "ASC"
        expected = [
            r[0]
            for r in cur.execute(
                f"SELECT id FROM mentions ORDER BY {key} {way}, id {way} LIMIT 100"
            ).fetchall()
        ]
        pager = MentionPager(ws, to_query(InboxFilter(sort=sort)), page_size=50)
        assert [r[0] for r in pager.page(0) + pager.page(1)] == expected, sort
        pager.close()
    cur.close()
    source = ROW_FIELDS.index("sentiment_source")
    pager = MentionPager(ws, to_query(InboxFilter()), page_size=50)
    corrected = pager.page(0)[3][0]
    set_corrections(ws, [(corrected, "positive")], "analyst")
    pager.invalidate()
    rows = pager.page(0)
    assert rows[3][source] == "analyst"
    assert {r[source] for r in rows if r[0] != corrected} <= {"VADER", None}
    pager.close()


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("time", "published DESC, id DESC"),
        ("oldest", "published, id"),
        ("reach", "coalesce(followers, -1) DESC, id DESC"),
    ],
)
def test_a_search_is_counted_and_paged_in_sort_order(ws, sort, order):
    # By time a count (with its time slices) then the page's ids; by other keys the
    # count and first page in one scan; later pages by id either way (pager.py).
    query = to_query(InboxFilter(search="router", sort=sort), ws.actor)
    cur = ws.cursor()
    expected = [
        r[0]
        for r in cur.execute(
            f"SELECT id FROM mentions WHERE {query.where} ORDER BY {order}",
            list(query.params),
        ).fetchall()
    ]
    cur.close()
    pager = MentionPager(ws, query, page_size=7)
    assert pager.count() == len(expected) > 21
    if sort != "reach":  # the first pages come from a slice at the sort's end, the last not
        assert pager._slices.condition(0, 7) is not None
        assert pager._slices.condition(len(expected) // 7, 7) is None
    assert [pager.row(i)[0] for i in range(21)] == expected[:21]  # three pages, in order
    assert pager.row(len(expected) - 1)[0] == expected[-1]  # a jump to the end
    pager.close()
    nothing = MentionPager(ws, to_query(InboxFilter(search="zzqx nothing"), ws.actor))
    assert nothing.count() == 0 and nothing.page(0) == []
    nothing.close()


def test_search_uses_the_watch_query_language_with_a_simple_fallback(ws):
    from engage_desktop.core.query import parse, to_sql
    from engage_desktop.inbox.filters import _simple_search

    search = compile_search('router -"mesh pro" author:nobody_here OR orbit')
    assert search.language == "query"
    sql, params = to_sql(parse('router -"mesh pro" author:nobody_here OR orbit'))
    assert query_ids(ws, InboxFilter(search='router -"mesh pro" author:nobody_here OR orbit')) == (
        ids_where(ws, sql, params)
    )
    with pytest.raises(InvalidInput, match="search"):
        compile_search('"unclosed (')
    simple = _simple_search('router "mesh pro" -firmware')
    assert simple.language == "simple"
    assert ids_where(ws, simple.sql, simple.params) == ids_where(
        ws,
        "text_norm LIKE '%router%' AND text_norm LIKE '%mesh pro%' "
        "AND text_norm NOT LIKE '%firmware%'",
    )
