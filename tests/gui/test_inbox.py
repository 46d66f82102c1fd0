"""The inbox driven like a community manager drives it: keys, bulk actions, views."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest
from PySide6.QtCore import Qt

from engage_desktop.inbox.filters import InboxFilter
from engage_desktop.inbox.pager import insert_mentions


def scalar(ws, sql, params=None):
    return ws.scalar(sql, params or [])


#: Waits are for events; this bound only matters when an event never comes. A busy
#: CI machine (load 15, two CPU hogs) took more than 15 s for the views' counts.
EVENT_TIMEOUT_MS = 180_000


def wait_for_counts(qtbot, inbox):
    qtbot.waitUntil(lambda: inbox.sidebar.count_of("All mentions") != "…", timeout=EVENT_TIMEOUT_MS)
    qtbot.waitUntil(lambda: not inbox.tasks.running(), timeout=EVENT_TIMEOUT_MS)


@pytest.fixture
def inbox(window, qtbot):
    window.show_view("inbox")
    view = window.inbox
    wait_for_counts(qtbot, view)
    view.table.setFocus()
    yield view
    qtbot.waitUntil(lambda: not view.tasks.running(), timeout=EVENT_TIMEOUT_MS)


def settle(qtbot, inbox):
    """Until the window's reads and writes have landed (the GUI thread never waits)."""
    qtbot.waitUntil(inbox.window().is_settled, timeout=EVENT_TIMEOUT_MS)


