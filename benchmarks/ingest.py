"""Ingest benchmark: 200 feeds x 50 items on 50 loopback hosts, against newsboat and reader.

Every contender fetches the same feeds from the same loopback server, cold (an empty
store) and then unchanged (every feed answers 304), once per round; the rounds
alternate the order of the contenders, so a burst of load from elsewhere hits them
alike. Figures are medians over the rounds, and each ratio is also taken round by
round (the median of those is the steadier figure on a busy machine).

* ``engage_cli``: ``engage-desktop fetch --force`` as a new process per run, like
  newsboat: Python's start-up, imports and the parse workers are in its time.
* ``engage_window``: :func:`run_fetch` in this process with the parse workers
  already running, as in the window (it starts them when a workspace opens).
* ``newsboat`` (Debian package, ``reload-threads 20``, a process per run) and
  lemon24's ``reader`` (PyPI, ``update_feeds(workers=20)``, in this process).

What the contenders do differs, and the figures should be read with it in mind:
engage-desktop sanitizes every body (nh3), derives plain text, matches each item
against the demo's watch queries, scores sentiment (VADER), detects missing
languages, upserts authors and records each source's health; newsboat and reader
store the entries (reader's defaults include its own feedparser sanitizing). Our
client also keeps per-host politeness (2 connections per host, 0.1 s apart), which
the peers do not have: with 4 feeds a host it alone costs >= 0.3 s a run.

The checkout's bytecode is compiled before the rounds (``compileall``), as installing
the app does (pip, the bundle): with ``PYTHONDONTWRITEBYTECODE`` set and no
``__pycache__``, every one-shot run would otherwise compile ~140 modules first
(~0.15 s of CPU at start-up that no installed copy pays).

Also printed: CPU seconds of the one-shot runs (user + system, workers included);
the parse workers' memory, read from /proc by this process (RSS summed over the
workers, and PSS, which counts the pages they share once): the window's after a cold
run, the one-shot command's sampled every 50 ms while it runs; the load average
before and after.

    python benchmarks/ingest.py [--feeds 200] [--items 50] [--hosts 50] [--reps 5]
                                [--baseline OTHER_CHECKOUT]

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engage_desktop.core.progress import PlainState  # noqa: E402
from engage_desktop.demo.text import WATCH_QUERIES  # noqa: E402
from engage_desktop.listen.fetch import (  # noqa: E402
    FetchOptions,
    parse_pool,
    prestart_parse_pool,
    run_fetch,
)
from engage_desktop.listen.source_store import add_source, add_watch_query  # noqa: E402
from engage_desktop.workspace.database import Workspace  # noqa: E402

Run = dict[str, float]  # cold_s, unchanged_s (and cpu figures where measured)


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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed_process(cmd: list[str], **kwargs: object) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, its children included) of one process."""
    cpu = _children_cpu()
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, **kwargs)  # type: ignore[call-overload]
    return time.perf_counter() - t, _children_cpu() - cpu


class ChildMemory:
    """Samples the summed RSS and PSS of a process's children while it runs (MB, peaks)."""

    def __init__(self) -> None:
        self.peak: dict[str, float] = {"workers": 0, "rss_mb": 0.0, "pss_mb": 0.0}
        self._stop = threading.Event()

    def watch(self, pid: int) -> threading.Thread:
        def loop() -> None:
            while not self._stop.wait(0.05):
                try:
                    kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
                except OSError:
                    return
                now = worker_memory([int(k) for k in kids])
                for key in self.peak:
                    self.peak[key] = max(self.peak[key], now[key])

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()


