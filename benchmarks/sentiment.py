"""Sentiment engine: speed against NLTK's VADER and vaderSentiment, and accuracy.

Usage::

    .venv/bin/python benchmarks/sentiment.py                 # 10k case + 1,000,000 mentions
    .venv/bin/python benchmarks/sentiment.py --quick         # 10k case + 100,000 mentions
    .venv/bin/python benchmarks/sentiment.py --mentions 250000 --processes 2

Measured, in texts per second:

(a) NLTK's ``SentimentIntensityAnalyzer`` on the shipped lexicon (the reference),
(b) vaderSentiment 3.3.2 (if installed; a speed peer only, its scores differ),
(c) our engine in one process (fresh scorer each run, so the memo starts empty),
(d) our engine with a process pool on all cores (workers started before timing;
    the start-up is reported separately, and included in the big run's total).

The 10k case reports medians of 3 runs. The big run times NLTK and vaderSentiment
on a 50k subsample (NLTK on 1M would take minutes); ratios compare figures from
the same run. Posts come from a seeded template generator in this file with
realistic repetition (see ``make_posts``); the memo's hit rate is reported.
Every score of the 10k texts and of the subsample is checked equal to NLTK's.

Accuracy: 3-class macro F1 against ``data/sentiment_labelled.csv`` (150 short posts,
hand-labelled for this benchmark). The last output line is one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing

from engage_desktop.demo.text import FIRST_NAMES  # noqa: E402
from engage_desktop.enrich.sentiment import (  # noqa: E402
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    SCORER_VERSION,
    ScoringPool,
    VaderScorer,
    score_batch,
)
from engage_desktop.enrich.sentiment.reference import nltk_analyzer  # noqa: E402

KEYS = ("compound", "pos", "neu", "neg")

# --- Seeded generator of short social posts about Kestrel, a made-up maker of
# earbuds, headphones and an app; every template is written for this benchmark.
# A demo workspace has many near-duplicate posts, so short reactions with few
# slots repeat often, while names, handles, order numbers, prices and extra
# clauses make most longer posts distinct.

PRODUCTS = (
    "Kestrel Buds 3",
    "Kestrel Buds Pro",
    "Halo headphones",
    "Kestrel app",
    "charging case",
    "Buds 3",
    "Halo 2",
)
FEATURES = (
    "battery",
    "noise cancelling",
    "fit",
    "bass",
    "mic",
    "bluetooth pairing",
    "case hinge",
    "touch controls",
    "firmware update",
    "EQ",
    "latency",
    "transparency mode",
    "warranty",
    "delivery",
    "customer service",
)
# The demo's first names: the same people talk in the demo and in this benchmark.
NAMES = FIRST_NAMES
CITIES = (
    "Leeds",
    "Lyon",
    "Zürich",
    "Austin",
    "Porto",
    "Kraków",
    "Denver",
    "Dublin",
    "Graz",
    "Malmö",
    "Osaka",
    "Lagos",
    "Quito",
)
RIVALS = ("Vireo", "Soundline", "Aurix")
POS_EMOJI = ("😍", "🔥", "👍", "🙌", "❤️", ":)", ":D", "🎧", "💯", "")
NEG_EMOJI = ("😡", "😤", "👎", "🙄", ":(", ":-(", "💀", "😞", "")
ADJ_POS = ("great", "amazing", "solid", "perfect", "excellent", "so good", "incredible")
ADJ_NEG = ("terrible", "awful", "useless", "broken", "bad", "disappointing", "a joke")

# Short reactions: few slots, so they repeat across a big workspace.
REACTIONS = (
    "Love my {product} {pe}",
    "{product} is {ap} {pe}",
    "{product} is {an} {ne}",
    "The {feature} on the {product} is {ap}",
    "The {feature} on the {product} is {an}",
    "anyone else having issues with the {feature}?",
    "{product} died again {ne}",
    "best purchase this year {pe}",
    "not impressed with the {product} tbh",
    "Kestrel support is {an}",
    "Kestrel support was {ap} {pe}",
    "meh, the {feature} is ok",
    "just got the {product}!",
    "is the {product} worth it?",
    "returning my {product} {ne}",
    "the {feature} is kind of {an}",
    "the {feature} is not {ap}",
    "{product} or {rival}?",
    "never buying Kestrel again",
    "{product} > {rival} {pe}",
    "ugh, {feature} problems again",
    "WOW the {feature} is {ap}",
    "the {feature} is NOT good",
    "no complaints so far",
)
# Longer posts: names, numbers and free slots make most of them unique.
POSTS = (
    "Had my {product} for {n} days and the {feature} is already {an}. Order #{order}",
    "Thanks @{handle} for sorting my {feature} issue in {n} minutes {pe}",
    "@kestrelaudio my {product} keeps disconnecting since the {version} update {ne}",
    "Paid ${price} for the {product} and the {feature} is {an}. Not happy.",
    "Update: the {version} firmware fixed the {feature} on my {product}. {pe}",
    "{name} from Kestrel support was {ap}, replacement arrives in {n} days",
    "Switched from {rival} to the {product}: the {feature} is {ap}, battery not so much",
    "Day {n} with the {product} in {city}: {feature} is {ap}, {feature2} is {an}",
    "Ordered the {product} on the {n}th, still nothing. Order #{order} {ne}",
    "The {product} is decent but the {feature} could be better. {n}/10",
    "Honestly the {feature} on the {product} is the best I have tried {pe}",
    "Is anyone at @kestrelaudio reading this? Ticket {order} open for {n} days",
    "Gave my old {product} to {name}, upgraded to the {product2}. {pe}",
    "PSA: the {product} is ${price} off at the {city} store this week",
    "My {product} arrived with a scratched case. Support says {n2} days.",
    "Not sure about the {product} yet, the {feature} feels weird after {n} hours",
    "{name} and I both hate the new {feature} on the {product} lol",
    "Went for a run in {city} with the {product}, {feature} held up fine",
)
PREFIXES = ("ok so", "Update:", "ngl", "honestly", "RT @{handle}:", "lol", "hmm", "So")
SUFFIXES = (
    "#KestrelBuds",
    "#fail",
    "thanks @{handle}",
    "{pe}",
    "{ne}",
    "!!",
    "smh",
    "anyone else?",
    "cc @{handle}",
    "(order #{order})",
    "#audio",
    "10/10",
    "...",
)
_SLOT = re.compile(r"\{(\w+)\}")
CLAUSES = (
    "and the {feature2} is {ap}",
    "but the {feature2} is {an}",
    "after {n} days",
    "in {city}",
    "for ${price}",
    "compared to my {rival}",
)


def _slot_makers(rng: random.Random) -> dict[str, Callable[[], str]]:
    """One maker per slot name, drawing from ``rng``."""
    return {
        "product": lambda: rng.choice(PRODUCTS),
        "product2": lambda: rng.choice(PRODUCTS),
        "feature": lambda: rng.choice(FEATURES),
        "feature2": lambda: rng.choice(FEATURES),
        "pe": lambda: rng.choice(POS_EMOJI),
        "ne": lambda: rng.choice(NEG_EMOJI),
        "ap": lambda: rng.choice(ADJ_POS),
        "an": lambda: rng.choice(ADJ_NEG),
        "rival": lambda: rng.choice(RIVALS),
        "city": lambda: rng.choice(CITIES),
        "name": lambda: rng.choice(NAMES),
        "handle": lambda: rng.choice(NAMES).lower() + str(rng.randint(1, 999)),
        "n": lambda: str(rng.randint(1, 60)),
        "n2": lambda: str(rng.randint(3, 14)),
        "order": lambda: str(rng.randint(100000, 999999)),
        "price": lambda: str(rng.choice((49, 79, 99, 129, 149, 199, 249))),
        "version": lambda: f"{rng.randint(1, 4)}.{rng.randint(0, 9)}.{rng.randint(0, 20)}",
    }


def make_posts(count: int, seed: int = 7) -> list[str]:
    """Return ``count`` posts; the same seed always gives the same posts.

    Args:
        count: Number of posts.
        seed: RNG seed.

    Returns:
        The posts.
    """
    rng = random.Random(seed)
    makers = _slot_makers(rng)

    def fill(template: str) -> str:
        return " ".join(_SLOT.sub(lambda m: makers[m.group(1)](), template).split())

    posts = []
    for _ in range(count):
        if rng.random() < 0.45:
            text = fill(rng.choice(REACTIONS))
        else:
            text = fill(rng.choice(POSTS))
            if rng.random() < 0.25:
                text = f"{text.rstrip('.')} {fill(rng.choice(CLAUSES))}"
            if rng.random() < 0.2:
                text = f"{fill(rng.choice(PREFIXES))} {text}"
            if rng.random() < 0.3:
                text = f"{text} {fill(rng.choice(SUFFIXES))}"
            if rng.random() < 0.05:
                words = text.split()
                k = rng.randrange(len(words))
                words[k] = words[k].upper()
                text = " ".join(words)
        posts.append(text)
    return posts


def _vadersentiment() -> Callable[[str], dict] | None:
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        return None
    return SentimentIntensityAnalyzer().polarity_scores


def _tps(count: int, seconds: float) -> float:
    return round(count / seconds, 1)


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _check_identical(reference: Sequence[dict], ours: Sequence) -> int:
    """Assert our scores equal NLTK's to 1e-9; return how many were compared."""
    bad = [
        (i, want, got)
        for i, (want, got) in enumerate(zip(reference, ours, strict=True))
        if any(abs(want[k] - getattr(got, k)) > 1e-9 for k in KEYS)
    ]
    assert not bad, f"{len(bad)} scores differ from NLTK, e.g. {bad[:3]}"
    return len(reference)