def key(qtbot, inbox, k, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(inbox.table, k, modifier)
    settle(qtbot, inbox)


def test_keyboard_flow_open_resolve_tag_undo(inbox, qtbot):
    ws = inbox.ws
    inbox.filter_bar.set_filter(InboxFilter(statuses=("new",)))
    settle(qtbot, inbox)
    first_new = scalar(ws, "SELECT count(*) FROM mentions WHERE status = 'new'")
    assert inbox.model.rowCount() == first_new > 3
    key(qtbot, inbox, Qt.Key.Key_J)
    key(qtbot, inbox, Qt.Key.Key_J)
    assert inbox.current_row() == 1
    mention_id = inbox.current_mention_id()
    assert f"{mention_id}" and "Open the original" in inbox.detail.toHtml()
    key(qtbot, inbox, Qt.Key.Key_K)
    key(qtbot, inbox, Qt.Key.Key_J)
    key(qtbot, inbox, Qt.Key.Key_Return)  # open: read, and new -> open
    assert scalar(ws, "SELECT status FROM mentions WHERE id = ?", [mention_id]) == "open"
    assert not scalar(ws, "SELECT unread FROM mentions WHERE id = ?", [mention_id])
    # It left the "new" view; the next mention slid into its row.
    assert inbox.model.rowCount() == first_new - 1
    inbox.filter_bar.clear()
    settle(qtbot, inbox)
    row = inbox.model.pager.position_of(mention_id)
    inbox.select_row(row)
    settle(qtbot, inbox)
    inbox.table.setFocus()
    key(qtbot, inbox, Qt.Key.Key_E)  # resolve and move on
    assert scalar(ws, "SELECT status FROM mentions WHERE id = ?", [mention_id]) == "resolved"
    assert inbox.current_row() == row + 1
    assert (
        scalar(
            ws,
            "SELECT count(*) FROM events WHERE entity_id = ? AND action = 'status' "
            "AND old_value = 'open' AND new_value = 'resolved' AND actor = ?",
            [str(mention_id), ws.actor],
        )
        == 1
    )
    key(qtbot, inbox, Qt.Key.Key_K)
    key(qtbot, inbox, Qt.Key.Key_T)
    assert inbox.prompt_bar.isVisible() and inbox.prompt.hasFocus()
    qtbot.keyClicks(inbox.prompt, "outage-0612")
    qtbot.keyClick(inbox.prompt, Qt.Key.Key_Return)
    settle(qtbot, inbox)
    assert scalar(ws, "SELECT tags FROM mentions WHERE id = ?", [mention_id]) == ["outage-0612"]
    assert "Tagged 1 mention" in inbox.undo_label.text()
    key(qtbot, inbox, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert scalar(ws, "SELECT tags FROM mentions WHERE id = ?", [mention_id]) == []
    key(qtbot, inbox, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert scalar(ws, "SELECT status FROM mentions WHERE id = ?", [mention_id]) == "open"
    # s stars, u marks unread, a assigns, / searches and Esc comes back.
    key(qtbot, inbox, Qt.Key.Key_S)
    assert scalar(ws, "SELECT starred FROM mentions WHERE id = ?", [inbox.current_mention_id()])
    key(qtbot, inbox, Qt.Key.Key_U)
    assert scalar(ws, "SELECT unread FROM mentions WHERE id = ?", [inbox.current_mention_id()])
    key(qtbot, inbox, Qt.Key.Key_A)
    qtbot.keyClicks(inbox.prompt, "Dana")
    qtbot.keyClick(inbox.prompt, Qt.Key.Key_Return)
    settle(qtbot, inbox)
    assert (
        scalar(ws, "SELECT owner FROM mentions WHERE id = ?", [inbox.current_mention_id()])
        == "Dana"
    )
    key(qtbot, inbox, Qt.Key.Key_Slash)
    assert inbox.filter_bar.search.hasFocus()
    qtbot.keyClick(inbox.filter_bar.search, Qt.Key.Key_Escape)
    assert inbox.table.hasFocus()


def test_reply_key_opens_the_composer(inbox, qtbot, window):
    inbox.select_row(2)
    mention_id = inbox.current_mention_id()
    key(qtbot, inbox, Qt.Key.Key_R)
    settle(qtbot, inbox)
    assert window.pages.currentWidget() is window.composer
    assert window.composer.mention_id == mention_id


def test_bulk_actions_on_marked_and_selected_rows(inbox, qtbot, tmp_path):
    ws = inbox.ws
    ids = []
    for row in (0, 2, 4):
        inbox.select_row(row)
        settle(qtbot, inbox)
        ids.append(inbox.current_mention_id())
        key(qtbot, inbox, Qt.Key.Key_X)
    assert inbox.model.marked == set(ids) and inbox.bulk_bar.isVisible()
    assert "3" in inbox.bulk_label.text()
    inbox.bulk_status("ignored")
    settle(qtbot, inbox)
    assert {scalar(ws, "SELECT status FROM mentions WHERE id = ?", [i]) for i in ids} == {"ignored"}
    assert not inbox.model.marked and not inbox.bulk_bar.isVisible()
    inbox.undo()
    settle(qtbot, inbox)
    assert "ignored" not in {
        scalar(ws, "SELECT status FROM mentions WHERE id = ?", [i]) for i in ids
    }
    # A shift-range selection of 300 rows: tag, assign, export.
    inbox.select_row(10)
    inbox.table.selectionModel().select(
        inbox.model.index(10, 0).model().index(10, 0),
        inbox.table.selectionModel().SelectionFlag.Select,
    )
    top, bottom = inbox.model.index(10, 0), inbox.model.index(309, 0)
    from PySide6.QtCore import QItemSelection, QItemSelectionModel

    inbox.table.selectionModel().select(
        QItemSelection(top, bottom),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    targets = inbox.target_ids()  # rows 200-309 are not read yet: the lane reads them
    found = []
    inbox.with_targets(found.append)
    qtbot.waitUntil(lambda: bool(found), timeout=EVENT_TIMEOUT_MS)
    targets = found[0]
    assert len(targets) == 300 and targets[0] == inbox.model.mention_id(10)
    assert inbox.bulk_bar.isVisible()
    inbox.prompt_tag()
    qtbot.keyClicks(inbox.prompt, "outage-0612")
    qtbot.keyClick(inbox.prompt, Qt.Key.Key_Return)
    settle(qtbot, inbox)
    assert (
        scalar(ws, "SELECT count(*) FROM mentions WHERE list_contains(tags, 'outage-0612')") >= 300
    )
    with qtbot.waitSignal(inbox.export(targets, str(tmp_path / "sel.csv")).succeeded) as done:
        pass
    written = done.args[0]
    assert written == 300
    assert len((tmp_path / "sel.csv").read_text().splitlines()) >= 301


def test_filters_combine_and_search_counts(inbox, qtbot):
    ws = inbox.ws
    bar = inbox.filter_bar
    bar._fill_menu("status")
    new_action = next(a for a in bar._menus["status"].actions() if a.text() == "New")
    new_action.trigger()
    settle(qtbot, inbox)
    assert inbox.model.rowCount() == scalar(ws, "SELECT count(*) FROM mentions WHERE status='new'")
    assert bar.buttons["status"].text() == "Status: new"
    bar._fill_menu("channel")
    next(a for a in bar._menus["channel"].actions() if a.text() == "reddit").trigger()
    settle(qtbot, inbox)
    expected = scalar(ws, "SELECT count(*) FROM mentions WHERE status='new' AND channel='reddit'")
    assert inbox.model.rowCount() == expected
    bar.clear()
    settle(qtbot, inbox)
    with qtbot.waitSignal(inbox.filter_applied, timeout=EVENT_TIMEOUT_MS):
        qtbot.keyClicks(bar.search, '"mesh pro"')
    settle(qtbot, inbox)
    expected = scalar(ws, "SELECT count(*) FROM mentions WHERE text_norm LIKE '%mesh pro%'")
    assert inbox.model.rowCount() == expected
    assert bar.count_label.text() == f"{expected:,} matches"
    from engage_desktop.ui.inbox.model import HighlightRole

    spans = inbox.model.index(0, 4).data(HighlightRole)
    assert spans, "matched terms are highlighted in the snippet"
    bar.set_filter(InboxFilter(since="not a date"))
    settle(qtbot, inbox)
    assert "YYYY-MM-DD" in bar.error_label.text()
    assert inbox.model.rowCount() == expected  # the bad filter changed nothing


def test_sorting_by_header(inbox, qtbot):
    header = inbox.table.horizontalHeader()
    header.sectionClicked.emit(3)  # author: reach
    settle(qtbot, inbox)
    assert inbox.model.filter.sort == "reach"
    reach = [inbox.model.field(r, "followers") or 0 for r in range(50)]
    assert reach == sorted(reach, reverse=True)
    header.sectionClicked.emit(1)
    settle(qtbot, inbox)
    assert inbox.model.filter.sort == "time"


def test_time_header_arrow_and_sort_control_are_one_state(inbox, qtbot):
    from PySide6.QtCore import QPoint

    header, bar = inbox.table.horizontalHeader(), inbox.filter_bar
    newest = ("Newest first", 1, Qt.SortOrder.DescendingOrder)
    oldest = ("Oldest first", 1, Qt.SortOrder.AscendingOrder)

    def shown():
        return bar.sort.currentText(), header.sortIndicatorSection(), header.sortIndicatorOrder()

    def click_time():  # a real click: Qt flips its own arrow before our handler runs
        x = header.sectionViewportPosition(1) + header.sectionSize(1) // 2
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))

    assert shown() == newest
    bar.sort.setCurrentIndex(bar.sort.findData("oldest"))  # the control moves the arrow
    assert shown() == oldest
    settle(qtbot, inbox)
    click_time()  # the header moves the control
    assert shown() == newest
    settle(qtbot, inbox)
    assert inbox.model.filter.sort == "time"
    bar.update_filter(search='"unclosed')  # a filter the model refuses
    assert bar.error_label.text()
    for want in (oldest, newest, oldest):  # the control and the arrow still agree
        click_time()
        assert shown() == want
    bar.sort.setCurrentIndex(bar.sort.findData("time"))
    assert shown() == newest


def test_saved_views_with_live_counts(inbox, qtbot):
    ws = inbox.ws
    orbit = scalar(ws, "SELECT count(*) FROM mentions WHERE list_contains(topics, 'Orbit')")
    assert inbox.sidebar.count_of("Competitor: Orbit") == f"{orbit:,}"
    assert inbox.sidebar.count_of("All mentions") == "3,000"
    inbox.sidebar.choose("Competitor: Orbit")
    settle(qtbot, inbox)
    assert inbox.model.rowCount() == orbit
    assert inbox.filter_bar.buttons["topic"].text() == "Topic: Orbit"
    inbox.filter_bar.update_filter(statuses=("resolved",))
    settle(qtbot, inbox)
    inbox.sidebar.save("Orbit resolved", inbox.model.filter)
    settle(qtbot, inbox)
    wait_for_counts(qtbot, inbox)
    want = scalar(
        ws,
        "SELECT count(*) FROM mentions WHERE list_contains(topics, 'Orbit') AND status='resolved'",
    )
    assert inbox.sidebar.count_of("Orbit resolved") == f"{want:,}"
    # Resolving one more updates the live count.
    inbox.filter_bar.update_filter(statuses=("new", "open"))
    settle(qtbot, inbox)
    inbox.select_row(0)
    inbox.resolve()
    qtbot.waitUntil(
        lambda: inbox.sidebar.count_of("Orbit resolved") == f"{want + 1:,}",
        timeout=EVENT_TIMEOUT_MS,
    )
    wait_for_counts(qtbot, inbox)


def fresh_mentions(n, *, followers=50, text="Nimbus router is down again, terrible"):
    now = datetime.now(UTC)
    return pa.table(
        {
            "item_key": [f"fresh-{i}-{followers}" for i in range(n)],
            "channel": ["mastodon"] * n,
            "author_name": [f"New Person {i}" for i in range(n)],
            "text": [text] * n,
            "text_norm": [text.lower()] * n,
            "published": pa.array(
                [now + timedelta(seconds=i) for i in range(n)], pa.timestamp("us", tz="UTC")
            ),
            "followers": [followers] * n,
            "sentiment": [-0.7] * n,
            "sentiment_label": ["negative"] * n,
        }
    )


def test_new_mentions_keep_selection_and_scroll_and_show_a_banner(inbox, qtbot):
    inbox.select_row(1500)
    settle(qtbot, inbox)
    current = inbox.current_mention_id()
    inbox.table.scrollTo(inbox.model.index(1490, 0), inbox.table.ScrollHint.PositionAtTop)
    top_row = inbox.table.rowAt(0)
    top_id = inbox.model.mention_id(top_row)
    assert top_row > 1000
    resets = []
    inbox.model.modelReset.connect(lambda: resets.append(1))
    insert_mentions(inbox.ws, fresh_mentions(5))
    inbox.rest_gate.moved()  # the user is pressing j/k: the rows wait, the banner counts
    inbox.rest_gate.rest_ms = 60_000
    inbox.check_new()
    qtbot.waitUntil(lambda: not inbox._polling, timeout=EVENT_TIMEOUT_MS)
    assert "5 new mentions" in inbox.banner.text()
    assert inbox.news_pending() and inbox.model.rowCount() == 3000
    assert inbox.current_mention_id() == current
    inbox.rest_gate.rest_ms = 0  # the keys rest: the new rows come in
    with qtbot.waitSignal(inbox.new_mentions, timeout=EVENT_TIMEOUT_MS) as arrived:
        inbox.rest_gate._release()
    settle(qtbot, inbox)
    assert arrived.args == [5]
    assert inbox.banner.isVisible() and "5 new mentions" in inbox.banner.text()
    assert inbox.current_mention_id() == current and inbox.current_row() == 1505
    assert inbox.model.mention_id(inbox.table.rowAt(0)) == top_id
    assert inbox.model.rowCount() == 3005
    assert not resets  # inserted around the selection, not reloaded under it
    insert_mentions(inbox.ws, fresh_mentions(2, followers=60))
    inbox.check_new()
    settle(qtbot, inbox)
    assert "7 new mentions" in inbox.banner.text()
    inbox.banner.click()
    settle(qtbot, inbox)
    assert not inbox.banner.isVisible() and inbox.current_row() == 0
    assert inbox.table.rowAt(0) == 0
    wait_for_counts(qtbot, inbox)


def test_alert_rule_notifies_once_per_fetch_and_says_no_tray_once(inbox, qtbot, window):
    shown = []
    inbox.notifier.shown.connect(lambda title, body: shown.append((title, body)))
    messages = []
    inbox.status_message.connect(messages.append)
    insert_mentions(inbox.ws, fresh_mentions(4, followers=50_000))
    insert_mentions(inbox.ws, fresh_mentions(3, followers=10))  # below the reach threshold
    inbox.check_new()
    settle(qtbot, inbox)
    assert len(shown) == 1 and ": 4 new" in shown[0][0]
    assert "4 new mentions" in shown[0][1]
    assert not inbox.notifier.available  # offscreen has no tray
    assert sum("No system tray" in m for m in messages) == 1
    insert_mentions(inbox.ws, fresh_mentions(2, followers=70_000))
    inbox.check_new()
    settle(qtbot, inbox)
    assert len(shown) == 2 and sum("No system tray" in m for m in messages) == 1
    assert scalar(inbox.ws, "SELECT count(*) FROM alerts") == 2
    wait_for_counts(qtbot, inbox)


def test_author_panel_and_author_filter(inbox, qtbot):
    ws = inbox.ws
    author_id = scalar(
        ws, "SELECT author_id FROM mentions GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    )
    mention = scalar(ws, "SELECT max(id) FROM mentions WHERE author_id = ?", [author_id])
    inbox.open_mention_id(mention)
    settle(qtbot, inbox)
    panel = inbox.author_panel
    assert panel.author_id == author_id
    total = scalar(ws, "SELECT count(*) FROM mentions WHERE author_id = ?", [author_id])
    assert panel.mentions.topLevelItemCount() == min(total, 200)
    if total > 200:
        assert f"latest 200 of {total:,}" in panel.said_heading.text()
    assert f"{total:,}</b> mentions" in panel.header.text()
    panel.flag_buttons.button(1).click()
    settle(qtbot, inbox)
    assert scalar(ws, "SELECT flag FROM authors WHERE id = ?", [author_id]) == "detractor"
    panel.note_input.setText("Third router this month")
    panel.note_input.setFocus()
    qtbot.keyClick(panel.note_input, Qt.Key.Key_Return)
    settle(qtbot, inbox)
    assert "Third router this month" in panel.notes.item(0).text()
    panel.tags.setText("vip, press")
    panel.tags.setFocus()
    qtbot.keyClick(panel.tags, Qt.Key.Key_Return)
    settle(qtbot, inbox)
    assert scalar(ws, "SELECT tags FROM authors WHERE id = ?", [author_id]) == ["vip", "press"]
    panel.filter_button.click()
    settle(qtbot, inbox)
    assert inbox.model.rowCount() == total
    assert inbox.filter_bar.author_chip.isVisible()
    inbox.filter_bar.author_chip.click()
    settle(qtbot, inbox)
    assert inbox.model.rowCount() == 3000


def test_detail_pane_blocks_remote_images_until_clicked(inbox, qtbot, httpserver):
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImage

    image = QImage(4, 4, QImage.Format.Format_RGB32)
    image.fill(0xFF0000)
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    httpserver.expect_request("/pixel.png").respond_with_data(bytes(data), content_type="image/png")
    url = httpserver.url_for("/pixel.png")
    mention_id = inbox.current_mention_id() or inbox.model.mention_id(0)
    with inbox.ws.write() as cur:
        cur.execute(
            "UPDATE mentions SET html = ? WHERE id = ?",
            [
                f'<p>Look <img src="{url}" alt="photo"><script>alert(1)</script>'
                f'<a href="https://example.org/x" onclick="evil()">link</a></p>',
                mention_id,
            ],
        )
    inbox.show_mention(mention_id)
    settle(qtbot, inbox)
    text = inbox.detail.toHtml()
    assert "photo blocked" in text and "alert(1)" not in text and "evil" not in text
    assert not httpserver.log  # nothing fetched by itself
    inbox.detail.image_requested.emit(0)
    qtbot.waitUntil(lambda: len(httpserver.log) == 1, timeout=EVENT_TIMEOUT_MS)
    qtbot.waitUntil(lambda: "blocked" not in inbox.detail.toHtml(), timeout=EVENT_TIMEOUT_MS)
    assert 0 in inbox.detail.images


def test_help_lists_every_shortcut(window):
    from engage_desktop.ui.inbox.shortcuts import INBOX_SHORTCUTS

    window.show_shortcuts()
    table = window._shortcuts_dialog.table
    listed = " ".join(table.item(r, 0).text() for r in range(table.rowCount()))
    for keys in ("J", "K", "Return", "O", "R", "E", "I", "S", "T", "A", "U", "/", "Esc", "X"):
        assert keys in listed
    assert table.rowCount() == len(INBOX_SHORTCUTS)
    window._shortcuts_dialog.close()


def test_detail_pane_shows_thread_replies_queries_and_sentences(inbox, qtbot):
    ws = inbox.ws
    child = scalar(
        ws,
        "SELECT m.id FROM mentions m JOIN replies r ON r.mention_id = m.id "
        "WHERE m.parent_id IS NOT NULL AND len(m.matched_queries) > 0 LIMIT 1",
    )
    with ws.write() as cur:
        cur.execute(
            "UPDATE mentions SET text = 'I love the range. The app is terrible.' WHERE id = ?",
            [child],
        )
    inbox.open_mention_id(child)
    settle(qtbot, inbox)
    html = inbox.detail.toHtml()
    for section in ("Conversation", "In reply to", "Our replies", "Matched watch queries"):
        assert section in html
    assert "Sentence by sentence" in html and "The app is terrible." in html
