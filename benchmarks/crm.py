"""Social CRM speed: import 100k customer records and link them against a 1M demo.

Usage: python benchmarks/crm.py [--mentions 1000000] [--customers 100000] [--runs 3]
       [--workspace PATH]

The demo is built once, in another process (``engage-desktop demo``), at
/tmp/crm-bench-N.engage and reused. The CRM export is generated from the demo's own
authors so the links are real work: a third of the rows name a handle in a channel
column, a sixth share an e-mail address the author left (set on those authors before
timing), a sixth have an e-mail whose local part is a handle (suggestions), and the
rest never posted. Each run works on a private copy of the workspace.

Figures (medians over runs):

- import_s: ``import_customers`` of the file (read, validate, Arrow upsert).
- link_s: ``link_all`` (automatic links by e-mail and handle, suggestions).
- import_and_link_s: both, the issue's figure (target <= 20 s).
- reimport_s: the same file again (every record updated, nothing new), then link.
- cli_s: ``engage-desktop customers import FILE`` as a one-shot process (start-up,
  import and link), once.
- peer_read_csv_s: DuckDB's own ``read_csv`` of the same file into a table, the
  floor for any import of it.
- segment_*_s: inbox counts through ``MentionPager`` with a segment filter, beside
  peer_status_filter_s, a plain status filter on the same workspace.

The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TIERS = ("Enterprise", "Business", "Pro", "Basic")


def load() -> str:
    """The load average, to print beside every figure."""
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def ensure_demo(mentions: int, path: Path | None) -> Path:
    """The cached demo (built in another process when missing)."""
    target = path or Path(tempfile.gettempdir()) / f"crm-bench-{mentions}.engage"
    if not target.exists():
        print(f"building the {mentions:,}-mention demo at {target} …", flush=True)
        subprocess.run(
            [sys.executable, "-m", "engage_desktop", "demo", str(target),
             "--mentions", str(mentions)],
            check=True,
        )  # fmt: skip
    return target


def write_export(demo: Path, out: Path, n: int) -> dict:
    """A CRM export of ``n`` rows drawn from the demo's authors; returns its mix."""
    import duckdb

    con = duckdb.connect(str(demo), read_only=True)
    authors = con.execute("SELECT id, channel, handle, name FROM authors ORDER BY id").fetchall()
    con.close()
    mix = {"handle": 0, "email": 0, "local_part": 0, "no_author": 0}
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        channels = sorted({a[1] for a in authors})
        writer.writerow(
            ["customer_id", "name", "email", "tier", "value", "since", "open_tickets",
             *channels, "region"]
        )  # fmt: skip
        for i in range(n):
            kind = i % 6
            row = {c: "" for c in channels}
            a = authors[i % len(authors)] if i < len(authors) * 2 else None
            name, email = f"Buyer {i}", f"buyer{i}@shop.example"
            if a is not None and kind in (0, 1):
                name = a[3]
                row[a[1]] = a[2]
                mix["handle"] += 1
            elif a is not None and kind == 2:
                name, email = a[3], f"{a[2]}@mail.example"
                mix["email"] += 1
            elif a is not None and kind == 3:
                email = f"{a[2]}@corp{i % 50}.example"
                mix["local_part"] += 1
            else:
                mix["no_author"] += 1
            writer.writerow(
                [f"BENCH-{i}", name, email, TIERS[i % 4], f"{(i * 37) % 90000 + 50}.00",
                 f"20{10 + i % 15}-0{1 + i % 9}-1{i % 9}", i % 4,
                 *[row[c] for c in channels], ("EMEA", "APAC")[i % 2]]
            )  # fmt: skip
    return mix