def _macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    f1s = []
    for label in (POSITIVE, NEUTRAL, NEGATIVE):
        tp = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(p == label != g for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label != p for g, p in zip(gold, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return round(sum(f1s) / len(f1s), 4)


def _label(compound: float) -> str:
    return POSITIVE if compound >= 0.05 else NEGATIVE if compound <= -0.05 else NEUTRAL


def small_case(texts: list[str], processes: int, nltk, vader) -> dict:
    """Medians of 3 runs on the same texts, each engine starting cold."""
    runs: dict[str, list[float]] = {}

    def record(name: str, seconds: float) -> None:
        runs.setdefault(name, []).append(seconds)

    for _ in range(3):
        seconds, reference = _timed(lambda: [nltk.polarity_scores(t) for t in texts])
        record("nltk", seconds)
        if vader is not None:
            record("vadersentiment", _timed(lambda: [vader(t) for t in texts])[0])
        scorer = VaderScorer()
        seconds, single = _timed(lambda s=scorer: s.score_many(texts))
        record("fast_single", seconds)
        hit_rate = scorer.stats.hit_rate
        bare = VaderScorer(cache_size=0)  # the algorithm alone: no memo
        record("fast_single_nomemo", _timed(lambda s=bare: s.score_many(texts))[0])
        with ScoringPool(VaderScorer(), processes) as pool:
            record("pool_start", _timed(pool.start)[0])
            seconds, pooled = _timed(lambda p=pool: p.score_batch(texts))
            record("fast_pool", seconds)
        assert pooled == single
        checked = _check_identical(reference, single)
    med = {name: statistics.median(values) for name, values in runs.items()}
    out = {name + "_tps": _tps(len(texts), med[name]) for name in med if name != "pool_start"}
    out["pool_start_s"] = round(med["pool_start"], 3)
    out["cache_hit_rate_10k"] = round(hit_rate, 4)
    out["identical_to_nltk_10k"] = checked
    return out


def big_case(mentions: int, subsample: int, processes: int, seed: int, nltk, vader) -> dict:
    seconds, texts = _timed(lambda: make_posts(mentions, seed))
    print(
        f"generated {mentions:,} posts in {seconds:.1f} s; "
        f"{len(set(texts)) / mentions:.1%} distinct",
        flush=True,
    )
    sub = texts[:subsample]
    out: dict[str, object] = {
        "mentions": mentions,
        "subsample": len(sub),
        "distinct_share": round(len(set(texts)) / mentions, 4),
    }
    seconds, reference = _timed(lambda: [nltk.polarity_scores(t) for t in sub])
    out["big_nltk_tps"] = _tps(len(sub), seconds)
    if vader is not None:
        out["big_vadersentiment_tps"] = _tps(len(sub), _timed(lambda: [vader(t) for t in sub])[0])
    scorer = VaderScorer()
    seconds, single = _timed(lambda: scorer.score_many(texts))
    out["big_fast_single_s"] = round(seconds, 2)
    out["big_fast_single_tps"] = _tps(mentions, seconds)
    out["big_single_cache_hit_rate"] = round(scorer.stats.hit_rate, 4)
    # End to end, as the app would run it: score_batch spawns the pool, scores
    # in 10k chunks and shuts the pool down.
    scorer = VaderScorer()
    seconds, pooled = _timed(lambda: score_batch(texts, scorer=scorer, processes=processes))
    out["score_all_s"] = round(seconds, 2)
    out["score_1m_s"] = round(seconds, 2) if mentions == 1_000_000 else None
    out["big_fast_pool_tps"] = _tps(mentions, seconds)
    out["cache_hit_rate"] = round(scorer.stats.hit_rate, 4)
    assert pooled == single
    out["identical_to_nltk_subsample"] = _check_identical(reference, pooled[:subsample])
    out["big_ratio_single_vs_nltk"] = round(out["big_fast_single_tps"] / out["big_nltk_tps"], 2)
    out["big_ratio_pool_vs_nltk"] = round(out["big_fast_pool_tps"] / out["big_nltk_tps"], 2)
    return out


def accuracy(vader) -> dict:
    with (HERE / "data" / "sentiment_labelled.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    gold = [row["label"] for row in rows]
    ours = [s.label for s in VaderScorer().score_many(row["text"] for row in rows)]
    out = {"labelled_posts": len(rows), "macro_f1": _macro_f1(gold, ours)}
    if vader is not None:
        theirs = [_label(vader(row["text"])["compound"]) for row in rows]
        out["macro_f1_vadersentiment"] = _macro_f1(gold, theirs)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--mentions", type=int, default=1_000_000, help="posts in the big run (default 1,000,000)"
    )
    parser.add_argument("--quick", action="store_true", help="big run with 100,000 posts")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--subsample",
        type=int,
        default=50_000,
        help="posts timed with NLTK and vaderSentiment in the big run",
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    mentions = 100_000 if args.quick else args.mentions

    nltk, vader = nltk_analyzer(), _vadersentiment()
    figures: dict[str, object] = {
        "scorer_version": SCORER_VERSION,
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "processes": args.processes,
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }
    print(
        f"cores {os.cpu_count()}, pool of {args.processes}, load {figures['loadavg_start']}"
        " (other work on the machine slows every engine alike)",
        flush=True,
    )

    small = small_case(make_posts(10_000, args.seed), args.processes, nltk, vader)
    small["ratio_single_vs_nltk"] = round(small["fast_single_tps"] / small["nltk_tps"], 2)
    small["ratio_pool_vs_nltk"] = round(small["fast_pool_tps"] / small["nltk_tps"], 2)
    if vader is not None:
        small["ratio_pool_vs_vadersentiment"] = round(
            small["fast_pool_tps"] / small["vadersentiment_tps"], 2
        )
    figures.update(small)
    print(
        "10k posts, medians of 3 (texts/s): " + ", ".join(f"{k}={v}" for k, v in small.items()),
        flush=True,
    )

    big = big_case(
        mentions, min(args.subsample, mentions), args.processes, args.seed + 1, nltk, vader
    )
    figures.update(big)
    print(f"{mentions:,} posts: " + ", ".join(f"{k}={v}" for k, v in big.items()), flush=True)

    acc = accuracy(vader)
    figures.update(acc)
    print("accuracy: " + ", ".join(f"{k}={v}" for k, v in acc.items()), flush=True)
    figures["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
