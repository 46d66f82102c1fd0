"""Intent tags from rules the user can edit: complaint, question, churn risk, ...

A rule is a name and a pattern in watch-query syntax restricted to what both the
query language and SQL can run fast: words and "quoted phrases" joined by ``OR``,
with a trailing ``*`` for a prefix (``disconnect*``). Matching is on the folded
text (``mentions.text_norm``: lower case, no accents), with word boundaries, so
``"cancel my subscription"`` matches "Cancel my subscription!" but ``price`` does
not match "priceless". A term that is punctuation (``"?"``) matches anywhere.

Rules compile to one regular expression each and run inside DuckDB over many
mentions at once (:func:`intents_sql`); :func:`match_intents` does the same in
Python for one text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from engage_desktop.core.errors import InvalidInput
from engage_desktop.core.text import fold

#: The rules a new workspace starts with (schema migration 2 stores them; edit them
#: per workspace with `engage-desktop intents add`).
DEFAULT_RULES: tuple[tuple[str, str], ...] = (
    (
        "complaint",
        "broken OR terrible OR awful OR worst OR useless OR unacceptable OR ridiculous OR "
        '"not working" OR "doesn\'t work" OR "does not work" OR "stopped working" OR '
        '"keeps dropping" OR "keeps disconnecting" OR disappointed OR disappointing OR '
        '"no internet" OR "still waiting" OR refund OR "fed up"',
    ),
    (
        "question",
        '"?" OR "how do i" OR "how can i" OR "how to" OR "anyone know" OR "does anyone" OR '
        '"is there a way"',
    ),
    (
        "praise",
        'love OR "love it" OR great OR amazing OR excellent OR awesome OR fantastic OR '
        'brilliant OR "thank you" OR thanks OR impressed OR "well done" OR "highly recommend"',
    ),
    (
        "suggestion",
        '"would be nice" OR "would be great" OR "please add" OR "feature request" OR '
        '"wish it" OR "you should" OR "should add" OR suggestion OR "could you add"',
    ),
    (
        "purchase intent",
        '"thinking of buying" OR "want to buy" OR "going to buy" OR "looking to buy" OR '
        '"should i buy" OR "worth buying" OR "where can i buy" OR "just ordered" OR '
        '"planning to get" OR "considering buying"',
    ),
    (
        "churn risk",
        '"cancel my subscription" OR "cancelling my subscription" OR '
        '"canceling my subscription" OR "switching to" OR "returning it" OR '
        '"never again" OR "last straw" OR "done with"',
    ),
)

_TOKEN = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|(\S+))')


@dataclass(frozen=True)
class IntentRule:
    """One intent rule.

    Attributes:
        name: The tag given to matching mentions.
        pattern: Words and "phrases" joined by OR.
        enabled: Disabled rules tag nothing.
    """

    name: str
    pattern: str
    enabled: bool = True


def _terms(pattern: str) -> list[tuple[str, bool]]:
    """Split a pattern into (term, is_prefix) pairs; refuse what we cannot run."""
    terms: list[tuple[str, bool]] = []
    expect_term = True
    pos = 0
    text = pattern.strip()
    if not text:
        raise InvalidInput(
            'an intent pattern cannot be empty; give words or "phrases" joined by OR'
        )
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            break
        pos = match.end()
        phrase, word = match.group(1), match.group(2)
        if phrase is None and word == "OR":
            if expect_term:
                raise InvalidInput(f"intent pattern {pattern!r}: OR needs a term on both sides")
            expect_term = True
            continue
        if not expect_term:
            raise InvalidInput(
                f"intent pattern {pattern!r}: join terms with OR (AND, NOT and brackets "
                'are not supported in intent rules); quote phrases like "switching to"'
            )
        if phrase is not None:
            term, prefix = phrase.replace('\\"', '"'), False
        else:
            if word.startswith('"') or word in ("AND", "NOT") or word[0] in "()":
                raise InvalidInput(
                    f'intent pattern {pattern!r}: only words and "phrases" joined by OR '
                    "are supported"
                )
            prefix = word.endswith("*") and len(word) > 1
            term = word[:-1] if prefix else word
        term = " ".join(fold(term).split())
        if not term:
            raise InvalidInput(f"intent pattern {pattern!r}: empty phrase")
        terms.append((term, prefix))
        expect_term = False
    if expect_term:
        raise InvalidInput(f"intent pattern {pattern!r}: ends with OR")
    return terms


def compile_pattern(pattern: str) -> str:
    """The regular expression (RE2 and Python compatible) of a rule's pattern.

    Raises:
        InvalidInput: The pattern is not words/phrases joined by OR.
    """
    parts = []
    for term, prefix in _terms(pattern):
        body = re.escape(term).replace(r"\ ", r"\s+")
        left = r"\b" if re.match(r"\w", term) else ""
        if prefix:
            right = r"\w*"
        else:
            right = r"\b" if re.search(r"\w$", term) else ""
        parts.append(f"{left}{body}{right}")
    return "(?:" + "|".join(parts) + ")"


def validate_rule(name: str, pattern: str) -> IntentRule:
    """Check a user's rule; return it with a clean name.

    Raises:
        InvalidInput: Empty name or a pattern :func:`compile_pattern` refuses.
    """
    clean = " ".join(name.split()).lower()
    if not clean:
        raise InvalidInput("an intent rule needs a name, e.g. 'churn risk'")
    compile_pattern(pattern)
    return IntentRule(clean, pattern.strip())


def match_intents(text_norm: str, rules: Iterable[IntentRule]) -> list[str]:
    """The names of the enabled rules that match a folded text, in rule order."""
    return [
        rule.name
        for rule in rules
        if rule.enabled and re.search(compile_pattern(rule.pattern), text_norm)
    ]


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def intents_sql(rules: Sequence[IntentRule], column: str = "text_norm") -> str:
    """A DuckDB expression giving the list of matching intent names for each row."""
    enabled = [r for r in rules if r.enabled]
    if not enabled:
        return "[]::VARCHAR[]"
    cases = ", ".join(
        f"CASE WHEN regexp_matches({column}, {_sql_string(compile_pattern(r.pattern))}) "
        f"THEN {_sql_string(r.name)} END"
        for r in enabled
    )
    return f"list_filter([{cases}], lambda x: x IS NOT NULL)"
