"""The enrichment pipeline on real workspace files: sentiment, language, intents,
priority, author profiles, corrections, lexicon adjustments and cancellation."""

from __future__ import annotations

import random
import shutil
from datetime import UTC, datetime, timedelta

import duckdb
import pyarrow as pa
import pytest

from engage_desktop.core.text import mention_norm
from engage_desktop.demo.build import build_demo
from engage_desktop.enrich import hooks
from engage_desktop.enrich.pipeline import enrich, needs_enrichment, text_to_score
from engage_desktop.enrich.sentiment import NEGATIVE_THRESHOLD, POSITIVE_THRESHOLD, scorer_version
from engage_desktop.enrich.sentiment.reference import nltk_analyzer
from engage_desktop.enrich.store import (
    clear_correction,
    sentiment_agreement,
    set_correction,
    set_lexicon_adjustment,
)
from engage_desktop.inbox.pager import MentionPager, MentionQuery, insert_mentions
from engage_desktop.workspace import schema
from engage_desktop.workspace.database import Workspace
from tests.conftest import use_private_dirs

END = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def raw_template(tmp_path_factory):
    """A 2,500-mention demo that is not enriched yet, built once for the module."""
    folder = tmp_path_factory.mktemp("raw")
    with pytest.MonkeyPatch.context() as mp:  # built before the tests' private folders
        use_private_dirs(folder / "home", mp)
        build_demo(folder / "raw.engage", 2500, seed=5, end=END, enrich=False)
    return folder / "raw.engage"


@pytest.fixture
def raw_ws(raw_template, tmp_path):
    """A private copy of the module's raw demo, open (building it costs far more)."""
    path = tmp_path / "raw.engage"
    shutil.copy2(raw_template, path)
    ws = Workspace.open(path)
    yield ws
    ws.close()


def add_mentions(ws: Workspace, rows: list[dict]) -> list[int]:
    """Insert hand-made mentions; returns their ids."""
    base = int(ws.scalar("SELECT coalesce(max(id), 0) FROM mentions"))
    ids = list(range(base + 1, base + 1 + len(rows)))
    now = datetime(2026, 10, 30, tzinfo=UTC)
    table = pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "item_key": [f"test:{i}" for i in ids],
            "channel": [r.get("channel", "mastodon") for r in rows],
            "author_handle": [r.get("author") for r in rows],
            "author_name": [r.get("author") for r in rows],
            "title": [r.get("title") for r in rows],
            "text": [r["text"] for r in rows],
            "text_norm": [mention_norm(r.get("title"), r["text"]) for r in rows],
            "published": pa.array(
                [now - timedelta(hours=k) for k in range(len(rows))], pa.timestamp("us", tz="UTC")
            ),
            "language": pa.array([r.get("language") for r in rows], pa.string()),
            "followers": pa.array([r.get("followers") for r in rows], pa.int64()),
            "status": [r.get("status", "new") for r in rows],
            "first_reply_at": pa.array(
                [now if r.get("answered") else None for r in rows], pa.timestamp("us", tz="UTC")
            ),
        }
    )
    assert insert_mentions(ws, table) == len(rows)
    return ids


def fetch(ws: Workspace, sql: str, params=None):
    cur = ws.cursor()
    try:
        return cur.execute(sql, params or []).fetchall()
    finally:
        cur.close()


def test_stored_scores_equal_nltk_on_a_sample(raw_ws):
    summary = enrich(raw_ws, processes=2, chunk_size=700)  # the pool path
    assert summary.done == summary.total == 2500 and not summary.cancelled
    rows = fetch(
        raw_ws,
        "SELECT title, text, model_sentiment, sentiment_pos, sentiment_neu, sentiment_neg "
        "FROM mentions WHERE model_label <> 'unscored'",
    )
    sample = random.Random(3).sample(rows, 600)
    analyzer = nltk_analyzer()
    for title, text, compound, pos, neu, neg in sample:
        ref = analyzer.polarity_scores(text_to_score(title, text))
        assert (compound, pos, neu, neg) == pytest.approx(
            (ref["compound"], ref["pos"], ref["neu"], ref["neg"]), abs=1e-9
        )


def test_labels_follow_the_vader_thresholds(demo_path):
    with Workspace.open(demo_path) as ws:
        rows = fetch(ws, "SELECT model_sentiment, model_label FROM mentions")
    assert {label for _, label in rows} == {"positive", "neutral", "negative", "unscored"}
    for compound, label in rows:
        if label == "unscored":
            assert compound is None
        elif compound >= POSITIVE_THRESHOLD:
            assert label == "positive"
        elif compound <= NEGATIVE_THRESHOLD:
            assert label == "negative"
        else:
            assert label == "neutral"


