"""The executive copy's opt-ins and passengers: customer segments and the learned model.

Real workspace files in tmp_path: the demo (with its customer records and links) and
a small labelled workspace with a trained model.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from engage_desktop.cli import main
from engage_desktop.dashboard.share.copy import ShareOptions, export_workspace
from engage_desktop.enrich.learned.apply import rescore
from engage_desktop.enrich.learned.card import model_status
from engage_desktop.enrich.learned.corrections import set_corrections
from engage_desktop.enrich.learned.store import active_model
from engage_desktop.enrich.learned.train import train_workspace
from engage_desktop.inbox.filters import TOP_TIER, InboxFilter, to_query
from engage_desktop.inbox.pager import MentionPager
from engage_desktop.workspace.database import Workspace
from tests.conftest import use_private_dirs
from tests.integration.learn_fixture import make_workspace, open_copy

CUSTOMER_TABLES = (
    "customers",
    "customer_emails",
    "customer_handles",
    "customer_links",
    "customer_suggestions",
)
SEGMENT_COLUMNS = ("customer_id", "customer_tier", "customer_value", "customer_rank",
                   "customer_top")  # fmt: skip


def _filled(path: Path) -> dict[str, int]:
    """Rows of each customer table, and non-NULL values of each segment column."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        found = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in CUSTOMER_TABLES}
        for column in SEGMENT_COLUMNS:
            found[column] = con.execute(f"SELECT count({column}) FROM mentions").fetchone()[0]
        return found
    finally:
        con.close()


@pytest.fixture
def crm_demo(demo_path: Path) -> tuple[Path, dict]:
    """The demo, whose customers are linked to part of its authors; a few of its facts."""
    con = duckdb.connect(str(demo_path), read_only=True)

    def column(sql: str) -> list:
        return [r[0] for r in con.execute(sql).fetchall()]

    try:
        facts = {
            "names": column("SELECT name FROM customers ORDER BY value DESC LIMIT 5"),
            "emails": column("SELECT email FROM customer_emails LIMIT 5"),
            "external_ids": column("SELECT external_id FROM customers ORDER BY value DESC LIMIT 5"),
            "segments": con.execute(
                "SELECT customer_tier, customer_top, count(*) FROM mentions "
                "WHERE customer_top IS NOT NULL GROUP BY ALL ORDER BY ALL"
            ).fetchall(),
        }
    finally:
        con.close()
    assert facts["names"] and facts["emails"] and facts["segments"]
    return demo_path, facts


def _count(ws: Workspace, flt: InboxFilter) -> int:
    return MentionPager(ws, to_query(flt)).count()


def test_a_copy_drops_customer_data_by_default(crm_demo, tmp_path):
    source, facts = crm_demo
    out = tmp_path / "plain.engage"
    with Workspace.open(source) as ws:
        export_workspace(None, ws, out, ShareOptions())
    filled = _filled(out)
    assert all(filled[c] == 0 for c in (*CUSTOMER_TABLES, *SEGMENT_COLUMNS)), filled
    data = out.read_bytes()
    # Customers are named like their authors, who keep their names here: look for
    # what only a customer record holds.
    for secret in (*facts["emails"], *facts["external_ids"]):
        assert secret.encode() not in data, secret
    with Workspace.open(out) as shared:
        assert any("customer segments" in x for x in shared.manifest.left_out)
        assert _count(shared, InboxFilter(customers=True)) == 0