def prepare(demo: Path, work: Path) -> Path:
    """A private copy whose e-mail authors carry their address (untimed set-up)."""
    copy = work / "run.engage"
    shutil.copy2(demo, copy)
    from engage_desktop.workspace.database import Workspace

    with Workspace.open(copy) as ws, ws.write() as cur:
        cur.execute("UPDATE authors SET email = handle || '@mail.example' WHERE email IS NULL")
    return copy


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def segment_figures(path: Path, runs: int) -> dict:
    """Inbox counts with segment filters, beside a plain status filter."""
    from engage_desktop.inbox.filters import TOP_TIER, InboxFilter, to_query
    from engage_desktop.inbox.pager import MentionPager
    from engage_desktop.workspace.database import Workspace

    filters = {
        "peer_status_filter_s": InboxFilter(statuses=("new", "open")),
        "segment_customers_s": InboxFilter(customers=True),
        "segment_top_tier_negative_s": InboxFilter(
            sentiments=("negative",), has_reply=False, customer_tiers=(TOP_TIER,)
        ),
        "segment_value_band_s": InboxFilter(min_value=10_000, max_value=50_000),
        "segment_not_customers_s": InboxFilter(customers=False),
    }
    out: dict = {}
    with Workspace.open(path, read_only=True) as ws:
        for name, flt in filters.items():
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                pager = MentionPager(ws, to_query(flt, ws.actor))
                count = pager.count()
                pager.row(0) if count else None  # first page, as the table shows it
                times.append(time.perf_counter() - start)
                pager.close()
            out[name] = round(statistics.median(times), 4)
            out[name[:-2] + "_count"] = count
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workspace", type=Path)
    args = parser.parse_args()

    from engage_desktop.crm.identity import link_all
    from engage_desktop.crm.records import import_customers
    from engage_desktop.workspace.database import Workspace

    demo = ensure_demo(args.mentions, args.workspace)
    figures: dict = {"mentions": args.mentions, "customers": args.customers}
    with tempfile.TemporaryDirectory(prefix="crm-bench-") as tmp:
        work = Path(tmp)
        export = work / "crm.csv"
        figures["mix"] = write_export(demo, export, args.customers)
        imports, links, totals, reimports = [], [], [], []
        for run in range(args.runs):
            copy = prepare(demo, work)
            with Workspace.open(copy) as ws:
                t_import, summary = timed(import_customers, ws, export)
                t_link, linked = timed(link_all, ws)
                t_re, _ = timed(import_customers, ws, export)
                t_relink, _ = timed(link_all, ws)
            imports.append(t_import)
            links.append(t_link)
            totals.append(t_import + t_link)
            reimports.append(t_re + t_relink)
            print(
                f"run {run + 1}: import {t_import:.2f} s ({summary.created:,} new), link "
                f"{t_link:.2f} s ({linked.linked:,} linked, {linked.suggested:,} suggested), "
                f"re-import+link {t_re + t_relink:.2f} s  [load {load()}]",
                flush=True,
            )
            figures["linked"] = linked.linked
            figures["suggested"] = linked.suggested
            if run < args.runs - 1:
                copy.unlink()
        figures["import_s"] = round(statistics.median(imports), 3)
        figures["link_s"] = round(statistics.median(links), 3)
        figures["import_and_link_s"] = round(statistics.median(totals), 3)
        figures["reimport_s"] = round(statistics.median(reimports), 3)

        (work / "cli").mkdir()
        cli_copy = prepare(demo, work / "cli")
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "engage_desktop", "-w", str(cli_copy), "customers",
             "import", str(export)],
            check=True, capture_output=True,
        )  # fmt: skip
        figures["cli_s"] = round(time.perf_counter() - start, 3)

        import duckdb

        peers = []
        for _ in range(args.runs):
            con = duckdb.connect()
            start = time.perf_counter()
            con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{export}', all_varchar=true)")
            peers.append(time.perf_counter() - start)
            con.close()
        figures["peer_read_csv_s"] = round(statistics.median(peers), 3)
        figures["ratio_to_peer"] = round(figures["import_s"] / figures["peer_read_csv_s"], 1)
        figures.update(segment_figures(copy, args.runs))
    figures["load_average"] = load()
    print(
        f"import+link of {args.customers:,} customers against {args.mentions:,} mentions: "
        f"{figures['import_and_link_s']:.2f} s (target 20 s)  [load {load()}]"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
