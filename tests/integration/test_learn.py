"""The learned sentiment model on real workspace files: training, re-scoring,
corrections winning, no model = unchanged, bulk corrections, the teaching queue,
cancellation by whole chunks, the migration and the CLI."""

from __future__ import annotations

import json

import duckdb
import pytest

from engage_desktop.cli import main
from engage_desktop.enrich.learned.apply import rescore
from engage_desktop.enrich.learned.corrections import correct_from_file, set_corrections
from engage_desktop.enrich.learned.store import active_model
from engage_desktop.enrich.learned.teach import refresh_teaching_queue
from engage_desktop.enrich.learned.train import MIN_CORRECTIONS, train_workspace
from engage_desktop.enrich.pipeline import enrich
from engage_desktop.enrich.sentiment import VaderScorer
from engage_desktop.enrich.store import clear_correction, set_correction
from engage_desktop.inbox.filters import InboxFilter, to_query
from engage_desktop.inbox.pager import MentionPager
from engage_desktop.workspace import schema
from engage_desktop.workspace.database import Workspace
from tests.conftest import new_workspace, use_private_dirs
from tests.integration.learn_fixture import make_workspace, open_copy

SCORE_COLUMNS = (
    "id, sentiment, sentiment_label, model_sentiment, model_label, sentiment_pos, "
    "sentiment_neu, sentiment_neg, priority, learned_label, learned_version"
)


def rows(ws, sql, params=None):
    cur = ws.cursor()
    try:
        return cur.execute(sql, params or []).fetchall()
    finally:
        cur.close()


@pytest.fixture(scope="module")
def labelled_template(tmp_path_factory):
    """The scored labelled workspace, built once for the module (tests open copies)."""
    folder = tmp_path_factory.mktemp("learn")
    with pytest.MonkeyPatch.context() as mp:  # built before the tests' private folders
        use_private_dirs(folder / "home", mp)
        ws, truth = make_workspace(folder / "template.engage")
        ws.close()
    return folder / "template.engage", truth


@pytest.fixture
def labelled(labelled_template, tmp_path):
    template, truth = labelled_template
    ws = open_copy(template, tmp_path / "learn.engage")
    yield ws, dict(truth)
    ws.close()


def teach(ws, truth, ids):
    return set_corrections(ws, [(i, truth[i]) for i in ids], "test")


def test_trains_and_rescores_better_than_vader(labelled):
    ws, truth = labelled
    assert teach(ws, truth, range(1, 121)) == 120
    result = train_workspace(ws)
    assert result.model_id is not None and result.corrections == 120
    card = result.card
    assert card["f1_model"] > card["f1_vader"]
    assert {t["term"] for t in card["top_negative"]} & {"keeps dropping", "no signal", "dropping"}

    summary = rescore(ws, processes=1)
    assert summary.total == summary.done == 300 and not summary.cancelled
    held_out = rows(
        ws,
        "SELECT id, sentiment_label, model_label, learned_label, learned_version, "
        "learned_confidence FROM mentions WHERE id > 120",
    )
    learned_right = sum(r[1] == truth[r[0]] for r in held_out) / len(held_out)
    vader_right = sum(r[2] == truth[r[0]] for r in held_out) / len(held_out)
    assert learned_right > vader_right and learned_right > 0.9
    assert {r[4] for r in held_out} == {f"learned.{result.model_id}"}
    assert all(r[1] == r[3] and 0.33 < r[5] <= 1.0 for r in held_out)
    # VADER's own scores stay stored beside the model's.
    assert rows(ws, "SELECT count(*) FROM mentions WHERE model_label IS NULL")[0][0] == 0


def test_corrections_win_over_model_and_vader(labelled):
    ws, truth = labelled
    teach(ws, truth, range(1, 121))
    train_workspace(ws)
    # An analyst who disagrees with everything: positive for a complaint.
    complaint = next(i for i in range(121, 301) if truth[i] == "negative")
    set_correction(ws, complaint, "positive")
    rescore(ws, processes=1)
    enrich(ws, rescore=True, processes=1)  # score --rescore keeps it too
    label, learned = rows(
        ws, "SELECT sentiment_label, learned_label FROM mentions WHERE id = ?", [complaint]
    )[0]
    assert label == "positive"
    assert clear_correction(ws, complaint)
    label, learned = rows(
        ws, "SELECT sentiment_label, learned_label FROM mentions WHERE id = ?", [complaint]
    )[0]
    assert label == learned == "negative"  # the model's label applies again, not VADER's


