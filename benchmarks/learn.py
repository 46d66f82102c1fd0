"""The learned sentiment model: accuracy after 100 and 500 corrections, and its costs.

Usage::

    .venv/bin/python benchmarks/learn.py                    # 200,000-mention re-score
    .venv/bin/python benchmarks/learn.py --mentions 1000000 # the full 1M (build ~2 min)
    .venv/bin/python benchmarks/learn.py --quick            # 20,000, 2 draws
    .venv/bin/python benchmarks/learn.py --f1-only          # only the F1 figures (~3 min quiet)

**Accuracy.** The evaluation sets are the VADER authors' human-rated sentences
(``resources/sentiment_eval``, MIT; each rated by ~20 people on -4..4): tweet-like
posts, movie-review snippets, Amazon product-review sentences and NYT editorial
sentences. The protocol is the VADER paper's and the issue's: the truth is the sign
of the mean rating (0 dropped), F1 is macro over positive and negative, and a
"neutral" prediction counts as a miss. Each set is split once by a hash of the text
into a training pool and a test half, so no test sentence is ever trained on. N
corrections are drawn at random from the pool (several seeds, mean reported), the
model is trained on them and scored on the whole test half; VADER is scored on the
same test half. A 3-class variant (neutral when |rating| < 0.5) is reported too.

**Costs.** Training: ``train_workspace`` (5-fold cross-validation for the card, the
final fit and storing it) on 1,000 corrections in a real workspace, median of 3,
wall and CPU time. Re-scoring: ``rescore`` on a demo workspace (all mentions,
whole-chunk transactions), with worker processes on all cores and in one process,
in the same run; CPU time counts this process's threads and the workers it reaped
(the machine's load inflates wall time far more than CPU time). Install size: what
the model adds (numpy is already installed through pandas/pyarrow; the word vectors
ship in ``resources/word_vectors``).
The last output line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing

from engage_desktop.enrich.learned.train import TrainingSet, fit_with_card  # noqa: E402
from engage_desktop.enrich.sentiment import VaderScorer  # noqa: E402
from engage_desktop.resources import resources_dir  # noqa: E402

SETS = {
    "tweets": "tweets_GroundTruth.txt",
    "movie_reviews": "movieReviewSnippets_GroundTruth.txt",
    "amazon_reviews": "amazonReviewSnippets_GroundTruth.txt",
    "nyt_editorials": "nytEditorialSnippets_GroundTruth.txt",
}


def load_set(name: str) -> list[tuple[str, float]]:
    """``(text, mean rating)`` of one evaluation set."""
    path = resources_dir() / "sentiment_eval" / SETS[name]
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        _id, rating, text = line.split("\t", 2)
        out.append((text, float(rating)))
    return out


def f1_binary(truth: list[str], predicted: list[str]) -> float:
    """Macro F1 over positive and negative; a neutral prediction is a miss."""
    scores = []
    for cls in ("positive", "negative"):
        tp = sum(t == cls and p == cls for t, p in zip(truth, predicted, strict=True))
        fp = sum(t != cls and p == cls for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == cls and p != cls for t, p in zip(truth, predicted, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores))


def f1_three(truth: list[str], predicted: list[str]) -> float:
    """Macro F1 over the three labels."""
    from engage_desktop.enrich.learned.model import macro_f1

    return macro_f1(truth, predicted)


def learned_or_vader(texts, vader, labels, vader_labels, test) -> tuple[list[str], bool]:
    """Test predictions as the product makes them: ``train_workspace``'s own rule keeps
    VADER when the model's cross-validated F1 on the corrections is not higher."""
    n = len(texts)
    data = TrainingSet(list(range(n)), texts, vader, labels, vader_labels, [None] * n)
    model, card = fit_with_card(data)
    t_texts, t_vader, t_vl = test
    if not card["beats_vader"]:
        return t_vl, False
    return model.predict(t_texts, t_vader), True


