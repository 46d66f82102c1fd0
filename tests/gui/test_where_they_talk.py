"""The "Where they talk" tab of the Feeds page: ranked off the GUI thread, added after
the back-test is shown."""

from __future__ import annotations

from PySide6.QtCore import QTimer

from tests.conftest import new_workspace


def test_places_are_ranked_in_the_background_and_a_place_is_added(qtbot, window):
    feeds = window.feeds
    panel = feeds.where
    # The new source would be fetched at once; the demo's hosts are not on loopback.
    panel.source_added.disconnect(feeds._located_source_added)
    window.show_view("feeds")
    feeds.show_where()
    qtbot.waitUntil(lambda: panel.located is not None and not panel.loading)
    first = panel.located.places[0]
    assert first.name == "forum.routerfans.example" and not first.watched
    assert panel.table.item(0, 1).text() == "forum.routerfans.example"
    assert panel.table.item(0, 6).text() == "not yet"
    assert panel.table.item(0, 7).text() == "Discourse forum search for “Nimbus”"
    listening = [panel.table.item(r, 6).text() for r in range(panel.table.rowCount())]
    assert "✓ Mastodon #nimbus (demo)" in listening
    assert "places in" in panel.status.text()

    panel.table.selectRow(0)
    assert panel.add_button.isEnabled()
    shown: list[str] = []

    def answer_when_open() -> None:
        box = panel.pending_confirm
        if box is None:
            QTimer.singleShot(20, answer_when_open)
            return
        shown.append(box.informativeText())
        next(b for b in box.buttons() if b.text() == "Add source").click()

    QTimer.singleShot(0, answer_when_open)
    with qtbot.waitSignal(panel.source_added) as added:
        panel.add_button.click()
    assert "it would have matched" in shown[0] and "negative" in shown[0]
    kind = window.ws.scalar("SELECT kind FROM sources WHERE id = ?", [added.args[0]])
    assert kind == "discourse"
    # Ranked again: the forum is listened to now, so it leaves the top.
    qtbot.waitUntil(lambda: not panel.loading and panel.located.places[0].key != first.key)
    forum = next(p for p in panel.located.places if p.key == first.key)
    assert forum.watched


def test_every_source_kind_can_be_chosen_and_edited(qtbot, tmp_path):
    from engage_desktop.listen.source_store import add_source, get_source
    from engage_desktop.sources.base import KINDS
    from engage_desktop.ui.listen.source_dialog import KIND_LABELS, SourceDialog
    from engage_desktop.ui.tasks import TaskRunner

    assert {k for k, _ in KIND_LABELS} - {"auto"} == set(KINDS)
    with new_workspace(tmp_path / "k.engage") as ws:
        sid = add_source(ws, kind="discourse", url="https://forum.example/search?q=x",
                         name="Forum", channel="forum")  # fmt: skip
        runner = TaskRunner()
        dialog = SourceDialog(ws, runner, get_source(ws, sid))
        qtbot.addWidget(dialog)
        assert dialog.kind.currentData() == "discourse" and not dialog.kind.isEnabled()
        runner.shutdown()
