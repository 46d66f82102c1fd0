"""What the GUI thread is doing while its event loop is late (a sampling watchdog).

A daemon thread watches the benchmark's heartbeat. While the last tick is older
than the heartbeat interval plus ``threshold_ms``, it samples the GUI thread's Python
stack every ``interval_ms`` (``sys._current_frames``) and tallies the stacks, weighted
by the time between samples. It also reads every thread's CPU clock around each
stall, so a stall where the GUI thread barely ran is told apart (waiting for the
GIL or a lock) from one where it computed.

The watchdog itself needs the GIL to sample: a thread that holds it inside C code
delays the sample, so a stall caused by C code holding the GIL shows as the first
Python line the GUI thread reached after it got the GIL back. Each stall therefore
also keeps where the other threads were at the sample after its longest gap
between samples (``longest_gap_ms``, ``suspects``): the holder is among them.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[1])


def _where(frame) -> str:
    path = frame.f_code.co_filename
    if path.startswith(ROOT):
        path = path[len(ROOT) + 1 :]
    else:
        path = Path(path).name
    return f"{path}:{frame.f_code.co_name}:{frame.f_lineno}"


def _stack(frame, depth: int = 12) -> tuple[str, ...]:
    out = []
    while frame is not None and len(out) < depth:
        out.append(_where(frame))
        frame = frame.f_back
    return tuple(out)


def _own(stack: tuple[str, ...]) -> str:
    """The innermost frame in the app's own code (else the innermost frame)."""
    for where in stack:
        if where.startswith("engage_desktop/"):
            return where
    return stack[0] if stack else "?"


def _label(frame) -> str:
    """What a thread works on: the outermost app function on its stack."""
    label = ""
    while frame is not None:
        path = frame.f_code.co_filename
        name = frame.f_code.co_name
        if "engage_desktop" in path and not path.endswith(("ui/tasks.py", "ui/ops.py")):
            label = f"{Path(path).stem}.{name}"
        frame = frame.f_back
    return label


def _idle(frame) -> bool:
    """A thread waiting for work (a queue, a lock, a selector), not running Python."""
    path = frame.f_code.co_filename
    if path.endswith("concurrent/futures/thread.py") and frame.f_code.co_name == "_worker":
        return True  # an executor's worker waiting on its queue (a C-level get)
    return path.endswith(("threading.py", "queue.py", "selectors.py", "stall_profiler.py"))


def _schedstat(native_id: int) -> tuple[float, float]:
    """Seconds a thread ran on a CPU and waited runnable for one (Linux)."""
    try:
        with open(f"/proc/self/task/{native_id}/schedstat") as f:
            ran, waited, _ = f.read().split()
        return int(ran) / 1e9, int(waited) / 1e9
    except (OSError, ValueError):
        return 0.0, 0.0


def _thread_cpu(ident: int) -> float:
    try:
        return time.clock_gettime(time.pthread_getcpuclockid(ident))
    except (OSError, AttributeError):  # the thread ended
        return 0.0


