"""The per-text VADER algorithm, mirroring NLTK 3.10.4's ``vader.py`` step by step.

Every function names the NLTK method it mirrors. Arithmetic is done in the same
order as NLTK's so the floats, and therefore the rounded scores, are identical.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Mapping
from itertools import compress
from operator import itemgetter
from typing import NamedTuple

from engage_desktop.enrich.sentiment._constants import (
    B_DECR,
    BOOSTER_DICT,
    C_INCR,
    IDIOM_WORDS,
    N_SCALAR,
    NEGATE,
    PUNC_LIST,
    PUNCTUATION,
    SPECIAL_CASE_IDIOMS,
)

_TOKEN_TABLE_SIZE = 200_000
_PUNC_SET = frozenset(PUNC_LIST)
_EMPTY = (0.0, 0.0, 0.0, 0.0)
_ALL_NEUTRAL = (0.0, 0.0, 1.0, 0.0)


class _Token(NamedTuple):
    """What the scorer needs to know about one raw whitespace-separated token."""

    word: str  # NLTK's word: the token minus one PUNC_LIST prefix or suffix
    low: str
    upper: bool
    valence: float | None  # None: not in the lexicon
    negation: bool  # NLTK's negated([word])
    booster: float | None
    idiom: bool  # part of a multi-word idiom or booster key
    scored: bool  # valence is not None
    odd: bool  # may change a lexicon word's valence nearby (see _plain_neighbours)


#: Words whose place before a lexicon word changes its valence (NLTK's _never_check
#: and _least_check compare them as written).
_CONTEXT_WORDS = frozenset({"so", "this", "never"})
_UPPER = itemgetter(2)
_SCORED = itemgetter(7)
_ODD = itemgetter(8)


def nltk_word(raw: str) -> str:
    """Map a raw token (2+ characters) to the word NLTK's SentiText keeps.

    NLTK maps ``p + w`` and ``w + p`` to ``w`` when ``p`` is in PUNC_LIST and ``w``
    is a punctuation-free word of 2+ characters; anything else is kept as is.
    """
    start, end = 0, len(raw)
    while start < end and raw[start] in PUNCTUATION:
        start += 1
    while end > start and raw[end - 1] in PUNCTUATION:
        end -= 1
    core = raw[start:end]
    if (start and end < len(raw)) or len(core) < 2 or not PUNCTUATION.isdisjoint(core):
        return raw
    if start and raw[:start] in _PUNC_SET:
        return core
    if end < len(raw) and raw[end:] in _PUNC_SET:
        return core
    return raw


class TokenTable(dict):
    """Raw token -> :class:`_Token` (None for 1-character tokens), filled on demand."""

    __slots__ = ("_lexicon",)

    def __init__(self, lexicon: Mapping[str, float]) -> None:
        super().__init__()
        self._lexicon = lexicon

    def __missing__(self, raw: str) -> _Token | None:
        token = None
        if len(raw) > 1:  # NLTK drops 1-character tokens
            word = nltk_word(raw)
            low = word.lower()
            valence = self._lexicon.get(low)
            negation = low in NEGATE or "n't" in low
            booster = BOOSTER_DICT.get(low)
            idiom = word in IDIOM_WORDS
            odd = (
                negation or booster is not None or idiom or word in _CONTEXT_WORDS or low == "least"
            )
            token = _Token(
                word, low, word.isupper(), valence, negation, booster, idiom,
                valence is not None, odd,
            )  # fmt: skip
        if len(self) >= _TOKEN_TABLE_SIZE:
            self.clear()  # social text has an endless tail of names, numbers and URLs
        self[raw] = token
        return token


def _emphasis(text: str) -> float:
    """NLTK's punctuation emphasis: up to 4 "!" and 2+ "?" amplify the sum."""
    ep_count = text.count("!")
    if ep_count > 4:
        ep_count = 4
    qm_count = text.count("?")
    qm_amplifier = 0
    if qm_count > 1:
        qm_amplifier = qm_count * 0.18 if qm_count <= 3 else 0.96
    return ep_count * 0.292 + qm_amplifier


