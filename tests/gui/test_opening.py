"""The window paints first and opens its workspace in a task; a file that cannot open says why.

A foreign, damaged or locked file gives its one line in the window itself, with what
the user can do next; a locked one offers a read-only copy, which then opens there.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

from engage_desktop.ui.main_window import MainWindow
from engage_desktop.ui.opening import OpenRequest

TIMEOUT_MS = 120_000


def _failed_window(qtbot, settings, path):
    win = MainWindow(None, settings, opening=OpenRequest(path))
    qtbot.addWidget(win)
    assert win.opening_page.heading.text() == f"Opening {path.name}…"
    with qtbot.waitSignal(win.open_failed, timeout=TIMEOUT_MS) as failed:
        win.show()  # the task starts after the first paint
    return win, failed.args[0]


def test_a_foreign_or_damaged_file_says_why_in_the_window(qtbot, settings, tmp_path, demo_path):
    foreign = tmp_path / "notes.engage"
    foreign.write_text("my notes, not a workspace")
    damaged = tmp_path / "cut.engage"
    damaged.write_bytes(demo_path.read_bytes()[:200_000])
    for path, words in ((foreign, "not an engage-desktop workspace"), (damaged, "damaged")):
        win, message = _failed_window(qtbot, settings, path)
        page = win.opening_page
        assert words in message and "\n" not in page.text.text()
        assert page.heading.text() == f"Cannot open {path.name}"
        assert words in page.text.text() and page.busy.isHidden()
        assert page.other_button.isVisible() and page.close_button.isVisible()
        assert not page.copy_button.isVisible()  # only a locked file has a copy to read
        assert win.ws is None and not win.nav.isEnabled()
        page.close_button.click()
        assert not win.isVisible()


def test_a_locked_file_offers_a_read_only_copy_that_opens_here(qtbot, settings, demo_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
         "print('held', flush=True); sys.stdin.read()", str(demo_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        win, message = _failed_window(qtbot, settings, demo_path)
        page = win.opening_page
        assert "open in another engage-desktop window" in message
        assert page.copy_button.isVisible() and page.copy_button.isDefault()
        with qtbot.waitSignal(win.opened, timeout=TIMEOUT_MS):
            page.copy_button.click()
        assert win.ws.read_only and win.nav.isEnabled() and win.opening_page is None
        assert "(read-only)" in win.windowTitle()
        qtbot.waitUntil(lambda: win.inbox.model.rowCount() > 0, timeout=TIMEOUT_MS)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    win.close()
    qtbot.waitUntil(lambda: win.ws.closed, timeout=TIMEOUT_MS)


def test_closing_while_it_migrates_stops_at_once_and_lets_the_file_go(
    qtbot, settings, tmp_path, monkeypatch
):
    import threading

    import duckdb

    from engage_desktop.workspace import schema
    from engage_desktop.workspace.database import Workspace

    path = tmp_path / "old.engage"
    con = duckdb.connect(str(path))
    schema.migrate(con, target=schema.LATEST_VERSION - 1)  # a workspace of the last version
    con.close()
    started = threading.Event()

    def endless(con):  # the last migration, as long as one on a huge file (hours)
        started.set()
        con.execute("SELECT count(*) FROM range(100000000000) a, range(1000) b").fetchall()

    last = schema.MIGRATIONS[-1]
    monkeypatch.setattr(
        schema, "MIGRATIONS", (*schema.MIGRATIONS[:-1], replace(last, apply=endless))
    )
    win = MainWindow(None, settings, opening=OpenRequest(path))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(started.is_set, timeout=TIMEOUT_MS)
    assert win.close()
    # close() returned with the open task's thread ended (not left running behind it) ...
    assert win.tasks.pool.activeThreadCount() == 0
    assert win.ws is None and win._opened_here == []
    # ... the migration rolled back and the file free for another process at once.
    check = subprocess.run(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
         "print(c.execute('SELECT max(version) FROM schema_version').fetchone()[0])",
         str(path)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert check.returncode == 0, check.stderr
    assert int(check.stdout) == schema.LATEST_VERSION - 1
    monkeypatch.undo()
    with Workspace.open(path) as ws:  # and it opens (and migrates) as usual afterwards
        assert ws.schema_version() == schema.LATEST_VERSION


def test_the_inbox_entry_point_opens_its_workspace_in_a_task(qtbot, demo_path):
    from engage_desktop.ui.inbox.__main__ import open_inbox
    from engage_desktop.ui.inbox.view import InboxView
    from engage_desktop.workspace import thread_guard

    thread_guard.guard_thread(mode="record")  # this thread is the GUI thread
    try:
        shell = open_inbox(demo_path)
        qtbot.addWidget(shell)
        assert shell.page.heading.text() == f"Opening {demo_path.name}…"
        with qtbot.waitSignal(shell.opened, timeout=TIMEOUT_MS) as opened:
            shell.show()  # the task starts once the frame is shown
        view = opened.args[0]
        assert isinstance(view, InboxView) and view.ws is shell.ws
        qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=TIMEOUT_MS)
        ws = shell.ws
        shell.close()
        assert ws.closed
        found = [q.origin() for q in thread_guard.found()]
    finally:
        thread_guard.unguard()
    assert found == []  # neither the open, the migration nor the first rows ran here
