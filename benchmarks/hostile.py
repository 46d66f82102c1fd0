"""Hostile-feed benchmark: 200 ordinary feeds with hostile ones mixed in, on 127.0.0.1.

The ordinary feeds are benchmarks/ingest.py's (200 feeds x 50 items over 100
loopback ports, politeness on: two connections and 0.1 s spacing per port). The
hostile ones come from tests/security/hostile.py, spread over their own ports:
markup and ``javascript:``/``file:`` links in every field, control characters,
dates in the year 9999, a 200-letter word against the watch query
``a*a*a*a*a*a*a*a*b``, Retry-After of 10^20 seconds and of ten years, redirects to
``javascript:``, ``file:`` and an invalid address, a page announcing a local file,
and a gzip bomb.

Each repetition fetches the ordinary feeds alone and the ordinary plus hostile
feeds (the order alternates), each into a fresh workspace with ``--force``, in this
process as the window runs it. It checks that the mixed run finishes, stores every
ordinary item, and reports every hostile source in words; and compares the times
(target: the mixed run within 10 % of the plain one). Medians of ``--reps``; the
last line is one JSON object.

    python benchmarks/hostile.py [--feeds 200] [--items 50] [--hosts 100] [--reps 5]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ingest import feed_set_arguments, start_server, workspace  # noqa: E402

from engage_desktop.core.progress import PlainState  # noqa: E402
from engage_desktop.listen.fetch import FetchOptions, run_fetch  # noqa: E402
from engage_desktop.listen.source_store import add_source, add_watch_query  # noqa: E402

HOSTILE_PORTS = 8
EVIL_QUERY = "a*a*a*a*a*a*a*a*b"


def serve_hostile(ports: int) -> None:
    """Child process: hostile servers on ``ports`` ports until stdin closes."""
    from tests.security.hostile import HostileServer, hostile_routes

    bomb = gzip.compress(b"<rss>" + b" " * (64 * 1024 * 1024), compresslevel=9)
    routes = hostile_routes()
    routes["/bomb"] = lambda: (
        200,
        {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"},
        bomb,
    )
    servers = [HostileServer(routes) for _ in range(ports)]
    for server in servers:
        server.__enter__()
    sys.stdout.write(json.dumps({"bases": [s.base for s in servers], "paths": sorted(routes)}))
    sys.stdout.write("\n")
    sys.stdout.flush()
    sys.stdin.read()
    for server in servers:
        server.__exit__()


def start_hostile(ports: int) -> tuple[subprocess.Popen, list[str]]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve-hostile", str(ports)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    info = json.loads(proc.stdout.readline())
    urls = [
        f"{info['bases'][i % len(info['bases'])]}{path}" for i, path in enumerate(info["paths"])
    ]
    return proc, urls


def one_run(folder: Path, ordinary: list[str], hostile: list[str]) -> dict:
    """Fetch into a fresh workspace; return the time and what was stored."""
    ws = workspace(folder, ordinary)
    try:
        add_watch_query(ws, "evil wildcard", EVIL_QUERY, "evil")
        hostile_ids = [
            add_source(ws, kind="rss", url=u, name=f"hostile {i}", channel="blog", keep_all=True)
            for i, u in enumerate(hostile)
        ]
        summary = run_fetch(PlainState(), ws, force=True, options=FetchOptions())
        ordinary_stored = int(
            ws.scalar(
                "SELECT count(*) FROM mentions WHERE source_id NOT IN "
                "(SELECT unnest(?::INTEGER[]))",
                [hostile_ids],
            )
        )
        errors = [h.error for h in summary.results if h.id in hostile_ids and not h.ok]
        ordinary_failed = [h.name for h in summary.failed if h.id not in hostile_ids]
        return {
            "seconds": summary.seconds,
            "ordinary_stored": ordinary_stored,
            "ordinary_failed": ordinary_failed,
            "hostile_errors": errors,
        }
    finally:
        ws.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    feed_set_arguments(ap, hosts=100)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    load_before = os.getloadavg()
    proc, ordinary = start_server(args.feeds, args.items, args.hosts)
    hostile_proc, hostile = start_hostile(HOSTILE_PORTS)
    plain_s: list[float] = []
    mixed_s: list[float] = []
    checks: list[dict] = []
    try:
        with tempfile.TemporaryDirectory(prefix="engage-hostile-") as tmp:
            folder = Path(tmp)
            one_run(folder, ordinary, [])  # warm-up: starts the parse pool
            for rep in range(args.reps):
                order = ("plain", "mixed") if rep % 2 == 0 else ("mixed", "plain")
                for kind in order:
                    result = one_run(folder, ordinary, hostile if kind == "mixed" else [])
                    (plain_s if kind == "plain" else mixed_s).append(result["seconds"])
                    if kind == "mixed":
                        checks.append(result)
                    print(
                        f"rep {rep + 1} {kind:5s}: {result['seconds']:.2f} s, "
                        f"{result['ordinary_stored']:,} ordinary items stored",
                        flush=True,
                    )
    finally:
        for p in (proc, hostile_proc):
            p.stdin.close()
            p.wait(timeout=30)
    expected = args.feeds * args.items
    last = checks[-1]
    every_item = all(c["ordinary_stored"] == expected and not c["ordinary_failed"] for c in checks)
    in_words = all("unexpected error" not in e for c in checks for e in c["hostile_errors"])
    print("hostile sources' health, in words:")
    for error in last["hostile_errors"]:
        print(f"  {error}")
    plain, mixed = statistics.median(plain_s), statistics.median(mixed_s)
    results = {
        "benchmark": "hostile",
        "setup": (
            f"{args.feeds} ordinary feeds x {args.items} items on {args.hosts} loopback ports, "
            f"plus {len(hostile)} hostile sources on {HOSTILE_PORTS} ports; politeness on; "
            f"median of {args.reps}"
        ),
        "plain_s": plain,
        "mixed_s": mixed,
        "ratio_mixed_to_plain": mixed / plain,
        "within_10_percent": mixed <= 1.10 * plain,
        "every_ordinary_item_stored": every_item,
        "ordinary_items_expected": expected,
        "hostile_sources": len(hostile),
        "hostile_failed_in_words": in_words,
        "plain_runs": plain_s,
        "mixed_runs": mixed_s,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "cores": os.cpu_count(),
    }
    print(json.dumps(results, default=float))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve-hostile":
        serve_hostile(int(sys.argv[2]))
    else:
        main()
