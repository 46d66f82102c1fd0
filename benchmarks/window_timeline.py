"""Where the window's cold fetch (benchmarks/ingest.py's ``engage_window``) spends its time.

The in-window counterpart of benchmarks/fetch_timeline.py: :func:`run_fetch` in this
process with the parse workers already running, as the window has them (no start-up,
no imports), cold against the same 200 feeds x 50 items on 50 loopback hosts. Each
run prints:

* the run's ``core.timeline`` marks (seconds since ``run_fetch`` was called, this
  process's CPU), and each parse worker's busy and idle time;
* a strip per 100 ms of the run: requests started, responses in, documents parsed,
  rows stored, and the CPU of this process's main thread, its other threads (HTTP,
  the pool's pipes, DuckDB) and the workers in that slice (from /proc, read every
  10 ms), so idle gaps and a serial tail show as columns of zeros;
* the serial tail: from the last response (and the last parse) to the end.

    python benchmarks/window_timeline.py [--feeds 200] [--items 50] [--hosts 50] [--runs 5]
                                         [--sample]

``--sample`` also samples the main thread's Python stack every 5 ms and prints the
functions it was in most (whoever holds the GIL when the sampler gets it: a rough
view of where the main thread's CPU goes).

The last line is one JSON object (median marks, tail and wall seconds).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ["ENGAGE_DESKTOP_TIMELINE"] = "1"  # before the package is imported

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import feed_set_arguments, start_server, window_pool, workspace  # noqa: E402

from engage_desktop.core import timeline  # noqa: E402
from engage_desktop.core.progress import PlainState  # noqa: E402
from engage_desktop.listen import fetch as fetch_module  # noqa: E402
from engage_desktop.listen.fetch import (  # noqa: E402
    run_fetch,
)

SLICE = 0.1


class Events:
    """Timestamps of requests, responses, parses and stores (wrapping the module's steps)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: list[tuple[float, str, float]] = []  # (time, kind, amount)
        self.stores: list[tuple[float, float, int, bool]] = []  # start, end, rows, last

    def add(self, kind: str, amount: float = 1.0, at: float | None = None) -> None:
        with self.lock:
            self.items.append((time.perf_counter() if at is None else at, kind, amount))


def instrument(events: Events) -> None:
    fetch_one = fetch_module._fetch_one
    store = fetch_module._store

    def timed_fetch_one(spec, http):  # type: ignore[no-untyped-def]
        events.add("req")
        try:
            return fetch_one(spec, http)
        finally:
            events.add("resp")

    def timed_store(ws, batch, summary, rules, health=None):  # type: ignore[no-untyped-def]
        rows = len(batch)
        t = time.perf_counter()
        try:
            return store(ws, batch, summary, rules, health)
        finally:
            events.add("store_rows", rows, t)
            events.add("store_s", time.perf_counter() - t, t)
            events.stores.append((t, time.perf_counter(), rows, health is not None))

    fetch_module._fetch_one = timed_fetch_one
    fetch_module._store = timed_store


class _Sampler:
    """A daemon thread that runs ``run`` until :meth:`stop`."""

    _stop: threading.Event

    def run(self) -> None:
        raise NotImplementedError

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()


class CpuSlices(_Sampler):
    """CPU of this process's threads and of the workers, read from /proc every 10 ms."""

    def __init__(self, workers: list[int]) -> None:
        self.workers = workers
        self.samples: list[tuple[float, float, float, float]] = []  # t, main, others, workers
        self.names: dict[int, str] = {}  # native thread id -> a kind of thread
        self.seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._me = 0  # the sampling thread, skipped (set when it runs)

    @staticmethod
    def _ran(path: str) -> float:
        try:
            with open(path) as f:
                return int(f.read().split()[0]) / 1e9
        except OSError:
            return 0.0

    def _read(self, seen: dict[int, float]) -> tuple[float, float, float, float]:
        pid = os.getpid()
        main = others = 0.0
        for tid in os.listdir(f"/proc/{pid}/task"):
            if int(tid) == self._me:
                continue
            ran = self._ran(f"/proc/{pid}/task/{tid}/schedstat")
            seen[int(tid)] = ran
            if int(tid) not in self.names:
                self.names[int(tid)] = self._name(int(tid))
        for tid, ran in seen.items():
            if tid == pid:
                main = ran
            else:
                others += ran
        workers = sum(self._ran(f"/proc/{w}/schedstat") for w in self.workers)
        return time.perf_counter(), main, others, workers

    @staticmethod
    def _name(tid: int) -> str:
        for thread in threading.enumerate():
            if thread.native_id == tid:
                return thread.name.rstrip("0123456789_").rstrip("-_ ") or "python"
        try:
            return Path(f"/proc/{os.getpid()}/task/{tid}/comm").read_text().strip()
        except OSError:
            return "?"

    def by_name(self, before: dict[int, float]) -> dict[str, float]:
        out: dict[str, float] = collections.Counter()
        for tid, ran in self.seen.items():
            out[self.names.get(tid, "?")] += ran - before.get(tid, 0.0)
        return dict(out)

    def run(self) -> None:
        self._me = threading.get_native_id()
        seen = self.seen  # a finished thread keeps its last reading
        while not self._stop.wait(0.01):
            self.samples.append(self._read(seen))
        self.samples.append(self._read(seen))


class StackSampler(_Sampler):
    """The main thread's innermost frames every 5 ms (function, file:line)."""

    def __init__(self) -> None:
        self.counts: collections.Counter[str] = collections.Counter()
        self._stop = threading.Event()
        self._main = threading.main_thread().ident

    def run(self) -> None:
        while not self._stop.wait(0.005):
            frame = sys._current_frames().get(self._main)
            names = []
            while frame is not None and len(names) < 3:
                code = frame.f_code
                names.append(f"{code.co_name} ({Path(code.co_filename).name}:{frame.f_lineno})")
                frame = frame.f_back
            self.counts[" < ".join(names)] += 1


def strip(events: Events, cpu: CpuSlices, t0: float, end: float) -> list[str]:
    slices = int((end - t0) / SLICE) + 1
    table = [collections.Counter() for _ in range(slices)]
    for at, kind, amount in events.items:
        i = min(max(int((at - t0) / SLICE), 0), slices - 1)
        table[i][kind] += amount
    for _start, stop, _cpu in (j for jobs in timeline.SPANS.values() for j in jobs):
        i = min(max(int((stop - t0) / SLICE), 0), slices - 1)
        table[i]["parsed"] += 1
    samples = cpu.samples
    lines = [" slice  req resp parsed  stored  store_s  cpu main other workers"]
    for i, row in enumerate(table):
        lo, hi = t0 + i * SLICE, t0 + (i + 1) * SLICE
        inside = [s for s in samples if lo <= s[0] < hi]
        before = [s for s in samples if s[0] < lo]
        cpu_line = ""
        if inside and before:
            a, b = before[-1], inside[-1]
            cpu_line = f"     {b[1] - a[1]:.2f}  {b[2] - a[2]:.2f}  {b[3] - a[3]:.2f}"
        lines.append(
            f"{i * SLICE:5.1f}  {row['req']:4.0f} {row['resp']:4.0f} {row['parsed']:6.0f}"
            f"  {row['store_rows']:6.0f}  {row['store_s']:6.3f}{cpu_line}"
        )
    return lines


def one_run(folder: Path, urls: list[str], sample: bool) -> dict[str, float]:
    ws = workspace(folder, urls)
    try:
        options, pool = window_pool(ws)
        events = Events()
        instrument(events)
        cpu = CpuSlices(list(pool._processes))
        sampler = StackSampler() if sample else None
        timeline.MARKS.clear()
        timeline.SPANS.clear()
        cpu_thread = cpu.start()
        sample_thread = sampler.start() if sampler else None
        time.sleep(0.03)
        before = dict(cpu.seen)
        t0 = time.perf_counter()
        summary = run_fetch(PlainState(), ws, force=True, options=options)
        end = time.perf_counter()
        time.sleep(0.02)
        cpu.stop()
        cpu_thread.join()
        if sampler:
            sampler.stop()
            sample_thread.join()  # type: ignore[union-attr]
        assert not summary.failed, summary.failed[:3]
        stored = int(ws.scalar("SELECT count(*) FROM mentions"))
    finally:
        ws.close()
    for line in timeline.report(t0):
        print("  " + line)
    print("\n".join("  " + line for line in strip(events, cpu, t0, end)))
    print("  stores: " + ", ".join(
        f"{a - t0:.3f}-{b - t0:.3f} s {rows} rows" + (" +health" if last else "")
        for a, b, rows, last in events.stores
    ))  # fmt: skip
    marks = {name: at - t0 for name, (at, _cpu) in timeline.MARKS.items()}
    marks["end"] = end - t0
    resp = [at for at, kind, _ in events.items if kind == "resp"]
    last_parse = max((stop for jobs in timeline.SPANS.values() for _s, stop, _c in jobs), default=0)
    marks["tail after last response"] = end - max(resp)
    marks["tail after last parse"] = end - last_parse
    first = samples_at(cpu.samples, t0)
    last = cpu.samples[-1]
    marks["cpu main thread"] = last[1] - first[1]
    marks["cpu other threads"] = last[2] - first[2]
    marks["cpu workers"] = last[3] - first[3]
    print(
        f"  wall {summary.seconds:.3f} s, {stored} stored; tail after the last response "
        f"{marks['tail after last response']:.3f} s, after the last parse "
        f"{marks['tail after last parse']:.3f} s; CPU main {marks['cpu main thread']:.2f} s, "
        f"other threads {marks['cpu other threads']:.2f} s, workers {marks['cpu workers']:.2f} s"
    )
    names = sorted(cpu.by_name(before).items(), key=lambda kv: -kv[1])
    print("  CPU by thread: " + ", ".join(f"{n} {v:.3f}" for n, v in names if v >= 0.005))
    if sampler:
        total = sum(sampler.counts.values())
        print(f"  main thread stack samples ({total}):")
        for name, n in sampler.counts.most_common(15):
            print(f"    {n / total:5.1%}  {name}")
    marks["wall"] = summary.seconds
    return marks


def samples_at(samples: list[tuple[float, float, float, float]], t: float) -> tuple:
    before = [s for s in samples if s[0] <= t]
    return before[-1] if before else samples[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    feed_set_arguments(ap)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sample", action="store_true", help="sample the main thread's stack")
    ap.add_argument(
        "--trial", action="append", default=[], metavar="NAME=VALUE,...",
        help="module settings of fetch.py to alternate run by run (a trial; repeatable), "
        "e.g. --trial STORE_BATCH=5000 --trial STORE_BATCH=2000",
    )  # fmt: skip
    opts = ap.parse_args()
    trials = [
        {k: type(getattr(fetch_module, k))(v) for k, v in (kv.split("=") for kv in t.split(","))}
        for t in opts.trial
    ] or [{}]
    load_before = os.getloadavg()
    server, urls = start_server(opts.feeds, opts.items, opts.hosts)
    folder = Path(tempfile.mkdtemp(prefix="window-timeline-"))
    runs = []
    try:
        for i in range(opts.runs):
            for n, trial in enumerate(trials):
                for name, value in trial.items():
                    setattr(fetch_module, name, value)
                print(
                    f"run {i + 1} {opts.trial[n] if opts.trial else ''} "
                    f"(load {os.getloadavg()[0]:.1f})"
                )
                runs.append({**one_run(folder, urls, opts.sample), "trial": n})
    finally:
        server.stdin.close()
        server.wait()
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    if len(trials) > 1:
        for n, label in enumerate(opts.trial):
            mine = [r for r in runs if r["trial"] == n]
            walls = sorted(r["wall"] for r in mine)
            tails = sorted(r["tail after last parse"] for r in mine)
            print(
                f"trial {label}: wall median {statistics.median(walls):.3f} s {walls}; "
                f"tail after last parse median {statistics.median(tails):.3f}; main CPU "
                f"{statistics.median(r['cpu main thread'] for r in mine):.3f}"
            )
    names = [n for n in runs[0] if all(n in r for r in runs)]
    medians = {n: round(statistics.median(r[n] for r in runs), 3) for n in names}
    print("medians:")
    for n, v in sorted(medians.items(), key=lambda kv: kv[1]):
        print(f"  {v:7.3f}  {n}")
    print(json.dumps({
        "medians_s": medians, "runs": opts.runs,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }))  # fmt: skip


if __name__ == "__main__":
    main()
