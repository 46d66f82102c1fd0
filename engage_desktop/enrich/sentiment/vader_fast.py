"""A fast re-implementation of NLTK 3.10.4's VADER scorer that gives the same scores.

NLTK's ``SentimentIntensityAnalyzer`` is the reference: for every text,
:meth:`VaderScorer.polarity_scores` returns the same dict as NLTK loaded with the
same lexicon file. The unit tests check this on thousands of varied texts.

Where the speed comes from, without changing any score:

* NLTK's tokenizer builds a dict of 34 punctuation variants of every word of
  every text. Which variant a token maps to depends only on the token itself
  (the word part must be free of ASCII punctuation and longer than one
  character), so each distinct raw token is analysed once and kept in a table
  with its lower case, ALL CAPS flag, lexicon valence, negation and booster flags.
* Only tokens in the lexicon carry valence; texts without one are neutral at once.
  Zeros do not change a float sum, so sums run over the non-zero tokens only.
* Repeated texts are answered from a bounded memo, and equal scores share one
  :class:`SentimentScore` object.

Quirks of NLTK that are kept on purpose (they are the reference): a repeated
word is scored in the context of its first occurrence; "never"/"so"/"this" and
idioms are compared case-sensitively; a sentiment word right after "so" or
"this" (with a non-lexicon word three back) is multiplied by 1.25; emoji get no
valence unless the lexicon has them; a text that is not a str is refused
(NLTK would score the repr of its UTF-8 bytes).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from itertools import islice
from pathlib import Path

from engage_desktop.enrich.sentiment._algorithm import TokenTable, score_values
from engage_desktop.enrich.sentiment._resources import lexicon_path

#: Identifies the algorithm; bump the suffix when scoring code changes any score.
ALGORITHM = "nltk-3.10.4-vader.1"

POSITIVE = "positive"
NEUTRAL = "neutral"
NEGATIVE = "negative"
#: Label for posts the engine does not score (e.g. not English).
UNSCORED = "unscored"
LABELS = (POSITIVE, NEUTRAL, NEGATIVE, UNSCORED)
#: VADER paper thresholds on the (rounded) compound score.
POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05

DEFAULT_CACHE_SIZE = 250_000
_SCORE_TABLE_SIZE = 100_000


def label_for(compound: float) -> str:
    """Return the label of a compound score with the VADER paper thresholds.

    Args:
        compound: Compound score in [-1, 1].

    Returns:
        ``"positive"`` if compound >= 0.05, ``"negative"`` if <= -0.05, else ``"neutral"``.
    """
    if compound >= POSITIVE_THRESHOLD:
        return POSITIVE
    if compound <= NEGATIVE_THRESHOLD:
        return NEGATIVE
    return NEUTRAL


@dataclass(frozen=True, slots=True)
class SentimentScore:
    """VADER scores of one text, rounded as NLTK rounds them.

    Attributes:
        compound: Normalised sum of valences in [-1, 1], 4 decimals.
        pos: Share of positive intensity, 3 decimals.
        neu: Share of neutral tokens, 3 decimals.
        neg: Share of negative intensity, 3 decimals.
        label: ``positive``, ``neutral`` or ``negative`` (see :func:`label_for`).
    """

    compound: float
    pos: float
    neu: float
    neg: float
    label: str


class CacheStats:
    """Counts of texts answered from the memo (hits) and computed (misses)."""

    __slots__ = ("hits", "misses")

    def __init__(self) -> None:
        self.hits = 0
        self.misses = 0

    @property
    def hit_rate(self) -> float:
        """Share of texts that were not computed, 0.0 when nothing was scored."""
        total = self.hits + self.misses
        return self.hits / total if total else 0.0


@cache
def _load_lexicon(path: str) -> tuple[dict[str, float], str]:
    """Parse a lexicon file exactly as NLTK does; return it with its SHA-256."""
    data = Path(path).read_bytes()
    try:  # nltk.data.load tries UTF-8 first, then Latin-1.
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    lexicon: dict[str, float] = {}
    for line in text.split("\n"):  # NLTK's make_lex_dict; a later duplicate wins
        word, measure = line.strip().split("\t")[0:2]
        lexicon[word] = float(measure)
    return lexicon, hashlib.sha256(data).hexdigest()


def normalize_adjustments(adjustments: Mapping[str, float] | None) -> dict[str, float]:
    """Validate lexicon overrides and fold their words to lower case.

    NLTK looks words up lower-cased, so an override for "Sick" must be stored as
    "sick" to have any effect.

    Args:
        adjustments: ``{word: valence}``; valences are usually within [-4, 4].

    Returns:
        The overrides sorted by word.

    Raises:
        ValueError: A word is empty or contains whitespace (it could never match a
            token), or a valence is not a finite number.
    """
    out: dict[str, float] = {}
    for word, valence in (adjustments or {}).items():
        key = str(word).strip().lower()
        if not key or any(ch.isspace() for ch in key):
            raise ValueError(f"lexicon adjustment {word!r}: must be one word")
        value = float(valence)
        if not math.isfinite(value):
            raise ValueError(f"lexicon adjustment {word!r}: valence must be finite")
        out[key] = value
    return dict(sorted(out.items()))


def scorer_version(
    adjustments: Mapping[str, float] | None = None, lexicon_file: str | Path | None = None
) -> str:
    """Return the version string of a scorer configuration.

    It changes when the algorithm, the lexicon file's bytes or the adjustments
    change, so stored scores can be recomputed when they are stale.

    Args:
        adjustments: Lexicon overrides, as given to :class:`VaderScorer`.
        lexicon_file: Lexicon path; defaults to the shipped lexicon.

    Returns:
        E.g. ``"nltk-3.10.4-vader.1+lex.1ec9c6e9ee19"`` or, with overrides,
        ``"...+adj.3f2a..."``.
    """
    digest = _load_lexicon(str(lexicon_file or lexicon_path()))[1]
    version = f"{ALGORITHM}+lex.{digest[:12]}"
    adjusted = normalize_adjustments(adjustments)
    if adjusted:
        blob = json.dumps(list(adjusted.items()), ensure_ascii=False)
        version += "+adj." + hashlib.sha256(blob.encode()).hexdigest()[:12]
    return version


class VaderScorer:
    """Scores English text with VADER, identical to NLTK's analyzer but faster.

    A scorer is cheap to create (the lexicon file is parsed once per process) and
    keeps a bounded memo of recent texts. It may be shared between threads (its
    tables are dicts changed by single operations; only the statistics can
    undercount), but scoring holds the GIL: use :class:`ScoringPool` for parallelism.

    Args:
        adjustments: Per-workspace ``{word: valence}`` overrides applied on top of
            the lexicon (e.g. ``{"sick": 2.0}`` for a skate brand).
        lexicon_file: Lexicon path; defaults to the shipped VADER lexicon.
        cache_size: Most texts kept in the memo; 0 disables it.
    """

    def __init__(
        self,
        adjustments: Mapping[str, float] | None = None,
        *,
        lexicon_file: str | Path | None = None,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        self.lexicon_file = Path(lexicon_file or lexicon_path())
        base = _load_lexicon(str(self.lexicon_file))[0]
        self._adjustments = normalize_adjustments(adjustments)
        # The parsed base lexicon is shared between scorers, so never mutate it.
        self._lexicon = {**base, **self._adjustments} if self._adjustments else base
        self.version = scorer_version(self._adjustments, self.lexicon_file)
        self.stats = CacheStats()
        self._cache_size = cache_size
        self._cache: dict[str, SentimentScore] = {}
        self._scores: dict[tuple[float, ...], SentimentScore] = {}
        self._tokens = TokenTable(self._lexicon)

    @property
    def adjustments(self) -> dict[str, float]:
        """A copy of the normalised lexicon overrides (lower-case words, sorted)."""
        return dict(self._adjustments)

    def valence_of(self, word: str) -> float | None:
        """Return the lexicon valence used for ``word`` (adjusted), or None."""
        return self._lexicon.get(word.lower())

    def score(self, text: str) -> SentimentScore:
        """Score one text (memoised).

        Args:
            text: Plain text; emoticons, emoji, capitals and punctuation count.

        Returns:
            The text's :class:`SentimentScore`.
        """
        return self.score_many((text,))[0]

    def score_many(self, texts: Iterable[str]) -> list[SentimentScore]:
        """Score texts in this process, in order, using and filling the memo."""
        cache = self._cache
        get = cache.get
        tokens = self._tokens
        make = self.make_score
        out: list[SentimentScore] = []
        append = out.append
        misses = 0
        for text in texts:
            found = get(text)
            if found is None:
                found = make(score_values(text, tokens))
                misses += 1
                if self._cache_size:
                    if len(cache) >= self._cache_size:
                        self._evict()
                    cache[text] = found
            append(found)
        self.stats.hits += len(out) - misses
        self.stats.misses += misses
        return out

    def polarity_scores(self, text: str) -> dict[str, float]:
        """Return NLTK's dict (``neg``, ``neu``, ``pos``, ``compound``) for ``text``."""
        compound, pos, neu, neg = self.values(text)
        return {"neg": neg, "neu": neu, "pos": pos, "compound": compound}

    def lookup(self, texts: Iterable[str]) -> list[SentimentScore | None]:
        """Return the memoised score of each text, None where there is none."""
        return list(map(self._cache.get, texts))

    def remember(self, scores: Mapping[str, SentimentScore]) -> None:
        """Put scores computed elsewhere (e.g. by pool workers) into the memo."""
        if self._cache_size:
            if len(self._cache) + len(scores) > self._cache_size:
                self._evict(len(self._cache) + len(scores) - self._cache_size)
            self._cache.update(scores)

    def clear_cache(self) -> None:
        """Forget memoised texts and reset the statistics (the token table stays)."""
        self._cache.clear()
        self.stats = CacheStats()

    def make_score(self, values: tuple[float, ...]) -> SentimentScore:
        """Return the shared :class:`SentimentScore` for (compound, pos, neu, neg)."""
        found = self._scores.get(values)
        if found is None:
            if len(self._scores) >= _SCORE_TABLE_SIZE:
                self._scores.clear()
            compound, pos, neu, neg = values
            found = SentimentScore(compound, pos, neu, neg, label_for(compound))
            self._scores[values] = found
        return found

    def values(self, text: str) -> tuple[float, float, float, float]:
        """Score one text without the memo: (compound, pos, neu, neg), NLTK-rounded.

        Raises:
            TypeError: ``text`` is not a str.
        """
        return score_values(text, self._tokens)

    def _evict(self, at_least: int = 1) -> None:
        # Drop the oldest half in place (dicts keep insertion order): FIFO is
        # cheaper than LRU bookkeeping on every hit, and callers hold the dict.
        for key in list(islice(self._cache, max(at_least, len(self._cache) // 2))):
            self._cache.pop(key, None)  # pop: another thread may evict the same key


@cache
def default_scorer() -> VaderScorer:
    """Return the process-wide scorer: shipped lexicon, no adjustments."""
    return VaderScorer()


#: Version of the default configuration (shipped lexicon, no adjustments).
SCORER_VERSION = scorer_version()