def test_demo_arrives_enriched(demo_path):
    with Workspace.open(demo_path) as ws:
        assert needs_enrichment(ws) == 0
        (missing,) = fetch(ws, "SELECT count(*) FROM mentions WHERE priority IS NULL")[0]
        assert missing == 0
        tagged = dict(fetch(ws, "SELECT unnest(intents), count(*) FROM mentions GROUP BY 1"))
        assert tagged.get("complaint", 0) > 0 and tagged.get("question", 0) > 0
        flags = dict(fetch(ws, "SELECT flag, count(*) FROM authors GROUP BY 1"))
        assert flags.get("advocate", 0) > 0 and flags.get("detractor", 0) > 0


def test_non_english_is_unscored_not_neutral(raw_ws):
    ids = add_mentions(
        raw_ws,
        [
            {"text": "Der Router ist furchtbar langsam und der Support antwortet nie."},
            {"text": "Le service client est vraiment nul, je suis très déçu."},
            {"text": "Mi router funciona", "language": "es"},  # a known language is kept
            {"text": "The router is great, really fast!"},
        ],
    )
    enrich(raw_ws, ids=ids)
    rows = fetch(
        raw_ws,
        "SELECT language, sentiment, sentiment_label, model_label, scorer_version "
        "FROM mentions WHERE id IN (SELECT unnest(?::BIGINT[])) ORDER BY id",
        [ids],
    )
    assert [r[0] for r in rows] == ["de", "fr", "es", "en"]
    for language, sentiment, label, model_label, version in rows[:3]:
        assert (sentiment, label, model_label) == (None, "unscored", "unscored"), language
        assert version == scorer_version()  # done: not picked up again
    assert rows[3][2] == "positive"
    assert needs_enrichment(raw_ws) == 2500  # only the given ids were enriched


def test_title_is_scored_when_there_is_no_body(raw_ws):
    (mid,) = add_mentions(raw_ws, [{"title": "Absolutely awful router", "text": ""}])
    enrich(raw_ws, ids=[mid])
    ((label,),) = fetch(raw_ws, "SELECT sentiment_label FROM mentions WHERE id = ?", [mid])
    assert label == "negative"


def test_corrections_win_and_survive_a_rescore(raw_ws):
    enrich(raw_ws)
    ((mid, _model_label),) = fetch(
        raw_ws,
        "SELECT id, model_label FROM mentions WHERE model_label = 'positive' ORDER BY id LIMIT 1",
    )
    stored = set_correction(raw_ws, mid, "negative")
    assert stored["corrected_by"] == raw_ws.actor and stored["corrected_at"] is not None
    summary = enrich(raw_ws, rescore=True)
    assert summary.corrected == 1 and summary.done == summary.total
    ((label, sentiment, model),) = fetch(
        raw_ws, "SELECT sentiment_label, sentiment, model_label FROM mentions WHERE id = ?", [mid]
    )
    assert (label, model) == ("negative", "positive")
    assert sentiment == -0.5
    events = fetch(
        raw_ws, "SELECT action, new_value FROM events WHERE entity = 'mention' AND entity_id = ?",
        [str(mid)],
    )  # fmt: skip
    assert ("correct_sentiment", "negative") in events
    assert sentiment_agreement(raw_ws) == {
        "corrected": 1, "agreed": 0, "agreement": 0.0, "kappa": 0.0,
        "matrix": {"positive": {"negative": 1}},
    }  # fmt: skip
    assert clear_correction(raw_ws, mid)
    ((label,),) = fetch(raw_ws, "SELECT sentiment_label FROM mentions WHERE id = ?", [mid])
    assert label == "positive"


def test_lexicon_adjustments_apply_on_rescore(raw_ws):
    (mid,) = add_mentions(raw_ws, [{"text": "This new deck is sick"}])
    enrich(raw_ws)
    ((before,),) = fetch(raw_ws, "SELECT sentiment_label FROM mentions WHERE id = ?", [mid])
    assert before == "negative"
    set_lexicon_adjustment(raw_ws, "sick", 2.5)
    assert needs_enrichment(raw_ws) == 2501  # the scorer version changed
    enrich(raw_ws)
    ((after, version),) = fetch(
        raw_ws, "SELECT sentiment_label, scorer_version FROM mentions WHERE id = ?", [mid]
    )
    assert after == "positive"
    assert version == scorer_version({"sick": 2.5})


