"""How fast the bundle starts: ``--version`` against the window's first paint.

Drives the PyInstaller bundle (``make dist``) as a user would, each run a fresh
process in a private home:

- ``version_s``: wall time of ``engage-desktop --version`` (start to exit);
- ``first_paint_s``: from starting ``engage-desktop WS --screenshot OUT.png`` until
  the window is first painted (``ENGAGE_DESKTOP_PAINT_TIME=1`` makes the window print
  the wall clock of its first paint; see ``engage_desktop/ui/first_paint.py``);
- ``screenshot_s``: the whole screenshot run, for scale;
- the goal is ``paint_over_version`` <= 2 (the same build's ``--version`` is the peer);
- ``version_cpu_s`` and ``paint_cpu_s``: CPU seconds (user + system) of the process
  for ``--version`` and until its first paint (read from ``/proc`` when the paint
  line arrives), and their ratio ``paint_over_version_cpu``: far less moved by the
  load of a shared machine than wall time;
- ``imports``: where start-up goes, from ``python -X importtime`` on the same command
  run from the checkout's venv (a frozen app ignores PYTHON* variables): import
  seconds before the first paint by top-level package (each module's own time, so
  they add up; ``all`` is their sum).

Usage: python benchmarks/bundle.py [--bundle dist/engage-desktop] [--runs 5]
The workspace is a small demo (2,000 mentions) built by the bundle itself. Medians
of ``--runs``; the load average is printed beside the figures. The last line is one
JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAINT_PREFIX = "first-paint-epoch: "


def private_env(home: Path) -> dict[str, str]:
    """The environment of a first-time user with no display."""
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "QT_QPA_PLATFORM": "offscreen",
        "ENGAGE_DESKTOP_PAINT_TIME": "1",
    }
    env.pop("ENGAGE_DESKTOP_WORKSPACE", None)
    return env


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Start time (epoch), wall seconds and stderr of one run that must succeed."""
    started = time.time()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.strip()[-500:]}")
    return started, wall, proc.stderr


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_cpu(cmd: list[str], env: dict[str, str]) -> float:
    """CPU seconds of one run that must succeed, start to exit (its own, not children's)."""
    before = os.times()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    after = os.times()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.strip()[-500:]}")
    return (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )


def paint_cpu(cmd: list[str], env: dict[str, str]) -> float:
    """CPU seconds the window's process used until it reported its first paint."""
    proc = subprocess.Popen(
        cmd, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    )
    used = None
    for line in proc.stderr:
        if used is None and line.startswith(PAINT_PREFIX):
            used = cpu_seconds(proc.pid)
    if proc.wait(timeout=600) != 0 or used is None:
        raise SystemExit(f"{' '.join(cmd)} failed or reported no first paint")
    return used


def first_paint(stderr: str, started: float) -> float:
    """Seconds from ``started`` to the paint the window reported."""
    for line in stderr.splitlines():
        if line.startswith(PAINT_PREFIX):
            return float(line[len(PAINT_PREFIX) :]) - started
    raise SystemExit("the window reported no first paint (ENGAGE_DESKTOP_PAINT_TIME)")


def import_profile(ws: Path, out: Path, env: dict[str, str], top: int = 8) -> dict[str, float]:
    """Import seconds of the slowest top-level packages, and in all (checkout's venv)."""
    python = ROOT / ".venv" / "bin" / "python"
    if not python.exists():
        return {}
    cmd = [str(python), "-X", "importtime", "-m", "engage_desktop", str(ws)]
    proc = subprocess.run(
        [*cmd, "--screenshot", str(out)], env=env, capture_output=True, text=True, timeout=600
    )
    per_package: dict[str, float] = defaultdict(float)
    for line in proc.stderr.splitlines():  # "import time: SELF | CUMULATIVE |   name"
        if line.startswith(PAINT_PREFIX):
            break  # only what the window waited for
        match = re.match(r"import time:\s*(\d+) \|\s*\d+ \| *(\S+)", line)
        if match:  # self times add up to the whole import time, by top-level package
            per_package[match.group(2).split(".")[0]] += int(match.group(1)) / 1e6
    biggest = sorted(per_package.items(), key=lambda kv: kv[1], reverse=True)[:top]
    return {"all": round(sum(per_package.values()), 3)} | {
        name: round(seconds, 3) for name, seconds in biggest
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bundle", default=str(ROOT / "dist" / "engage-desktop"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    exe = Path(args.bundle) / "engage-desktop"
    if not exe.is_file():
        raise SystemExit(f"no bundle at {exe}; run 'make dist' first")
    tmp = Path(tempfile.mkdtemp(prefix="engage-bench-bundle-"))
    env = private_env(tmp / "home")
    ws = tmp / "bench.engage"
    timed([str(exe), "demo", str(ws), "--mentions", "2000"], env)
    print(f"load average at the start: {os.getloadavg()} on {os.cpu_count()} CPUs")

    version, paint, shot, version_cpu, paint_cpus = [], [], [], [], []
    window = [str(exe), str(ws), "--screenshot", str(tmp / "s.png")]
    timed([str(exe), "--version"], env)  # the first run warms the page cache
    for run in range(args.runs):
        version.append(timed([str(exe), "--version"], env)[1])
        started, wall, stderr = timed(window, env)
        paint.append(first_paint(stderr, started))
        shot.append(wall)
        version_cpu.append(timed_cpu([str(exe), "--version"], env))
        paint_cpus.append(paint_cpu(window, env))
        print(
            f"run {run + 1}: --version {version[-1]:.2f} s, first paint {paint[-1]:.2f} s; "
            f"CPU {version_cpu[-1]:.2f} s and {paint_cpus[-1]:.2f} s"
        )

    figures = {
        "bundle": str(exe),
        "runs": args.runs,
        "version_s": round(statistics.median(version), 3),
        "first_paint_s": round(statistics.median(paint), 3),
        "screenshot_s": round(statistics.median(shot), 3),
    }
    figures["paint_over_version"] = round(figures["first_paint_s"] / figures["version_s"], 2)
    figures["version_cpu_s"] = round(statistics.median(version_cpu), 3)
    figures["paint_cpu_s"] = round(statistics.median(paint_cpus), 3)
    figures["paint_over_version_cpu"] = round(figures["paint_cpu_s"] / figures["version_cpu_s"], 2)
    figures["imports"] = import_profile(ws, tmp / "p.png", env)
    figures["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    print(f"load average at the end: {os.getloadavg()} on {os.cpu_count()} CPUs")
    print(json.dumps(figures))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
