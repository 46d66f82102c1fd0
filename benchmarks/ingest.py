"""Ingest benchmark: 200 feeds x 50 items served on 127.0.0.1, end to end.

Times a cold run (fetch, parse, sanitize, match against the demo's watch queries,
score sentiment, store into a fresh workspace) and an unchanged run (every feed
answers 304): in this process (as the window runs it; the parse pool lives for the
session, so the first run also starts it: ``cold_runs[0]``), with parsing in processes
and in threads, and as ``engage-desktop fetch`` started afresh for each run (as
newsboat is). Measures feedparser's own sanitizer against ``sanitize_html=False`` plus
nh3, and runs the same feeds through the peers in the same script: lemon24's
``reader`` (PyPI, in process) and ``newsboat`` (Debian package, a process per run).
Medians of ``--reps`` runs. The last line is one JSON object.

    python benchmarks/ingest.py [--feeds 200] [--items 50] [--hosts 100] [--reps 3]

The feeds sit on ``--hosts`` ports (a port counts as a host for the per-host limit of
two connections and the 0.1 s spacing); newsboat and reader have no such limits.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engage_desktop.core.progress import PlainState  # noqa: E402
from engage_desktop.demo.text import WATCH_QUERIES  # noqa: E402
from engage_desktop.listen.fetch import FetchOptions, run_fetch  # noqa: E402
from engage_desktop.listen.source_store import add_source, add_watch_query  # noqa: E402
from engage_desktop.workspace.database import Workspace  # noqa: E402


def start_server(feeds: int, items: int, hosts: int) -> tuple[subprocess.Popen, list[str]]:
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("ingest_server.py")),
         str(feeds), str(items), str(hosts)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    line = proc.stdout.readline()
    return proc, json.loads(line)["urls"]


def workspace(folder: Path, urls: list[str]) -> Workspace:
    ws = Workspace.create(folder / f"bench-{time.monotonic_ns()}.engage")
    for topic, kind, query in WATCH_QUERIES:
        add_watch_query(ws, topic, query, topic, kind)
    for i, url in enumerate(urls):
        add_source(ws, kind="rss", url=url, name=f"feed {i}", channel="blog", keep_all=True)
    return ws


def _figures(cold: list[float], warm: list[float], stored: int) -> dict:
    return {
        "cold_s": statistics.median(cold),
        "unchanged_s": statistics.median(warm),
        "entries": stored,
        "cold_runs": cold,
        "unchanged_runs": warm,
    }


def ours(folder: Path, urls: list[str], mode: str, reps: int) -> dict:
    cold, warm, stored = [], [], 0
    for _ in range(reps):
        ws = workspace(folder, urls)
        try:
            options = FetchOptions(parse=mode)  # type: ignore[arg-type]
            first = run_fetch(PlainState(), ws, force=True, options=options)
            second = run_fetch(PlainState(), ws, force=True, options=options)
            assert not first.failed, first.failed[:3]
            assert all(h.not_modified for h in second.results)
            cold.append(first.seconds)
            warm.append(second.seconds)
            stored = int(ws.scalar("SELECT count(*) FROM mentions"))
        finally:
            ws.close()
    return _figures(cold, warm, stored)


def ours_cli(folder: Path, urls: list[str], reps: int) -> dict:
    """``engage-desktop fetch --force`` as a fresh process each time, like newsboat."""
    cold, warm, stored = [], [], 0
    for _ in range(reps):
        ws = workspace(folder, urls)
        path = ws.path
        ws.close()
        cmd = [sys.executable, "-m", "engage_desktop", "fetch", "--force", "-w", str(path)]
        for bucket in (cold, warm):
            t = time.perf_counter()
            subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
            bucket.append(time.perf_counter() - t)
        with Workspace.open(path, read_only=True) as check:
            stored = int(check.scalar("SELECT count(*) FROM mentions"))
    return _figures(cold, warm, stored)


def reader_peer(folder: Path, urls: list[str], reps: int) -> dict:
    try:
        from reader import make_reader
    except ImportError as exc:
        return {"error": f"reader not installed ({exc}); pip install reader sgmllib3k"}
    cold, warm, entries = [], [], 0
    for r in range(reps):
        db = folder / f"reader-{r}.sqlite"
        rd = make_reader(str(db))
        for url in urls:
            rd.add_feed(url)
        t = time.perf_counter()
        rd.update_feeds(workers=20, scheduled=False)
        cold.append(time.perf_counter() - t)
        t = time.perf_counter()
        rd.update_feeds(workers=20, scheduled=False)
        warm.append(time.perf_counter() - t)
        entries = rd.get_entry_counts().total
        rd.close()
    return {
        "cold_s": statistics.median(cold),
        "unchanged_s": statistics.median(warm),
        "entries": entries,
        "cold_runs": cold,
        "unchanged_runs": warm,
    }


def newsboat_peer(folder: Path, urls: list[str], reps: int) -> dict:
    exe = shutil.which("newsboat")
    if not exe:
        return {"error": "newsboat not installed (apt-get install -y newsboat)"}
    cold, warm, entries = [], [], 0
    for r in range(reps):
        home = folder / f"newsboat-{r}"
        home.mkdir()
        (home / "urls").write_text("\n".join(urls) + "\n")
        (home / "conf").write_text("reload-threads 20\n")
        cmd = [exe, "-x", "reload", "-u", "urls", "-c", "cache.db", "-C", "conf"]
        env = {**os.environ, "HOME": str(home)}
        for bucket in (cold, warm):
            t = time.perf_counter()
            subprocess.run(cmd, cwd=home, env=env, check=True, capture_output=True)
            bucket.append(time.perf_counter() - t)
        import sqlite3

        con = sqlite3.connect(home / "cache.db")
        entries = con.execute("SELECT count(*) FROM rss_item").fetchone()[0]
        con.close()
    return {
        "cold_s": statistics.median(cold),
        "unchanged_s": statistics.median(warm),
        "entries": entries,
        "cold_runs": cold,
        "unchanged_runs": warm,
    }


def sanitizer_cost(items: int, docs: int = 40) -> dict:
    """feedparser with its own sanitizer vs. sanitize_html=False plus nh3 (one thread)."""
    import feedparser

    sys.path.insert(0, str(Path(__file__).parent))
    from ingest_server import feed_document

    from engage_desktop.sources.feed import parse_feed

    documents = [feed_document(n, items) for n in range(docs)]
    t = time.perf_counter()
    for d in documents:
        feedparser.parse(d)
    builtin = time.perf_counter() - t
    t = time.perf_counter()
    for d in documents:
        feedparser.parse(d, sanitize_html=False, resolve_relative_uris=False)
    bare = time.perf_counter() - t
    t = time.perf_counter()
    for d in documents:
        parse_feed(d, "http://bench/")
    ours_t = time.perf_counter() - t
    n = docs * items
    return {
        "feedparser_sanitizing_entries_per_s": n / builtin,
        "feedparser_bare_entries_per_s": n / bare,
        "bare_plus_nh3_and_text_entries_per_s": n / ours_t,
        "sanitizer_share_of_feedparser_time": 1 - bare / builtin,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--hosts", type=int, default=100)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--no-peers", action="store_true")
    args = ap.parse_args()
    total = args.feeds * args.items
    proc, urls = start_server(args.feeds, args.items, args.hosts)
    folder = Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    results: dict = {
        "feeds": args.feeds,
        "items": args.items,
        "hosts": args.hosts,
        "entries": total,
        "cpus": os.cpu_count(),
    }
    try:
        print(
            f"{args.feeds} feeds x {args.items} items on {args.hosts} loopback ports; "
            f"median of {args.reps}"
        )
        for mode in ("process", "thread"):
            r = ours(folder, urls, mode, args.reps)
            r["cold_entries_per_s"] = total / r["cold_s"]
            results[f"engage_{mode}"] = r
            print(
                f"engage-desktop ({mode} parse): cold {r['cold_s']:.2f} s "
                f"({r['cold_entries_per_s']:,.0f} entries/s, {r['entries']} stored), "
                f"unchanged {r['unchanged_s']:.2f} s"
            )
        r = ours_cli(folder, urls, args.reps)
        r["cold_entries_per_s"] = total / r["cold_s"]
        results["engage_cli"] = r
        print(
            f"engage-desktop fetch (a new process per run): cold {r['cold_s']:.2f} s "
            f"({r['cold_entries_per_s']:,.0f} entries/s), unchanged {r['unchanged_s']:.2f} s"
        )
        if not args.no_peers:
            for name, fn in (("reader", reader_peer), ("newsboat", newsboat_peer)):
                r = fn(folder, urls, args.reps)
                results[name] = r
                if "error" in r:
                    print(f"{name}: skipped: {r['error']}")
                    continue
                r["cold_entries_per_s"] = total / r["cold_s"]
                print(
                    f"{name}: cold {r['cold_s']:.2f} s ({r['cold_entries_per_s']:,.0f} "
                    f"entries/s, {r['entries']} stored), unchanged {r['unchanged_s']:.2f} s"
                )
        san = sanitizer_cost(args.items)
        results["sanitize"] = san
        print(
            f"feedparser with its sanitizer: {san['feedparser_sanitizing_entries_per_s']:,.0f}"
            f" entries/s; without: {san['feedparser_bare_entries_per_s']:,.0f}; without + nh3 "
            f"+ plain text: {san['bare_plus_nh3_and_text_entries_per_s']:,.0f} (sanitizer = "
            f"{100 * san['sanitizer_share_of_feedparser_time']:.0f}% of feedparser's time)"
        )
        best = min(("engage_process", "engage_thread"), key=lambda k: results[k]["cold_s"])
        ours_best = results[best]
        ratios = {}
        for peer in ("reader", "newsboat"):
            if peer in results and "error" not in results[peer]:
                ratios[f"cold_speedup_vs_{peer}"] = results[peer]["cold_s"] / ours_best["cold_s"]
                ratios[f"unchanged_speedup_vs_{peer}"] = (
                    results[peer]["unchanged_s"] / ours_best["unchanged_s"]
                )
        if "newsboat" in results and "error" not in results["newsboat"]:
            # Process for process: both start, fetch everything, store and exit.
            nb = results["newsboat"]
            cli = results["engage_cli"]
            ratios["cli_cold_speedup_vs_newsboat"] = nb["cold_s"] / cli["cold_s"]
            ratios["cli_unchanged_speedup_vs_newsboat"] = nb["unchanged_s"] / cli["unchanged_s"]
        ratios["process_vs_thread_cold"] = (
            results["engage_thread"]["cold_s"] / results["engage_process"]["cold_s"]
        )
        results["ratios"] = ratios
        results["best_mode"] = best
        for k, v in ratios.items():
            print(f"{k}: {v:.2f}x")
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(results, default=float))


if __name__ == "__main__":
    main()
