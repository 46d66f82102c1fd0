"""Sentiment scoring (Qt-free): VADER, identical to NLTK's, several times faster.

NLTK 3.10.4's ``SentimentIntensityAnalyzer`` is the reference; this package
re-implements it exactly (see :mod:`~engage_desktop.enrich.sentiment.vader_fast`) with
the VADER lexicon shipped in ``resources/vader``. English only: posts in other
languages should be stored with the :data:`UNSCORED` label.

Typical use::

    from engage_desktop.enrich.sentiment import VaderScorer, iter_score_chunks

    scorer = VaderScorer({"sick": 2.0})          # per-workspace overrides
    scorer.score("This deck is SICK!!").label   # 'positive'
    for chunk in iter_score_chunks(texts, scorer=scorer, is_cancelled=flag.is_set):
        write(chunk.start, chunk.scores)         # one transaction per chunk
"""

from __future__ import annotations

from engage_desktop.enrich.sentiment.pool import (
    DEFAULT_CHUNK_SIZE,
    POOL_THRESHOLD,
    ScoredChunk,
    ScoringCancelled,
    ScoringPool,
    iter_score_chunks,
    score_batch,
)
from engage_desktop.enrich.sentiment.sentences import score_sentences, split_sentences
from engage_desktop.enrich.sentiment.vader_fast import (
    LABELS,
    NEGATIVE,
    NEGATIVE_THRESHOLD,
    NEUTRAL,
    POSITIVE,
    POSITIVE_THRESHOLD,
    SCORER_VERSION,
    UNSCORED,
    CacheStats,
    SentimentScore,
    VaderScorer,
    default_scorer,
    label_for,
    normalize_adjustments,
    scorer_version,
)


def score(text: str) -> SentimentScore:
    """Score one text with the default scorer (shipped lexicon, no adjustments).

    Args:
        text: Plain text; emoticons, emoji, capitals and punctuation count.

    Returns:
        The text's :class:`SentimentScore`.
    """
    return default_scorer().score(text)


__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "LABELS",
    "NEGATIVE",
    "NEGATIVE_THRESHOLD",
    "NEUTRAL",
    "POOL_THRESHOLD",
    "POSITIVE",
    "POSITIVE_THRESHOLD",
    "SCORER_VERSION",
    "UNSCORED",
    "CacheStats",
    "ScoredChunk",
    "ScoringCancelled",
    "ScoringPool",
    "SentimentScore",
    "VaderScorer",
    "default_scorer",
    "iter_score_chunks",
    "label_for",
    "normalize_adjustments",
    "score",
    "score_batch",
    "score_sentences",
    "scorer_version",
    "split_sentences",
]
