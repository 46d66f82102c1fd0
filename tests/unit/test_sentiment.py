"""The sentiment engine equals NLTK's VADER on the shipped lexicon, and its API works."""

from __future__ import annotations

import hashlib
import multiprocessing
import random
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from engage_desktop.enrich.sentiment import (
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    SCORER_VERSION,
    UNSCORED,
    ScoredChunk,
    ScoringCancelled,
    ScoringPool,
    SentimentScore,
    VaderScorer,
    iter_score_chunks,
    label_for,
    score,
    score_batch,
    score_sentences,
    scorer_version,
    split_sentences,
)
from engage_desktop.enrich.sentiment import _constants as C
from engage_desktop.enrich.sentiment._algorithm import TokenTable
from engage_desktop.enrich.sentiment._resources import lexicon_path, resources_dir
from engage_desktop.enrich.sentiment.reference import nltk_analyzer

ROOT = Path(__file__).resolve().parents[2]
LEXICON_SHA256 = "1ec9c6e9ee19aade328f8beb393a6afa71a5bb3acf7d3cc22d4ef568df374bf5"
KEYS = ("compound", "pos", "neu", "neg")
ADJUSTMENTS = {
    "Sick": 2.0,
    "very": 1.0,
    "but": -1.0,
    "least": 0.5,
    "never": -1.0,
    "so": 0.5,
    "of": -0.3,
    "the": 0.1,
    ":)": -2.0,
    "good": -1.5,
    "❤️": 3.0,
    "kestrel": 0.0,
}

_NEGATIONS = [*sorted(C.NEGATE), "isn't", "ISN'T", "Don't", "wasn’t", "not!", "never,"]
_SPECIALS = [
    "but",
    "BUT",
    "But",
    "but,",
    "kind of",
    "KIND OF",
    "sort of",
    "just enough",
    "least",
    "at least",
    "very least",
    "the least",
    "never so",
    "never this",
    "so",
    "this",
    "never",
    "Never",
    "without doubt",
    "the shit",
    "the bomb",
    "bad ass",
    "yeah right",
    "cut the mustard",
    "kiss of death",
    "hand to mouth",
    "kind",
    "of",
    "kinda",
    "LEAST",
]
_EMOTICONS = [
    ":)",
    ":-(",
    ":D",
    ":(",
    ";)",
    "<3",
    ":/",
    ":'(",
    "xD",
    "XD",
    ":P",
    "(:",
    "=)",
    "😍",
    "😡",
    "❤️",
    "👍🏽",
    "🙂",
    "💔",
    "🔥🔥",
    "😂😂",
]
_MISC = [
    "http://x.co/a?b=1",
    "https://example.com/kestrel!",
    "@kestrelaudio",
    "@Kes_Help:",
    "#fail",
    "#LOVE",
    "#great!",
    "42",
    "3.5",
    "$100",
    "10/10",
    "24/7",
    "Zürich",
    "naïve",
    "café!",
    "don’t",
    "—",
    "…",
    "...",
    "!!",
    "!!!",
    "?",
    "??",
    "???",
    "?!?",
    "!?!",
    "-",
    "'",
    '"',
    ",",
    "a",
    "I",
    "x",
    "&",
    "**great**",
    "'good'",
    '"bad"',
    "(happy)",
    "[sad]",
    "good,",
    ",good",
    "good!!",
    "!!good",
    "good?!?",
    "-good-",
    "GOOD!",
    "...good",
    "good.",
    "'cause",
    "ok",
    "OK",
]
_PLAIN = [
    "the",
    "product",
    "it",
    "is",
    "was",
    "my",
    "app",
    "support",
    "Kestrel",
    "update",
    "and",
    "of",
    "to",
    "at",
    "very",
    "this",
    "so",
    "I",
    "we",
]
_SPACES = [" ", " ", " ", " ", "  ", "\t", "\n", "\u00a0", "\u2003", " \n "]


