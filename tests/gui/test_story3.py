"""Story 3, an agency's monthly report, headless from `new` to the executive's reading.

The analyst creates a workspace from a brief, imports the client's export from
another tool and an OPML list of industry blogs, adds a watch query, fetches from a
loopback server speaking RSS, scores, reads share of voice, corrects a dozen sarcastic
posts, shares the workspace pseudonymised and writes a PDF report. The executive opens
the shared copy (no flag, read-only), reads the dashboard and drills into the top
detractor's posts; the file stays byte-identical.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from engage_desktop.cli import build_parser, main
from engage_desktop.dashboard.analytics import ChartElement, DashboardFilter
from engage_desktop.dashboard.session import DashboardSession
from engage_desktop.inbox.pager import MentionPager
from engage_desktop.workspace.database import Workspace
from tests.gui.waiting import TIMEOUT_S
from tests.integration.listen_helpers import rss

SARCASM = "Oh great, Nimbus dropped my connection again. Just wonderful, love it"


def _client_export(path: Path) -> None:
    """A Brandwatch-style export: its own ids and column names, its own sentiment."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["Date", "Author", "Full Text", "Url", "Resource Id", "Sentiment"])
        for i in range(40):
            day = 1 + i % 28
            if i < 12:  # the same grumpy customer, sarcastic every time
                text, who = f"{SARCASM} ({i})", "grumpy_gus"
            elif i % 3 == 0:
                text, who = f"Orbit support answered in minutes, impressed #{i}", f"fan{i}"
            elif i % 3 == 1:
                text, who = f"Skylink mesh is fine I guess, nothing special #{i}", f"user{i}"
            else:
                text, who = f"Nimbus router setup was quick and easy #{i}", f"happy{i}"
            out.writerow([f"2026-09-{day:02d} 10:{i % 60:02d}:00", who, text,
                          f"https://forum.example/t/{i}", f"rid-{i:05d}-x", "neutral"])  # fmt: skip


# `new` and tool imports come from the share-in branch (issue 12, part A).
@pytest.mark.skipif("new" not in build_parser()[1], reason="engage-desktop new is not merged yet")
def test_agency_month_from_new_to_the_executives_read_only_copy(
    qtbot, tmp_path: Path, httpserver: HTTPServer, settings, capsys
):
    ws_path = tmp_path / "client.engage"
    run = lambda *args: main(["-w", str(ws_path), *args])  # noqa: E731
    assert main(["new", str(ws_path), "--brand", "Nimbus", "--competitor", "Orbit",
                 "--competitor", "Skylink"]) == 0  # fmt: skip

    export = tmp_path / "brandwatch.csv"
    _client_export(export)
    assert run("import", str(export)) == 0

    for name, items in {
        "/blog-a.xml": [(f"a{i}", f"Nimbus outage review {i}: the router keeps failing")
                        for i in range(6)],
        "/blog-b.xml": [(f"b{i}", f"Orbit vs Skylink vs Nimbus, a comparison part {i}")
                        for i in range(4)],
    }.items():  # fmt: skip
        httpserver.expect_request(name).respond_with_data(
            rss(items), content_type="application/rss+xml"
        )
    opml = tmp_path / "blogs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>Industry</title></head><body>'
        f'<outline text="Blog A" type="rss" xmlUrl="{httpserver.url_for("/blog-a.xml")}"/>'
        f'<outline text="Blog B" type="rss" xmlUrl="{httpserver.url_for("/blog-b.xml")}"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    assert run("sources", "import-opml", str(opml)) == 0
    assert run("watch", "add", "Nimbus router", '"nimbus" AND router', "--topic", "Nimbus") == 0
    assert run("fetch", "--force") == 0
    assert run("score") == 0

    with Workspace.open(ws_path) as ws:
        assert ws.scalar("SELECT count(*) FROM mentions WHERE source_name = 'Blog A'") == 6
        assert ws.scalar("SELECT count(*) FROM mentions WHERE sentiment IS NULL") == 0
        sov = DashboardSession(ws).charts(DashboardFilter()).share_of_voice
        shares = dict(zip(sov.entities, sov.shares, strict=True))
        assert shares["Nimbus"] > 0 and shares["Orbit"] > 0 and shares["Skylink"] > 0
        rows = ws.cursor().execute("SELECT id FROM mentions WHERE text LIKE 'Oh great%'")
        sarcastic = sorted(r[0] for r in rows.fetchall())
    assert len(sarcastic) == 12
    for mention_id in sarcastic:  # VADER reads "wonderful, love it" as praise
        assert run("correct", str(mention_id), "negative") == 0
    assert run("correct", "rid-00003-x", "negative") == 0  # the client's own id works too

    shared = tmp_path / "nimbus-september.engage"
    assert run("export", "workspace", str(shared), "--pseudonymize", "--by", "Dana") == 0
    report = tmp_path / "nimbus-september.pdf"
    assert run("report", str(report), "--from", "2026-09-01", "--to", "2026-10-31") == 0
    assert report.read_bytes().startswith(b"%PDF")
    assert "grumpy_gus" not in shared.read_bytes().decode("latin-1")
    capsys.readouterr()

    # The executive: no account, no flag, no network.
    before = hashlib.sha256(shared.read_bytes()).hexdigest()
    from engage_desktop.ui.main_window import MainWindow

    ws = Workspace.open(shared)
    win = MainWindow(ws, settings)
    qtbot.addWidget(win)
    try:
        win.show()
        assert ws.read_only and win.shared_banner.text().startswith("Shared by Dana on ")
        assert win.dashboard.wait_until_ready(TIMEOUT_S)
        detractor = win.dashboard.data.authors.detractors[0]
        assert detractor.label.startswith("Author ") and detractor.mentions >= 12
        with qtbot.waitSignal(win.dashboard.drill_requested) as got:
            win.dashboard.drill(ChartElement("author", key=detractor.key))
        expected = MentionPager(ws, got.args[0]).count()
        assert expected == detractor.mentions
        qtbot.waitUntil(lambda: win.inbox.model.rowCount() == expected)
        win.inbox.select_row(0)
        assert win.settle(TIMEOUT_S)
        assert "Oh great" in win.inbox.detail.toPlainText()
    finally:
        win.close()
        ws.close()
    assert hashlib.sha256(shared.read_bytes()).hexdigest() == before