class StallProfiler:
    """Samples the GUI thread while the heartbeat is late; :meth:`report` tallies it."""

    def __init__(self, heartbeat, interval_ms: float, threshold_ms: float = 30.0) -> None:
        self.heartbeat = heartbeat
        self.gui = threading.get_ident()
        self.gui_native = threading.get_native_id()
        self.labels: dict[int, str] = {}
        self.queued_ms = 0.0
        self.late_after = (interval_ms + threshold_ms) / 1000
        self.stacks: Counter[tuple[str, ...]] = Counter()
        self.own: Counter[str] = Counter()
        self.stalls: list[dict] = []
        self.other_cpu: Counter[str] = Counter()
        self.other_lines: Counter[str] = Counter()
        #: What the benchmark is doing now (set by it); each stall is filed under it.
        self.phase = ""
        self.started = time.perf_counter()
        #: (seconds since the start, what happened), set by the benchmark (:meth:`mark`).
        self.marks: list[tuple[float, str]] = []
        self.by_phase: dict[str, Counter[str]] = {}
        # Collector passes (any thread; each holds the GIL throughout): generation ->
        # [count, ms in all, longest ms], and the ms of passes that ran inside a stall.
        self.gc_passes: dict[int, list[float]] = {}
        self.gc_in_stalls_ms = 0.0
        self._gc_started = 0.0
        self._gc_during: list[tuple[float, float]] = []
        gc.callbacks.append(self._on_gc)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stall-profiler", daemon=True)
        self._thread.start()

    def mark(self, what: str, at: float | None = None) -> None:
        """Note an event of the script (``at``: its perf_counter, default now)."""
        at = time.perf_counter() if at is None else at
        self.marks.append((round(at - self.started, 2), what))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)

    def _on_gc(self, phase: str, info: dict) -> None:
        now = time.perf_counter()
        if phase == "start":
            self._gc_started = now
            return
        ms = (now - self._gc_started) * 1000
        count, total, longest = self.gc_passes.get(info["generation"], [0, 0.0, 0.0])
        self.gc_passes[info["generation"]] = [count + 1, total + ms, max(longest, ms)]
        self._gc_during.append((self._gc_started, now))

    def _names(self) -> dict[int, str]:
        names = {t.ident: t.name for t in threading.enumerate() if t.ident}
        for ident, frame in sys._current_frames().items():
            label = _label(frame)
            if label:
                self.labels[ident] = label
        return {
            i: self.labels.get(i, names.get(i, f"thread {i}"))
            for i in set(names) | set(self.labels)
        }

    def _cpu_all(self) -> dict[int, float]:
        return {ident: _thread_cpu(ident) for ident in sys._current_frames()}

    def _run(self) -> None:
        while not self._stop.is_set():
            time.sleep(0.002)
            last = self.heartbeat._last
            now = time.perf_counter()
            if now - last < self.late_after:
                continue
            # A stall: sample until the heartbeat ticks again.
            phase = self.phase
            cpu_start = self._cpu_all()
            _, queued_start = _schedstat(self.gui_native)
            started = last
            prev = now
            samples = 0
            seen: Counter[str] = Counter()
            # Where the other threads were at the first sample after the longest wait
            # for the GIL: a thread that held it in C code is still on that line.
            suspects: list[str] = []
            longest_wait = 0.0
            while self.heartbeat._last == last and not self._stop.is_set():
                frames = sys._current_frames()
                t = time.perf_counter()
                weight = (t - prev) * 1000
                prev = t
                if weight > longest_wait + 10:
                    longest_wait = weight
                    suspects = [
                        f"{_label(o) or '?'} @ {_stack(o, 3)[0]}"
                        for i, o in frames.items()
                        if i != self.gui and not _idle(o)
                    ]
                for ident, other in frames.items():
                    if ident == self.gui or _idle(other):
                        continue
                    label = _label(other)
                    if label:
                        self.labels[ident] = label
                    # A thread that held the GIL in C code is still on that line when
                    # the sampler gets the GIL back: heavy lines here are suspects.
                    self.other_lines[f"{label or '?'} @ {_own(_stack(other))}"] += weight
                frame = frames.get(self.gui)
                if frame is not None:
                    stack = _stack(frame)
                    self.stacks[stack] += weight
                    self.own[_own(stack)] += weight
                    seen[_own(stack)] += weight
                    self.by_phase.setdefault(phase, Counter())[_own(stack)] += weight
                    samples += 1
                time.sleep(0.002)
            end = time.perf_counter()
            passes, self._gc_during = self._gc_during, []
            self.gc_in_stalls_ms += sum(
                (min(b, end) - max(a, started)) * 1000 for a, b in passes if b > started
            )
            cpu_end = self._cpu_all()
            _, queued_end = _schedstat(self.gui_native)
            queued = (queued_end - queued_start) * 1000
            self.queued_ms += queued
            names = self._names()
            gui_cpu = (cpu_end.get(self.gui, 0) - cpu_start.get(self.gui, 0)) * 1000
            others = {}
            for ident, c in cpu_end.items():
                if ident == self.gui or ident not in cpu_start:
                    continue
                used = (c - cpu_start[ident]) * 1000
                if used > 1:
                    name = names.get(ident, f"thread {ident}")
                    others[name] = round(used, 1)
                    self.other_cpu[name] += used
            self.stalls.append(
                {
                    "phase": phase,
                    "at_s": round(started - self.started, 2),
                    "ms": round((end - started) * 1000, 1),
                    "gui_cpu_ms": round(gui_cpu, 1),
                    "gui_runnable_ms": round(queued, 1),
                    "others_cpu_ms": others,
                    "top": seen.most_common(2),
                    "samples": samples,
                    "longest_gap_ms": round(longest_wait, 1),
                    "suspects": suspects,
                }
            )

    def report(self, top: int = 15) -> str:
        """The stall causes, heaviest first, in words."""
        lines = [f"stall profiler: {len(self.stalls)} stalls over the threshold"]
        if not self.stalls:
            return lines[0]
        total = sum(s["ms"] for s in self.stalls)
        gui = sum(s["gui_cpu_ms"] for s in self.stalls)
        lines.append(
            f"  stalled {total:.0f} ms in all; the GUI thread ran {gui:.0f} ms of it on a CPU "
            f"and waited {self.queued_ms:.0f} ms runnable for a CPU; the rest "
            f"({total - gui - self.queued_ms:.0f} ms) it was blocked (the GIL, a lock) "
            f"({os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f})"
        )
        lines.append(
            "  garbage collector: "
            + ", ".join(
                f"gen{g} {c:.0f} passes {t:.0f} ms (longest {m:.1f})"
                for g, (c, t, m) in sorted(self.gc_passes.items())
            )
            + f"; {self.gc_in_stalls_ms:.0f} ms of passes inside stalls"
        )
        lines.append("  CPU of other threads during stalls (ms): " + ", ".join(
            f"{n} {v:.0f}" for n, v in self.other_cpu.most_common(8)
        ))  # fmt: skip
        lines.append("  by phase of the script (stalls, ms stalled, GUI ran, GUI runnable):")
        for phase in dict.fromkeys(s["phase"] for s in self.stalls):
            mine = [s for s in self.stalls if s["phase"] == phase]
            lines.append(
                f"    {phase or '(start)'}: {len(mine)}, {sum(s['ms'] for s in mine):.0f}, "
                f"{sum(s['gui_cpu_ms'] for s in mine):.0f}, "
                f"{sum(s['gui_runnable_ms'] for s in mine):.0f}; innermost app frames: "
                + ", ".join(f"{w} {ms:.0f}" for w, ms in self.by_phase.get(phase, Counter())
                            .most_common(4))
            )  # fmt: skip
        lines.append("  timeline (s since the heartbeat began): events and stalls over 40 ms:")
        timeline = [(t, f"event: {what}") for t, what in self.marks] + [
            (s["at_s"], f"STALL {s['ms']} ms (GUI ran {s['gui_cpu_ms']}, others "
             f"{s['others_cpu_ms']}, top {[w for w, _ in s['top']]}, suspects {s['suspects']})")
            for s in self.stalls if s["ms"] > 40
        ]  # fmt: skip
        for t, what in sorted(timeline, key=lambda x: x[0]):
            lines.append(f"    {t:7.2f}  {what}")
        lines.append("  worst stalls:")
        for s in sorted(self.stalls, key=lambda s: -s["ms"])[:10]:
            lines.append(f"    {s}")
        lines.append("  other busy threads during stalls (label @ line), ms sampled:")
        for where, ms in self.other_lines.most_common(top):
            lines.append(f"    {ms:8.0f}  {where}")
        lines.append("  innermost app frame, ms sampled:")
        for where, ms in self.own.most_common(top):
            lines.append(f"    {ms:8.0f}  {where}")
        lines.append("  whole stacks, ms sampled:")
        for stack, ms in self.stacks.most_common(top):
            lines.append(f"    {ms:8.0f}  " + " <- ".join(stack[:9]))
        return "\n".join(lines)
