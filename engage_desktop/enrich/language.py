"""Offline language detection with py3langid (its model ships inside the wheel).

Why py3langid: on the 91 labelled posts of ``benchmarks/data/language_labelled.csv``
it was right on all of them at ~30,000 posts/s on one core, with a 4.5 MB model
that loads in 0.5 s and needs only numpy. lingua-language-detector was as
accurate in high-accuracy mode but ~45x slower and used 1.4 GB with its models
loaded; langdetect was slower still and not deterministic without a seed
(``benchmarks/enrich.py`` measures all three when installed).

Very short posts ("lol", "terrible support") carry too little text to tell a
language: below :data:`MIN_CONFIDENCE` we store ``und`` (ISO 639 "undetermined")
and the sentiment step scores them as English, the workspace's working language.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

#: Language code stored when a post is too short or ambiguous to tell.
UNDETERMINED = "und"
#: Below this normalised probability the detection is not trusted.
MIN_CONFIDENCE = 0.5
#: Languages VADER scores: English, and posts we cannot tell (mostly short English).
SCORED_LANGUAGES = frozenset({"en", UNDETERMINED})

_identifier: Any = None
_lock = threading.Lock()


def _get_identifier() -> Any:
    """Load the shipped model once per process (0.5 s), on first use."""
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _identifier = LanguageIdentifier.from_model_file(
                MODEL_FILE, norm_probs=True, min_confidence=MIN_CONFIDENCE
            )
    return _identifier


def normalize_language(code: str | None) -> str | None:
    """``en-US`` / ``EN_gb`` -> ``en``; None or blank stays None."""
    if code is None:
        return None
    code = str(code).strip().lower().replace("_", "-")
    return code.split("-")[0] or None


def detect_language(text: str) -> str:
    """The ISO 639 code of ``text``'s language, or ``und`` when unsure.

    Args:
        text: Plain text.

    Returns:
        E.g. ``"en"``, ``"de"``; :data:`UNDETERMINED` for blank or very short text.
    """
    if not text or not any(ch.isalpha() for ch in text):
        return UNDETERMINED
    code, _confidence = _get_identifier().classify(text)
    code = normalize_language(code)
    # "zxx" is the model's "no linguistic content" (emoji, numbers, links).
    return UNDETERMINED if code in (None, "zxx") else code


def detect_languages(texts: Sequence[str]) -> list[str]:
    """:func:`detect_language` for each text, in order."""
    return [detect_language(t) for t in texts]


def is_scored_language(code: str | None) -> bool:
    """Whether VADER should score a post in this language (None counts as unknown)."""
    return (normalize_language(code) or UNDETERMINED) in SCORED_LANGUAGES
