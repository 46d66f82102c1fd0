"""What the per-exchange deadline costs the HTTP path, and how fast it cuts a trickle.

The client under test is :class:`engage_desktop.sources.http.HttpClient`, GETting
every feed of benchmarks/ingest_server.py (its own process, so its CPU is not
counted here) from 16 threads, several passes a round. Each round runs it twice,
in alternating order:

* ``watched``: as shipped, every exchange armed on the watchdog and every socket
  read and write going through the watched network stream;
* ``plain``: the same client with httpx's own transport and no deadline (the code
  before the watchdog), as the peer.

Figures: CPU seconds of this process (``time.process_time``: load from elsewhere
moves it far less than wall time) per 1,000 requests, medians over the rounds, the
ratio watched/plain and the difference in microseconds per request (on a busy
machine this difference is noise of the whole path: tens of microseconds either
way); also, isolated from the network, the CPU of one bare arm + disarm and of all
the watchdog's work in one exchange (arm, a write and two reads through the watched
stream, disarm), and the wall time from the start of a fetch of a server trickling
its headers to its failure (deadline 0.5 s).

    python benchmarks/http_deadline.py [--feeds 200] [--items 10] [--hosts 50]
                                       [--passes 5] [--reps 7]

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import statistics
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import httpcore  # noqa: E402
import httpx  # noqa: E402
from ingest import feed_set_arguments, start_server  # noqa: E402

from engage_desktop.sources import http as http_module  # noqa: E402
from engage_desktop.sources.deadline import WATCHDOG, _WatchedStream, deadline  # noqa: E402
from engage_desktop.sources.http import FetchError, HttpClient, HttpLimits  # noqa: E402

LIMITS = HttpLimits(host_delay=0.0)  # politeness spacing only adds idle wall time


@contextlib.contextmanager
def _no_deadline(_seconds: float) -> Iterator[None]:
    yield None


@contextlib.contextmanager
def plain_client() -> Iterator[None]:
    """HttpClient as it was before the watchdog: httpx's transport, no deadline."""
    saved = http_module.WatchedTransport, http_module.deadline
    http_module.WatchedTransport = httpx.HTTPTransport  # type: ignore[misc,assignment]
    http_module.deadline = _no_deadline  # type: ignore[assignment]
    try:
        yield
    finally:
        http_module.WatchedTransport, http_module.deadline = saved


def fetch_all(urls: list[str], passes: int) -> tuple[float, float, int]:
    """CPU and wall seconds of ``passes`` GETs of every URL from 16 threads."""
    cpu, wall = time.process_time(), time.perf_counter()
    with HttpClient(LIMITS) as http, ThreadPoolExecutor(16) as pool:
        sizes = list(pool.map(lambda u: len(http.get(u).content), urls * passes))
    assert all(sizes)
    return time.process_time() - cpu, time.perf_counter() - wall, len(sizes)


def arm_cost(n: int = 200_000) -> float:
    """Microseconds of CPU per arm + disarm (one live exchange kept, as in a run)."""
    keep = WATCHDOG.arm(3600)
    start = time.process_time()
    for _ in range(n):
        WATCHDOG.disarm(WATCHDOG.arm(60))
    spent = time.process_time() - start
    WATCHDOG.disarm(keep)
    return spent / n * 1e6


class _NullStream(httpcore.NetworkStream):
    """A network stream that does no I/O: what is left is the watch's own work."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return b""

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        return None

    def get_extra_info(self, info: str) -> object:
        return self._sock if info == "socket" else None


def added_work_us(n: int = 100_000) -> float:
    """Microseconds of CPU the watchdog adds to one exchange, without the network.

    One exchange = arm, a request write and two response reads through the watched
    stream, disarm; minus the same three calls on the bare stream.
    """
    a, b = socket.socketpair()
    bare = _NullStream(a)
    watched = _WatchedStream(bare)
    try:
        start = time.process_time()
        for _ in range(n):
            with deadline(60):
                watched.write(b"")
                watched.read(1)
                watched.read(1)
        with_watch = time.process_time() - start
        start = time.process_time()
        for _ in range(n):
            bare.write(b"")
            bare.read(1)
            bare.read(1)
        without = time.process_time() - start
    finally:
        a.close()
        b.close()
    return (with_watch - without) / n * 1e6


def cut_off_wall(deadline: float = 0.5) -> float:
    """Seconds from the start of a fetch of a trickling server to its failure."""
    from tests.security.slow_server import SlowServer

    with SlowServer() as server, HttpClient(HttpLimits(deadline=deadline)) as http:
        start = time.perf_counter()
        try:
            http.get(server.url("/attack/headers"))
        except FetchError:
            return time.perf_counter() - start
    raise AssertionError("the trickling server was not cut off")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    feed_set_arguments(ap, items=10)
    ap.add_argument("--passes", type=int, default=5)
    ap.add_argument("--reps", type=int, default=7)
    args = ap.parse_args()
    load_before = os.getloadavg()
    proc, urls = start_server(args.feeds, args.items, args.hosts)
    runs: dict[str, list[tuple[float, float, int]]] = {"watched": [], "plain": []}
    try:
        fetch_all(urls, 1)  # warm up both paths' imports and the server
        for r in range(args.reps):
            order = ["watched", "plain"] if r % 2 == 0 else ["plain", "watched"]
            for name in order:
                with plain_client() if name == "plain" else contextlib.nullcontext():
                    runs[name].append(fetch_all(urls, args.passes))
            print(
                f"round {r + 1}: "
                + ", ".join(f"{n} {runs[n][-1][0]:.2f} s CPU" for n in ("watched", "plain"))
            )
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)
    result: dict = {
        "feeds": args.feeds, "items": args.items, "hosts": args.hosts,
        "passes": args.passes, "rounds": args.reps, "load_before": load_before,
    }  # fmt: skip
    for name, samples in runs.items():
        per = 1000 / samples[0][2]
        result[f"{name}_cpu_s_per_1000"] = statistics.median(s[0] for s in samples) * per
        result[f"{name}_wall_s_per_1000"] = statistics.median(s[1] for s in samples) * per
    per_round = [w[0] / p[0] for w, p in zip(runs["watched"], runs["plain"], strict=True)]
    result["cpu_ratio_watched_vs_plain_round_median"] = statistics.median(per_round)
    result["cpu_us_per_request_added"] = (
        result["watched_cpu_s_per_1000"] - result["plain_cpu_s_per_1000"]
    ) * 1000
    result["arm_disarm_us"] = arm_cost()
    result["exchange_overhead_us"] = added_work_us()
    result["trickle_cut_off_s_at_0_5"] = cut_off_wall()
    result["load_after"] = os.getloadavg()
    print(
        f"CPU per 1,000 requests: watched {result['watched_cpu_s_per_1000']:.3f} s, plain "
        f"{result['plain_cpu_s_per_1000']:.3f} s (ratio round by round "
        f"{result['cpu_ratio_watched_vs_plain_round_median']:.3f}; "
        f"{result['cpu_us_per_request_added']:+.0f} us a request); arm + disarm "
        f"{result['arm_disarm_us']:.2f} us, all the watchdog's work in one exchange "
        f"{result['exchange_overhead_us']:.2f} us; a trickle cut off after "
        f"{result['trickle_cut_off_s_at_0_5']:.2f} s (deadline 0.5 s); load average "
        f"{load_before[0]:.2f} -> {result['load_after'][0]:.2f}"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
