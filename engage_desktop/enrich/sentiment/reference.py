"""NLTK's own VADER analyzer on the shipped lexicon: the reference for tests and benchmarks.

The app never needs this (importing NLTK costs ~0.5 s); it exists so that tests
and benchmarks compare the fast engine with exactly the analyzer it mirrors.
Nothing is downloaded: the shipped lexicon folder is appended to
``nltk.data.path``, the only folders NLTK 3.10 agrees to open files from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from engage_desktop.enrich.sentiment._resources import lexicon_path, vader_dir
from engage_desktop.enrich.sentiment.vader_fast import normalize_adjustments

if TYPE_CHECKING:
    from nltk.sentiment.vader import SentimentIntensityAnalyzer


def nltk_analyzer(
    adjustments: Mapping[str, float] | None = None,
) -> SentimentIntensityAnalyzer:
    """Return NLTK's ``SentimentIntensityAnalyzer`` loaded with the shipped lexicon.

    Args:
        adjustments: Lexicon overrides, applied as :class:`VaderScorer` applies them.

    Returns:
        A fresh analyzer; its ``lexicon`` dict may be modified by the caller.
    """
    import nltk.data
    from nltk.sentiment.vader import SentimentIntensityAnalyzer

    folder = str(vader_dir())
    if folder not in nltk.data.path:
        nltk.data.path.append(folder)
    # A file: URI names exactly our file; a bare name could be shadowed by an
    # earlier nltk.data.path entry.
    analyzer = SentimentIntensityAnalyzer(lexicon_file=lexicon_path().as_uri())
    analyzer.lexicon.update(normalize_adjustments(adjustments))
    return analyzer