def compile_bytecode(checkout: Path) -> None:
    """Write the checkout's ``__pycache__`` as an install would (see the module notes)."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(checkout / "engage_desktop")],
        check=True, capture_output=True,
    )  # fmt: skip


def engage_cli(
    folder: Path, urls: list[str], checkout: Path = ROOT
) -> tuple[Run, int, dict[str, float]]:
    """``engage-desktop fetch --force`` as a fresh process, cold then unchanged.

    ``checkout`` runs another copy of the code (``--baseline``): ``python -m`` finds
    the package in its working directory first.
    """
    ws = workspace(folder, urls)
    path = ws.path
    ws.close()
    cmd = [sys.executable, "-m", "engage_desktop", "fetch", "--force", "--quiet", "-w", str(path)]
    memory = ChildMemory()
    cpu = _children_cpu()
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=checkout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = memory.watch(proc.pid)
    _out, err = proc.communicate()
    cold, cold_cpu = time.perf_counter() - t, _children_cpu() - cpu
    memory.stop()
    sampler.join()
    assert proc.returncode == 0, err[-500:]
    warm, warm_cpu = _timed_process(cmd, cwd=checkout)
    with Workspace.open(path, read_only=True) as check:
        stored = int(check.scalar("SELECT count(*) FROM mentions"))
    run = {"cold_s": cold, "unchanged_s": warm, "cold_cpu_s": cold_cpu, "unchanged_cpu_s": warm_cpu}
    return run, stored, memory.peak


def worker_memory(pids: list[int]) -> dict[str, float]:
    """RSS now, peak RSS and PSS of the parse workers, summed, in MB (read from /proc)."""
    rss = hwm = pss = 0.0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        rss += int(fields["VmRSS"].split()[0]) / 1024
        hwm += int(fields["VmHWM"].split()[0]) / 1024
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                pss += int(line.split()[1]) / 1024
    return {"workers": len(pids), "rss_mb": rss, "peak_rss_mb": hwm, "pss_mb": pss}


def window_pool(ws: Workspace) -> tuple[FetchOptions, Any]:
    """The fetch options and the parse pool as the window has them: every worker up."""
    options = FetchOptions()
    prestart_parse_pool(ws, options)
    pool = parse_pool(options.parse_workers)
    list(pool.map(int, range(4 * options.parse_workers)))  # every worker is up
    return options, pool


def engage_window(folder: Path, urls: list[str]) -> tuple[Run, int, dict[str, float]]:
    """:func:`run_fetch` in this process, parse workers running (as in the window)."""
    ws = workspace(folder, urls)
    try:
        options, pool = window_pool(ws)
        cpu = time.process_time()
        first = run_fetch(PlainState(), ws, force=True, options=options)
        cold_cpu = time.process_time() - cpu
        memory = worker_memory(list(pool._processes))  # the pids (measuring only)
        second = run_fetch(PlainState(), ws, force=True, options=options)
        assert not first.failed, first.failed[:3]
        assert all(h.not_modified for h in second.results)
        stored = int(ws.scalar("SELECT count(*) FROM mentions"))
    finally:
        ws.close()
    run = {"cold_s": first.seconds, "unchanged_s": second.seconds, "cold_main_cpu_s": cold_cpu}
    return run, stored, memory


def reader_peer(folder: Path, urls: list[str]) -> tuple[Run, int]:
    from reader import make_reader

    rd = make_reader(str(folder / f"reader-{time.monotonic_ns()}.sqlite"))
    for url in urls:
        rd.add_feed(url)
    t = time.perf_counter()
    rd.update_feeds(workers=20, scheduled=False)
    cold = time.perf_counter() - t
    t = time.perf_counter()
    rd.update_feeds(workers=20, scheduled=False)
    warm = time.perf_counter() - t
    entries = rd.get_entry_counts().total
    rd.close()
    return {"cold_s": cold, "unchanged_s": warm}, entries


def newsboat_peer(folder: Path, urls: list[str]) -> tuple[Run, int]:
    home = folder / f"newsboat-{time.monotonic_ns()}"
    home.mkdir()
    (home / "urls").write_text("\n".join(urls) + "\n")
    (home / "conf").write_text("reload-threads 20\n")
    exe = shutil.which("newsboat") or "newsboat"
    cmd = [exe, "-x", "reload", "-u", "urls", "-c", "cache.db", "-C", "conf"]
    env = {**os.environ, "HOME": str(home)}
    cold, cold_cpu = _timed_process(cmd, cwd=home, env=env)
    warm, warm_cpu = _timed_process(cmd, cwd=home, env=env)
    con = sqlite3.connect(home / "cache.db")
    entries = con.execute("SELECT count(*) FROM rss_item").fetchone()[0]
    con.close()
    run = {"cold_s": cold, "unchanged_s": warm, "cold_cpu_s": cold_cpu, "unchanged_cpu_s": warm_cpu}
    return run, entries


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


def _contenders(peers: bool, baseline: Path | None) -> dict[str, Callable[..., tuple]]:
    found: dict[str, Callable[..., tuple]] = {
        "engage_cli": engage_cli,
        "engage_window": engage_window,
    }
    if baseline is not None:
        found["baseline_cli"] = lambda folder, urls: engage_cli(folder, urls, baseline)
    if not peers:
        return found
    if shutil.which("newsboat"):
        found["newsboat"] = newsboat_peer
    else:
        print("newsboat: skipped: not installed (apt-get install -y newsboat)")
    try:
        import reader  # noqa: F401
    except ImportError as exc:
        print(f"reader: skipped: {exc} (pip install -e '.[bench]')")
    else:
        found["reader"] = reader_peer
    return found


def _summary(runs: list[Run]) -> dict:
    out: dict = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    out["cold_runs"] = [r["cold_s"] for r in runs]
    out["unchanged_runs"] = [r["unchanged_s"] for r in runs]
    return out


#: (name, ours, peer, figure): each ratio is peer time / our time (above 1: we are faster).
RATIOS = (
    ("cli_cold_vs_newsboat", "engage_cli", "newsboat", "cold_s"),
    ("window_cold_vs_newsboat", "engage_window", "newsboat", "cold_s"),
    ("window_unchanged_vs_reader", "engage_window", "reader", "unchanged_s"),
    ("cli_unchanged_vs_newsboat", "engage_cli", "newsboat", "unchanged_s"),
    ("window_cold_vs_reader", "engage_window", "reader", "cold_s"),
    ("cli_cold_cpu_vs_newsboat", "engage_cli", "newsboat", "cold_cpu_s"),
    ("cli_cold_vs_baseline", "engage_cli", "baseline_cli", "cold_s"),
    ("cli_cold_cpu_vs_baseline", "engage_cli", "baseline_cli", "cold_cpu_s"),
)


def feed_set_arguments(
    ap: argparse.ArgumentParser, *, feeds: int = 200, items: int = 50, hosts: int = 50
) -> None:
    """The loopback feed set's size: --feeds, --items a feed, --hosts they spread over."""
    ap.add_argument("--feeds", type=int, default=feeds)
    ap.add_argument("--items", type=int, default=items)
    ap.add_argument("--hosts", type=int, default=hosts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    feed_set_arguments(ap)
    ap.add_argument("--reps", type=int, default=5, help="rounds (each runs every contender)")
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument(
        "--baseline",
        type=Path,
        metavar="CHECKOUT",
        help="also run this checkout's engage-desktop fetch in the same rounds (before/after)",
    )
    args = ap.parse_args()
    total = args.feeds * args.items
    started = time.perf_counter()
    load_before = os.getloadavg()
    proc, urls = start_server(args.feeds, args.items, args.hosts)
    folder = Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    results: dict = {
        "feeds": args.feeds, "items": args.items, "hosts": args.hosts, "entries": total,
        "rounds": args.reps, "cpus": os.cpu_count(), "load_before": load_before,
    }  # fmt: skip
    print(
        f"{args.feeds} feeds x {args.items} items on {args.hosts} loopback hosts; "
        f"{args.reps} alternated rounds; load average {load_before[0]:.2f}"
    )
    try:
        for checkout in (ROOT, args.baseline):
            if checkout is not None:
                compile_bytecode(checkout)
        contenders = _contenders(not args.no_peers, args.baseline)
        names = list(contenders)
        runs: dict[str, list[Run]] = {n: [] for n in names}
        stored: dict[str, int] = {}
        memory: dict[str, list[dict[str, float]]] = {}
        for r in range(args.reps):
            order = names[r % len(names) :] + names[: r % len(names)]
            if r % 2:
                order.reverse()
            for name in order:
                out = contenders[name](folder, urls)
                runs[name].append(out[0])
                stored[name] = out[1]
                if len(out) > 2:
                    memory.setdefault(name, []).append(out[2])
            print(f"round {r + 1}: " + ", ".join(
                f"{n} {runs[n][-1]['cold_s']:.2f}/{runs[n][-1]['unchanged_s']:.2f} s" for n in names
            ))  # fmt: skip
        for name in names:
            results[name] = _summary(runs[name])
            results[name]["entries"] = stored[name]
            results[name]["cold_entries_per_s"] = total / results[name]["cold_s"]
            r = results[name]
            print(
                f"{name}: cold {r['cold_s']:.2f} s ({r['cold_entries_per_s']:,.0f} entries/s, "
                f"{r['entries']} stored), unchanged {r['unchanged_s']:.2f} s"
                + (f"; CPU {r['cold_cpu_s']:.2f} s cold" if "cold_cpu_s" in r else "")
            )
        for name, samples in memory.items():
            mem = {k: max(m[k] for m in samples) for k in samples[0]}
            results[f"{name}_parse_workers_memory"] = mem
            print(
                f"{name} parse workers: {mem['workers']:.0f} processes, RSS {mem['rss_mb']:.0f} MB"
                f", PSS {mem['pss_mb']:.0f} MB (largest over the rounds"
                + ("; sampled every 50 ms during the run)" if name.endswith("_cli") else
                   "; read after the cold run, peak RSS " f"{mem['peak_rss_mb']:.0f} MB)")
            )  # fmt: skip
        ratios: dict[str, float] = {}
        for label, ours, peer, figure in RATIOS:
            if ours not in runs or peer not in runs or figure not in runs[peer][0]:
                continue
            per_round = [p[figure] / o[figure] for o, p in zip(runs[ours], runs[peer], strict=True)]
            ratios[label] = results[peer][figure] / results[ours][figure]
            ratios[label + "_round_median"] = statistics.median(per_round)
            print(
                f"{label}: {ratios[label]:.2f}x (round by round: "
                + ", ".join(f"{x:.2f}" for x in per_round) + ")"
            )  # fmt: skip
        results["ratios"] = ratios
        san = sanitizer_cost(args.items)
        results["sanitize"] = san
        print(
            f"feedparser with its sanitizer: {san['feedparser_sanitizing_entries_per_s']:,.0f}"
            f" entries/s; without: {san['feedparser_bare_entries_per_s']:,.0f}; without + nh3 "
            f"+ plain text: {san['bare_plus_nh3_and_text_entries_per_s']:,.0f}"
        )
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
    results["load_after"] = os.getloadavg()
    results["seconds"] = time.perf_counter() - started
    print(f"load average after: {results['load_after'][0]:.2f}; {results['seconds']:.0f} s in all")
    print(json.dumps(results, default=float))


if __name__ == "__main__":
    main()
