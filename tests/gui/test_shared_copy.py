"""A shared copy in the window: read-only by itself, the reader's mode, drill-down, safety."""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import duckdb
import pytest
from PySide6.QtGui import QDesktopServices

from engage_desktop.dashboard.analytics import ChartElement
from engage_desktop.dashboard.share.copy import ShareOptions, export_workspace
from engage_desktop.inbox.pager import MentionPager
from engage_desktop.workspace.database import Workspace
from tests.gui.waiting import TIMEOUT_S


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _open_window(qtbot, path: Path, settings):
    from engage_desktop.ui.main_window import MainWindow

    ws = Workspace.open(path)  # no flag: the manifest makes it read-only
    win = MainWindow(ws, settings)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    return win, ws


def _close(win, ws) -> None:
    from PySide6.QtCore import QCoreApplication, QEvent

    win.close()
    ws.close()
    win.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def shared_path(demo_path: Path, tmp_path: Path) -> Path:
    out = tmp_path / "client.engage"
    with Workspace.open(demo_path) as ws:
        export_workspace(None, ws, out, ShareOptions(shared_by="Dana Reyes"))
    return out


def test_reader_mode_and_drill_down_keep_the_file_identical(qtbot, shared_path, settings):
    before = _sha(shared_path)
    win, ws = _open_window(qtbot, shared_path, settings)
    try:
        assert ws.read_only and ws.manifest is not None
        assert win.shared_banner.text().startswith("Shared by Dana Reyes on ")
        assert win.shared_banner.isVisible()
        assert win.pages.currentWidget() is win.dashboard
        composer_row = win.pages.indexOf(win.composer)
        assert win.nav.item(composer_row).isHidden()
        for button in (
            win.feeds.fetch_all_button,
            win.feeds.fetch_one_button,
            win.feeds.auto_fetch,
        ):
            assert not button.isVisible() and not button.isVisibleTo(win.feeds)
        assert not win.feeds.timer.isActive()
        assert not win.share_action.isEnabled() and win.report_action.isEnabled()
        assert win.dashboard.wait_until_ready(TIMEOUT_S)
        data = win.dashboard.data
        author = data.authors.top[0].key
        elements = [
            ChartElement("volume", key="negative"),
            ChartElement("sentiment", key="positive"),
            ChartElement("share_of_voice", key=data.share_of_voice.entities[0]),
            ChartElement("response_time", key="1–4h"),
            ChartElement("sla", key="within"),
            ChartElement("backlog", end=float(data.volume.days[-1]) + 86400),
            ChartElement("author", key=author),
            ChartElement("channel", key=data.channels[0].key),
            ChartElement("source", key=data.sources[0].key),
        ]
        for element in elements:
            with qtbot.waitSignal(win.dashboard.drill_requested) as got:
                win.dashboard.drill(element)
            query = got.args[0]
            assert win.pages.currentWidget() is win.inbox
            expected = MentionPager(ws, query).count()
            assert expected > 0, element
            qtbot.waitUntil(lambda e=expected: win.inbox.model.rowCount() == e)
            win.inbox.select_row(0)  # the detail pane reads the mention too
            win.show_view("dashboard")
    finally:
        _close(win, ws)
    assert _sha(shared_path) == before
    assert sorted(p.name for p in shared_path.parent.glob("client.engage*")) == ["client.engage"]