def accuracy(draws: int) -> dict:
    """F1 after 100 and 500 corrections on each set, against VADER."""
    scorer = VaderScorer()
    figures: dict = {}
    for name in SETS:
        rows = [r for r in load_set(name) if r[1] != 0]
        test = [r for r in rows if zlib.crc32(r[0].encode()) % 2 == 0]
        pool = [r for r in rows if zlib.crc32(r[0].encode()) % 2 == 1]

        def prep(items):
            texts = [t for t, _ in items]
            scores = scorer.score_many(texts)
            vader = np.array([[s.compound, s.pos, s.neu, s.neg] for s in scores])
            binary = ["positive" if r > 0 else "negative" for _, r in items]
            three = [
                "positive" if r >= 0.5 else "negative" if r <= -0.5 else "neutral" for _, r in items
            ]
            return texts, vader, binary, three, [s.label for s in scores]

        t_texts, t_vader, t_bin, t_three, t_vl = prep(test)
        p_texts, p_vader, p_bin, p_three, p_vl = prep(pool)
        entry = {
            "test_items": len(test),
            "pool_items": len(pool),
            "vader": round(f1_binary(t_bin, t_vl), 3),
            "vader_3class": round(f1_three(t_three, t_vl), 3),
        }
        for n in (100, 500):
            f_bin, f_three, kept = [], [], 0
            for seed in range(draws):
                idx = np.random.default_rng(seed).choice(len(p_texts), n, replace=False)
                for labels, truth, score, out in (
                    (p_bin, t_bin, f1_binary, f_bin),
                    (p_three, t_three, f1_three, f_three),
                ):
                    predicted, used = learned_or_vader(
                        [p_texts[i] for i in idx],
                        p_vader[idx],
                        [labels[i] for i in idx],
                        [p_vl[i] for i in idx],
                        (t_texts, t_vader, t_vl),
                    )
                    out.append(score(truth, predicted))
                    kept += not used
            entry[f"learned_{n}"] = round(statistics.mean(f_bin), 3)
            entry[f"learned_{n}_3class"] = round(statistics.mean(f_three), 3)
            entry[f"vader_kept_{n}"] = f"{kept} of {2 * draws}"
        figures[name] = entry
        print(
            f"{name:15s} test {len(test):5,}  VADER {entry['vader']:.3f}  "
            f"after 100: {entry['learned_100']:.3f}  after 500: {entry['learned_500']:.3f}  "
            f"(3-class: VADER {entry['vader_3class']:.3f}, 100 {entry['learned_100_3class']:.3f}"
            f", 500 {entry['learned_500_3class']:.3f}); VADER kept in "
            f"{entry['vader_kept_100']} / {entry['vader_kept_500']} draws",
            flush=True,
        )
    return figures


def labelled_workspace(path: Path, n: int):
    """A workspace of ``n`` review and editorial sentences, each corrected by its rating."""
    import pyarrow as pa

    from engage_desktop.core.text import mention_norm
    from engage_desktop.enrich.learned.corrections import set_corrections
    from engage_desktop.enrich.pipeline import enrich
    from engage_desktop.inbox.pager import insert_mentions
    from engage_desktop.workspace.database import Workspace

    items = [
        r
        for name in ("movie_reviews", "amazon_reviews", "nyt_editorials")
        for r in load_set(name)
        if r[1] != 0
    ]
    items = [items[i] for i in np.random.default_rng(7).choice(len(items), n, replace=False)]
    ws = Workspace.create(path, overwrite=True)
    ids = list(range(1, n + 1))
    insert_mentions(
        ws,
        pa.table(
            {
                "id": pa.array(ids, pa.int64()),
                "item_key": [f"bench:{i}" for i in ids],
                "channel": ["review"] * n,
                "text": [t for t, _ in items],
                "text_norm": [mention_norm(None, t) for t, _ in items],
                "published": pa.array([time.time() * 1e6] * n, pa.int64()).cast(
                    pa.timestamp("us", tz="UTC")
                ),
                "language": pa.array(["en"] * n, pa.string()),
            }
        ),
    )
    enrich(ws, processes=1)
    set_corrections(
        ws,
        [(i, "positive" if r > 0 else "negative") for i, (_, r) in zip(ids, items, strict=True)],
        "benchmark",
    )
    return ws


def training_time(tmp: Path) -> tuple[float, float]:
    """Median wall and CPU seconds of ``train_workspace`` on 1,000 corrections."""
    from engage_desktop.enrich.learned.train import train_workspace

    ws = labelled_workspace(tmp / "train.engage", 1000)
    try:
        walls, cpus = [], []
        for _ in range(3):
            started, cpu = time.perf_counter(), time.process_time()
            result = train_workspace(ws)
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
            assert result.model_id is not None
        return statistics.median(walls), statistics.median(cpus)
    finally:
        ws.close()


