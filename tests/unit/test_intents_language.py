"""Intent rules and language detection (no workspace needed)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from engage_desktop.core.errors import InvalidInput
from engage_desktop.core.intents import (
    DEFAULT_RULES,
    IntentRule,
    compile_pattern,
    match_intents,
    validate_rule,
)
from engage_desktop.core.text import fold
from engage_desktop.enrich.language import (
    UNDETERMINED,
    detect_language,
    is_scored_language,
    normalize_language,
)

DEFAULTS = [IntentRule(n, p) for n, p in DEFAULT_RULES]
LABELLED = Path(__file__).resolve().parents[2] / "benchmarks/data/language_labelled.csv"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I want to cancel my subscription, switching to Orbit", ["churn risk"]),
        ("Router keeps dropping. Terrible.", ["complaint"]),
        ("How do I set up the guest network?", ["question"]),
        ("Love it, thanks team!", ["praise"]),
        ("It would be nice to have a dark mode. Feature request!", ["suggestion"]),
        ("Thinking of buying the Mesh Pro", ["purchase intent"]),
        ("Firmware notes for version 4", []),
    ],
)
def test_default_rules_tag_typical_posts(text, expected):
    assert sorted(match_intents(fold(text), DEFAULTS)) == sorted(expected)


def test_words_match_whole_words_phrases_fold_and_prefixes_work():
    assert re_search("price", "priceless router") is False
    assert re_search("price", "what a price!") is True
    assert re_search('"cancel my subscription"', fold("CANCEL  my   Subscription!!")) is True
    assert re_search("disconnect*", "it disconnects hourly") is True
    assert re_search('"?"', "does it work?") is True
    assert re_search("cafe", fold("Café au lait")) is True


def re_search(pattern: str, text: str) -> bool:
    import re

    return re.search(compile_pattern(pattern), text) is not None


@pytest.mark.parametrize(
    "pattern", ["", "a OR", "OR b", "refund broken", "refund AND broken", "(a OR b)", '"" OR a']
)
def test_unsupported_patterns_are_one_clear_error(pattern):
    with pytest.raises(InvalidInput) as info:
        validate_rule("x", pattern)
    assert "\n" not in str(info.value)


def test_disabled_rules_tag_nothing():
    assert match_intents("refund please", [IntentRule("complaint", "refund", False)]) == []


def test_language_detection_on_labelled_posts():
    with LABELLED.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    right = sum(detect_language(r["text"]) == r["lang"] for r in rows)
    assert len(rows) >= 80
    assert right / len(rows) >= 0.95


def test_short_or_textless_posts_are_undetermined_and_scored():
    for text in ("", "😍😍😍", "lol", "123 456"):
        assert detect_language(text) == UNDETERMINED
    assert is_scored_language(UNDETERMINED)
    assert is_scored_language(None)
    assert is_scored_language("en-GB")
    assert not is_scored_language("de")
    assert normalize_language("EN_us") == "en"
