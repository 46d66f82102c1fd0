"""How late the window's event loop runs while a user works and background jobs run.

Drives the real main window offscreen on a big demo workspace while a backfill of
``--backfill`` mentions (their scores cleared first) and a fetch of ``--feeds``
feeds from loopback hosts run, as a user has it on a busy morning. A heartbeat
timer on the GUI thread ticks every 10 ms; how late each tick comes is the stall.

- ``jk_*``: ``--keys`` presses of j (and k back) in each sort order (newest first,
  oldest first), before and after the composer page was opened (j and k belong to the
  inbox page, so the composer is then hidden but bound); each from the key press
  until the detail pane shows the newly selected mention and paints.
- ``search_*``: a 12-character search typed one key at a time (60 ms apart), from
  the last key until the rows and the count show it (the debounce is included);
  ``search_query_cpu_ms``/``_wall_ms``: the median cost of one such search's count
  and first page alone, measured after the window closed.
- ``open_*``: Enter on a mention (mark read): how long the key's handler holds the
  GUI thread (the write itself runs in the window's writer); ``opened_read``: how
  many of the 30 opened mentions are marked read in the file at the end.
- drafts are typed in the composer and autosaved (their stalls are in the heartbeat).
- ``max_stall_ms`` / ``p99_stall_ms``: the heartbeat's longest lateness and its 99th
  percentile over the whole script; ``stalls_over_50ms``: how many ticks were late
  by more than 50 ms.
- ``cold_start_s``: a new process from start to the first painted main window on
  the demo (``python -m engage_desktop WORKSPACE``, read-write, as a user starts it;
  median of 3); ``cold_rows_shown_s``: to the inbox's first rows painted in it, so
  the first figure cannot hide an empty window. ``--cold-only`` measures just these.

Usage: python benchmarks/responsiveness.py [--mentions 1000000] [--keys 200]
[--backfill 200000] [--feeds 50] [--cold-only] [--profile-stalls] [--no-cold-start].
The demo is built once in another process and cached in the temp folder.
``--profile-stalls`` prints what the GUI thread and the other threads did during each
stall (``benchmarks/stall_profiler.py``: how much of the stalled time the GUI thread
ran, waited runnable for a CPU, or was blocked on the GIL). The last line is one JSON
object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import cached_demo  # noqa: E402
from benchmarks.ingest import start_server  # noqa: E402
from benchmarks.search_cost import search_query_times  # noqa: E402
from benchmarks.stall_profiler import StallProfiler  # noqa: E402

SEARCHES = ("router outage", "mesh pro wifi", "firmware bug", "skylink cost")
HEARTBEAT_MS = 10


def build_cached_demo(mentions: int) -> Path:
    """The demo workspace, built once by another process (so its memory is not ours)."""
    return cached_demo.build_cached_demo("responsiveness-demo", mentions)


FIRST_PAINT = "first-paint-epoch: "
ROWS_SHOWN = "inbox-rows-epoch: "


def cold_start(path: Path, runs: int = 3) -> dict[str, float]:
    """Median seconds from a new process to its first paint and to its first inbox rows.

    The window starts as a user starts it (``python -m engage_desktop WORKSPACE``,
    read-write, on a copy of the demo), not in screenshot mode:
    ``ENGAGE_DESKTOP_PAINT_TIME=quit`` makes it print the wall clock of its first
    paint and of the first painted inbox rows, then close. Python may write the
    package's bytecode, as an installed package has it (one unmeasured run first).
    """
    paint, rows, cpu = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "work.engage"
        shutil.copy2(path, work)
        env = dict(
            os.environ,
            ENGAGE_DESKTOP_CONFIG_DIR=tmp,
            ENGAGE_DESKTOP_DATA_DIR=tmp,
            ENGAGE_DESKTOP_USER_NAME="Benchmark",
            ENGAGE_DESKTOP_PAINT_TIME="quit",
        )
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        for run in range(runs + 1):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.time()
            proc = subprocess.run(
                [sys.executable, "-m", "engage_desktop", str(work)],
                cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
            )  # fmt: skip
            if proc.returncode != 0:
                raise SystemExit(f"the window did not start: {proc.stderr[-2000:]}")
            said = {
                prefix: float(line[len(prefix) :]) - started
                for line in proc.stderr.splitlines()
                for prefix in (FIRST_PAINT, ROWS_SHOWN)
                if line.startswith(prefix)
            }
            if run == 0:
                continue  # bytecode written, files in the page cache: a user's second start
            paint.append(said[FIRST_PAINT])
            rows.append(said[ROWS_SHOWN])
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return {
        "first_paint_s": statistics.median(paint),
        "rows_shown_s": statistics.median(rows),
        "process_cpu_s": statistics.median(cpu),
    }


class Heartbeat:
    """A GUI-thread timer; each tick records how late it came."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.late_ms: list[float] = []
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.late_ms.append(max(0.0, (now - self._last) * 1000 - HEARTBEAT_MS))
        self._last = now