def make_texts(count: int, seed: int, lexicon_words: list[str]) -> list[str]:
    """Adversarial texts: every VADER rule, odd punctuation, case, unicode, whitespace."""
    rng = random.Random(seed)
    pools = [
        (0.30, lexicon_words),
        (0.40, _NEGATIONS),
        (0.50, sorted(C.BOOSTER_DICT)),
        (0.62, _SPECIALS),
        (0.70, _EMOTICONS),
        (0.80, _MISC),
        (1.0, _PLAIN),
    ]
    texts = ["", " ", "   ", "\n\t", "!!!", "?", ":)", "good", "GOOD", "but", "least good"]
    while len(texts) < count:
        words = []
        for _ in range(rng.choice([1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30])):
            r = rng.random()
            word = rng.choice(next(pool for limit, pool in pools if r < limit))
            c = rng.random()
            word = word.upper() if c < 0.12 else word.title() if c < 0.18 else word
            p = rng.random()
            if p < 0.08:
                word += rng.choice(
                    [
                        "!",
                        "!!",
                        "!!!",
                        "?",
                        "??",
                        ".",
                        ",",
                        "?!?",
                        "...",
                        ":",
                        "'",
                        '"',
                        "-",
                        "!?!?",
                        "),",
                    ]
                )
            elif p < 0.12:
                word = rng.choice(["'", '"', "-", ".", "(", "#", "@", ":", "!!"]) + word
            words.append(word)
            if rng.random() < 0.05:
                words.append(word)  # NLTK scores repeats in their first context
        text = "".join(w + rng.choice(_SPACES) for w in words)
        text = text.strip() if rng.random() < 0.5 else text
        if rng.random() < 0.15:
            text += rng.choice(["!", "!!!!!", "?", "??", "????", "?!", " :)", " 😍"])
        texts.append(text)
    return texts


@pytest.fixture(scope="module")
def reference():
    return nltk_analyzer()


@pytest.fixture(scope="module")
def texts(reference):
    return make_texts(6000, seed=20261122, lexicon_words=sorted(reference.lexicon))


def _assert_same(reference, scorer, texts):
    mismatches = []
    for text in texts:
        want = reference.polarity_scores(text)
        got = scorer.score(text)
        if any(abs(want[k] - getattr(got, k)) > 1e-9 for k in KEYS) or (
            got.label != label_for(want["compound"])
        ):
            mismatches.append((text, want, got))
    assert not mismatches, f"{len(mismatches)} differ, e.g. {mismatches[:3]}"


def test_constants_are_nltks():
    from nltk.sentiment.vader import VaderConstants

    assert set(VaderConstants.NEGATE) == C.NEGATE
    assert VaderConstants.BOOSTER_DICT == C.BOOSTER_DICT
    assert VaderConstants.SPECIAL_CASE_IDIOMS == C.SPECIAL_CASE_IDIOMS
    assert tuple(VaderConstants.PUNC_LIST) == C.PUNC_LIST
    for name in ("B_INCR", "B_DECR", "C_INCR", "N_SCALAR"):
        assert getattr(VaderConstants, name) == getattr(C, name)


def test_shipped_lexicon_is_the_documented_file(reference):
    path = lexicon_path()
    assert path.parent.parent == resources_dir()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == LEXICON_SHA256
    assert "MIT" in (path.parent / "LICENSE.txt").read_text(encoding="utf-8")
    assert LEXICON_SHA256 in (path.parent / "README.md").read_text(encoding="utf-8")
    assert len(reference.lexicon) == 7506
    assert SCORER_VERSION.endswith("+lex." + LEXICON_SHA256[:12])


def test_identical_to_nltk_on_varied_texts(reference, texts):
    assert len(texts) >= 5000
    _assert_same(reference, VaderScorer(), texts)


def test_identical_to_nltk_with_adjustments(texts):
    _assert_same(nltk_analyzer(ADJUSTMENTS), VaderScorer(ADJUSTMENTS), texts[:2000])


def test_words_match_nltk_tokenizer(texts):
    from nltk.sentiment.vader import SentiText, VaderConstants

    regex = VaderConstants.REGEX_REMOVE_PUNCTUATION
    table = TokenTable({})
    for text in texts:
        want = SentiText(text, list(C.PUNC_LIST), regex).words_and_emoticons
        got = [tok.word for raw in text.split() if (tok := table[raw]) is not None]
        assert got == want, text


