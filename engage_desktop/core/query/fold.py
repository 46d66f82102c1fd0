"""Regexes over unfolded text that accept exactly the strings whose fold matches.

``text_norm`` is stored folded, but ``author_name``, ``author_handle`` and
``source_name`` are stored as written. DuckDB's ``lower``/``strip_accents`` do not
fold like :func:`engage_desktop.core.text.fold` (``ß``, ligatures, full-width
letters, Hangul...), so ``author:`` and ``source:`` cannot be compiled to "fold the
column and compare". Instead this module builds, for a pattern over *folded*
text, an RE2 regex over the *raw* column that accepts a string exactly when its
fold matches the pattern (the inverse image of a regular language under a
per-character mapping is regular).

Folding is per character (NFKD decomposes each character alone, dropped marks
never interact, case folding has no context), so a raw string folds to the
concatenation of its characters' folds. The pattern is a small NFA over folded
characters; raw character ``c`` moves the NFA by reading ``fold(c)`` (possibly
zero or several folded characters). The resulting NFA over raw characters only
moves forward or loops, so it is written out as a regex state by state.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache, lru_cache
from itertools import chain

from engage_desktop.core.query.ast import STAR
from engage_desktop.core.query.tokens import fold, re2_class_from_ranges

# Characters above U+3FFFF outside plane 14 are unassigned or private use, which
# fold to themselves; skipping them makes the one-off table build ~0.4 s.
_SCAN = (range(0xD800), range(0xE000, 0x40000), range(0xE0000, 0xE1000))
_ANY = "(?s:.)"
# Past this the regex is too big to be worth it; the caller falls back to Python.
MAX_PATTERN = 400_000


class PatternTooLarge(Exception):
    """The raw-text regex would be unreasonably large."""


@cache
def _tables() -> tuple[
    dict[int, str], dict[str, list[tuple[int, str]]], list[tuple[int, str]], str
]:
    """Fold table: characters whose fold is not themselves, grouped for lookup."""
    table: dict[int, str] = {}
    for cp in chain(*_SCAN):
        ch = chr(cp)
        folded = fold(ch)
        if folded != ch:
            table[cp] = folded
    by_first: dict[str, list[tuple[int, str]]] = defaultdict(list)
    multi: list[tuple[int, str]] = []
    empty: list[int] = []
    for cp, folded in table.items():
        if not folded:
            empty.append(cp)
            continue
        by_first[folded[0]].append((cp, folded))
        if len(folded) > 1:
            multi.append((cp, folded))
    return table, dict(by_first), multi, _class(empty)


def _class(cps: list[int] | set[int]) -> str:
    ranges: list[list[int]] = []
    for cp in sorted(cps):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return re2_class_from_ranges([(lo, hi) for lo, hi in ranges]) if ranges else ""


class _Nfa:
    """Pattern over folded text: literal characters and ``*`` (any run).

    States are ``0..n``; state ``p`` means ``toks[:p]`` has been read. ``skips``
    adds optional parts as forward ε-moves (``p -> q``).
    """

    def __init__(self, toks: list[str], skips: dict[int, set[int]]) -> None:
        self.toks = toks
        self.n = len(toks)
        self.eps: dict[int, set[int]] = defaultdict(set)
        for p, targets in skips.items():
            self.eps[p] |= targets
        for p, tok in enumerate(toks):
            if tok == STAR:
                self.eps[p].add(p + 1)

    def closure(self, states: set[int]) -> set[int]:
        out, stack = set(states), list(states)
        while stack:
            for q in self.eps.get(stack.pop(), ()):
                if q not in out:
                    out.add(q)
                    stack.append(q)
        return out

    def step(self, states: set[int], ch: str) -> set[int]:
        out = set()
        for s in states:
            if s < self.n:
                tok = self.toks[s]
                if tok == STAR:
                    out.add(s)
                elif tok == ch:
                    out.add(s + 1)
        return out

    def run(self, folded: str, p: int) -> set[int]:
        """States reached from ``p`` reading ``folded``, the first character at ``p``.

        ε-moves before the first character are not taken here: the regex for ``p``
        offers the ε-targets' regexes as alternatives instead, which keeps it small.
        """
        states = {p}
        for k, ch in enumerate(folded):
            states = self.step(self.closure(states) if k else states, ch)
            if not states:
                break
        return states

    def edges(self, p: int) -> dict[int, set[int]]:
        """Raw characters that move the NFA from ``p`` to a later state, by target."""
        table, by_first, multi, _ = _tables()
        out: dict[int, set[int]] = defaultdict(set)
        if p == self.n:
            return out
        tok = self.toks[p]
        if tok == STAR:
            # A single folded character is swallowed by the star (a loop); only a
            # character folding to several can also reach the literals after it.
            follow = {t for t in self.toks[p + 1 :] if t != STAR}
            later_star = any(self.toks[q] == STAR for q in self.closure({p}) - {p} if q < self.n)
            candidates = [(cp, f) for cp, f in multi if later_star or follow.intersection(f[1:])]
        else:
            if ord(tok) not in table:
                out[p + 1].add(ord(tok))
            candidates = by_first.get(tok, [])
        for cp, folded in candidates:
            for q in self.run(folded, p):
                if q > p:
                    out[q].add(cp)
        return out

    def regex(self) -> str:
        """RE2 regex over raw text for the whole pattern (not anchored)."""
        memo: dict[int, str] = {}
        for p in range(self.n, -1, -1):
            alts = [_class(cps) + memo[q] for q, cps in sorted(self.edges(p).items())]
            alts.extend(memo[q] for q in sorted(self.eps.get(p, ())))
            if p == self.n:
                alts.append("")
            body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
            star = p < self.n and self.toks[p] == STAR
            # A star loops on anything. Characters folding to nothing (combining
            # accents typed separately) could loop anywhere, but the SQL removes them
            # first (fold_empty_class): looping on a 2,400-character class in every
            # state made the regex too big for RE2's fast DFA.
            memo[p] = (_ANY + "*" if star else "") + body
            if len(memo[p]) > MAX_PATTERN:
                raise PatternTooLarge(len(memo[p]))
        return memo[0]


def fold_empty_class() -> str:
    """RE2 class of the characters that fold to nothing, to delete before matching."""
    return _tables()[3]


def _toks(value: str) -> list[str]:
    toks: list[str] = []
    for ch in value:
        if not (ch == STAR and toks and toks[-1] == STAR):
            toks.append(ch)
    return toks


# Building a value's regex walks the fold tables: 5-35 ms for one author:/source:
# value, and the same query is compiled again for every page, count and read-ahead
# of a search and for each saved view's live count. A few KB each as a rule.
@lru_cache(maxsize=64)
def whole_value_regex(value: str) -> str:
    """RE2 regex: the raw string's fold is ``value`` (``*`` = any characters).

    The raw string must first have the characters of :func:`fold_empty_class`
    removed (they fold to nothing, so this does not change its fold).

    Args:
        value: Folded value, as in a ``source:`` field.

    Returns:
        An anchored RE2 pattern.

    Raises:
        PatternTooLarge: The regex would exceed :data:`MAX_PATTERN` characters.
    """
    return f"^(?:{_Nfa(_toks(value), {}).regex()})$"


@lru_cache(maxsize=64)
def handle_regex(value: str) -> str:
    """RE2 regex for ``@?value(@*)?`` over folded text, i.e. a handle with or
    without its ``@``, or a fediverse ``@user@host`` whose user part is ``value``.

    As for :func:`whole_value_regex`, remove :func:`fold_empty_class` characters
    from the raw string first.

    Args:
        value: Folded value without a leading ``@``.

    Returns:
        An anchored RE2 pattern.

    Raises:
        PatternTooLarge: The regex would exceed :data:`MAX_PATTERN` characters.
    """
    toks = ["@", *_toks(value), "@", STAR]
    end_of_value = len(toks) - 2
    skips = {0: {1}, end_of_value: {len(toks)}}
    return f"^(?:{_Nfa(toks, skips).regex()})$"
