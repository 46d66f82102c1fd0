"""The one insert path: CPU time of storing fetched rows, against a plain load of them.

Usage: python benchmarks/insert.py [--rows N] [--batches B] [--runs R]

Worker-built batches (``listen.worker.prepare_rows``: matched and scored, as a
fetch's pool builds them) are stored with ``listen.store.store_rows``, which goes
through ``listen.insert.insert_mentions`` with the workspace's rules (intents,
scorer version, priority) and upserts the authors. The peer in the same script is
the same rows loaded as given (``inbox.pager.insert_mentions``: one INSERT, nothing
computed), so the ratio is the price of what a stored row must carry. CPU seconds
(``time.process_time``) are the figures, since other work on the machine inflates
wall time; medians of ``--runs``, fresh workspaces each run, with the load average.

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path


def _item(batch: int, i: int):
    """One fetched item; half mention the brand, half an outage (both match)."""
    from engage_desktop.sources.item import FeedItem

    text = f"Nimbus router {i} is great" if i % 2 else f"outage {i}: terrible support"
    published = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=i)
    return FeedItem(
        f"k{batch}-{i}", f"https://feed.example/{batch}/{i}", None, text, None, published,
        author_name=f"author {i % 300}", author_handle=f"a{i % 300}",
    )  # fmt: skip


def batches(rows: int, count: int) -> list:
    """``count`` batches of ``rows`` fetched items each, built like a fetch's pool.

    Each is the table a fetch stores (``MentionBatch.take``: a dict of numpy arrays).
    """
    from engage_desktop.listen.store import MentionBatch
    from engage_desktop.listen.worker import RowConfig, RowSource, prepare_rows

    config = RowConfig(((1, "nimbus OR outage"),), ((1, "Nimbus"),), (), 1)
    source = RowSource(1, "Bench feed", "rss", True)
    out = []
    for b in range(count):
        batch = MentionBatch(config)
        batch.add_rows(1, prepare_rows([_item(b, i) for i in range(rows)], source, config))
        out.append(batch.take())
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=5000, help="rows per batch")
    ap.add_argument("--batches", type=int, default=4)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    from engage_desktop.inbox.pager import insert_mentions
    from engage_desktop.listen.store import store_rows
    from engage_desktop.workspace.database import Workspace

    tables = batches(args.rows, args.batches)
    folder = Path(tempfile.mkdtemp(prefix="insert-bench-"))
    stored, loaded = [], []
    for run in range(args.runs):
        for name, store, times in (
            ("stored", lambda ws, t: len(store_rows(ws, t)), stored),
            ("loaded", insert_mentions, loaded),
        ):
            with Workspace.create(folder / f"{name}-{run}.engage") as ws:
                started = time.process_time()
                count = sum(store(ws, t) for t in tables)
                times.append(time.process_time() - started)
            assert count == args.rows * args.batches, count
    total = args.rows * args.batches
    result = {
        "rows": total,
        "store_rows_cpu_s": round(statistics.median(stored), 3),
        "plain_load_cpu_s": round(statistics.median(loaded), 3),
        "store_rows_per_cpu_s": round(total / statistics.median(stored)),
        "store_vs_plain": round(statistics.median(stored) / statistics.median(loaded), 2),
        "runs": args.runs,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cores": os.cpu_count(),
    }
    print(
        f"{total:,} fetched rows: stored with rules {result['store_rows_cpu_s']} CPU s, "
        f"loaded as given {result['plain_load_cpu_s']} CPU s (load {result['load_average']})"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
