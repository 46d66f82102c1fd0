"""Inbox speed on a big demo workspace, driving the real widgets offscreen.

Usage: python benchmarks/inbox.py [--mentions 1000000] [--workspace PATH] [--runs 5]

Without --workspace a demo of --mentions is built once at
/tmp/inbox-bench-N.engage and reused. Each run works on a private copy, so the
source stays pristine. Every figure is the time from the user's action to the
inbox repainted with updated rows and count (the paint events Qt queued have been
processed, delegates included), the median over runs:

- first_rows_s: workspace open → InboxView constructed, shown and painted.
- filter_s: a filter change (several kinds, see FILTERS) → repainted.
- search_s: the search handler fires (after the debounce) → repainted.
- jump_s: the scroll bar set to a random row → repainted (anchors ready).
- bulk_status_10k_s: 10,000 selected rows → status changed, events logged, repainted.
- rss_mb: resident memory of this process at the end (VmRSS).

Background work (anchors, saved-view counts) is waited for between measurements so
one figure does not pay for another; its own time is reported as anchors_s and
view_counts_s. The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

FILTERS = (
    {"statuses": ["new", "open"]},
    {"topics": ["Orbit"]},
    {"channels": ["reddit"], "has_reply": False},
    {"within_days": 7},
    {"min_reach": 10_000, "sort": "reach"},
    {"sentiments": ["negative"], "has_reply": False, "within_days": 7},
)
SEARCHES = ("router", '"mesh pro"', '"firmware update" -porto', "zurich", "skylink outage")


def rss_mb() -> float:
    """Resident set size of this process, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    """Peak resident set size of this process (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def settle(app, view, timeout: float = 30.0) -> None:
    """Process events until background tasks are done (not timed)."""
    deadline = time.monotonic() + timeout
    while view.tasks.running() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.005)
    app.processEvents()


def timed(app, view, action) -> float:
    """Seconds from ``action`` to its queued paint events done.

    Offscreen widgets paint into a backing store when processEvents() delivers the
    update requests, so this includes drawing the new rows (delegates too) and the
    changed count label, once, as on a screen.
    """
    started = time.perf_counter()
    action()
    app.processEvents()
    return time.perf_counter() - started


def one_run(app, path: Path, run: int, figures: dict[str, list[float]], rng) -> int:
    """Open the workspace, build the inbox, and time every figure once."""
    from PySide6.QtCore import QCoreApplication, QEvent, QItemSelection, QItemSelectionModel

    from engage_desktop.inbox.filters import InboxFilter
    from engage_desktop.inbox.mention_alerts import ensure_default_rule
    from engage_desktop.inbox.saved_views import seed_default_views
    from engage_desktop.ui.inbox.view import InboxView
    from engage_desktop.workspace.database import Workspace

    ws = Workspace.open(path)
    rows = int(ws.scalar("SELECT count(*) FROM mentions"))
    # A workspace's first inbox stores the default views and alert rule once; do that
    # outside the clock so every run times the same, everyday opening.
    seed_default_views(ws)
    ensure_default_rule(ws)
    started = time.perf_counter()
    view = InboxView(ws)
    view.resize(1400, 900)
    view.show()
    app.processEvents()
    figures["first_rows_s"].append(time.perf_counter() - started)
    assert view.model.rowCount() == rows and view.table.rowAt(0) == 0

    started = time.perf_counter()
    task = view.refresh_counts()
    done = []
    task.done.connect(lambda d=done: d.append(time.perf_counter()))
    settle(app, view)
    if done:
        figures["view_counts_s"].append(done[0] - started)

    for spec in FILTERS:
        flt = InboxFilter.from_dict(spec)
        figures["filter_s"].append(timed(app, view, lambda f=flt: view.filter_bar.set_filter(f)))
        settle(app, view)
    view.filter_bar.set_filter(InboxFilter())
    settle(app, view)
    for text in SEARCHES:
        view.filter_bar.search.setText(text)  # what typing leaves in the box
        seconds = timed(app, view, view.filter_bar.apply_search)
        figures["search_s"].append(seconds)
        figures.setdefault(f"search {text}", []).append(seconds)
        settle(app, view)
    view.filter_bar.set_filter(InboxFilter())

    # Anchors for jumps: computed off the GUI thread after a filter change.
    started = time.perf_counter()
    settle(app, view)
    if not view.model.pager.has_anchors:
        view._start_anchors()
        settle(app, view)
    figures["anchors_s"].append(time.perf_counter() - started)
    bar = view.table.verticalScrollBar()
    for _ in range(6):
        target = rng.randrange(0, max(1, rows - 50))
        figures["jump_s"].append(timed(app, view, lambda t=target: bar.setValue(t)))
    bar.setValue(0)

    first = 1000 + run * 10
    selection = QItemSelection(view.model.index(first, 0), view.model.index(first + 9_999, 0))
    view.table.selectionModel().select(
        selection,
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    status = ("resolved", "pending", "ignored", "open", "spam")[run % 5]
    figures["bulk_status_10k_s"].append(timed(app, view, lambda s=status: view.bulk_status(s)))
    changed = view._undo[-1][0].count if view._undo else 0
    settle(app, view)
    figures["undo_10k_s"].append(timed(app, view, view.undo))
    settle(app, view)
    print(
        f"run {run + 1}: first rows {figures['first_rows_s'][-1]:.3f} s, "
        f"bulk {changed:,} rows {figures['bulk_status_10k_s'][-1]:.3f} s, "
        f"RSS {rss_mb():.0f} MB",
        flush=True,
    )
    view.shutdown()
    view.tasks.shutdown()
    view.close()
    view.deleteLater()
    app.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    ws.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--workspace", help="an existing demo workspace to copy")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    from engage_desktop.demo.build import build_demo
    from engage_desktop.ui.inbox.filter_bar import SEARCH_DEBOUNCE_MS
    from engage_desktop.ui.theme import STYLE_SHEET

    source = Path(args.workspace or f"/tmp/inbox-bench-{args.mentions}.engage")
    if not source.exists():
        print(f"building a {args.mentions:,}-mention demo at {source} …", flush=True)
        build_demo(source, args.mentions, seed=7)
    print(f"load average at the start: {os.getloadavg()} on {os.cpu_count()} CPUs")
    app = QApplication.instance() or QApplication([])
    app.setStyleSheet(STYLE_SHEET)
    rng = random.Random(5)
    figures: dict[str, list[float]] = {
        k: []
        for k in (
            "first_rows_s",
            "filter_s",
            "search_s",
            "jump_s",
            "bulk_status_10k_s",
            "anchors_s",
            "view_counts_s",
            "undo_10k_s",
        )
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.engage"
        shutil.copy2(source, path)
        for run in range(args.runs):
            rows = one_run(app, path, run, figures, rng)
            gc.collect()  # drop this run's widgets and DuckDB objects before the next

    out: dict[str, float] = {"mentions": rows, "runs": args.runs}
    for key, values in list(figures.items()):
        if key.startswith("search "):
            print(f"{key:>36}: median {statistics.median(values):.4f} s")
            del figures[key]
    for key, values in figures.items():
        if values:
            out[key] = round(statistics.median(values), 4)
            print(
                f"{key:>20}: median {statistics.median(values):.4f} s  "
                f"(min {min(values):.4f}, max {max(values):.4f}, n={len(values)})"
            )
    out["rss_mb"] = round(rss_mb(), 1)
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    out["load_avg_1m"] = round(os.getloadavg()[0], 2)
    out["search_debounce_ms"] = SEARCH_DEBOUNCE_MS
    print(f"{'rss_mb':>20}: {out['rss_mb']} (peak {out['peak_rss_mb']})")
    print(f"load average at the end: {os.getloadavg()} on {os.cpu_count()} CPUs")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
