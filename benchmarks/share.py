"""How fast the executive copy and the reports are made on the 1M-mention demo.

- ``share_1m_s``: ``engage-desktop export workspace OUT.engage`` as a one-shot CLI run
  (start-up counted), all time, median of ``--runs``; ``share_pseudo_1m_s`` the same
  with ``--pseudonymize``;
- ``report_pdf_1m_s`` / ``report_html_1m_s``: ``engage-desktop report OUT`` (last 30
  days of data, the default), one-shot CLI runs, medians;
- ``shared_mb`` against ``source_mb``: the compact copy's size and the source's;
- the peer: DuckDB's own ``COPY FROM DATABASE`` of the whole source into a fresh file
  (everything, no filtering), in the same process as the timings' reference;
- ``import_1m_s``: ``measure_import_1m()`` from ``benchmarks/share_import.py`` when
  that file exists (the import benchmark of the same issue).

Usage: python benchmarks/share.py [--mentions 1000000] [--workspace PATH] [--runs 3]
The demo is built once and cached in the temp folder. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def load() -> str:
    return os.getloadavg().__repr__()


CPU: dict[str, list[float]] = {}


def cli(*args: str, key: str = "") -> float:
    """Run engage-desktop once; return the wall time (start-up included).

    The child's CPU time (user + system) is kept under ``key`` too: on a machine
    shared by many jobs it says what the run costs, whatever the wait for a core.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "engage_desktop", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    CPU.setdefault(key, []).append(cpu)
    if run.returncode:
        raise SystemExit(f"engage-desktop {' '.join(args)} failed: {run.stderr.strip()}")
    print(
        f"  {seconds:6.2f} s (cpu {cpu:5.2f} s)  {run.stdout.strip()[:150]}  (load {load()})",
        flush=True,
    )
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--workspace", help="an existing workspace (default: a cached demo)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    path = Path(
        args.workspace or Path(tempfile.gettempdir()) / f"bench-share-{args.mentions}.engage"
    )
    if not path.exists():
        from engage_desktop.demo.build import build_demo

        print(f"building a {args.mentions:,}-mention demo at {path} (once)…", flush=True)
        build_demo(path, args.mentions)
    out_dir = Path(tempfile.mkdtemp(prefix="bench-share-"))
    shared = out_dir / "shared.engage"
    figures: dict[str, object] = {"mentions": args.mentions, "runs": args.runs}

    print("peer: DuckDB COPY FROM DATABASE (everything, no filter)", flush=True)
    import duckdb

    peer, peer_cpu = [], []
    for i in range(args.runs):
        target = out_dir / f"peer{i}.duckdb"
        cpu0 = time.process_time()
        started = time.perf_counter()
        con = duckdb.connect(str(target))
        con.execute(f"ATTACH '{path}' AS src (READ_ONLY)")
        con.execute(f'COPY FROM DATABASE src TO "{target.stem}"')
        con.close()
        peer.append(time.perf_counter() - started)
        peer_cpu.append(time.process_time() - cpu0)
        print(f"  {peer[-1]:6.2f} s  (load {load()})", flush=True)
        target.unlink()
    figures["peer_copy_database_s"] = round(statistics.median(peer), 2)
    figures["peer_copy_database_cpu_s"] = round(statistics.median(peer_cpu), 2)

    for key, extra in (("share_1m_s", []), ("share_pseudo_1m_s", ["--pseudonymize"])):
        print(f"{key}: export workspace {' '.join(extra)}", flush=True)
        times = [
            cli("-w", str(path), "export", "workspace", str(shared), "--force", *extra, key=key)
            for _ in range(args.runs)
        ]
        figures[key] = round(statistics.median(times), 2)
        figures[key.replace("_s", "_cpu_s")] = round(statistics.median(CPU[key]), 2)
        size = "shared_mb" if key == "share_1m_s" else "shared_pseudo_mb"
        figures[size] = round(shared.stat().st_size / 1e6, 1)
    figures["source_mb"] = round(path.stat().st_size / 1e6, 1)
    figures["shared_over_source"] = round(figures["shared_mb"] * 1e6 / path.stat().st_size, 3)

    for key, name in (("report_pdf_1m_s", "report.pdf"), ("report_html_1m_s", "report.html")):
        print(f"{key}: report {name}", flush=True)
        times = [
            cli("-w", str(path), "report", str(out_dir / name), key=key) for _ in range(args.runs)
        ]
        figures[key] = round(statistics.median(times), 2)
        figures[key.replace("_s", "_cpu_s")] = round(statistics.median(CPU[key]), 2)

    importer = ROOT / "benchmarks" / "share_import.py"
    if importer.exists():
        spec = importlib.util.spec_from_file_location("share_import", importer)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)  # type: ignore[union-attr]
        print("import_1m_s: benchmarks/share_import.py", flush=True)
        figures["import_1m_s"] = module.measure_import_1m()
    else:
        figures["import_1m_s"] = None
        print("import_1m_s: benchmarks/share_import.py is not here yet", flush=True)
    figures["share_over_peer"] = round(figures["share_1m_s"] / figures["peer_copy_database_s"], 2)
    figures["load_avg"] = [round(x, 2) for x in os.getloadavg()]
    for leftover in out_dir.iterdir():
        leftover.unlink()
    out_dir.rmdir()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
