"""Sentence splitting for long posts, with no downloaded model.

A regex finds candidate ends: a run of ``.``, ``!``, ``?`` or ``…`` (with any
closing quotes or brackets) followed by whitespace and then a capital letter, a
digit or an opening quote/bracket; or followed by emoji, which stay with the
sentence they close ("Love it! 😍 will buy again"). Line breaks always end a sentence:
posts use them as sentence and paragraph breaks. A single ``.`` after a known
abbreviation ("Mr.", "e.g.", "approx.") or an initial ("J. Smith") is not an end.
"""

from __future__ import annotations

import re

from engage_desktop.enrich.sentiment.vader_fast import SentimentScore, VaderScorer

# Emoji, pictographs and their joiners/modifiers.
_EMOJI = "\u2600-\u27bf\U0001f000-\U0001faff\u200d\ufe0f"
_END = re.compile(
    # terminal punctuation and any closing quotes/brackets ...
    r"(?P<end>[.!?…]+[\"'”’»)\]]*)"
    # ... then emoji, which belong to the sentence they follow ("Love it! 😍"),
    # and anything; or directly a capital, digit, opening quote or bracket.
    r"(?:(?P<emoji>(?:\s*[" + _EMOJI + r"]+)+)\s+(?=\S)"
    r"|\s+(?=[A-Z\u00c0-\u00de0-9\"'“‘«(\[]))"
    r"|\s*\n\s*"  # a line break always ends a sentence in a post
)
# The word right before a single ".", to recognise abbreviations and initials.
_LAST_WORD = re.compile(r"(\S+)\.$")
_ABBREVIATIONS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "mx",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "mt",
        "vs",
        "etc",
        "e.g",
        "eg",
        "i.e",
        "ie",
        "inc",
        "ltd",
        "co",
        "corp",
        "no",
        "nos",
        "fig",
        "approx",
        "appt",
        "apt",
        "dept",
        "est",
        "min",
        "max",
        "tel",
        "ext",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
        "u.s",
        "u.k",
        "a.m",
        "p.m",
    }
)


def _is_abbreviation(head: str) -> bool:
    """Whether ``head`` (text up to and including a single ".") ends in an abbreviation."""
    match = _LAST_WORD.search(head[-64:])  # bounded: a huge head must stay linear
    if match is None:
        return False
    word = match.group(1).lstrip("\"'“‘(«[")
    if len(word) == 1 and word.isalpha():
        return True  # an initial, e.g. "J. Smith"
    return word.lower() in _ABBREVIATIONS


def split_sentences(text: str) -> list[str]:
    """Split a post into sentences.

    Args:
        text: Plain text of any length.

    Returns:
        The sentences, stripped, in order; ``[]`` for blank text. Text without a
        sentence end comes back as one sentence.
    """
    sentences: list[str] = []
    start = 0
    for match in _END.finditer(text):
        if match.group("emoji"):
            end = match.end("emoji")
        elif match.group("end"):
            end = match.end("end")
            if match.group("end") == "." and _is_abbreviation(text[start:end]):
                continue
        else:
            end = match.start()
        piece = text[start:end].strip()
        if piece:
            sentences.append(piece)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def score_sentences(
    text: str, scorer: VaderScorer | None = None
) -> list[tuple[str, SentimentScore]]:
    """Score each sentence of a long post separately.

    Args:
        text: Plain text.
        scorer: Scorer to use (e.g. one with workspace adjustments); defaults to
            the shared default scorer.

    Returns:
        ``(sentence, score)`` pairs in order; ``[]`` for blank text.
    """
    if scorer is None:
        from engage_desktop.enrich.sentiment.vader_fast import default_scorer

        scorer = default_scorer()
    sentences = split_sentences(text)
    return list(zip(sentences, scorer.score_many(sentences), strict=True))
