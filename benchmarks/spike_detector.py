"""Precision and recall of the spike detector on synthetic hourly series.

Usage: python benchmarks/spike_detector.py [--series 200]
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json

from engage_desktop.dashboard.spike_eval import evaluate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--series", type=int, default=200)
    args = parser.parse_args()
    results = {}
    for per_day in (100, 400, 5000):
        for size in (1.0, 2.0, 3.0, 6.0):
            ev = evaluate(range(args.series), per_day=per_day, size=size)
            key = f"{per_day}/day burst {size:g}h"
            results[key] = {"precision": round(ev.precision, 3), "recall": round(ev.recall, 3)}
            print(
                f"{per_day:>5} mentions/day, bursts of {size:>4g} average hours: "
                f"precision {ev.precision:.3f} recall {ev.recall:.3f} "
                f"({ev.found}/{ev.injected} found, "
                f"{ev.false_alarms} false alarms)"
            )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
