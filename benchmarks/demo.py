"""Demo workspace generation: seconds and file size for 10k, 100k and 1M mentions.

Usage: python benchmarks/demo.py [--sizes 10000,100000,1000000] [--runs N]

Each size is generated ``--runs`` times (default 3 for sizes under 1M, 1 for 1M, as
one 1M run takes tens of seconds); the figure is the median. The last line of output
is one JSON object of figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engage_desktop.demo.build import build_demo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=None)
    args = parser.parse_args()
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            runs = args.runs or (1 if size >= 1_000_000 else 3)
            times, mb = [], 0.0
            for run in range(runs):
                path = Path(tmp) / f"demo-{size}-{run}.engage"
                started = time.perf_counter()
                build_demo(path, size, seed=7)
                times.append(time.perf_counter() - started)
                mb = path.stat().st_size / 1e6
                path.unlink()
            label = f"{size // 1000}k" if size < 1_000_000 else f"{size // 1_000_000}m"
            figures[f"demo_{label}_s"] = round(statistics.median(times), 2)
            figures[f"demo_{label}_mb"] = round(mb, 1)
            figures[f"demo_{label}_rows_per_s"] = round(size / statistics.median(times))
            print(
                f"{size:>9,} mentions: median {statistics.median(times):6.2f} s over {runs} "
                f"run(s) {[round(t, 2) for t in times]}, file {mb:7.1f} MB",
                flush=True,
            )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
