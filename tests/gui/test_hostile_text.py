"""Markup and hostile links through every surface that shows outside text.

The hostile values are written straight into the workspace, as a workspace someone
else sent could hold them (past every filter of the fetcher and the importer).
Every surface must show them literally, load nothing and open nothing: the
system's URL handler is replaced by a recorder.
"""

from __future__ import annotations

import html

import pytest
from PySide6.QtCore import QModelIndex, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QTextDocument

from engage_desktop.ui.safe_text import SafeBrowser, plain_tooltip
from engage_desktop.workspace.database import Workspace
from tests.gui.waiting import TIMEOUT_S

MARKUP = '<img src="/dev/zero"><b>bold</b><a href="javascript:alert(1)">click</a>'
HOSTILE_LINKS = (
    "javascript:alert(1)",
    "file:///etc/passwd",
    "smb://attacker.example/share",
    "/etc/passwd",
    "../secret",
    "data:text/html,<script>alert(1)</script>",
)
STORED_HTML = (
    "<p>body</p>"
    + "".join(f'<a href="{html.escape(u)}">l{i}</a>' for i, u in enumerate(HOSTILE_LINKS))
    + '<img src="file:///etc/passwd"><img src="/dev/zero">'
)


@pytest.fixture
def opened(monkeypatch):
    """Every URL the app hands to the system, recorded instead of opened."""
    calls: list[str] = []

    def record(url):
        calls.append(QUrl(url).toString())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(record))
    return calls


@pytest.fixture
def hostile_demo(demo_path):
    """The demo with its newest mention, its author and a source made hostile."""
    with Workspace.open(demo_path) as ws, ws.write() as cur:
        mid, author_id = cur.execute(
            "SELECT id, author_id FROM mentions WHERE author_id IS NOT NULL "
            "ORDER BY published DESC, id DESC LIMIT 1"
        ).fetchone()
        cur.execute(
            "UPDATE mentions SET title = ?, text = ?, html = ?, url = ?, author_name = ?, "
            "author_handle = ?, source_name = ? WHERE id = ?",
            [MARKUP, f"text {MARKUP}", STORED_HTML, "javascript:alert(1)", MARKUP,
             MARKUP, MARKUP, mid],
        )  # fmt: skip
        cur.execute(
            "UPDATE authors SET name = ?, handle = ? WHERE id = ?", [MARKUP, MARKUP, author_id]
        )
        sid = cur.execute("SELECT min(id) FROM sources").fetchone()[0]
        cur.execute(
            "UPDATE sources SET name = ?, url = ?, last_error = ?, failures = 1 WHERE id = ?",
            [MARKUP, "file:///etc/passwd", MARKUP, sid],
        )
        cur.execute(
            "INSERT INTO outbox (mention_id, channel, body, idempotency_key, state, last_error) "
            "VALUES (?, 'manual', ?, 'k-hostile', 'failed', ?)",
            [mid, MARKUP, MARKUP],
        )
        # Dates no post can have, written straight into the table.
        cur.execute(
            "UPDATE mentions SET published = TIMESTAMPTZ '9999-12-31 00:00:00+00' "
            "WHERE id = (SELECT min(id) FROM mentions)"
        )
        cur.execute(
            "UPDATE mentions SET published = TIMESTAMPTZ '0001-01-01 00:00:00+00', "
            "first_reply_at = TIMESTAMPTZ '9999-01-01 00:00:00+00' "
            "WHERE id = (SELECT min(id) + 1 FROM mentions)"
        )
    return demo_path, int(mid)


@pytest.fixture
def hostile_window(qtbot, hostile_demo, settings):
    from engage_desktop.ui.main_window import MainWindow

    path, mid = hostile_demo
    ws = Workspace.open(path)
    win = MainWindow(ws, settings)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    yield win, mid
    win.close()
    ws.close()
    win.deleteLater()


def _escaped(text: str) -> bool:
    return "<img" not in text and "&lt;img" in text


def _tooltips(table) -> list[str]:
    """Every cell's tooltip of a QTableWidget."""
    return [
        table.item(r, c).toolTip()
        for r in range(table.rowCount())
        for c in range(table.columnCount())
        if table.item(r, c) is not None
    ]


def _check_browser(browser: SafeBrowser, opened: list[str]) -> None:
    assert not browser.openLinks() and not browser.openExternalLinks()
    for url in HOSTILE_LINKS:
        browser.anchorClicked.emit(QUrl(url))
        assert (
            browser.loadResource(QTextDocument.ResourceType.ImageResource.value, QUrl(url)) is None
        )
    assert opened == []
    browser.anchorClicked.emit(QUrl("https://safe.example/post"))
    assert opened == ["https://safe.example/post"]
    opened.clear()