def _idioms_check(valence: float, ws: list[_Token], i: int, n: int) -> float:
    """NLTK's _idioms_check (case-sensitive, as in NLTK) for index ``i`` >= 3."""
    w3, w2, w1, w0 = (tok.word for tok in ws[i - 3 : i + 1])
    twoone = f"{w2} {w1}"
    threetwo = f"{w3} {w2}"
    for seq in (f"{w1} {w0}", f"{w2} {w1} {w0}", twoone, f"{w3} {w2} {w1}", threetwo):
        if seq in SPECIAL_CASE_IDIOMS:
            valence = SPECIAL_CASE_IDIOMS[seq]
            break
    if n - 1 > i:
        zeroone = f"{w0} {ws[i + 1].word}"
        if zeroone in SPECIAL_CASE_IDIOMS:
            valence = SPECIAL_CASE_IDIOMS[zeroone]
    if n - 1 > i + 1:
        zeroonetwo = f"{w0} {ws[i + 1].word} {ws[i + 2].word}"
        if zeroonetwo in SPECIAL_CASE_IDIOMS:
            valence = SPECIAL_CASE_IDIOMS[zeroonetwo]
    # booster/dampener bigrams such as "sort of" or "kind of"
    if threetwo in BOOSTER_DICT or twoone in BOOSTER_DICT:
        valence = valence + B_DECR
    return valence


def _valence(ws: list[_Token], i: int, n: int, cap_diff: bool) -> float:
    """NLTK's sentiment_valence for the lexicon word at index ``i``."""
    tok = ws[i]
    valence = tok.valence
    if tok.upper and cap_diff:
        valence = valence + C_INCR if valence > 0 else valence - C_INCR
    for start_i in range(i if i < 3 else 3):
        prev = ws[i - start_i - 1]
        if prev.valence is not None:  # NLTK skips preceding lexicon words
            continue
        scalar = 0.0  # NLTK's scalar_inc_dec
        if prev.booster is not None:
            scalar = prev.booster
            if valence < 0:
                scalar *= -1
            if prev.upper and cap_diff:
                scalar = scalar + C_INCR if valence > 0 else scalar - C_INCR
        if start_i == 1 and scalar != 0:
            scalar = scalar * 0.95
        elif start_i == 2 and scalar != 0:
            scalar = scalar * 0.9
        valence = valence + scalar
        # NLTK's _never_check
        if start_i == 0:
            if ws[i - 1].negation:
                valence = valence * N_SCALAR
        elif start_i == 1:
            if ws[i - 2].word == "never" and ws[i - 1].word in ("so", "this"):
                valence = valence * 1.5
            elif ws[i - 2].negation:
                valence = valence * N_SCALAR
        else:
            if (ws[i - 3].word == "never" and ws[i - 2].word in ("so", "this")) or ws[
                i - 1
            ].word in ("so", "this"):
                valence = valence * 1.25
            elif ws[i - 3].negation:
                valence = valence * N_SCALAR
            if any(ws[k].idiom for k in range(i - 3, min(n, i + 3))):
                valence = _idioms_check(valence, ws, i, n)
    # NLTK's _least_check: "least" negates, except in "at least" / "very least"
    prev = ws[i - 1] if i else None
    if (
        prev is not None
        and prev.valence is None
        and prev.low == "least"
        and (i == 1 or ws[i - 2].low not in ("at", "very"))
    ):
        valence = valence * N_SCALAR
    return valence


def _plain_neighbours(odd: list[int], p: int) -> bool:
    """Whether no word from three before to two after ``p`` is odd.

    Then NLTK's sentiment_valence adds only zero scalars to the word's own
    valence (capitals aside): no booster, negation, "never/so/this", "least" or
    idiom word is near, so :func:`_valence` would return the valence as it is. Most
    lexicon words in real posts are like that; only the others take the long way.
    """
    if not odd:
        return True
    k = bisect_left(odd, p - 3)
    return k == len(odd) or odd[k] > p + 2