class _Counter(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"<rss></rss>")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def tracker():
    """A loopback server that records every request (nothing may reach it)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    _Counter.hits = []
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_hostile_shared_copy_runs_nothing_and_fetches_nothing(
    qtbot, shared_path: Path, settings, monkeypatch, tracker
):
    """Markup, javascript:/file: links, absurd values and a loopback 'tracker'."""
    base = tracker
    con = duckdb.connect(str(shared_path))
    try:
        con.execute(
            "UPDATE share_manifest SET shared_by = ?, left_out = ?",
            [
                '<img src="' + base + '/banner.png"><script>alert(1)</script>' + "x" * 500,
                json.dumps(["<a href='javascript:alert(1)'>x</a>"]),
            ],
        )
        con.execute(
            "UPDATE settings SET value = ? WHERE key = 'brand.name'",
            [json.dumps('<b>Brand</b><img src="' + base + '/brand.png">')],
        )
        con.execute(
            "INSERT INTO settings (key, value) VALUES ('sla.first_response_hours', '1e308') "
            "ON CONFLICT DO UPDATE SET value = excluded.value"
        )
        con.execute(
            "UPDATE sources SET kind = 'rss', url = ? || id, paused = false, "
            "next_run_at = now() - INTERVAL 1 DAY, name = '<i>src</i>' || id",
            [base + "/feed.xml?"],
        )
        con.execute(
            "UPDATE mentions SET html = ?, url = 'javascript:alert(1)', "
            "author_name = '<a href=\"file:///etc/passwd\">me</a>', followers = 2147483647 "
            "WHERE id IN (SELECT id FROM mentions ORDER BY published DESC LIMIT 50)",
            [
                f'<p>hi <img src="{base}/pixel.gif"> <a href="file:///etc/passwd">f</a> '
                f'<img src="file:///etc/passwd"></p><script>fetch("{base}/js")</script>'
            ],
        )
        con.execute(
            "UPDATE mentions SET published = TIMESTAMPTZ '2100-01-01 00:00:00+00' "
            "WHERE id = (SELECT min(id) FROM mentions)"
        )
    finally:
        con.close()
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()))
    before = _sha(shared_path)
    win, ws = _open_window(qtbot, shared_path, settings)
    try:
        banner = win.shared_banner.text()
        assert "<script>" in banner  # shown as plain text, never as markup
        assert len(banner) < 200
        assert win.dashboard.wait_until_ready(TIMEOUT_S)
        win.show_view("inbox")
        win.inbox.select_row(0)
        qtbot.waitUntil(lambda: win.inbox.current_mention_id() is not None)
        html = win.inbox.detail.toHtml()
        assert "<script" not in html and "file:///etc/passwd" not in html
        win.inbox.detail.image_requested.emit(0)  # a click on "load image"
        win.show_view("feeds")
        win.feeds._scheduled_check()  # the schedule's tick does nothing here
        win.show_view("dashboard")
        from PySide6.QtCore import QCoreApplication

        for _ in range(20):
            QCoreApplication.processEvents()
    finally:
        _close(win, ws)
    assert _Counter.hits == []
    assert opened == []
    assert _sha(shared_path) == before


def test_file_menu_shares_and_exports_a_report_in_the_background(window, qtbot, tmp_path):
    from engage_desktop.ui.share.window import open_dialog

    labels = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert "&Share with a client…" in labels and "Export &report…" in labels
    assert window.dashboard.wait_until_ready(TIMEOUT_S)
    dialog = open_dialog(window, "share")
    out = tmp_path / "client"
    dialog.path.setText(str(out))
    dialog.all_time.setChecked(True)
    dialog.pseudonymize.setChecked(True)
    dialog.keep_segments.setChecked(True)
    dialog.shared_by.setText("Dana")
    with qtbot.waitSignal(dialog.finished):
        dialog.buttons.accepted.emit()
    shared = tmp_path / "client.engage"
    with Workspace.open(shared) as ws:
        assert ws.read_only and ws.manifest.shared_by == "Dana" and ws.manifest.pseudonymized
        assert ws.scalar("SELECT count(*) FROM mentions") == 3000
        # The box keeps the segments on the mentions, never the customer records.
        assert ws.scalar("SELECT count(customer_tier) FROM mentions") > 0
        assert ws.scalar("SELECT count(*) FROM customers") == 0
    assert "shared 3,000 mentions" in window.statusBar().currentMessage().lower()

    report = open_dialog(window, "report")
    report.path.setText(str(tmp_path / "month.pdf"))
    report.topic_box.setCurrentText("Outage")
    with qtbot.waitSignal(report.finished):
        report.buttons.accepted.emit()
    assert (tmp_path / "month.pdf").read_bytes().startswith(b"%PDF")
    assert "wrote the report" in window.statusBar().currentMessage().lower()