def test_rescore_uses_the_model_and_new_mentions_get_it(labelled, tmp_path):
    ws, truth = labelled
    teach(ws, truth, range(1, 121))
    model_id = train_workspace(ws).model_id
    summary = enrich(ws, rescore=True, processes=1)
    assert summary.done == 300
    versions = rows(
        ws,
        "SELECT DISTINCT learned_version FROM mentions "
        "WHERE id NOT IN (SELECT mention_id FROM sentiment_corrections)",
    )
    assert versions == [(f"learned.{model_id}",)]


def test_no_model_means_byte_identical_scores(labelled_template, tmp_path):
    ws = open_copy(labelled_template[0], tmp_path / "plain.engage")
    with ws:
        before = rows(ws, f"SELECT {SCORE_COLUMNS} FROM mentions ORDER BY id")
        assert rescore(ws).total == 0
        enrich(ws, rescore=True, processes=1)
        after = rows(ws, f"SELECT {SCORE_COLUMNS} FROM mentions ORDER BY id")
        assert after == before
        assert all(r[1] == r[3] and r[2] == r[4] and r[9] is None for r in after)


def test_below_the_minimum_vader_stays(labelled):
    ws, truth = labelled
    teach(ws, truth, range(1, 41))
    result = train_workspace(ws)
    assert result.model_id is None and result.needed == MIN_CORRECTIONS - 40
    assert "60 more" in result.line()
    assert active_model(ws) is None


def test_cancel_keeps_whole_chunks(labelled):
    ws, truth = labelled
    teach(ws, truth, range(1, 121))
    train_workspace(ws)
    seen: list[int] = []
    summary = rescore(
        ws,
        processes=1,
        chunk_size=50,
        progress=lambda done, total: seen.append(done),
        is_cancelled=lambda: len(seen) >= 3,  # after two chunks were stored
    )
    assert summary.cancelled and summary.done == 100
    stored = rows(ws, "SELECT count(*) FROM mentions WHERE learned_version IS NOT NULL")[0][0]
    assert stored == 100


def test_worker_processes_store_what_one_process_stores(labelled):
    ws, truth = labelled
    teach(ws, truth, range(1, 121))
    train_workspace(ws)
    learned = "SELECT id, learned_label, learned_confidence, sentiment FROM mentions ORDER BY id"
    rescore(ws, processes=1)
    alone = rows(ws, learned)
    summary = rescore(ws, processes=2, chunk_size=70)  # chunks cross the window edges
    assert summary.done == 300 and rows(ws, learned) == alone


def test_domain_model_scores_only_its_topic(labelled):
    ws, truth = labelled
    router = [
        i for (i,) in rows(ws, "SELECT id FROM mentions WHERE list_contains(topics, 'Router')")
    ]
    teach(ws, truth, router[:110])
    result = train_workspace(ws, "Router")
    assert result.model_id is not None
    rescore(ws, processes=1)
    per_topic = dict(
        rows(
            ws,
            "SELECT topics[1], count(learned_version) FROM mentions "
            "WHERE id NOT IN (SELECT mention_id FROM sentiment_corrections) GROUP BY 1",
        )
    )
    assert per_topic["Support"] == 0 and per_topic["Router"] == len(router) - 110


