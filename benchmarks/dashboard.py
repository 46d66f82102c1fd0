"""How fast the dashboard opens, follows a new range or topic, and zooms.

Drives the real DashboardPane offscreen on a demo workspace:

- ``draw_s``: from creating the pane on an open workspace until every main chart
  is computed and painted (median over ``--runs`` fresh panes);
- ``range_change_s``: from choosing another range or topic until the charts are
  computed and painted again (median over a cycle of range and topic choices);
- ``zoom_fps``: zoom and pan steps on the volume chart (all time), each followed by a
  synchronous repaint (frames per second);
- ``extras_s``: rising terms and spike marks, computed afterwards in the background;
- ``rss_mb``: resident memory of this process after the draws (VmRSS), and its peak;
- the peer: DuckDB's plain count of mentions per day and sentiment label.

Usage: python benchmarks/dashboard.py --mentions 1000000 [--workspace PATH] [--runs 5]
The workspace defaults to a cached demo, /tmp/bench-dash-N-vS.engage (S: the schema
version), built once (~30 s for 1M) by another process (benchmarks/cached_demo.py),
so the builder's memory never counts in this one's. A demo built by an older version
of this script, /tmp/bench-dash-N.engage, is the same data: pass it as --workspace.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def rss_mb(field: str = "VmRSS") -> float:
    """Resident memory of this process in MB (``VmHWM``: its peak), from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wait(app, pane, signal_name: str, timeout: float = 120.0) -> None:
    """Process events until ``pane`` emits ``signal_name``."""
    fired = []
    signal = getattr(pane, signal_name)
    slot = lambda *a: fired.append(1)  # noqa: E731
    signal.connect(slot)
    deadline = time.monotonic() + timeout
    while not fired:
        app.processEvents()
        if time.monotonic() > deadline:
            raise TimeoutError(signal_name)
        time.sleep(0.0005)
    signal.disconnect(slot)


def paint(app, pane) -> None:
    """Paint what is on screen now (offscreen: into the backing store)."""
    app.processEvents()
    pane.repaint()


def settle(app, pane, most_s: float = 2.0) -> None:
    """Process events until a few turns pass without a paint (at most ``most_s``).

    The extras' results (spike marks, rising terms, alerts, the agreement tile) are
    drawn when they arrive, and pyqtgraph paints a chart again when its paint moved
    the auto-range: without this, those paints landed inside the next figure.
    """
    from PySide6.QtCore import QEvent, QObject

    painted = [True]

    class PaintSpy(QObject):
        def eventFilter(self, obj, event):
            if event.type() in (QEvent.Type.Paint, QEvent.Type.UpdateRequest):
                painted[0] = True
            return False

    spy = PaintSpy()
    app.installEventFilter(spy)
    quiet, deadline = 0, time.monotonic() + most_s
    while quiet < 3 and time.monotonic() < deadline:
        painted[0] = False
        app.processEvents()
        quiet = 0 if painted[0] else quiet + 1
        time.sleep(0.005)
    app.removeEventFilter(spy)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--workspace", help="an existing workspace (default: a cached demo)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    from benchmarks.cached_demo import build_cached_demo
    from engage_desktop.dashboard.analytics import DAY_SQL, LABEL_SQL
    from engage_desktop.ui.dashboard.pane import DashboardPane
    from engage_desktop.ui.theme import STYLE_SHEET
    from engage_desktop.workspace.database import Workspace

    if args.workspace:
        path = Path(args.workspace)
    else:  # built in a child process: its memory must not count in this one's RSS
        path = build_cached_demo("bench-dash", args.mentions)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyleSheet(STYLE_SHEET)
    ws = Workspace.open(path, read_only=True)
    mentions = ws.scalar("SELECT count(*) FROM mentions")
    print(f"workspace {path}: {mentions:,} mentions")

    cur = ws.cursor()
    peer = []
    for _ in range(args.runs):
        started = time.perf_counter()
        cur.execute(
            f"SELECT {DAY_SQL}, {LABEL_SQL}, count(*) FROM mentions GROUP BY ALL"
        ).fetchall()
        peer.append(time.perf_counter() - started)
    cur.close()
    peer_s = statistics.median(peer)
    print(f"peer: DuckDB count per day and label: {peer_s * 1000:.1f} ms")

    draws, extras = [], []
    pane = None
    for run in range(args.runs):
        if pane is not None:
            # Gone before the next one opens: processEvents() alone never delivers a
            # deferred delete, so each earlier pane stayed shown, and kept painting
            # (its late extras) while the next one was timed.
            pane.tasks.shutdown()
            pane.hide()
            pane.deleteLater()
            app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            app.processEvents()
        started = time.perf_counter()
        pane = DashboardPane(ws)
        pane.resize(1440, 900)
        pane.show()
        wait(app, pane, "updated")
        paint(app, pane)
        draws.append(time.perf_counter() - started)
        wait(app, pane, "extras_updated")
        extras.append(time.perf_counter() - started)
        print(
            f"open {run + 1}: charts drawn {draws[-1]:.3f} s, terms and spikes {extras[-1]:.3f} s"
        )

    draw_rss = rss_mb()  # the window's figure after its opening draws
    changes: list[tuple[str, float]] = []
    steps = [
        ("range", "Last 30 days"),
        ("range", "All time"),
        ("topic", "Outage"),
        ("topic", None),
        ("range", "Last 7 days"),
        ("topic", "Orbit"),
        ("range", "Last 90 days"),
        ("topic", None),
    ]
    for _ in range(max(1, args.runs // 2)):
        for kind, value in steps:
            started = time.perf_counter()
            if kind == "range":
                pane.set_range(value)
            else:
                pane.set_topic(value)
            wait(app, pane, "updated")
            paint(app, pane)
            changes.append((f"{kind}={value or 'all'}", time.perf_counter() - started))
            pane.wait_until_ready()  # let the background extras finish between steps
            settle(app, pane)  # and their drawing
    for name in dict.fromkeys(n for n, _ in changes):
        values = [s for n, s in changes if n == name]
        print(f"change {name:<20} median {statistics.median(values):.3f} s")

    pane.set_range("All time")
    pane.set_topic(None)
    pane.wait_until_ready()
    vb = pane.volume.plot.getViewBox()
    view = pane.volume.graphics
    frames = 0
    started = time.perf_counter()
    for i in range(120):
        if i % 3 == 2:
            vb.translateBy(x=86400 * (5 if i % 2 else -5))
        else:
            factor = 0.8 if (i // 30) % 2 == 0 else 1.25
            vb.scaleBy(x=factor, y=1)
        view.viewport().repaint()
        frames += 1
    zoom_fps = frames / (time.perf_counter() - started)
    print(
        f"zoom and pan: {zoom_fps:.0f} frames/s "
        f"(volume chart, {pane.volume.unit_name} buckets at the end)"
    )

    pane.tasks.shutdown()
    ws.close()
    result = {
        "mentions": int(mentions),
        "draw_s": round(statistics.median(draws), 3),
        "draw_first_s": round(draws[0], 3),
        "range_change_s": round(statistics.median(s for _, s in changes), 3),
        "range_change_max_s": round(max(s for _, s in changes), 3),
        "zoom_fps": round(zoom_fps, 1),
        "extras_s": round(statistics.median(extras), 3),
        "rss_mb": round(draw_rss, 1),
        "peak_rss_mb": round(rss_mb("VmHWM"), 1),
        "peer_daily_count_s": round(peer_s, 4),
        "draw_vs_peer": round(statistics.median(draws) / peer_s, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
