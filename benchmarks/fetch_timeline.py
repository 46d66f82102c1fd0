"""Where a one-shot ``engage-desktop fetch --force`` spends its wall time, phase by phase.

Runs the command cold (a fresh workspace, every feed new) against the same loopback
feeds as benchmarks/ingest.py, with ``ENGAGE_DESKTOP_TIMELINE=1``, and prints the
marks of each run (seconds since the process started, CPU of the command's own
process) and their medians: imports, the parse pool, the workspace, the first and
last request, response and parse, the stores, the health, and the exit. The gaps
between them show what is serial; a line per parse worker says when it was busy
(time in jobs, their CPU) and idle between jobs. No peers: benchmarks/ingest.py compares.

    python benchmarks/fetch_timeline.py [--feeds 200] [--items 50] [--hosts 50] [--runs 5]

The CPU account: while the command runs, /proc is read every 5 ms for the CPU of each
of its threads and of each child (the parse workers), so each run also prints the
command's main thread, its other threads (HTTP, the pool's pipes, DuckDB's threads)
and every worker's CPU over its whole life, beside the total the kernel counted
(``getrusage``; a thread's last < 5 ms between two reads is missed).

The last line is one JSON object (median seconds since process start per mark,
wall and CPU seconds of the whole command, the median CPU account, the load average).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import (  # noqa: E402
    _children_cpu,
    compile_bytecode,
    feed_set_arguments,
    start_server,
    workspace,
)

LINE = re.compile(r"timeline: +([\d.]+) s \(\+ *[\d.]+\)  cpu +([\d.]+) s  (.+)$")


def one_run(path: Path, checkout: Path = ROOT) -> tuple[dict[str, float], float, float]:
    """Marks (seconds since start), wall and CPU seconds of one cold command.

    ``checkout`` runs another copy of the code (``python -m`` finds the package in
    its working directory first); a copy without the marks gives wall and CPU only.
    """
    cmd = [sys.executable, "-m", "engage_desktop", "fetch", "--force", "--quiet", "-w", str(path)]
    env = {**os.environ, "ENGAGE_DESKTOP_TIMELINE": "1"}
    cpu = _children_cpu()
    t = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=checkout, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    account = CpuAccount(proc.pid)
    sampler = threading.Thread(target=account.follow, args=(proc,), daemon=True)
    sampler.start()
    _out, stderr = proc.communicate()
    wall, cpu = time.perf_counter() - t, _children_cpu() - cpu
    sampler.join()
    if proc.returncode:
        raise SystemExit(f"the command failed: {stderr[-500:]}")
    marks = {}
    for line in stderr.splitlines():
        found = LINE.search(line)
        if found:
            marks[found.group(3)] = float(found.group(1))
            print(line)
        elif line.startswith("timeline: worker"):  # a parse worker's busy and idle time
            print(line)
    print(f"exit (measured outside) {wall:.3f} s, CPU {cpu:.3f} s (workers included)")
    totals = account.totals()
    marks.update({f"cpu: {name}": value for name, value in totals.items()})
    print("cpu account: " + ", ".join(f"{name} {value:.3f} s" for name, value in totals.items()))
    return marks, wall, cpu


class CpuAccount:
    """CPU seconds of a process's threads and children, read from /proc while it runs."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        #: (pid, tid) -> CPU seconds at the last read (a finished thread keeps its last).
        self.seen: dict[tuple[int, int], float] = {}

    def follow(self, proc: subprocess.Popen) -> None:
        """Read until ``proc`` ends."""
        while proc.poll() is None:
            self._read(self.pid)
            time.sleep(0.005)

    def _read(self, pid: int) -> None:
        """Read ``pid``'s threads, then its children's (whichever thread started them)."""
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            return
        kids: list[str] = []
        for tid in tids:
            try:
                # schedstat's first field: nanoseconds on a CPU (stat's utime and stime
                # are whole clock ticks, which loses ~5 ms of each short-lived thread).
                ran = Path(f"/proc/{pid}/task/{tid}/schedstat").read_text().split()[0]
                kids += Path(f"/proc/{pid}/task/{tid}/children").read_text().split()
            except OSError:
                continue
            self.seen[(pid, int(tid))] = int(ran) / 1e9
        for kid in kids:
            self._read(int(kid))

    def totals(self) -> dict[str, float]:
        """The command's main thread, its other threads, each worker, and the sum."""
        out = {"main thread": 0.0, "other threads": 0.0}
        workers: dict[int, float] = {}
        for (pid, tid), seconds in self.seen.items():
            if pid != self.pid:
                workers[pid] = workers.get(pid, 0.0) + seconds
            else:
                out["main thread" if tid == pid else "other threads"] += seconds
        for n, pid in enumerate(sorted(workers), 1):
            out[f"worker {n}"] = workers[pid]
        out["workers"] = sum(workers.values())
        out["sum"] = out["main thread"] + out["other threads"] + out["workers"]
        return {name: round(value, 3) for name, value in out.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    feed_set_arguments(ap)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument(
        "--baseline", type=Path, metavar="CHECKOUT",
        help="another checkout run alternately with this one (wall and CPU compared)",
    )  # fmt: skip
    opts = ap.parse_args()
    compile_bytecode(ROOT)
    if opts.baseline:
        compile_bytecode(opts.baseline)
    load_before = os.getloadavg()
    server, urls = start_server(opts.feeds, opts.items, opts.hosts)
    folder = Path(tempfile.mkdtemp(prefix="fetch-timeline-"))
    try:
        template = workspace(folder, urls)
        template_path = template.path
        template.close()
        runs, base_runs = [], []
        for i in range(opts.runs):
            path = folder / f"run-{i}.engage"
            shutil.copy(template_path, path)
            print(f"run {i + 1} (load {os.getloadavg()[0]:.1f})")
            runs.append(one_run(path))
            if opts.baseline:
                shutil.copy(template_path, path)
                print(f"baseline run {i + 1} (load {os.getloadavg()[0]:.1f})")
                base_runs.append(one_run(path, opts.baseline))
    finally:
        server.stdin.close()
        server.wait()
        shutil.rmtree(folder, ignore_errors=True)
    names = [name for name in runs[0][0] if all(name in r[0] for r in runs)]
    medians = {name: round(statistics.median(r[0][name] for r in runs), 3) for name in names}
    print("medians (s since process start):")
    for name, at in medians.items():
        if not name.startswith("cpu: "):
            print(f"  {at:7.3f}  {name}")
    print("median CPU account: " + ", ".join(
        f"{name.removeprefix('cpu: ')} {at:.3f} s" for name, at in medians.items()
        if name.startswith("cpu: ")
    ))  # fmt: skip
    print(json.dumps({
        "marks_s": {k: v for k, v in medians.items() if not k.startswith("cpu: ")},
        "wall_s": round(statistics.median(r[1] for r in runs), 3),
        "cpu_s": round(statistics.median(r[2] for r in runs), 3),
        "cpu_account_s": {
            name.removeprefix("cpu: "): at
            for name, at in medians.items()
            if name.startswith("cpu: ")
        },
        "runs": opts.runs,
        **({
            "baseline_wall_s": round(statistics.median(r[1] for r in base_runs), 3),
            "baseline_cpu_s": round(statistics.median(r[2] for r in base_runs), 3),
            "wall_ratio_per_run": round(statistics.median(
                b[1] / r[1] for r, b in zip(runs, base_runs, strict=True)), 3),
        } if base_runs else {}),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }))  # fmt: skip


if __name__ == "__main__":
    main()