def test_bulk_corrections_from_csv_and_jsonl(labelled, tmp_path):
    ws, _ = labelled
    csv_file = tmp_path / "labels.csv"
    csv_file.write_text("id,label\n1,Positive\n2,neg\n999999,positive\nabc,neutral\n3,great\n")
    result = correct_from_file(ws, csv_file)
    assert result.stored == 2
    assert [line for line, _ in result.bad] == [4, 5, 6]
    jsonl = tmp_path / "labels.jsonl"
    jsonl.write_text('{"id": 4, "label": "neutral"}\nnot json\n{"id": "5", "label": "negative"}\n')
    result = correct_from_file(ws, jsonl)
    assert result.stored == 2 and [line for line, _ in result.bad] == [2]
    got = dict(rows(ws, "SELECT mention_id, label FROM sentiment_corrections"))
    assert got == {1: "positive", 2: "negative", 4: "neutral", 5: "negative"}
    shown = dict(rows(ws, "SELECT id, sentiment_label FROM mentions WHERE id IN (1, 2, 4, 5)"))
    assert shown == got


def test_teaching_queue_orders_by_uncertainty_spread_over_groups(labelled):
    ws, truth = labelled
    teach(ws, truth, range(1, 121))
    train_workspace(ws)
    rescore(ws, processes=1)
    assert refresh_teaching_queue(ws, size=60) == 60
    queue = rows(
        ws,
        "SELECT m.id, m.learned_confidence, m.channel, m.topics[1] FROM teaching_queue q "
        "JOIN mentions m ON m.id = q.mention_id ORDER BY q.rank",
    )
    # The first round holds one mention of each (channel, topic) group...
    groups = {(c, t) for _, _, c, t in queue}
    first_round = queue[: len(groups)]
    assert {(c, t) for _, _, c, t in first_round} == groups
    # ...the least certain of its group; and within a group certainty only rises.
    for group in groups:
        confidences = [conf for _, conf, c, t in queue if (c, t) == group]
        assert confidences == sorted(confidences)
        least = rows(
            ws,
            "SELECT min(learned_confidence) FROM mentions WHERE channel = ? AND topics[1] = ? "
            "AND id NOT IN (SELECT mention_id FROM sentiment_corrections)",
            list(group),
        )[0][0]
        assert confidences[0] == least
    # The saved view shows it in that order, and a corrected mention leaves it.
    pager = MentionPager(ws, to_query(InboxFilter(teach=True, sort="teach")))
    shown = [r[0] for r in pager.page(0)]
    assert shown[:10] == [q[0] for q in queue[:10]]
    set_correction(ws, queue[0][0], truth[queue[0][0]])
    pager = MentionPager(ws, to_query(InboxFilter(teach=True, sort="teach")))
    assert pager.count() == 59 and pager.page(0)[0][0] == queue[1][0]


def test_model_is_stored_in_the_workspace_and_travels(labelled, tmp_path):
    ws, truth = labelled
    teach(ws, truth, range(1, 121))
    model_id = train_workspace(ws).model_id
    ws.close()
    with Workspace.open(tmp_path / "learn.engage", read_only=True) as again:
        stored = active_model(again)
        assert stored is not None and stored.id == model_id
        text = "the wifi keeps dropping every evening"
        v = VaderScorer().score(text)
        assert v.label != "negative"
        assert stored.model.predict([text], [[v.compound, v.pos, v.neu, v.neg]]) == ["negative"]


def test_opens_a_workspace_of_the_previous_schema(tmp_path):
    path = tmp_path / "previous.engage"
    con = duckdb.connect(str(path))
    schema.migrate(con, target=schema.LATEST_VERSION - 1)
    con.execute(
        "INSERT INTO mentions (item_key, channel, text, text_norm, published, sentiment, "
        "sentiment_label, model_sentiment, model_label) VALUES "
        "('k', 'forum', 'fine', 'fine', now(), 0.2, 'positive', 0.2, 'positive')"
    )
    con.close()
    with Workspace.open(path) as ws:
        assert ws.schema_version() == schema.LATEST_VERSION
        assert rows(ws, "SELECT sentiment_label, learned_label FROM mentions") == [
            ("positive", None)
        ]
        assert rows(ws, "SELECT count(*) FROM sentiment_models") == [(0,)]