@pytest.mark.parametrize(
    ("text", "compound", "label"),
    [
        ("not abhorrent and then accident", 0.05, POSITIVE),
        ("abandon and then very accomplish", 0.0498, NEUTRAL),
        ("aayf and then very abuser", -0.0498, NEUTRAL),
        ("not abandon and then abandoning", -0.05, NEGATIVE),
    ],
)
def test_thresholds_on_real_texts(reference, text, compound, label):
    assert reference.polarity_scores(text)["compound"] == compound
    got = VaderScorer().score(text)
    assert (got.compound, got.label) == (compound, label)


def test_label_thresholds():
    assert label_for(0.05) == POSITIVE
    assert label_for(0.0499) == NEUTRAL
    assert label_for(0.0) == NEUTRAL
    assert label_for(-0.0499) == NEUTRAL
    assert label_for(-0.05) == NEGATIVE
    assert (label_for(1.0), label_for(-1.0)) == (POSITIVE, NEGATIVE)
    assert UNSCORED == "unscored"


def test_adjustments_change_score_and_version():
    text = "This new deck is sick"
    plain, skate = VaderScorer(), VaderScorer({"SICK ": 2.0})
    assert plain.score(text).label == NEGATIVE
    assert skate.score(text).label == POSITIVE
    assert skate.valence_of("Sick") == 2.0
    assert plain.version == SCORER_VERSION != skate.version
    assert skate.version == scorer_version({"sick": 2}) == VaderScorer({"sick": 2.0}).version
    assert scorer_version({"sick": 2.5}) != skate.version
    assert scorer_version({}) == SCORER_VERSION
    with pytest.raises(ValueError, match="one word"):
        VaderScorer({"very sick": 2.0})
    with pytest.raises(ValueError, match="finite"):
        VaderScorer({"sick": float("nan")})


def test_version_follows_lexicon_bytes(tmp_path):
    other = tmp_path / "lexicon.txt"
    other.write_bytes(lexicon_path().read_bytes().replace(b"good\t1.9", b"good\t2.9"))
    scorer = VaderScorer(lexicon_file=other)
    assert scorer.version != SCORER_VERSION
    assert scorer.valence_of("good") == 2.9


def test_score_api_and_memo():
    scorer = VaderScorer(cache_size=4)
    first = scorer.score("I love it :)")
    assert isinstance(first, SentimentScore) and first.label == POSITIVE
    assert scorer.score("I love it :)") is first
    assert (scorer.stats.hits, scorer.stats.misses) == (1, 1)
    batch = [f"post {i} is great" for i in range(10)] + ["I love it :)"] * 3
    assert scorer.score_many(batch) == [scorer.make_score(scorer.values(t)) for t in batch]
    assert score("") == SentimentScore(0.0, 0.0, 0.0, 0.0, NEUTRAL)
    assert score(" \n\t ") == SentimentScore(0.0, 0.0, 0.0, 0.0, NEUTRAL)
    neutral = {"neg": 0.0, "neu": 1.0, "pos": 0.0, "compound": 0.0}
    assert scorer.polarity_scores("the box") == neutral
    with pytest.raises(TypeError):
        scorer.score(None)  # type: ignore[arg-type]


def test_pool_equals_in_process(reference, texts):
    sample = texts[:3000] + texts[:500]  # repeats exercise the dedupe
    want = VaderScorer().score_many(sample)
    progress = []
    with ScoringPool(VaderScorer(), processes=2, min_task_size=50) as pool:
        pool.start()
        assert len(multiprocessing.active_children()) >= 2
        got = pool.score_batch(sample, chunk_size=400, progress=lambda d, t: progress.append(d))
        assert got == want
        assert progress[-1] == len(sample) and progress == sorted(progress)
        chunks = list(pool.iter_chunks(sample, chunk_size=1000))
        assert [c.start for c in chunks] == [0, 1000, 2000, 3000]
        assert [s for c in chunks for s in c.scores] == want
        calls = []
        with pytest.raises(ScoringCancelled) as cancelled:
            pool.score_batch(
                sample,
                chunk_size=500,
                is_cancelled=lambda: len(calls) > 1,
                progress=lambda d, t: calls.append(d),
            )
        assert cancelled.value.scores == want[:1000]
    adjusted = score_batch(sample[:800], scorer=VaderScorer(ADJUSTMENTS), processes=2)
    assert adjusted == VaderScorer(ADJUSTMENTS).score_many(sample[:800])


