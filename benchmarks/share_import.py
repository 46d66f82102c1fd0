"""Importing another tool's export: a 1,000,000-row CSV, enrichment included.

Usage: python benchmarks/share_import.py [--rows N] [--runs R] [--keep DIR] [--csv FILE]

The CSV is written with the demo's text generator (``engage_desktop.demo``: the
same templates, authors, channels and incident as the demo workspace) under
Brandwatch's column names (``Resource Id, Date, Author, Full Text, Title, Url,
Sentiment, Page Type``), so the run also exercises the column auto-mapping, string
external ids, their sentiment and dates without a zone. Each run creates a fresh
workspace with ``engage-desktop new`` (brand, products and competitors of the demo,
so the watch queries are matched during the import) and times ONE command,
``engage-desktop -w WS import FILE``, as a new process: start-up, reading,
checking, matching, the one-transaction insert, and enrichment (language
detection and VADER in the process pool) are all in the figure. Medians of
``--runs``; the load average is printed beside the figures.

The last line is one JSON object with ``import_1m_s`` (or ``import_s`` for
another ``--rows``).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HEADER = ("Resource Id", "Date", "Author", "Full Text", "Title", "Url", "Sentiment", "Page Type")


def write_csv(path: Path, rows: int, seed: int = 11) -> Path:
    """A Brandwatch-style export of ``rows`` demo mentions (times without a zone)."""
    from engage_desktop.demo import text as T
    from engage_desktop.demo.build import _generate

    data = _generate(rows, seed, datetime(2026, 6, 1, tzinfo=UTC))
    handles = data["authors"]["handle"][data["who"]]
    texts, titles = data["rows"]["text"], data["rows"]["title"]
    labels = ("positive", "neutral", "negative")
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for i in range(rows):
            stamp = datetime.fromtimestamp(float(data["ts"][i]), UTC)
            out.writerow(
                (
                    f"bw-{i:08d}-{T.BRAND.lower()}",
                    stamp.strftime("%Y-%m-%d %H:%M:%S.0"),
                    str(handles[i]),
                    texts[i],
                    titles[i] or "",
                    f"https://forum.example/{data['channel'][i]}/t/{i}",
                    labels[i % 3],
                    str(data["channel"][i]),
                )
            )
    return path


def _cli() -> list[str]:
    return [sys.executable, "-m", "engage_desktop"]


def new_workspace(path: Path) -> None:
    """A workspace from the demo's brief (its watch queries match the imported rows)."""
    from engage_desktop.demo import text as T

    args = [*_cli(), "new", str(path), "--brand", T.BRAND, "--force"]
    for product in T.PRODUCTS:
        args += ["--product", product]
    for rival in T.COMPETITORS:
        args += ["--competitor", rival]
    subprocess.run(args, check=True, capture_output=True, cwd=ROOT)


def measure_import_1m(
    rows: int = 1_000_000, runs: int = 3, workdir: Path | None = None, csv_path: Path | None = None
) -> dict[str, float]:
    """Median seconds of a one-shot ``engage-desktop import`` of a ``rows``-row CSV.

    Args:
        rows: Rows in the generated CSV.
        runs: Runs (each on a fresh workspace); the median is reported.
        workdir: Folder for the CSV and workspaces (a temporary one by default).
        csv_path: An existing CSV to import instead of generating one.

    Returns:
        ``{"import_1m_s": median}`` (``import_s`` when ``rows`` is not 1,000,000),
        plus ``import_runs_s``, ``import_cpu_s`` (median CPU seconds of the command and
        its workers), ``import_rows_per_s`` and ``csv_mb``.
    """
    tmp = Path(workdir or tempfile.mkdtemp(prefix="engage-import-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        source = csv_path or write_csv(tmp / f"brandwatch-{rows}.csv", rows)
        times, cpu = [], []
        for run in range(runs):
            ws = tmp / f"client-{run}.engage"
            new_workspace(ws)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            done = subprocess.run(
                [*_cli(), "-w", str(ws), "import", str(source)],
                capture_output=True, text=True, cwd=ROOT,
            )  # fmt: skip
            elapsed = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            # CPU seconds of the command and its pool workers: on a busy machine this
            # says what the work costs, where the wall time says what the queue cost.
            cpu.append(
                after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            )
            if done.returncode != 0:
                raise RuntimeError(f"import failed: {done.stderr.strip().splitlines()[-1:]}")
            times.append(elapsed)
            print(
                f"run {run + 1}: {elapsed:.2f} s wall, {cpu[-1]:.1f} s CPU  "
                f"{done.stdout.strip()}",
                file=sys.stderr,
            )
            ws.unlink()
        median = statistics.median(times)
        key = "import_1m_s" if rows == 1_000_000 else "import_s"
        return {
            key: round(median, 2),
            "import_runs_s": [round(t, 2) for t in times],
            "import_cpu_s": round(statistics.median(cpu), 1),
            "import_rows_per_s": round(rows / median),
            "csv_mb": round(source.stat().st_size / 1e6, 1),
        }
    finally:
        if workdir is None:
            shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    """Run the benchmark and print the figures, last line JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the CSV and workspaces in this folder")
    parser.add_argument("--csv", type=Path, help="import this CSV instead of generating one")
    args = parser.parse_args()
    figures = measure_import_1m(args.rows, args.runs, args.keep, args.csv)
    figures["load_average"] = [round(x, 2) for x in os.getloadavg()]
    figures["cores"] = os.cpu_count()
    for key, value in figures.items():
        print(f"{key}: {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