def test_cli_learn_correct_file_and_report(labelled, tmp_path, capsys):
    ws, truth = labelled
    path = str(ws.path)
    ws.close()
    assert main(["-w", path, "learn"]) == 0
    assert "100 more" in capsys.readouterr().out
    labels = tmp_path / "labels.jsonl"
    labels.write_text(
        "".join(json.dumps({"id": i, "label": truth[i]}) + "\n" for i in range(1, 131))
    )
    assert main(["-w", path, "correct", "--file", str(labels)]) == 0
    assert "stored 130 corrections" in capsys.readouterr().out
    assert main(["-w", path, "learn", "--report"]) == 0
    assert "enough, run 'engage-desktop learn'" in capsys.readouterr().out
    assert main(["-w", path, "learn"]) == 0
    out = capsys.readouterr().out
    assert "trained model learned.1 on 130 corrections" in out
    assert "re-scored 300 of 300 mentions" in out
    assert main(["-w", path, "learn", "--report"]) == 0
    report = capsys.readouterr().out
    assert "F1 (5-fold cross-validated" in report and "agreement over time" in report
    assert main(["-w", path, "learn", "--domain", "Nope"]) == 2
    assert main(["-w", path, "correct", "--file", str(tmp_path / "x.txt")]) == 2


def test_import_labels_are_human(tmp_path, capsys):
    path = tmp_path / "imp.engage"
    new_workspace(path).close()
    data = tmp_path / "client.csv"
    data.write_text(
        "text,sentiment_label\n"
        "the router keeps dropping,negative\n"
        "what a lovely day,positive\n"
        "router arrived,neutral\n"
        "no label here,\n"
    )
    assert main(["-w", str(path), "import", str(data), "--labels-are-human"]) == 0
    assert "3 human labels stored as corrections" in capsys.readouterr().out
    with Workspace.open(path) as ws:
        got = rows(
            ws,
            "SELECT m.text, c.label, m.model_label FROM sentiment_corrections c "
            "JOIN mentions m ON m.id = c.mention_id ORDER BY m.text",
        )
    assert [(t, lab) for t, lab, _ in got] == [
        ("router arrived", "neutral"),
        ("the router keeps dropping", "negative"),
        ("what a lovely day", "positive"),
    ]
    assert all(model is not None for *_, model in got)  # VADER scored them too


def test_a_model_that_does_not_beat_vader_is_not_used(labelled, capsys):
    ws, _ = labelled
    vader = dict(rows(ws, "SELECT id, model_label FROM mentions WHERE id <= 150"))
    set_corrections(ws, list(vader.items()), "test")  # the analyst agrees with VADER
    result = train_workspace(ws)
    assert result.model_id is not None and not result.in_use
    assert "VADER stays in use" in result.line()
    assert active_model(ws) is None and rescore(ws).total == 0
    path = str(ws.path)
    ws.close()
    assert main(["-w", path, "learn", "--report"]) == 0
    assert "the last model trained did not beat it" in capsys.readouterr().out


def test_the_reports_method_appendix_carries_the_model_card(labelled, tmp_path):
    from datetime import timedelta

    from engage_desktop.dashboard.share.document import Heading, Para
    from engage_desktop.dashboard.share.numbers import compute
    from engage_desktop.dashboard.share.report import ReportOptions, build_report

    ws, truth = labelled
    first, last = rows(ws, "SELECT min(published), max(published) FROM mentions")[0]
    start = first.replace(hour=0, minute=0, second=0, microsecond=0)
    end = last.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)

    def appendix(pseudonymize=False):
        opts = ReportOptions(start, end, pseudonymize=pseudonymize)
        doc = build_report(ws, compute(ws, start, end, None), opts)
        at = next(
            i for i, b in enumerate(doc.blocks)
            if isinstance(b, Heading) and b.text == "Learned sentiment model"
        )  # fmt: skip
        return " ".join(b.text for b in doc.blocks[at + 1 :] if isinstance(b, Para))

    assert "No model was learned" in appendix()
    teach(ws, truth, range(1, 121))
    card = train_workspace(ws).card
    text = appendix()
    assert "from 120 corrections" in text and f"{card['f1_model']:.2f}" in text
    assert "Its labels are the ones shown" in text
    assert card["top_negative"][0]["term"] in text
    assert card["top_negative"][0]["term"] not in appendix(pseudonymize=True)