def rescore_throughput(tmp: Path, mentions: int) -> dict:
    """Re-score a demo workspace with a model trained on 1,000 of its mentions."""
    from engage_desktop.demo.build import build_demo
    from engage_desktop.enrich.learned.apply import rescore
    from engage_desktop.enrich.learned.corrections import set_corrections
    from engage_desktop.enrich.learned.store import save_model
    from engage_desktop.enrich.learned.train import training_set
    from engage_desktop.workspace.database import Workspace

    path = tmp / "demo.engage"
    started = time.perf_counter()
    build_demo(path, mentions, seed=3)
    built = time.perf_counter() - started
    with Workspace.open(path) as ws:
        rows = (
            ws.cursor()
            .execute(
                "SELECT id, model_label FROM mentions WHERE model_label <> 'unscored' "
                "USING SAMPLE 1000 ROWS"
            )
            .fetchall()
        )
        # Labels that disagree with VADER a third of the time, so the model has work.
        flip = {"positive": "neutral", "neutral": "negative", "negative": "positive"}
        set_corrections(ws, [(i, flip[lab] if i % 3 == 0 else lab) for i, lab in rows], "benchmark")
        # Throughput needs a model in use: store the fit even where it does not beat
        # VADER on these made-up corrections (train_workspace would keep VADER).
        model, card = fit_with_card(training_set(ws))
        save_model(ws, model, card, None, active=True)
        pool, pool_cpu = timed_cpu(lambda: rescore(ws, processes=0))
        one, one_cpu = timed_cpu(lambda: rescore(ws, processes=1))
    per_m = 1_000_000 / max(pool.done, 1)
    return {
        "mentions": mentions,
        "demo_build_s": round(built, 1),
        "rescored": pool.done,
        "pool_s": round(pool.seconds, 1),
        "pool_cpu_s": round(pool_cpu, 1),
        "pool_per_s": round(pool.done / pool.seconds),
        "one_process_s": round(one.seconds, 1),
        "one_process_cpu_s": round(one_cpu, 1),
        "pool_speedup": round(one.seconds / pool.seconds, 2),
        "estimated_1m_s": round(min(pool.seconds, one.seconds) * per_m, 1),
        "estimated_1m_cpu_s": round(one_cpu * per_m, 1),
    }


def timed_cpu(run):
    """``(run(), CPU seconds)``: this process's threads plus the worker processes it reaped."""
    import resource

    def children() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    cpu, kids = time.process_time(), children()
    result = run()
    return result, time.process_time() - cpu + children() - kids


def install_size_mb() -> dict:
    """What the learned model adds on disk (code, word vectors, the evaluation sets)."""
    root = HERE.parent
    code = sum(p.stat().st_size for p in (root / "engage_desktop/enrich/learned").glob("*.py"))
    vectors = sum(p.stat().st_size for p in (root / "resources/word_vectors").iterdir())
    data = sum(p.stat().st_size for p in (root / "resources/sentiment_eval").iterdir())
    return {
        "new_packages_mb": 0.0,
        "code_mb": round(code / 1e6, 3),
        "word_vectors_mb": round(vectors / 1e6, 2),
        "eval_data_mb": round(data / 1e6, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=200_000)
    parser.add_argument("--draws", type=int, default=5, help="random draws per N")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--costs-only", action="store_true", help="skip the F1 figures")
    parser.add_argument("--f1-only", action="store_true", help="skip the costs")
    args = parser.parse_args()
    if args.quick:
        args.mentions, args.draws = 20_000, 2
    load_before = os.getloadavg()
    figures: dict = {"cores": os.cpu_count(), "draws": args.draws}
    figures["f1"] = None if args.costs_only else accuracy(args.draws)
    if args.f1_only:
        print(json.dumps(figures))
        return
    with tempfile.TemporaryDirectory() as tmp:
        wall, cpu = training_time(Path(tmp))
        figures["train_1000_s"], figures["train_1000_cpu_s"] = round(wall, 2), round(cpu, 2)
        print(
            f"training on 1,000 corrections (5-fold CV + fit + store): {wall:.2f} s "
            f"(CPU {cpu:.2f} s)",
            flush=True,
        )
        figures["rescore"] = rescore_throughput(Path(tmp), args.mentions)
    r = figures["rescore"]
    print(
        f"re-scoring {r['rescored']:,} mentions: {r['pool_s']} s with the pool "
        f"(CPU {r['pool_cpu_s']} s; {r['pool_per_s']:,}/s); one process {r['one_process_s']} s "
        f"(CPU {r['one_process_cpu_s']} s); 1M estimated at {r['estimated_1m_s']} s wall, "
        f"{r['estimated_1m_cpu_s']} s CPU",
        flush=True,
    )
    figures["install"] = install_size_mb()
    figures["load_average"] = [round(x, 2) for x in (*load_before, *os.getloadavg())]
    print(f"load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
