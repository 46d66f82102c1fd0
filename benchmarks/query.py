"""Watch-query speed: Python matching throughput and SQL back-tests over 1M rows.

Usage: python benchmarks/query.py [--rows 1000000] [--py-docs 100000] [--runs 5]

Builds an in-memory DuckDB ``mentions`` table of seeded synthetic short posts
(brand "Nimbus", products "Nimbus Router X2" and "Nimbus Mesh", competitors "Orbit"
and "Skylink", accents, hashtags, handles, emoji), then times

* Python: ``prepare`` + ``matches_prepared`` of 10 typical watch queries against
  the first ``--py-docs`` posts, one post at a time as the fetcher does (docs/s =
  posts prepared and matched against all 10), then ``prepare`` alone;
* SQL: ``SELECT count(*) ... WHERE <to_sql>`` over all rows for 5 typical queries,
  median of ``--runs`` runs each (the first run includes compiling the regexes).

It also checks that SQL and Python agree on the first ``--py-docs`` rows. The last
line of output is one JSON object of figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import duckdb
import pyarrow as pa

from engage_desktop.core.query import MatchDoc, parse, prepare, to_sql
from engage_desktop.core.text import mention_norm

BRAND = [
    "Nimbus",
    "nimbus",
    "NIMBUS",
    "#nimbus",
    "@nimbus",
    "Nimbus Router X2",
    "Nimbus Mesh",
    "nimbus mesh",
    "Nimbus's",
    "@nimbus_support",
]
OTHERS = ["Orbit", "orbit", "#Orbit", "Skylink", "skylink", "SkyLink's"]
TOPIC = [
    "refund",
    "refunds",
    "refunded",
    "outage",
    "outages",
    "support",
    "love",
    "loved",
    "terrible",
    "broken",
    "slow",
    "fast",
    "déçu",
    "très",
    "café",
    "Müll",
    "wifi",
    "router",
    "mesh",
    "X2",
    "setup",
    "firmware",
    "update",
    "help",
    "thanks",
]
FILLER = [
    "the",
    "a",
    "my",
    "is",
    "and",
    "it",
    "to",
    "was",
    "again",
    "today",
    "so",
    "not",
    "with",
    "for",
    "this",
    "just",
    "really",
    "after",
    "since",
    "week",
    "bien",
    "pas",
]
PUNCT = [" ", " ", " ", " ", " ", ", ", ". ", "! ", " — ", " 🔥 ", " ❤️ ", "? ", "’s "]
AUTHORS = [
    ("Jane Doe", "@jane_doe"),
    ("Nimbus Support", "@nimbus_support"),
    ("José Álvarez", "@jose"),
    ("Ana", "@ana@mastodon.social"),
    ("Bob", "bob.bsky.social"),
]
SOURCES = ["Reddit", "Hacker News", "Mastodon", "Bluesky", "Nimbus Forum"]
SITES = [
    "https://old.reddit.com/r/nimbus/",
    "https://news.ycombinator.com/item?id=",
    "https://mastodon.social/@ana/",
    "https://bsky.app/profile/bob/post/",
    "https://forum.nimbus.example/t/",
]
LANGS = ["en", "en", "en", "fr", "de", "es", None]

PY_QUERIES = [
    "nimbus",
    '"nimbus router" OR "router x2"',
    "nimbus (refund* OR outage* OR broken) -author:nimbus_support",
    '(nimbus OR "nimbus mesh") NEAR/3 (terrible OR broken OR deçu)',
    "orbit OR skylink",
    "(orbit OR skylink) -nimbus",
    "nimbus lov* -refund*",
    "cafe nimbus lang:fr",
    "nimbus site:reddit.com",
    "support NEAR/2 (slow OR terrible) nimbus",
]
SQL_QUERIES = [PY_QUERIES[0], PY_QUERIES[2], PY_QUERIES[3], PY_QUERIES[5], PY_QUERIES[9]]


def synth(rows: int, seed: int) -> dict[str, list]:
    rng = random.Random(seed)
    cols: dict[str, list] = {
        k: []
        for k in (
            "id",
            "text",
            "text_norm",
            "author_name",
            "author_handle",
            "source_name",
            "language",
            "url",
        )
    }
    for i in range(rows):
        words = []
        for _ in range(rng.randint(6, 28)):
            roll = rng.random()
            pool = (
                BRAND
                if roll < 0.08
                else OTHERS
                if roll < 0.12
                else (TOPIC if roll < 0.35 else FILLER)
            )
            words.append(rng.choice(pool))
            words.append(rng.choice(PUNCT))
        text = "".join(words).strip()
        author, handle = rng.choice(AUTHORS)
        site = rng.randrange(len(SITES))
        cols["id"].append(i)
        cols["text"].append(text)
        cols["text_norm"].append(mention_norm("", text))
        cols["author_name"].append(author)
        cols["author_handle"].append(handle)
        cols["source_name"].append(SOURCES[site])
        cols["language"].append(rng.choice(LANGS))
        cols["url"].append(f"{SITES[site]}{i}")
    return cols


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--py-docs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    figures: dict[str, object] = {"rows": args.rows, "cpus": os.cpu_count()}

    started = time.perf_counter()
    cols = synth(args.rows, args.seed)
    con = duckdb.connect()
    con.register("src", pa.table(cols))
    con.execute("CREATE TABLE mentions AS SELECT * FROM src")
    con.unregister("src")
    figures["build_s"] = round(time.perf_counter() - started, 1)
    print(f"built {args.rows:,} synthetic posts in {figures['build_s']} s", flush=True)

    n = min(args.py_docs, args.rows)
    docs = [
        MatchDoc(
            text=cols["text"][i],
            author=cols["author_name"][i],
            author_handle=cols["author_handle"][i],
            source=cols["source_name"][i],
            lang=cols["language"][i],
            url=cols["url"][i],
        )
        for i in range(n)
    ]
    queries = [parse(q) for q in PY_QUERIES]
    # As the fetcher does: prepare each item once, match it against every query, drop it.
    counts = [0] * len(queries)
    started = time.perf_counter()
    for doc in docs:
        pdoc = prepare(doc)
        for k, q in enumerate(queries):
            if q.matches_prepared(pdoc):
                counts[k] += 1
    total_s = time.perf_counter() - started
    started = time.perf_counter()
    for doc in docs:
        prepare(doc)
    prep_s = time.perf_counter() - started
    # Matching cost = streaming total minus preparing alone (same documents, same order).
    match_s = max(total_s - prep_s, 1e-9)
    figures["py_match_docs_per_s"] = round(n / total_s)
    figures["py_prepare_docs_per_s"] = round(n / prep_s)
    figures["py_query_evals_per_s"] = round(n * len(queries) / match_s)
    figures["py_us_per_doc_prepare"] = round(prep_s / n * 1e6, 1)
    figures["py_us_per_doc_10_queries"] = round(match_s / n * 1e6, 1)
    print(
        f"python, {n:,} docs x {len(queries)} queries: {total_s:.2f} s -> "
        f"{figures['py_match_docs_per_s']:,} docs/s; per doc: prepare "
        f"{figures['py_us_per_doc_prepare']} us + 10 queries "
        f"{figures['py_us_per_doc_10_queries']} us",
        flush=True,
    )

    agree = True
    for q, count in zip(queries, counts, strict=True):
        sql, params = to_sql(q)
        got = con.execute(
            f"SELECT count(*) FROM mentions WHERE id < ? AND {sql}", [n, *params]
        ).fetchall()[0][0]
        agree &= got == count
        print(f"  {count:>7,} python / {got:>7,} sql  {q.text}", flush=True)
    figures["sql_equals_python"] = agree

    backtests: dict[str, float] = {}
    for k, text in enumerate(SQL_QUERIES):
        sql, params = to_sql(parse(text))
        times, hits = [], 0
        for _ in range(args.runs):
            started = time.perf_counter()
            result = con.execute(f"SELECT count(*) FROM mentions WHERE {sql}", params)
            hits = result.fetchall()[0][0]
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        backtests[f"q{k + 1}"] = round(median, 3)
        print(
            f"sql back-test over {args.rows:,} rows: median {median:.3f} s "
            f"{[round(t, 3) for t in times]}, {hits:,} hits  {text}",
            flush=True,
        )
    figures["sql_backtest_1m_median_s"] = backtests
    figures["sql_backtest_queries"] = {f"q{k + 1}": q for k, q in enumerate(SQL_QUERIES)}
    figures["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
