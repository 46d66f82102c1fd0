"""Inbox speed on a big demo workspace, driving the real widgets offscreen.

Usage: python benchmarks/inbox.py [--mentions 1000000] [--workspace PATH] [--runs 5]

Without --workspace a demo of --mentions is built once, by another process (so its
memory is not counted here), at /tmp/inbox-bench-N-vS.engage (S: the schema version)
and reused. Each run works on a private copy, so the source stays pristine. Every
figure is the time from the user's action to the inbox repainted with updated rows
and count (the rows are read off the GUI thread: the clock runs until they have
landed and the paint events Qt queued have been processed, delegates included), the
median over runs:

- first_rows_s: workspace open → InboxView constructed, shown and painted.
- filter_s: a filter change (several kinds, see FILTERS) → repainted.
- search_s: the search handler fires (after the debounce) → repainted.
- jump_s: the scroll bar set to a random row → repainted (anchors ready).
- bulk_status_10k_s: 10,000 selected rows → status changed, events logged, repainted.
- rss_mb: resident memory of this process at the end (VmRSS).
- search_query_cpu_ms / _wall_ms: a search's count and first page alone (the pager,
  no window), median over SEARCHES and 3 rounds, after the runs: CPU time, which the
  machine's load disturbs much less than the window's wall-clock figure.

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
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks.search_cost import search_query_times

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
    # The jump anchors' scan starts a second after new rows (and after the keys
    # rest): wait for it too, or it lands inside the next figure.
    while (view.tasks.running() or view.background_pending()) and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.005)
    app.processEvents()


def timed(app, view, action, done=None, timeout: float = 120.0) -> float:
    """Seconds from ``action`` until ``done()`` holds and its queued paints are done.

    The inbox reads and writes off the GUI thread, so the clock runs until the result
    has landed (``done``, by default: no task of the view running). Offscreen widgets
    paint into a backing store when processEvents() delivers the update requests, so
    this includes drawing the new rows (delegates too) and the changed count label.
    """
    done = done or (lambda: not view.tasks.running())
    started = time.perf_counter()
    action()
    deadline = started + timeout
    while True:
        app.processEvents()
        if done() or time.perf_counter() > deadline:
            break
        time.sleep(0.0005)
    app.processEvents()
    return time.perf_counter() - started


def rows_shown(view) -> bool:
    """The table's visible rows have their values (their pages were read)."""
    model, table = view.model, view.table
    if model.is_loading() or model.pager is None:
        return False
    top = max(0, table.rowAt(0))
    bottom = table.rowAt(table.viewport().height() - 1)
    bottom = min(model.rowCount() - 1, top + 30 if bottom < 0 else bottom)
    return all(model.mention_id(r) is not None for r in (top, bottom) if r >= 0)


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
    holder = []

    def build() -> None:
        view = InboxView(ws)
        view.resize(1400, 900)
        view.show()
        holder.append(view)

    figures["first_rows_s"].append(timed(app, None, build, lambda: rows_shown(holder[0])))
    view = holder[0]
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
        figures["filter_s"].append(
            timed(app, view, lambda f=flt: view.filter_bar.set_filter(f), lambda: rows_shown(view))
        )
        settle(app, view)
    view.filter_bar.set_filter(InboxFilter())
    settle(app, view)
    for text in SEARCHES:
        view.filter_bar.search.setText(text)  # what typing leaves in the box
        seconds = timed(app, view, view.filter_bar.apply_search, lambda: rows_shown(view))
        figures["search_s"].append(seconds)
        figures.setdefault(f"search {text}", []).append(seconds)
        settle(app, view)
    view.filter_bar.set_filter(InboxFilter())

    # Anchors for jumps: computed off the GUI thread after a filter change.
    settle(app, view)
    # The view scanned them itself a second after the rows came (settle waited for
    # it); time a scan of our own from its start.
    started = time.perf_counter()
    view.model.pager._anchors = None
    view._scan_anchors()
    settle(app, view)
    figures["anchors_s"].append(time.perf_counter() - started)
    bar = view.table.verticalScrollBar()
    for _ in range(6):
        target = rng.randrange(0, max(1, rows - 50))
        figures["jump_s"].append(
            timed(app, view, lambda t=target: bar.setValue(t), lambda: rows_shown(view))
        )
    bar.setValue(0)

    first = 1000 + run * 10
    settle(app, view)
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

    from engage_desktop.ui.inbox.filter_bar import SEARCH_DEBOUNCE_MS
    from engage_desktop.ui.theme import STYLE_SHEET
    from engage_desktop.workspace.schema import LATEST_VERSION as version

    # A demo of an older schema would be migrated on each run (or refused read-only).
    source = Path(args.workspace or f"/tmp/inbox-bench-{args.mentions}-v{version}.engage")
    if not source.exists():
        # Built by another process: its memory must not count in this one's RSS.
        print(f"building a {args.mentions:,}-mention demo at {source} …", flush=True)
        code = (
            "import sys; from engage_desktop.demo.build import build_demo; "
            f"build_demo(sys.argv[1], {args.mentions}, seed=7)"
        )
        root = Path(__file__).resolve().parents[1]
        subprocess.run([sys.executable, "-c", code, str(source)], check=True, cwd=root)
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
        out_rss = rss_mb()  # the window's figure, before the query-only rounds below
        query_cpu, query_wall = search_query_times(path, SEARCHES, rounds=3)

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
    out["search_query_cpu_ms"] = round(statistics.median(query_cpu), 1)
    out["search_query_wall_ms"] = round(statistics.median(query_wall), 1)
    print(
        f"search query alone: CPU median {out['search_query_cpu_ms']} ms, "
        f"wall median {out['search_query_wall_ms']} ms (n={len(query_cpu)})"
    )
    out["rss_mb"] = round(out_rss, 1)
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    out["load_avg_1m"] = round(os.getloadavg()[0], 2)
    out["search_debounce_ms"] = SEARCH_DEBOUNCE_MS
    print(f"{'rss_mb':>20}: {out['rss_mb']} (peak {out['peak_rss_mb']})")
    print(f"load average at the end: {os.getloadavg()} on {os.cpu_count()} CPUs")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
