"""What a backfill costs the window's own process: scoring in-process against in its worker.

A backlog of ``--backlog`` mentions (below ``POOL_THRESHOLD``, where the pipeline used to
score on the calling thread) is enriched on a background thread of a process that
acts as a window, while its main thread ticks every 10 ms like the window's heartbeat
timer (``time.sleep`` releases the GIL; waking needs it back, so a tick is late by
however long another thread kept the interpreter, plus any wait for a CPU). Two modes,
each in a fresh process on a fresh copy of the demo. The backlog's texts are made
distinct (`` #<id>`` appended, which moves no score): the demo's generator repeats
its templates (50,000 of its posts hold ~2,000 distinct texts, so the scorer's memo
would hide VADER's cost), and a real backlog of posts rarely repeats itself.

- ``in_process``: how the window scored before ``enrich/sentiment/window_pool.py``:
  VADER on the backfill thread (a 1 ms switch interval, as ``serve_window`` sets).
- ``window``: ``serve_window()`` in force: the backfill thread reads, sends the texts to
  the window's one scoring worker (nice 10), receives the scores and writes.

Figures per mode: ``backfill_thread_cpu_s`` (CPU the backfill thread used in the
window's process: what competes with the GUI thread for the GIL; load barely moves
it), ``backfill_s`` (wall), and the ticks' lateness ``p99_late_ms`` / ``max_late_ms``
(load moves these). Usage: python benchmarks/window_scoring.py [--mentions 100000]
[--backlog 50000]. About a minute; the demo is built once and cached in the temp
folder. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import cached_demo  # noqa: E402

PROBE = """
import json, shutil, sys, threading, time
sys.path.insert(0, {root!r})
from engage_desktop.core import priority
from engage_desktop.enrich.pipeline import enrich
from engage_desktop.enrich.sentiment.window_pool import close_window_pool
from engage_desktop.workspace.database import Workspace
if {window!r}:
    priority.serve_window()
else:
    sys.setswitchinterval(priority.WINDOW_SWITCH_INTERVAL_S)
ws = Workspace.open({path!r})
with ws.write() as cur:
    cur.execute("UPDATE mentions SET scored_at = NULL, text = text || ' #' || id::VARCHAR "
                "WHERE id IN (SELECT id FROM mentions ORDER BY id DESC LIMIT ?)", [{backlog}])
found = {{}}
def backfill():
    started, cpu = time.perf_counter(), time.thread_time()
    found["done"] = enrich(ws).done
    found["backfill_thread_cpu_s"] = time.thread_time() - cpu
    found["backfill_s"] = time.perf_counter() - started
thread = threading.Thread(target=backfill)
thread.start()
late = []
while thread.is_alive():
    due = time.perf_counter() + 0.01
    time.sleep(0.01)
    late.append(max(0.0, time.perf_counter() - due) * 1000)
thread.join()
close_window_pool()
ws.close()
late.sort()
found["p99_late_ms"] = late[int(0.99 * (len(late) - 1))]
found["max_late_ms"] = late[-1]
print(json.dumps(found))
"""


def run(demo: Path, window: bool, backlog: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "work.engage"
        shutil.copy2(demo, path)
        code = PROBE.format(root=str(ROOT), path=str(path), window=window, backlog=backlog)
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=1800
        )
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--backlog", type=int, default=50_000)
    args = parser.parse_args()
    demo = cached_demo.build_cached_demo("window-scoring-demo", args.mentions)
    out: dict = {"backlog": args.backlog, "load_at_start": round(os.getloadavg()[0], 2)}
    for name, window in (("in_process", False), ("window", True)):
        got = run(demo, window, args.backlog)
        assert got["done"] == args.backlog, got
        for key in ("backfill_thread_cpu_s", "backfill_s", "p99_late_ms", "max_late_ms"):
            out[f"{name}_{key}"] = round(got[key], 3)
        print(f"{name}: {got} (load {os.getloadavg()[0]:.2f})", flush=True)
    out["thread_cpu_ratio"] = round(
        out["window_backfill_thread_cpu_s"] / out["in_process_backfill_thread_cpu_s"], 3
    )
    out["load_at_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
