"""CPU a parse worker spends per item, stage by stage, on benchmarks/ingest.py's feeds.

One process runs :func:`~engage_desktop.listen.worker.parse_and_prepare` over the
same 200 documents x 50 items the ingest benchmark serves (RSS 2.0, HTML bodies,
keep-all sources, the demo's watch queries, VADER scoring), as a parse worker does,
and reads ``time.process_time()`` around each pass: CPU, which load from other
processes changes much less than wall time. Each pass uses a new run id, so the
scorer's memo of texts starts empty as in a real fetch. Stages are timed apart too
(parse and sanitize, harden, match, score), and the rows' pickled bytes.

``--baseline CHECKOUT`` runs the same measurement on another copy of the code (a
``git worktree`` or ``git archive`` of an older commit) in a child process,
alternating with this checkout pass by pass, and prints the ratio.

    python benchmarks/parse_worker_cpu.py [--feeds 200] [--items 50] [--passes 5]
                                          [--baseline CHECKOUT]

The last line is one JSON object (microseconds of CPU per item: the least of a process's
passes, since interference only adds CPU time; with a baseline, the median over the
alternated processes).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def measure(feeds: int, items: int, passes: int) -> dict[str, float]:
    """Median CPU microseconds per item of each stage, in this process's checkout."""
    from ingest_server import feed_document

    from engage_desktop.demo.text import WATCH_QUERIES
    from engage_desktop.enrich.sentiment.columns import text_to_score
    from engage_desktop.listen import worker
    from engage_desktop.sources.feed import parse_feed

    worker.warm_up()
    docs = [feed_document(n, items) for n in range(feeds)]
    urls = [f"http://127.0.0.1:9/feed{n}.xml" for n in range(feeds)]
    queries = tuple((i + 1, q) for i, (_n, _t, q) in enumerate(WATCH_QUERIES))
    topics = tuple((i + 1, t) for i, (_n, t, _q) in enumerate(WATCH_QUERIES))
    now = datetime(2026, 11, 2, tzinfo=UTC)
    source = worker.RowSource(1, "feed", "blog", True)
    total = feeds * items
    runs = iter(range(10**6))

    def whole() -> list:
        config = worker.RowConfig(queries, topics, (), next(runs))
        kind = "application/rss+xml"
        return [
            worker.parse_and_prepare(d, u, kind, now, source, config)
            for d, u in zip(docs, urls, strict=True)
        ]

    parsed = [parse_feed(d, u, None, now).items for d, u in zip(docs, urls, strict=True)]
    hardened = [[worker.harden_item(it, now)[0] for it in batch] for batch in parsed]
    texts = [[text_to_score(it.title, it.text) for it in batch] for batch in hardened]
    stages = {
        "all": whole,
        "parse_and_sanitize": lambda: [
            parse_feed(d, u, None, now) for d, u in zip(docs, urls, strict=True)
        ],
        "harden": lambda: [[worker.harden_item(it, now) for it in b] for b in parsed],
        "match": lambda: [worker.match_items(b, "feed", queries) for b in hardened],
        "score": lambda: [worker._scorer((), next(runs)).score_many(t) for t in texts],
    }
    whole()  # first-use costs (caches, the token table) are not per item
    out: dict[str, float] = {}
    for name, stage in stages.items():
        spent = []
        for _ in range(passes):
            cpu = time.process_time()
            stage()
            spent.append(time.process_time() - cpu)
        out[name] = min(spent) / total * 1e6  # interference only ever adds CPU time
    rows = [p.rows for p in whole()]
    out["pickled_bytes_per_item"] = sum(len(pickle.dumps(r, 5)) for r in rows) / total
    return out


def _child(checkout: Path, args: argparse.Namespace) -> dict[str, float]:
    """:func:`measure` in a fresh process whose imports come from ``checkout``."""
    cmd = [
        sys.executable, str(Path(__file__).resolve()), "--child", "--feeds", str(args.feeds),
        "--items", str(args.items), "--passes", "3",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": f"{checkout}{os.pathsep}{HERE}"}
    done = subprocess.run(cmd, env=env, cwd=checkout, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--passes", type=int, default=5, help="passes (alternated processes)")
    ap.add_argument("--baseline", type=Path, metavar="CHECKOUT")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    sys.path.insert(0, str(HERE))
    if args.child:
        print(json.dumps(measure(args.feeds, args.items, args.passes)))
        return
    load_before = os.getloadavg()
    results: dict = {"feeds": args.feeds, "items": args.items, "load_before": load_before}
    if args.baseline is None:
        results["this"] = measure(args.feeds, args.items, args.passes)
    else:
        # Pass by pass, alternating, each in a fresh process: load bursts hit both alike.
        this, base = [], []
        for _ in range(args.passes):
            this.append(_child(ROOT, args))
            base.append(_child(args.baseline.resolve(), args))
        results["this"] = {k: statistics.median(r[k] for r in this) for k in this[0]}
        results["baseline"] = {k: statistics.median(r[k] for r in base) for k in base[0]}
        results["cpu_per_item_vs_baseline"] = results["this"]["all"] / results["baseline"]["all"]
    for name in ("this", "baseline"):
        if name in results:
            print(f"{name}: " + ", ".join(f"{k} {v:.1f}" for k, v in results[name].items()))
    if "cpu_per_item_vs_baseline" in results:
        print(f"CPU per item: {results['cpu_per_item_vs_baseline']:.2f}x the baseline's")
    results["load_after"] = os.getloadavg()
    print(f"load average {load_before[0]:.2f} before, {results['load_after'][0]:.2f} after")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