def test_a_cancelled_wait_gives_up_its_chunk_and_close_now_stops_the_worker():
    # A window closed during a backfill: the thread waiting for a chunk must not wait
    # for it to be scored, and the worker must not go on scoring it.
    pool = ScoringPool(VaderScorer(), processes=1, min_task_size=1)
    cancelled, asked = threading.Event(), threading.Event()

    def is_cancelled() -> bool:
        asked.set()  # first asked once the text is queued, before the wait for it
        return cancelled.is_set()

    got = []
    texts = [f"post {i}: I love the app but support was awful" for i in range(100_000)]
    # One chunk of seconds of work for the worker.
    chunks = pool.iter_chunks(texts, chunk_size=len(texts), is_cancelled=is_cancelled)
    waiting = threading.Thread(target=lambda: got.extend(chunks))
    waiting.start()
    assert asked.wait(60)
    workers = list(pool._executor._processes.values())
    cancelled.set()
    waiting.join(60)
    assert not waiting.is_alive() and got == []  # gave up, nothing scored came back
    pool.close(now=True)
    assert workers and not any(w.is_alive() for w in workers)
    assert pool._executor is None


def test_in_process_chunks_and_cancel(texts):
    chunks = list(iter_score_chunks(texts[:250], chunk_size=100, processes=1))
    assert [(c.start, c.stop) for c in chunks] == [(0, 100), (100, 200), (200, 250)]
    assert all(isinstance(c, ScoredChunk) for c in chunks)
    assert [s for c in chunks for s in c.scores] == VaderScorer().score_many(texts[:250])
    seen = []
    with pytest.raises(ScoringCancelled) as cancelled:
        score_batch(
            texts[:250],
            chunk_size=100,
            progress=lambda d, t: seen.append((d, t)),
            is_cancelled=lambda: bool(seen),
        )
    assert seen == [(100, 250)] and len(cancelled.value.scores) == 100


def test_split_sentences():
    text = (
        "Mr. Smith loved the Buds 3. Then they broke!!! 😡 never again... e.g. "
        'This one? Fine\n\nNext line costs $3.50 (approx. 3 euros). "Great" she said.'
    )
    assert split_sentences(text) == [
        "Mr. Smith loved the Buds 3.",
        "Then they broke!!! 😡",
        "never again... e.g. This one?",
        "Fine",
        "Next line costs $3.50 (approx. 3 euros).",
        '"Great" she said.',
    ]
    assert split_sentences("") == [] and split_sentences(" \n ") == []
    assert split_sentences("no end here") == ["no end here"]
    assert split_sentences("J. K. Rowling wrote it. ok") == ["J. K. Rowling wrote it. ok"]


def test_score_sentences(reference):
    text = "I love the new case. The battery is awful though! Is it fixed??"
    pairs = score_sentences(text)
    assert [s for s, _ in pairs] == [
        "I love the new case.",
        "The battery is awful though!",
        "Is it fixed??",
    ]
    for sentence, got in pairs:
        assert got.compound == reference.polarity_scores(sentence)["compound"]
    assert [got.label for _, got in pairs] == [POSITIVE, NEGATIVE, NEUTRAL]
    skate = VaderScorer({"sick": 2.0})
    assert score_sentences("So sick. Yes.", skate)[0][1].label == POSITIVE
    assert score_sentences("") == []


def test_import_is_light():
    code = (
        "import sys, engage_desktop.enrich.sentiment as s; s.score('ok'); "
        "print(sorted(m for m in ('nltk', 'PySide6', 'pandas', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=ROOT,
    )
    assert out.stdout.strip() == "[]"