@pytest.mark.parametrize("pseudonymize", [False, True])
def test_keep_segments_keeps_tier_and_top_flag_only(crm_demo, tmp_path, pseudonymize):
    source, facts = crm_demo
    out = tmp_path / "segments.engage"
    with Workspace.open(source) as ws:
        summary = export_workspace(
            None, ws, out, ShareOptions(pseudonymize=pseudonymize, keep_segments=True)
        )
        expected = {
            "customers": _count(ws, InboxFilter(customers=True)),
            "top": _count(ws, InboxFilter(customer_tiers=(TOP_TIER,))),
            "tier": _count(ws, InboxFilter(customer_tiers=(facts["segments"][0][0],))),
            "not": _count(ws, InboxFilter(customers=False)),
        }
    assert "customer segments kept" in summary.line()
    filled = _filled(out)
    # Exactly the two segment columns travel; no customer table, id, value or rank.
    assert {c for c in (*CUSTOMER_TABLES, *SEGMENT_COLUMNS) if filled[c]} == {
        "customer_tier",
        "customer_top",
    }
    con = duckdb.connect(str(out), read_only=True)
    try:
        segments = con.execute(
            "SELECT customer_tier, customer_top, count(*) FROM mentions "
            "WHERE customer_top IS NOT NULL GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()
    assert segments == facts["segments"]
    data = out.read_bytes()
    names = facts["names"] if pseudonymize else []  # else authors keep their names
    for secret in (*names, *facts["emails"], *facts["external_ids"]):
        assert secret.encode() not in data, secret
    with Workspace.open(out) as shared:
        assert shared.manifest.pseudonymized is pseudonymize
        kept = json.loads(shared.scalar("SELECT kept FROM share_manifest"))["mentions"]
        assert "customer_tier" in kept and "customer_top" in kept and "customer_id" not in kept
        # The reader filters by segment with the same counts as the sharer.
        assert _count(shared, InboxFilter(customers=True)) == expected["customers"] > 0
        assert _count(shared, InboxFilter(customer_tiers=(TOP_TIER,))) == expected["top"] > 0
        tier = InboxFilter(customer_tiers=(facts["segments"][0][0],))
        assert _count(shared, tier) == expected["tier"] > 0
        assert _count(shared, InboxFilter(customers=False)) == expected["not"]
        from engage_desktop.crm.profile import segment_choices

        tiers, cuts = segment_choices(shared)
        top_tier = next(t for t, top, _ in facts["segments"] if top)
        assert tiers[0] == top_tier and cuts is None  # no values travel


def test_the_cli_takes_keep_segments(crm_demo, tmp_path, capsys):
    source, _ = crm_demo
    out = tmp_path / "cli.engage"
    assert main(["-w", str(source), "export", "workspace", str(out), "--keep-segments",
                 "--pseudonymize"]) == 0  # fmt: skip
    assert "customer segments kept" in capsys.readouterr().out
    assert _filled(out)["customer_tier"] > 0 and _filled(out)["customers"] == 0


@pytest.fixture(scope="module")
def trained_template(tmp_path_factory):
    """A labelled workspace with a trained model, every mention re-scored by it, built
    once for the module (training and scoring cost far more than a copy).

    Some corrected texts name an author by @handle, as replies do.
    """
    folder = tmp_path_factory.mktemp("trained")
    with pytest.MonkeyPatch.context() as mp:  # built before the tests' private folders
        use_private_dirs(folder / "home", mp)
        ws, truth = make_workspace(folder / "learn.engage")
        with ws.write() as cur:
            cur.execute(
                "UPDATE mentions SET text = text || ' @user3 @zoltanfromsupport' WHERE id % 10 = 0"
            )
        set_corrections(ws, [(i, truth[i]) for i in range(1, 121)], "test")
        result = train_workspace(ws)
        rescore(ws, processes=1)
        ws.close()
    return folder / "learn.engage", result.model_id


@pytest.fixture
def trained(trained_template, tmp_path):
    """A private copy of the module's trained workspace, open."""
    template, model_id = trained_template
    ws = open_copy(template, tmp_path / "learn.engage")
    yield ws, model_id
    ws.close()


def _learned(ws: Workspace) -> list[tuple]:
    return ws.tuples(
        "SELECT id, sentiment_label, learned_label, learned_confidence, learned_version "
        "FROM mentions ORDER BY id"
    )


def test_the_learned_model_travels_with_its_labels_and_card(trained, tmp_path):
    ws, model_id = trained
    out = tmp_path / "copy.engage"
    export_workspace(None, ws, out, ShareOptions())
    source_status = model_status(ws)
    with Workspace.open(out) as shared:
        assert shared.read_only
        assert _learned(shared) == _learned(ws)
        stored = active_model(shared)
        assert stored is not None and stored.id == model_id
        assert stored.model.vocabulary == active_model(ws).model.vocabulary
        status = model_status(shared)
        assert status["in_use"] and status["version"] == f"learned.{model_id}"
        assert status["card"] == source_status["card"]
        assert shared.scalar("SELECT count(created_by) FROM sentiment_models") == 0


def test_pseudonymized_copy_keeps_labels_and_drops_handle_words(trained, tmp_path):
    ws, model_id = trained
    assert "zoltanfromsupport" in active_model(ws).model.vocabulary
    out = tmp_path / "pseudo.engage"
    export_workspace(None, ws, out, ShareOptions(pseudonymize=True))
    with Workspace.open(out) as shared:
        assert _learned(shared) == _learned(ws)  # the labels shown are the same
        stored = active_model(shared)
        assert stored is not None and stored.id == model_id
        vocabulary = stored.model.vocabulary
        assert not any("zoltanfromsupport" in t or "user3" in t.split() for t in vocabulary)
        assert "rock solid" in vocabulary or "dropping" in vocabulary  # sentiment words stay
        card = model_status(shared)["card"]
        terms = [t["term"] for t in card["top_negative"] + card["top_positive"]]
        assert terms and not any("zoltan" in t or "user3" in t for t in terms)
        assert card["vocabulary"] == len(vocabulary)
        assert any("handles" in x and "model" in x for x in shared.manifest.left_out)


def test_undo_puts_back_the_previous_correction_or_the_models_label(tmp_path):
    from engage_desktop.enrich.learned.undo import correct_undoably, undo_corrections

    ws, _truth = make_workspace(tmp_path / "undo.engage", n=12)
    try:
        set_corrections(ws, [(1, "positive")], "earlier")
        before = ws.tuples(
            "SELECT m.id, m.sentiment, m.sentiment_label, m.priority, c.label, c.compound, "
            "c.corrected_by, c.corrected_at FROM mentions m "
            "LEFT JOIN sentiment_corrections c ON c.mention_id = m.id ORDER BY m.id"
        )
        stored, undo = correct_undoably(ws, [(1, "negative"), (2, "negative")], "inbox")
        assert stored == 2 and undo.ids == [1, 2] and undo.before[1][1] is None
        assert undo.label == "Sentiment of 2 mentions set to negative"
        labels = dict(ws.tuples("SELECT id, sentiment_label FROM mentions WHERE id <= 2"))
        assert labels == {1: "negative", 2: "negative"}
        assert undo_corrections(ws, undo) == 2
        after = ws.tuples(
            "SELECT m.id, m.sentiment, m.sentiment_label, m.priority, c.label, c.compound, "
            "c.corrected_by, c.corrected_at FROM mentions m "
            "LEFT JOIN sentiment_corrections c ON c.mention_id = m.id ORDER BY m.id"
        )
        assert after == before  # mention 1 has its earlier correction, 2 VADER's label
        assert (
            ws.scalar("SELECT count(*) FROM events WHERE action = 'undo_sentiment_correction'") == 1
        )
    finally:
        ws.close()
