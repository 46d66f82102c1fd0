"""How late a GUI-thread timer comes while background threads read rows, per batch size.

DuckDB holds the GIL while it turns a batch of rows into Python objects
(``workspace/database.py:fetch_batches``), so a window's GUI thread waits whenever a
background read converts one. Two threads read 20,000 mentions in a loop with
``fetch_all`` while a 10 ms timer ticks on the GUI thread; the batch size alternates
every 2 s in the same process (so the machine's load hits every size alike).
Per size: the ticks' median, p99 and longest lateness in ms, ticks over 30 ms late,
and the readers' median rows/s.

Usage: python benchmarks/fetch_batch_gil.py [--seconds 40] [--sizes 2000,500]
(~45 s; uses the responsiveness benchmark's cached 1M demo). The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import cached_demo  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--sizes", default="2000,500")
    parser.add_argument("--mentions", type=int, default=1_000_000)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from engage_desktop.core.priority import serve_window
    from engage_desktop.workspace import database
    from engage_desktop.workspace.database import Workspace, fetch_all

    demo = cached_demo.build_cached_demo("responsiveness-demo", args.mentions)
    tmp = Path(tempfile.mkdtemp(prefix="fetch-batch-"))
    path = tmp / "work.engage"
    shutil.copy2(demo, path)
    ws = Workspace.open(path)
    app = QApplication.instance() or QApplication([])
    serve_window()  # the window's GIL switch interval
    late: dict[int, list[float]] = {size: [] for size in sizes}
    rows_s: dict[int, list[float]] = {size: [] for size in sizes}
    now_size = [sizes[0]]
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        late[now_size[0]].append(max(0.0, (now - last[0]) * 1000 - 10))
        last[0] = now

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    stop = threading.Event()

    def reader() -> None:
        cur = ws.cursor()
        try:
            while not stop.is_set():
                size = now_size[0]
                cur.execute(
                    "SELECT id, title, text, published, author_id, language FROM mentions "
                    "WHERE id > 500000 LIMIT 20000"
                )
                started = time.perf_counter()
                rows = len(fetch_all(cur))
                if size == now_size[0]:
                    rows_s[size].append(rows / (time.perf_counter() - started))
                stop.wait(0.005)
        finally:
            cur.close()

    readers = [threading.Thread(target=reader) for _ in range(2)]
    for thread in readers:
        thread.start()
    end = time.perf_counter() + args.seconds
    turn = 0
    try:
        while time.perf_counter() < end:
            now_size[0] = database.FETCH_BATCH = sizes[turn % len(sizes)]
            turn += 1
            segment_end = time.perf_counter() + 2
            last[0] = time.perf_counter()
            while time.perf_counter() < segment_end:
                app.processEvents()
                time.sleep(0.0005)
    finally:
        stop.set()
        for thread in readers:
            thread.join()
        timer.stop()
        ws.close()
        shutil.rmtree(tmp, ignore_errors=True)
    out: dict[str, object] = {}
    for size in sizes:
        values = sorted(late[size])
        out[str(size)] = {
            "ticks": len(values),
            "median_late_ms": round(statistics.median(values), 2),
            "p99_late_ms": round(values[int(0.99 * len(values))], 1),
            "max_late_ms": round(values[-1], 1),
            "over_30ms": sum(v > 30 for v in values),
            "reader_rows_per_s": round(statistics.median(rows_s[size])) if rows_s[size] else None,
        }
        print(f"batch {size}: {out[str(size)]}", flush=True)
    print(json.dumps({"sizes": out, "loadavg": [round(v, 2) for v in os.getloadavg()]}))


if __name__ == "__main__":
    main()
