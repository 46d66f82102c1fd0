"""The dashboard after an import: our scorer against theirs, card data export, the hint."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta

import pytest

from engage_desktop.inbox.mention_import import import_mentions
from engage_desktop.inbox.pager import MentionPager
from engage_desktop.listen.brief import create_from_brief, make_brief, plan_brief
from engage_desktop.workspace.database import Workspace
from tests.gui.waiting import TIMEOUT_S

TEXTS = (
    ("I love my Nimbus router, fantastic support", "positive"),
    ("Nimbus is terrible, the worst router I ever had", "positive"),  # they got it wrong
    ("Great job Nimbus, the update is wonderful", "positive"),
    ("Orbit is awful and slow, I hate it", "negative"),
    ("Nimbus app crashed again, really bad and annoying", "neutral"),  # they disagree
)


def _workspace(tmp_path, competitors=("Orbit",)):
    plan = plan_brief(make_brief("Nimbus", (), competitors))
    path = create_from_brief(tmp_path / "client.engage", plan).path
    source = tmp_path / "client.csv"
    day = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%d 10:00")
    with source.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["Post Id", "Message", "Created At", "Sentiment"])
        for i, (text, label) in enumerate(TEXTS):
            out.writerow([f"p{i}", text, day, label])
    ws = Workspace.open(path)
    import_mentions(ws, source)
    return ws


@pytest.fixture
def pane(qtbot, tmp_path):
    from engage_desktop.ui.dashboard.pane import DashboardPane

    ws = _workspace(tmp_path)
    dash = DashboardPane(ws)
    qtbot.addWidget(dash)
    dash.resize(1280, 900)
    dash.show()
    assert dash.wait_until_ready(TIMEOUT_S)
    yield dash
    dash.tasks.shutdown()
    ws.close()


def test_agreement_tile_drills_into_the_disagreements(pane, qtbot):
    qtbot.waitUntil(lambda: pane.agreement.isVisible())
    result = pane.agreement_data
    cells = result.cells
    disagree = sum(n for (ours, theirs), n in cells.items() if ours != theirs)
    assert result.compared == 5 and disagree >= 2
    assert pane.agreement.text() == f"{100 * (5 - disagree) / 5:.1f} %"
    with qtbot.waitSignal(pane.drill_requested) as signal:
        pane.agreement.clicked.emit()
    query, description = signal.args
    pager = MentionPager(pane.ws, query)
    try:
        assert pager.count() == disagree
    finally:
        pager.close()
    assert "differ" in description


def test_card_data_exports_from_the_right_click_menu(pane, qtbot, tmp_path, monkeypatch):
    import openpyxl

    menu = pane.share.data_menu()
    assert [a.text() for a in menu.actions()] == [
        "Export data as CSV…", "Export data as Excel…",
    ]  # fmt: skip
    asked = []
    real = pane.export_card_data
    # The menu's choice reaches the pane with the card's chart name (the save dialog
    # it would open is skipped: the test names the file).
    monkeypatch.setattr(pane, "export_card_data", lambda name, fmt: asked.append((name, fmt)))
    menu.actions()[1].trigger()
    assert asked == [("share_of_voice", "xlsx")]
    out = tmp_path / "sov.xlsx"
    real("share_of_voice", "xlsx", str(out))
    qtbot.waitUntil(lambda: out.exists())
    qtbot.waitUntil(lambda: "exported" in pane.timing.text())
    book = openpyxl.load_workbook(out, read_only=True)  # read-only keeps the file open
    try:
        rows = list(book.worksheets[0].values)
    finally:
        book.close()
    assert rows[0] == ("week", "entity", "mentions")
    totals = {}
    for _week, entity, n in rows[1:]:
        totals[entity] = totals.get(entity, 0) + n
    assert totals == dict(
        zip(pane.data.share_of_voice.entities,
            (int(v) for v in pane.data.share_of_voice.totals), strict=True)
    )  # fmt: skip
    assert pane.kpis["sov"].caption.text().startswith("share of voice: Nimbus")


def test_competitor_hint_only_without_competitor_topics(qtbot, tmp_path):
    from engage_desktop.ui.dashboard.pane import DashboardPane

    ws = _workspace(tmp_path, competitors=())
    dash = DashboardPane(ws)
    qtbot.addWidget(dash)
    try:
        assert dash.wait_until_ready(TIMEOUT_S)
        assert dash.kpis["sov"].caption.text() == "share of voice (add competitor topics)"
    finally:
        dash.tasks.shutdown()
        ws.close()