def test_every_surface_shows_markup_literally_and_opens_nothing(hostile_window, qtbot, opened):
    win, mid = hostile_window
    inbox = win.inbox

    # Inbox: the hostile mention's tooltips are escaped text.
    model = inbox.model
    qtbot.waitUntil(lambda: model.rowCount() > 0)
    qtbot.waitUntil(lambda: model.row_of(mid) is not None)
    rows = [r for r in range(model.rowCount()) if model.mention_id(r) == mid]
    assert rows, "the hostile mention is listed"
    tips = [
        model.data(model.index(rows[0], col), Qt.ItemDataRole.ToolTipRole)
        for col in range(model.columnCount(QModelIndex()))
    ]
    shown = [t for t in tips if t and "img" in t]
    assert shown and all(_escaped(t) for t in shown)

    # Detail pane: the markup is text, no hostile link survives, clicks open nothing.
    inbox.show_mention(mid)
    qtbot.waitUntil(lambda: inbox._shown_id == mid)
    detail = inbox.detail
    assert '<img src="/dev/zero">' in detail.toPlainText()
    doc_html = detail.toHtml()
    for url in ("javascript:", "file:", "smb:", "/etc/passwd", "../secret", "data:"):
        assert f'href="{url}' not in doc_html
    assert "Open the original" not in detail.toPlainText()
    _check_browser(detail, opened)

    # Author panel: its header escapes the name; its tooltips too.
    panel = inbox.author_panel
    panel.show_author(panel.author_id or int(win.ws.scalar(
        "SELECT author_id FROM mentions WHERE id = ?", [mid])))  # fmt: skip
    qtbot.waitUntil(win.is_settled)
    assert _escaped(panel.header.text())

    # Composer: the subtitle is plain text; the context pane is a SafeBrowser; the
    # "open the original" button refuses a javascript: address.
    win.composer.set_mention(mid)
    qtbot.waitUntil(lambda: win.composer.mention_id == mid)
    subtitle = win.composer.subtitle
    assert subtitle.textFormat() == Qt.TextFormat.PlainText and "<b>bold</b>" in subtitle.text()
    assert isinstance(win.composer.context, SafeBrowser)
    assert '<img src="/dev/zero">' in win.composer.context.toPlainText()
    _check_browser(win.composer.context, opened)
    win.composer.open_original()
    assert opened == [] and "not a web address" in win.composer.banner.text()

    # Outbox: the failed reply's body and error are escaped tooltips.
    outbox = win.composer.outbox
    with qtbot.waitSignal(outbox.refreshed):
        outbox.refresh()
    tips = _tooltips(outbox.table)
    assert any("img" in t for t in tips)
    assert all(_escaped(t) for t in tips if "img" in t)

    # Feeds pane: the source's name, address and error are escaped tooltips.
    feeds = win.feeds
    with qtbot.waitSignal(feeds.refreshed):
        feeds.refresh()
    tips = _tooltips(feeds.sources)
    assert any("file:///etc/passwd" in t for t in tips)
    assert all(_escaped(t) for t in tips if "img" in t)
    assert feeds.run_label.textFormat() == Qt.TextFormat.PlainText

    assert opened == []


def test_the_dashboard_and_alerts_survive_impossible_dates(hostile_window, qtbot):
    win, _mid = hostile_window
    win.show_view("dashboard")
    pane = win.dashboard
    assert pane.wait_until_ready(TIMEOUT_S)
    assert "Could not compute" not in pane.subtitle.text()
    assert pane.data is not None and pane.data.volume.total.sum() > 0
    # Read-outs show names literally; the range never reaches year 1 or 9999.
    end = pane.data.filter.end
    assert end is None or 1990 <= end.year <= 2100
    assert 0 < len(pane.data.volume.days) < 10_000
    from engage_desktop.ui.dashboard.chart_card import ChartCard

    cards = pane.findChildren(ChartCard)
    assert cards and all(c.readout.textFormat() == Qt.TextFormat.PlainText for c in cards)


def test_plain_tooltip_keeps_every_character_visible():
    tip = plain_tooltip('<b>x</b>\n<img src="/dev/zero"> & "q"')
    doc = QTextDocument()
    doc.setHtml(tip)
    assert doc.toPlainText() == '<b>x</b>\n<img src="/dev/zero"> & "q"'
