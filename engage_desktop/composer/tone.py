"""The composer's tone check: VADER on the draft, plus greeting and name hints.

An apology is the right tone for a complaint, yet VADER scores "sorry about the
trouble" as negative. So words that apologise or name the customer's problem
(:data:`EMPATHY_WORDS`) are left out before the draft is scored: the check warns about
a reply that *sounds* negative (rude, blaming, gloomy), not one that says sorry.

Scoring goes through one function, :func:`compound`. It uses the fast VADER engine
(``engage_desktop.enrich.sentiment.score``) when that is installed, and otherwise NLTK's
``SentimentIntensityAnalyzer`` loaded with the shipped lexicon (never downloaded).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache

from engage_desktop.resources import resource

NEGATIVE_THRESHOLD = -0.05
POSITIVE_THRESHOLD = 0.05
# Words that score this low pull a reply down noticeably; they are named in the warning.
_HARSH_VALENCE = -1.0
_GREETING = re.compile(
    r"^\s*(?:@\S+\s+)*(hi|hello|hey|hiya|dear|good (?:morning|afternoon|evening)|"
    r"greetings|thanks|thank you|many thanks|welcome|sorry)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[\w']+")
_HANDLES = re.compile(r"@\S+")
EMPATHY_WORDS = (
    "sorry",
    "apologies",
    "apologise",
    "apologize",
    "apologised",
    "apologized",
    "regret",
    "unfortunately",
    "trouble",
    "troubles",
    "problem",
    "problems",
    "issue",
    "issues",
    "inconvenience",
    "frustration",
    "frustrating",
    "disruption",
    "outage",
)
_EMPATHY = re.compile(r"\b(" + "|".join(EMPATHY_WORDS) + r")\b", re.IGNORECASE)
_lock = threading.Lock()


@dataclass(frozen=True)
class ToneReport:
    """What the tone check found.

    Attributes:
        compound: VADER compound score in [-1, 1].
        label: positive, neutral or negative.
        warnings: Problems worth fixing before sending (a negative tone).
        hints: Gentler suggestions (greeting, the customer's name).
    """

    compound: float
    label: str
    warnings: tuple[str, ...]
    hints: tuple[str, ...]


@cache
def _scorer():
    """The scoring function: the fast engine if present, else NLTK's analyzer."""
    try:
        from engage_desktop.enrich.sentiment import score as fast_score  # lands with the engine
    except ImportError:
        fast_score = None
    if fast_score is not None:
        return lambda text: float(fast_score(text).compound)
    import nltk.data
    from nltk.sentiment.vader import SentimentIntensityAnalyzer

    lexicon = resource("vader", "vader_lexicon.txt")
    folder = str(lexicon.parent)
    # NLTK 3.10 only opens files below nltk.data.path; nothing is downloaded.
    if folder not in nltk.data.path:
        nltk.data.path.append(folder)
    analyzer = SentimentIntensityAnalyzer(lexicon_file=lexicon.as_uri())
    return lambda text: float(analyzer.polarity_scores(text)["compound"])


@cache
def _lexicon() -> dict[str, float]:
    values: dict[str, float] = {}
    raw = resource("vader", "vader_lexicon.txt").read_text(encoding="utf-8")
    for line in raw.split("\n"):
        parts = line.strip().split("\t")
        if len(parts) >= 2:
            try:
                values[parts[0].lower()] = float(parts[1])
            except ValueError:
                continue
    return values


def engine() -> str:
    """Which VADER scores drafts: "fast" (engage_desktop.enrich.sentiment) or "nltk"."""
    try:
        from engage_desktop.enrich.sentiment import score  # noqa: F401
    except ImportError:
        return "nltk"
    return "fast"


def compound(text: str) -> float:
    """VADER's compound score of ``text`` (thread-safe)."""
    with _lock:  # NLTK's analyzer is not documented as thread-safe
        scorer = _scorer()
    return scorer(text)


def warm_up() -> None:
    """Load the scorer and lexicon now (off the GUI thread), not on the first keystroke."""
    compound("warm up")
    _lexicon()


def label_for(value: float) -> str:
    """The VADER paper's label for a compound score."""
    if value >= POSITIVE_THRESHOLD:
        return "positive"
    if value <= NEGATIVE_THRESHOLD:
        return "negative"
    return "neutral"


def harsh_words(text: str, limit: int = 3) -> list[str]:
    """The most negative lexicon words in ``text``, worst first."""
    lexicon = _lexicon()
    found = {w.lower() for w in _WORD.findall(text)}
    scored = sorted(
        (lexicon[w], w)
        for w in found
        if lexicon.get(w, 0.0) <= _HARSH_VALENCE and not _EMPATHY.fullmatch(w)
    )
    return [w for _, w in scored[:limit]]


def is_blank(text: str) -> bool:
    """True when a draft holds nothing but @handles (the prefilled one) and spaces."""
    return not _HANDLES.sub("", text).strip()


def check_tone(text: str, customer_name: str | None = None) -> ToneReport:
    """Check a draft reply.

    Args:
        text: The draft.
        customer_name: The customer's first name (or handle) the reply should use.

    Returns:
        The score, its label, warnings and hints. An empty draft has neither.
    """
    if is_blank(text):
        return ToneReport(0.0, "neutral", (), ())
    value = compound(_EMPATHY.sub(" ", text))
    label = label_for(value)
    warnings: list[str] = []
    hints: list[str] = []
    if label == "negative":
        words = harsh_words(text)
        because = f" — words like {', '.join(repr(w) for w in words)} pull it down" if words else ""
        warnings.append(f"This reply reads negative ({value:+.2f}){because}. Soften it first.")
    if not _GREETING.search(text):
        who = f" {customer_name}" if customer_name else ""
        hints.append(f"No greeting: start with “Hi{who},”.")
    if customer_name and customer_name.lower() not in text.lower():
        hints.append(f"The reply does not use the customer's name ({customer_name}).")
    return ToneReport(round(value, 4), label, tuple(warnings), tuple(hints))