def test_cancel_leaves_no_half_written_chunk(raw_ws):
    seen = []

    def progress(done, total):
        seen.append(done)

    summary = enrich(raw_ws, chunk_size=600, progress=progress, is_cancelled=lambda: len(seen) >= 3)
    assert summary.cancelled
    assert summary.done == 1200 == seen[-1]
    rows = fetch(
        raw_ws,
        "SELECT count(*) FILTER (scored_at IS NOT NULL), "
        "count(*) FILTER (scored_at IS NOT NULL AND (priority IS NULL OR model_label IS NULL)), "
        "count(*) FILTER (scored_at IS NULL AND priority IS NOT NULL) FROM mentions",
    )
    assert rows == [(1200, 0, 0)]
    # The rest resumes where it stopped.
    rest = enrich(raw_ws)
    assert rest.total == 1300 and rest.done == 1300 and needs_enrichment(raw_ws) == 0


def test_priority_puts_negative_high_reach_unanswered_first(raw_ws):
    ids = add_mentions(
        raw_ws,
        [
            {"text": "Great router, love it", "followers": 50},
            {"text": "Terrible router, broken again", "followers": 200_000},
            {"text": "Terrible router, broken again", "followers": 40},
            {"text": "Terrible router, broken again", "followers": 200_000, "answered": True,
             "status": "resolved"},
            {"text": "Firmware 4.2 notes", "followers": 20},
        ],
    )  # fmt: skip
    enrich(raw_ws, ids=ids)
    where = "id IN (SELECT unnest(?::BIGINT[]))"
    pager = MentionPager(raw_ws, MentionQuery(where, (ids,), sort="priority"))
    try:
        order = [row[0] for row in pager.page(0)]
    finally:
        pager.close()
    assert order == [ids[1], ids[2], ids[3], ids[0], ids[4]]


def test_author_profiles_and_flags(raw_ws):
    angry = {"author": "angry", "followers": 20_000}
    posts = [{"text": f"Terrible support, broken router #{i}", **angry} for i in range(4)]
    posts += [{"text": f"Love it, great router #{i}", "author": "fan", "followers": 10}
              for i in range(3)]  # fmt: skip
    ids = add_mentions(raw_ws, posts)
    enrich(raw_ws, ids=ids)
    rows = dict(
        (handle, (n, avg, flag, followers))
        for handle, n, avg, flag, followers in fetch(
            raw_ws,
            "SELECT handle, mention_count, avg_sentiment, flag, followers FROM authors "
            "WHERE handle IN ('angry', 'fan')",
        )
    )
    assert rows["angry"][0] == 4 and rows["angry"][1] < -0.5
    assert rows["angry"][2] == "detractor" and rows["angry"][3] == 20_000
    # Three positive posts from an author with 10 followers are not enough reach.
    assert rows["fan"][0] == 3 and rows["fan"][2] is None


def test_after_insert_hooks_run_enrichment_and_plugins(raw_ws):
    calls = []

    def plugin(ws, mention_ids, state):
        calls.append(list(mention_ids))

    hooks.register_after_insert(plugin)
    try:
        ids = add_mentions(raw_ws, [{"text": "I will cancel my subscription, switching to Orbit"}])
        hooks.run_after_insert(raw_ws, ids)
    finally:
        hooks.unregister_after_insert(plugin)
    assert calls == [ids]
    ((label, intents),) = fetch(
        raw_ws, "SELECT sentiment_label, intents FROM mentions WHERE id = ?", [ids[0]]
    )
    assert label is not None and "churn risk" in intents


def test_old_workspace_gets_the_default_intent_rules(tmp_path):
    path = tmp_path / "v1.engage"
    con = duckdb.connect(str(path))
    assert schema.migrate(con, target=1) == [1]
    con.close()
    with Workspace.open(path) as ws:
        names = {r[0] for r in fetch(ws, "SELECT name FROM intent_rules")}
        assert ws.schema_version() == schema.LATEST_VERSION
    assert {
        "complaint",
        "question",
        "praise",
        "suggestion",
        "purchase intent",
        "churn risk",
    } <= names


def test_scoring_pauses_between_chunks_and_before_the_authors_refresh(raw_ws):
    steps = []
    summary = enrich(
        raw_ws,
        chunk_size=1250,
        progress=lambda done, _total: steps.append(done),
        pause=lambda: steps.append("pause"),
    )
    assert summary.done == 2500
    # Before the first read, after each stored chunk, and before the authors' refresh.
    assert steps == [0, "pause", 1250, "pause", 2500, "pause", "pause"]