def pump(app, seconds: float) -> None:
    """Let the event loop run for ``seconds`` (the user is reading or typing)."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)


def until(app, done, timeout: float = 30.0, what: str | Callable[[], str] = "") -> None:
    """Run the event loop until ``done()`` holds."""
    end = time.perf_counter() + timeout
    while not done():
        app.processEvents()
        if time.perf_counter() > end:
            said = what() if callable(what) else what
            raise TimeoutError(f"the window did not get there in time: {said}")
        time.sleep(0.0005)
    app.processEvents()


#: (perf_counter, mention id) of every change of the inbox's current row: a timeout
#: says how the current row moved after the key (see ``watch_current``).
CURRENTS: list[tuple[float, int | None]] = []


def watch_current(window) -> None:
    """Record every change of the inbox's current row into :data:`CURRENTS`."""
    inbox = window.inbox
    inbox.table.selectionModel().currentChanged.connect(
        lambda cur, _prev: CURRENTS.append(
            (time.perf_counter(), inbox.model.mention_id(cur.row()) if cur.isValid() else None)
        )
    )
    inbox.model.modelReset.connect(lambda: CURRENTS.append((time.perf_counter(), None)))


def press_and_wait(app, window, key) -> float:
    """Milliseconds from a key press in the inbox to the new mention shown."""
    from PySide6.QtTest import QTest

    inbox = window.inbox
    before = inbox.current_mention_id()
    start = time.perf_counter()
    QTest.keyClick(inbox.table, key)
    until(
        app,
        lambda: (
            inbox.current_mention_id() != before and inbox._shown_id == inbox.current_mention_id()
        ),
        # Said at the timeout (not at the key press): where the window is stuck.
        what=lambda: (
            f"{key} from {before}: now {inbox.current_mention_id()}, shown {inbox._shown_id},"
            f" wanted {inbox._detail_wanted()}, rows loading {inbox.model.is_loading()},"
            f" tasks {sorted(inbox.tasks._running)}, focus {type(app.focusWidget()).__name__},"
            f" modal {type(app.activeModalWidget()).__name__}, popup"
            f" {type(app.activePopupWidget()).__name__}, current rows since the key"
            f" {[(round((t - start) * 1000), i) for t, i in CURRENTS if t >= start]}"
        ),
    )
    return (time.perf_counter() - start) * 1000


def jk_round(app, window, keys: int) -> list[float]:
    """``keys`` presses: j down through the list, then k back up."""
    from PySide6.QtCore import Qt

    out = []
    for i in range(keys):
        # Down for the first half, then back up (never up from the top row, which a
        # refresh after the fetch may have made current again).
        up = i >= keys // 2 and (window.inbox.current_row() or 0) > 0
        key = Qt.Key.Key_K if up else Qt.Key.Key_J
        out.append(press_and_wait(app, window, key))
        pump(app, 0.02)  # a fast triager: about 30 keys a second at most
    return out


def search_round(app, window, text: str) -> float:
    """Milliseconds from the last typed key to the rows and count for ``text``."""
    from PySide6.QtTest import QTest

    inbox = window.inbox
    box = inbox.filter_bar.search
    box.clear()
    box.setFocus()
    # When and for which search rows were shown: under load the pause can come
    # mid-word, and a prefix's rows landing after the last key are not the answer.
    applied: list[tuple[float, str]] = []

    def shown(_n: int) -> None:
        applied.append((time.perf_counter(), inbox.model.filter.search))

    inbox.filter_applied.connect(shown)
    for ch in text[:-1]:
        QTest.keyClicks(box, ch)
        pump(app, 0.06)
    last = time.perf_counter()
    QTest.keyClicks(box, text[-1])
    until(app, lambda: applied and applied[-1][0] >= last and applied[-1][1] == text)
    inbox.filter_applied.disconnect(shown)
    return (applied[-1][0] - last) * 1000


def type_draft(app, window, text: str) -> None:
    """Type a reply in the composer at a typist's pace (the draft autosaves)."""
    from PySide6.QtTest import QTest

    window.show_view("composer")
    editor = window.composer.editor
    editor.setFocus()
    for ch in text:
        QTest.keyClicks(editor, ch)
        pump(app, 0.05)
    pump(app, 1.5)  # past the autosave delay
    window.show_view("inbox")


