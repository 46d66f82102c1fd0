"""The feed-watch pane on the demo workspace: fetch off-thread, editor, health."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.conftest import new_workspace
from tests.gui.waiting import settle


def test_fetch_all_runs_in_background_and_refreshes_inbox(qtbot, window):
    feeds = window.feeds
    window.show_view("feeds")
    before = window.inbox.model.rowCount()
    # A fetch that stored mentions tells every view through the writer's record.
    with qtbot.waitSignal(window.ops.changed, check_params_cb=lambda changes, _i: changes.mentions):
        feeds.fetch_all_button.click()
        assert feeds.fetching() and feeds.progress.isVisible()
    qtbot.waitUntil(lambda: not feeds.fetching())
    settle(qtbot, feeds)
    assert "new mentions" in feeds.run_label.text()
    assert window.inbox.model.rowCount() > before
    health = [feeds.sources.item(r, 2).text() for r in range(feeds.sources.rowCount())]
    assert all(h.endswith("ok") for h in health)
    assert "Last success" in feeds.sources.item(0, 2).toolTip()


def test_query_editor_reports_errors_at_the_character_and_backtests(qtbot, window):
    editor = window.feeds.editor
    editor.text.setPlainText("nimbus AND (refund")
    assert "at character 12" in editor.status.text()
    assert editor.text.extraSelections()
    editor.text.setPlainText("nimbus NEAR/3 router")
    assert "valid" in editor.status.text()
    qtbot.waitUntil(lambda: "Back-test: matches" in editor.backtest_label.text())
    assert "stored mentions" in editor.backtest_label.text()


def test_saving_a_query_adds_it_to_the_table(qtbot, window):
    feeds = window.feeds
    rows = feeds.queries.rowCount()
    feeds.editor.new()
    feeds.editor.name.setText("Refunds")
    feeds.editor.topic.setCurrentText("Nimbus")
    feeds.editor.text.setPlainText('nimbus (refund* OR "money back")')
    qtbot.mouseClick(feeds.editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: feeds.queries.rowCount() == rows + 1)
    assert feeds.queries.rowCount() == rows + 1
    assert "Saved" in feeds.editor.status.text()
    # Saving applies the query to the stored history, like a back-test that writes.
    qtbot.waitUntil(lambda: "newly tagged" in feeds.editor.status.text())
    from engage_desktop.listen.watch import backtest

    qid = feeds.editor.query_id
    tagged = window.ws.scalar(
        "SELECT count(*) FROM mentions WHERE list_contains(matched_queries, ?)", [qid]
    )
    assert tagged == backtest(window.ws, 'nimbus (refund* OR "money back")').matched > 0


def test_pause_and_health_colours(qtbot, window):
    feeds = window.feeds
    feeds.sources.selectRow(0)
    feeds.pause_button.click()
    settle(qtbot, feeds)
    qtbot.waitUntil(lambda: feeds.sources.item(0, 2).text().endswith("paused"))
    assert feeds.pause_button.text() == "Resume"
    feeds.pause_button.click()
    settle(qtbot, feeds)
    qtbot.waitUntil(lambda: not feeds.sources.item(0, 2).text().endswith("paused"))
    assert not feeds.sources.item(0, 2).text().endswith("paused")


def test_a_refused_bluesky_password_can_be_entered_again(qtbot, tmp_path):
    from engage_desktop.listen.source_store import add_source, get_source
    from engage_desktop.sources.bluesky import secret_name
    from engage_desktop.ui.listen.source_dialog import SourceDialog
    from engage_desktop.ui.tasks import TaskRunner
    from engage_desktop.workspace.secrets import get_secret, set_secret

    with new_workspace(tmp_path / "b.engage") as ws:
        sid = add_source(
            ws, kind="bluesky", url="https://bsky.app/search?q=nimbus", name="Bluesky: nimbus",
            channel="bluesky", config={"handle": "me.bsky.social"},
        )  # fmt: skip
        set_secret(secret_name("me.bsky.social"), "old-password")
        with ws.write() as cur:
            cur.execute(
                "UPDATE sources SET last_error = ? WHERE id = ?",
                ["Bluesky refused the app password for me.bsky.social; edit the source", sid],
            )
        tasks = TaskRunner()
        dialog = SourceDialog(ws, tasks, get_source(ws, sid))
        qtbot.addWidget(dialog)
        assert dialog.password.isVisibleTo(dialog) and dialog.handle.text() == "me.bsky.social"
        assert dialog.handle.isReadOnly()
        assert "refused the stored app password" in dialog.message.text()
        dialog.password.setText("new-app-password")
        with qtbot.waitSignal(dialog.accepted, timeout=60_000):  # saved in a task
            dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
        assert get_secret(secret_name("me.bsky.social")) == "new-app-password"
        assert ws.scalar("SELECT count(*) FROM sources WHERE config LIKE '%password%'") == 0
        # Editing again without typing keeps the stored password.
        dialog = SourceDialog(ws, tasks, get_source(ws, sid))
        qtbot.addWidget(dialog)
        assert "stored" in dialog.password.placeholderText()
        with qtbot.waitSignal(dialog.accepted, timeout=60_000):
            dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
        assert get_secret(secret_name("me.bsky.social")) == "new-app-password"
        tasks.shutdown()


def test_parse_workers_start_ahead_of_scheduled_fetches(qtbot, tmp_path):
    """A pane that fetches on schedule starts the parse pool only where runs use it."""
    from engage_desktop.listen import pool as listen
    from engage_desktop.listen.fetch import PROCESS_MIN_FEEDS
    from engage_desktop.listen.source_store import add_source
    from engage_desktop.ui.listen.pane import FeedsPane

    least = PROCESS_MIN_FEEDS
    for feeds, expected in ((least - 1, False), (least, True)):
        listen.shutdown_parse_pool()
        with new_workspace(tmp_path / f"{feeds}.engage") as ws:
            for i in range(feeds):
                add_source(
                    ws, kind="rss", url=f"http://127.0.0.1:9/{i}.xml", name=f"f{i}", channel="blog"
                )
            pane = FeedsPane(ws)  # a new workspace fetches on schedule (its default)
            qtbot.addWidget(pane)
            # The prestart waits until the window is up, then runs in the background.
            qtbot.waitUntil(
                lambda p=pane: p.prestart_task is not None and not p.tasks.running(),
            )
            assert (listen._pool is not None) == expected
            if expected:  # the workers answer at once: they are running
                assert listen._pool.submit(int).result(timeout=180) == 0
            pane.tasks.shutdown()
    listen.shutdown_parse_pool()


def test_other_instances_and_an_app_key_are_set_in_the_source_dialog(qtbot, tmp_path):
    """Mastodon's other instances and Stack Exchange's key: fields, not only CLI flags."""
    import json

    from engage_desktop.listen.source_store import add_source, get_source
    from engage_desktop.ui.listen.source_dialog import SourceDialog
    from engage_desktop.ui.tasks import TaskRunner

    def config(ws, sid):
        return json.loads(ws.scalar("SELECT config FROM sources WHERE id = ?", [sid]) or "{}")

    with new_workspace(tmp_path / "x.engage") as ws:
        tasks = TaskRunner()
        adding = SourceDialog(ws, tasks)
        qtbot.addWidget(adding)
        adding.url.setText("https://mastodon.social/tags/nimbus")
        assert adding.instances.isVisibleTo(adding) and not adding.se_key.isVisibleTo(adding)
        adding.url.setText("https://superuser.com/search?q=nimbus")
        assert adding.se_key.isVisibleTo(adding) and not adding.instances.isVisibleTo(adding)
        tag = add_source(ws, kind="mastodon", url="https://mastodon.social/tags/nimbus",
                         name="#nimbus", channel="mastodon",
                         config={"instances": ["fosstodon.org"]})  # fmt: skip
        dialog = SourceDialog(ws, tasks, get_source(ws, tag))
        qtbot.addWidget(dialog)
        assert dialog.instances.text() == "fosstodon.org"
        dialog.instances.setText("not an instance!")
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
        assert "is not a Mastodon instance" in dialog.message.text()
        dialog.instances.setText("fosstodon.org, https://hachyderm.io/")
        with qtbot.waitSignal(dialog.accepted, timeout=60_000):  # stored in a task
            dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
        assert config(ws, tag) == {"instances": ["fosstodon.org", "https://hachyderm.io"]}
        se = add_source(ws, kind="stackexchange", url="https://superuser.com/search?q=nimbus",
                        name="SU", channel="stackexchange")  # fmt: skip
        dialog = SourceDialog(ws, tasks, get_source(ws, se))
        qtbot.addWidget(dialog)
        dialog.se_key.setText(" k3y(( ")
        with qtbot.waitSignal(dialog.accepted, timeout=60_000):
            dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
        assert config(ws, se) == {"key": "k3y(("}
        tasks.shutdown()


def test_after_a_fetch_the_feeds_are_read_again_once_the_inbox_keys_rest(
    qtbot, window, monkeypatch
):
    """The re-read goes through the window's record of changes, held while the user
    moves through the inbox; a second read at once ran beside the inbox's repaint."""
    feeds = window.feeds
    reads: list[bool] = []
    read = feeds.refresh
    monkeypatch.setattr(feeds, "refresh", lambda: (reads.append(True), read())[1])
    gate = window.inbox.rest_gate
    gate.rest_ms = 600_000
    gate.moved()  # j/k in the inbox while the fetch runs
    with qtbot.waitSignal(window.ops.changed, check_params_cb=lambda changes, _i: changes.sources):
        feeds.start_fetch(force=True)
    qtbot.waitUntil(lambda: not feeds.fetching())
    assert "new mentions" in feeds.run_label.text()
    assert not reads and gate.pending()  # held for the keys to rest
    gate.rest_ms = 0
    with qtbot.waitSignal(feeds.refreshed):
        gate._release()
    assert reads == [True]
    health = [feeds.sources.item(r, 2).text() for r in range(feeds.sources.rowCount())]
    assert all(h.endswith("ok") for h in health)
