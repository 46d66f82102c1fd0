"""Reports: the dashboard's numbers, a self-contained HTML file, pseudonyms, the CLI."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from engage_desktop.cli import main
from engage_desktop.dashboard.analytics import DashboardFilter
from engage_desktop.dashboard.session import DashboardSession
from engage_desktop.dashboard.share.document import Figures, Table, to_html
from engage_desktop.dashboard.share.numbers import compute
from engage_desktop.dashboard.share.report import ReportOptions, build_report, write_html
from engage_desktop.dashboard.spikes import range_episodes
from engage_desktop.workspace.database import Workspace
from tests.conftest import new_workspace

START, END = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)


def test_report_numbers_are_the_dashboards(demo_path: Path) -> None:
    with Workspace.open(demo_path, read_only=True) as ws:
        numbers = compute(ws, START, END, None)
        # What the dashboard computes for the same range (its session, its rankings).
        flt = DashboardFilter(START, END)
        dash = DashboardSession(ws).compute(flt)
        assert numbers.filter == flt
        vol = dash.volume
        assert numbers.now.mentions == int(vol.total.sum()) > 0
        assert numbers.now.negative == int(vol.counts["negative"].sum())
        scored = dash.sentiment.scored.sum()
        net = (dash.sentiment.positive.sum() - dash.sentiment.negative.sum()) / scored * 100
        assert numbers.now.net_sentiment == pytest.approx(net)
        sov = dash.share_of_voice
        assert numbers.now.brand_share == pytest.approx(sov.shares[0])
        assert numbers.now.sla_share == pytest.approx(dash.response.sla_share)
        assert numbers.now.answered == dash.response.answered
        assert numbers.now.backlog_end == int(dash.response.backlog[-1])
        assert np.array_equal(numbers.charts.response.bin_counts, dash.response.bin_counts)
        assert [r.key for r in numbers.ranks.authors.top] == [r.key for r in dash.authors.top]
        assert [(r.key, r.mentions) for r in numbers.ranks.sources] == [
            (r.key, r.mentions) for r in dash.sources
        ]
        assert [e.start for e in numbers.episodes] == [
            e.start for e in range_episodes(ws, START, END, None)
        ]
        # The previous period is the same length, just before.
        assert numbers.previous == DashboardFilter(datetime(2026, 8, 31, tzinfo=UTC), START)
        # And the document shows those numbers.
        doc = build_report(ws, numbers, ReportOptions(START, END))
    figures = next(b for b in doc.blocks if isinstance(b, Figures)).items
    shown = {f.label: f.value for f in figures}
    assert shown["Mentions"] == f"{numbers.now.mentions:,}"
    assert shown["Answered within SLA"] == f"{dash.response.sla_share:.1f}%"
    top = next(b for b in doc.blocks if isinstance(b, Table))
    assert top.rows[0][1] == f"{dash.authors.top[0].mentions:,}"


def test_html_is_self_contained_and_escapes_outside_text(demo_path: Path, tmp_path: Path) -> None:
    with Workspace.open(demo_path) as ws:
        with ws.write() as cur:  # hostile texts and names, as a feed could bring them
            cur.execute(
                "UPDATE authors SET name = '<script>alert(1)</script><img src=http://x/y>' "
                "WHERE id IN (SELECT author_id FROM mentions WHERE published >= ? "
                "AND author_id IS NOT NULL)",
                [START],
            )
            cur.execute(
                "UPDATE mentions SET text = 'see <iframe src=\"https://evil.example\"></iframe>' "
                "WHERE published >= ?",
                [START],
            )
        ws.set_setting("workspace.name", '<style>@import "https://evil.example/x.css"</style>')
        out = tmp_path / "r.html"
        write_html(None, ws, out, ReportOptions(START, END, title="Q4 <b>review</b>"))
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "<iframe" not in html.lower()
    assert "<img" not in html.lower() and "@import" not in html
    assert "&lt;script&gt;" in html and "Q4 &lt;b&gt;review&lt;/b&gt;" in html
    # Nothing is loaded from anywhere: no src/href attributes, no url(), no http in markup
    # other than the SVG namespace.
    markup = re.sub(r">[^<]*<", "><", html)  # tags only, text removed
    assert not re.search(r"\b(src|href)\s*=", markup, re.IGNORECASE)
    assert "url(" not in html
    assert set(re.findall(r"https?://[^\s\"'<>]+", markup)) <= {"http://www.w3.org/2000/svg"}
    assert html.count("<svg") >= 4
    assert "Content-Security-Policy" in html


def test_pseudonymized_report_names_no_one(demo_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "p.html"
    with Workspace.open(demo_path, read_only=True) as ws:
        names = [n for (n,) in ws.cursor().execute("SELECT name FROM authors").fetchall()]
        handles = [h for (h,) in ws.cursor().execute("SELECT handle FROM authors").fetchall()]
        write_html(None, ws, out, ReportOptions(START, END, pseudonymize=True))
        plain = out.with_name("plain.html")
        write_html(None, ws, plain, ReportOptions(START, END))
    html = out.read_text(encoding="utf-8")
    assert any(n in plain.read_text(encoding="utf-8") for n in names)  # control
    assert not [n for n in names if n in html]
    assert not [h for h in handles if f"@{h}" in html]
    labels = re.findall(r"Author \d+", html)
    assert labels and len(set(labels)) > 3


def test_report_cli_html_and_pdf(demo_path: Path, tmp_path: Path, capsys) -> None:
    html, pdf = tmp_path / "r.html", tmp_path / "r.pdf"
    args = ["-w", str(demo_path), "report", "--from", "2026-10-01", "--to", "2026-10-31"]
    assert main([*args[:3], str(html), *args[3:]]) == 0
    assert "01 Oct – 31 Oct 2026" in capsys.readouterr().out
    assert main([*args[:3], str(pdf), *args[3:], "--page", "letter", "--title", "Monthly"]) == 0
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert b"/FontFile2" in data  # fonts embedded
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", data)
    assert boxes and all((float(w), float(h)) == (612, 792) for w, h in boxes)  # Letter
    assert main(["-w", str(demo_path), "report", str(tmp_path / "r.txt")]) == 2
    assert main([*args[:3], str(html), "--topic", "Outage", "--topic", "Orbit"]) == 2
    assert main([*args[:3], str(html), "--from", "2026-10-31", "--to", "2026-10-01"]) == 2
    assert "report" in capsys.readouterr().err


def test_empty_workspace_report_says_so(tmp_path: Path, capsys) -> None:
    path = tmp_path / "empty.engage"
    new_workspace(path).close()
    assert main(["-w", str(path), "report", str(tmp_path / "r.html")]) == 2
    assert "no mentions yet" in capsys.readouterr().err
    with Workspace.open(path, read_only=True) as ws:
        doc_html = to_html(build_report(ws, compute(ws, START, END, None), ReportOptions()))
    assert "No spike in this period" in doc_html