def p(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--backfill", type=int, default=200_000)
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--cold-only", action="store_true", help="only the cold start")
    parser.add_argument(
        "--profile-stalls", action="store_true",
        help="sample the GUI thread's stack during each stall and print the causes",
    )  # fmt: skip
    parser.add_argument(
        "--no-cold-start", action="store_true", help="skip the cold-start runs (for profiling)"
    )
    args = parser.parse_args()

    demo = build_cached_demo(args.mentions)
    print(f"load average at the start: {os.getloadavg()} on {os.cpu_count()} CPUs", flush=True)
    cold: dict[str, float | None] = dict.fromkeys(
        ("cold_start_s", "cold_rows_shown_s", "cold_process_cpu_s")
    )
    if not args.no_cold_start:
        start = cold_start(demo)
        print(
            f"cold start: first paint {start['first_paint_s']:.2f} s, inbox rows shown "
            f"{start['rows_shown_s']:.2f} s (CPU of the process {start['process_cpu_s']:.2f} s)",
            flush=True,
        )
        cold = {
            "cold_start_s": round(start["first_paint_s"], 2),
            "cold_rows_shown_s": round(start["rows_shown_s"], 2),
            "cold_process_cpu_s": round(start["process_cpu_s"], 2),
        }
    if args.cold_only:
        loads = [round(v, 2) for v in os.getloadavg()]
        print(json.dumps({"mentions": args.mentions, **cold, "loadavg": loads}))
        return

    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtWidgets import QApplication

    from engage_desktop.inbox.filters import InboxFilter
    from engage_desktop.listen.source_store import add_source
    from engage_desktop.ui.main_window import MainWindow
    from engage_desktop.ui.theme import STYLE_SHEET
    from engage_desktop.workspace.database import Workspace

    server, urls = start_server(args.feeds, 50, max(1, args.feeds // 4))
    tmp = Path(tempfile.mkdtemp(prefix="responsiveness-"))
    try:
        path = tmp / "work.engage"
        shutil.copy2(demo, path)
        with Workspace.open(path) as ws:
            with ws.write() as cur:  # a backlog for the backfill to work through
                cur.execute(
                    "UPDATE mentions SET scored_at = NULL WHERE id IN "
                    "(SELECT id FROM mentions ORDER BY id DESC LIMIT ?)",
                    [args.backfill],
                )
            for i, url in enumerate(urls):
                add_source(ws, kind="rss", url=url, name=f"feed {i}", channel="blog")
        app = QApplication.instance() or QApplication([])
        app.setStyleSheet(STYLE_SHEET)
        settings = QSettings(str(tmp / "gui.ini"), QSettings.Format.IniFormat)
        ws = Workspace.open(path)
        # When things happened, for --profile-stalls' timeline: (perf_counter, what).
        events: list[tuple[float, str]] = [(time.perf_counter(), "window made")]

        def event(what: str) -> Callable[..., None]:
            return lambda *_a: events.append((time.perf_counter(), what))

        window = MainWindow(ws, settings)  # starts the backfill by itself
        window.inbox.first_rows.painted.connect(event("inbox first rows painted"))
        window.inbox.model.modelReset.connect(event("inbox rows reset"))
        if window.enrich_task is not None:
            window.enrich_task.progressed.connect(
                lambda done, _t: events.append((time.perf_counter(), f"backfill at {done}"))
                if done < 60_000 else None
            )  # fmt: skip
        window.resize(1440, 900)
        window.show()
        window.activateWindow()
        pump(app, 0.2)
        events.append((time.perf_counter(), "heartbeat starts"))
        heartbeat = Heartbeat()
        watch_current(window)
        profiler = StallProfiler(heartbeat, HEARTBEAT_MS) if args.profile_stalls else None
        resets = [0]  # the inbox model's resets (each drops and restores the selection)
        window.inbox.model.modelReset.connect(lambda: resets.__setitem__(0, resets[0] + 1))

        def phase(name: str) -> None:
            if profiler is not None:
                profiler.phase = name
                profiler.mark(f"phase {name}")

        def mark(what: str) -> None:
            if profiler is not None:
                profiler.mark(what)

        # The background work's own speed, so a GUI figure is never bought with it:
        # mentions the backfill scored during the script, and when the fetch ended.
        scored = [0, 0.0]  # mentions scored, seconds into the script when last reported

        def backfill_progress(done: int, _total: int) -> None:
            scored[:] = [done, time.perf_counter() - script_started]

        if window.enrich_task is not None:
            window.enrich_task.progressed.connect(backfill_progress)
        script_started = time.perf_counter()
        fetch_s: list[float] = []
        window.feeds.start_fetch(force=True)
        if window.feeds._fetch_task is not None:
            window.feeds._fetch_task.done.connect(
                lambda: fetch_s.append(time.perf_counter() - script_started)
            )
            window.feeds._fetch_task.done.connect(event("fetch done"))
        mark("fetch started")
        pump(app, 0.5)

        jk: dict[str, list[float]] = {}
        for sort in ("time", "oldest"):
            mark(f"sort {sort} asked")
            window.inbox.apply_filter(InboxFilter(sort=sort))
            until(app, lambda: not window.inbox.model.is_loading(), what="the sorted rows")
            mark(f"sort {sort} rows in")
            window.inbox.table.setFocus()
            window.inbox.table.selectRow(0)
            until(app, lambda: window.inbox._shown_id is not None)
            mark("detail shown")
            for composer in ("unused", "opened"):
                if composer == "opened":  # the composer has been used, then hidden again
                    window.show_view("composer")
                    pump(app, 0.2)
                window.show_view("inbox")
                window.inbox.table.setFocus()
                phase(f"j/k {sort}/composer {composer}")
                resets[0] = 0
                jk[f"{sort}/composer {composer}"] = jk_round(app, window, args.keys)
                print(
                    f"j/k, {sort}, composer {composer}: median "
                    f"{statistics.median(jk[f'{sort}/composer {composer}']):.1f} ms, p95 "
                    f"{p(jk[f'{sort}/composer {composer}'], 0.95):.1f} ms; the rows were "
                    f"reset {resets[0]} times meanwhile; fetch "
                    f"{'running' if window.feeds._fetch_task is not None else 'done'}",
                    flush=True,
                )
        window.show_view("inbox")
        phase("search")
        searches = [search_round(app, window, text) for text in SEARCHES * 2]
        print(f"search: {', '.join(f'{s:.0f}' for s in searches)} ms", flush=True)
        window.inbox.apply_filter(InboxFilter())
        until(app, lambda: not window.inbox.model.is_loading(), what="the unfiltered rows")
        window.inbox.table.setFocus()
        phase("open and drafts")
        opens, opened_ids = [], []
        for _ in range(30):
            opens.append(press_and_wait(app, window, Qt.Key.Key_J))
            opened_ids.append(window.inbox.current_mention_id())
            start = time.perf_counter()
            from PySide6.QtTest import QTest

            QTest.keyClick(window.inbox.table, Qt.Key.Key_Return)
            app.processEvents()
            opens[-1] = (time.perf_counter() - start) * 1000
            pump(app, 0.05)
        type_draft(app, window, "Hi there, sorry about the trouble with the router. ")
        backfill_running = window.enrich_task is not None
        script_s = time.perf_counter() - script_started
        heartbeat.timer.stop()
        if profiler is not None:
            profiler.stop()
            for at, what in events:
                profiler.mark(what, at)
            print(profiler.report(), flush=True)
        window.close()
        ws.close()
        with Workspace.open(path) as check:  # the Enter keys' writes all landed
            opened_read = int(check.scalar(
                "SELECT count(*) FROM mentions WHERE id IN (SELECT unnest(?::BIGINT[]))"
                " AND NOT unread", [opened_ids]))  # fmt: skip
        query_cpu, query_wall = search_query_times(path, SEARCHES, sort="oldest", rounds=2)
    finally:
        server.stdin.close()
        server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)

    every_jk = [v for values in jk.values() for v in values]
    out = {
        "mentions": args.mentions,
        "keys_per_round": args.keys,
        "jk_p95_ms": round(p(every_jk, 0.95), 1),
        "jk_median_ms": round(statistics.median(every_jk), 1),
        "jk_max_ms": round(max(every_jk), 1),
        **{f"jk_p95_ms[{k}]": round(p(v, 0.95), 1) for k, v in jk.items()},
        "search_p95_ms": round(p(searches, 0.95), 1),
        "search_median_ms": round(statistics.median(searches), 1),
        "search_query_cpu_ms": round(statistics.median(query_cpu), 1),
        "search_query_wall_ms": round(statistics.median(query_wall), 1),
        "open_p95_ms": round(p(opens, 0.95), 1),
        "opened_read": opened_read,
        "max_stall_ms": round(max(heartbeat.late_ms), 1),
        "p99_stall_ms": round(p(heartbeat.late_ms, 0.99), 1),
        "stalls_over_50ms": sum(1 for v in heartbeat.late_ms if v > 50),
        "heartbeats": len(heartbeat.late_ms),
        **cold,
        "backfill_still_running_at_end": backfill_running,
        "backfill_scored": scored[0],
        "backfill_per_s": round(scored[0] / scored[1]) if scored[1] else None,
        "fetch_s": round(fetch_s[0], 1) if fetch_s else None,
        "script_s": round(script_s, 1),
        "loadavg": [round(v, 2) for v in os.getloadavg()],
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