def score_values(text: str, tokens: TokenTable) -> tuple[float, float, float, float]:
    """Score one text as NLTK does: (compound, pos, neu, neg), NLTK-rounded.

    Args:
        text: The text.
        tokens: The scorer's token table (it carries the lexicon).

    Raises:
        TypeError: ``text`` is not a str (NLTK would score the repr of its UTF-8 bytes).
    """
    if not isinstance(text, str):
        raise TypeError(f"expected str, got {type(text).__name__}")
    # The table's lookups (and its __missing__) run in C through map; filter drops
    # the None of 1-character tokens (every _Token is a non-empty tuple, so true).
    ws = list(filter(None, map(tokens.__getitem__, text.split())))
    n = len(ws)
    if not n:
        return _EMPTY
    # Positions picked in C (compress over itemgetters), not in a Python loop per token.
    positions = range(n)
    hits = list(compress(positions, map(_SCORED, ws)))
    if not hits:
        return _ALL_NEUTRAL
    n_upper = sum(map(_UPPER, ws))
    cap_diff = 0 < n_upper < n  # some, but not all, words are ALL CAPS
    odd = list(compress(positions, map(_ODD, ws)))
    plain = not odd
    first: dict[str, float] = {}
    sentiments: list[float] = []
    for p in hits:
        tok = ws[p]
        valence = first.get(tok.word)
        if valence is None:
            # p is the word's first index; NLTK scores every repeat of a word
            # in the context of its first occurrence.
            if tok.booster is not None or (
                tok.low == "kind" and p < n - 1 and ws[p + 1].low == "of"
            ):
                valence = 0
            elif plain or _plain_neighbours(odd, p):
                valence = tok.valence
                if tok.upper and cap_diff:
                    valence = valence + C_INCR if valence > 0 else valence - C_INCR
            else:
                valence = _valence(ws, p, n, cap_diff)
            first[tok.word] = valence
        sentiments.append(valence)
    # NLTK's _but_check: halve before the first "but", boost after it.
    if "but" in text.lower():  # cheap pre-filter; the token test decides
        bi = next((p for p, tok in enumerate(ws) if tok.low == "but"), -1)
        if bi >= 0:
            sentiments = [
                s * 0.5 if p < bi else s * 1.5 if p > bi else s
                for p, s in zip(hits, sentiments, strict=True)
            ]
    return _score_valence(sentiments, n - len(hits), text)


def _score_valence(
    sentiments: list[float], zeros: int, text: str
) -> tuple[float, float, float, float]:
    """NLTK's score_valence over the non-zero-candidate sentiments plus ``zeros``."""
    sum_s = float(sum(sentiments))  # zeros never change a float sum
    amplifier = _emphasis(text)
    if sum_s > 0:
        sum_s += amplifier
    elif sum_s < 0:
        sum_s -= amplifier
    compound = sum_s / math.sqrt((sum_s * sum_s) + 15)
    pos_sum = 0.0
    neg_sum = 0.0
    neu_count = zeros
    for s in sentiments:
        # float(s) + 1 in NLTK: s is a float or a small int, so s + 1 adds the same value.
        if s > 0:
            pos_sum += s + 1  # compensates for neutral words counted as 1
        elif s < 0:
            neg_sum += s - 1
        elif s == 0:
            neu_count += 1
    if pos_sum > math.fabs(neg_sum):
        pos_sum += amplifier
    elif pos_sum < math.fabs(neg_sum):
        neg_sum -= amplifier
    total = pos_sum + math.fabs(neg_sum) + neu_count
    return (
        round(compound, 4),
        round(math.fabs(pos_sum / total), 3),
        round(math.fabs(neu_count / total), 3),
        round(math.fabs(neg_sum / total), 3),
    )
