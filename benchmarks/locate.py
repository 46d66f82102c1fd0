"""How long "Where they talk" takes on a big demo workspace (target: 2 s on 1M mentions).

Figures, medians of ``--runs`` runs:

- ``locate_s`` / ``locate_cpu_s``: :func:`engage_desktop.listen.locate.locate` over the
  default 30-day window (and the 30 days before it, for growth), in this process,
  wall and CPU time;
- ``cli_s``: a one-shot ``engage-desktop locate`` in a new process, start-up and
  imports included;
- ``backtest_s``: the back-test of the first place (every stored day);
- ``peer_s``: the same window read by the plainest query that could answer part of
  the question (mentions grouped by host of their address, no links, no rules), and
  ``ratio_to_peer`` = locate_s / peer_s: what the rules and the links cost over it;
- ``load_avg``: the 1-minute load average at the start and end (the machine is shared).

Usage: python benchmarks/locate.py [--mentions 1000000] [--runs 5]. The demo is built
once in another process and cached in the temp folder (~1-2 min for 1M). The last line
is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks import cached_demo  # noqa: E402


def build_cached_demo(mentions: int) -> Path:
    """The demo workspace, built once by another process (so its memory is not ours)."""
    return cached_demo.build_cached_demo("locate-demo-places1", mentions)


def timed(fn) -> tuple[float, float, object]:
    """Wall and CPU seconds of one call, and its result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    load_start = os.getloadavg()[0]
    path = build_cached_demo(args.mentions)

    from datetime import UTC, datetime, timedelta

    from engage_desktop.listen.locate import backtest_place, locate
    from engage_desktop.workspace.database import Workspace

    walls, cpus, peers, tests = [], [], [], []
    with Workspace.open(path, read_only=True) as ws:
        peer_sql = (
            "SELECT lower(split_part(url, '/', 3)) AS h, count(*), count(*) FILTER "
            "(WHERE sentiment_label = 'negative') FROM mentions "
            "WHERE published >= ? AND published <= ? GROUP BY h"
        )
        found = None
        for _ in range(args.runs):
            wall, cpu, found = timed(lambda: locate(ws, 30))
            walls.append(wall)
            cpus.append(cpu)
            now = datetime.now(UTC)
            since = now - timedelta(days=60)
            window = [since, now]
            wall, _, _ = timed(lambda w=window: ws.cursor().execute(peer_sql, w).fetchall())
            peers.append(wall)
        assert found is not None and found.places, "the demo has no places"
        for _ in range(max(1, args.runs // 2)):
            wall, _, _ = timed(lambda: backtest_place(ws, found.places[0]))
            tests.append(wall)
    cli = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "engage_desktop", "--read-only", "-w", str(path), "locate"],
            check=True, cwd=ROOT, capture_output=True,
        )  # fmt: skip
        cli.append(time.perf_counter() - start)
    locate_s = statistics.median(walls)
    peer_s = statistics.median(peers)
    figures = {
        "mentions": args.mentions,
        "window_mentions": found.mentions,
        "places": len(found.places),
        "first_place": found.places[0].name,
        "locate_s": round(locate_s, 3),
        "locate_cpu_s": round(statistics.median(cpus), 3),
        "cli_s": round(statistics.median(cli), 3),
        "backtest_s": round(statistics.median(tests), 3),
        "peer_s": round(peer_s, 3),
        "ratio_to_peer": round(locate_s / peer_s, 2) if peer_s else None,
        "target_s": 2.0,
        "load_avg": [round(load_start, 2), round(os.getloadavg()[0], 2)],
        "runs": args.runs,
    }
    for place in found.places[:8]:
        print(
            f"{place.rank:>2} {place.name:<32} {place.volume:>7,} {place.growth_words():>6} "
            f"{place.share_negative:>5.0%} {'listening' if place.watched else 'not yet'}"
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
