"""Compiling watch queries to a DuckDB WHERE-clause fragment.

Back-testing a query over a million stored mentions and the inbox search box run
the query in DuckDB, and must select exactly the rows :mod:`query_match` accepts.
The fragment reads these ``mentions`` columns: ``text_norm`` (folded title and
text, NOT NULL), ``author_name``, ``author_handle``, ``source_name``, ``language``
and ``url``.

How each construct compiles, and why:

* A word or phrase is ``contains(text_norm, ?) AND regexp_matches(text_norm, ?)``.
  The substring tests (each word's longest literal piece) reject most rows for a
  few nanoseconds each; the regex then checks word boundaries. RE2's ``\\b``
  is ASCII-only, so boundaries are written as explicit classes of word characters
  (:mod:`query_tokens`): ``(^|[^W])acme([^W]|$)``. ``*`` becomes ``[W]*``.
* Between the two sit *quick accepts*: ``regexp_matches(text_norm, ' acme([^A]|$)')``
  OR the same with ``^`` for the space (a title's first word) OR the exact regex,
  where ``[^A]`` is an ASCII character that is not a word character. The first
  starts with a literal, so RE2 skips to its candidates with ``memchr`` instead of
  stepping its automaton through every byte (which a leading ``(^|[^W])``
  forces); the second fails at the first byte that differs. Each is a subset of
  the exact regex (a space and ASCII separators are separators, ASCII word
  characters are word characters), so the OR is exact; DuckDB evaluates an OR's
  next test only on the rows the ones before rejected, so the exact regex runs on
  ``#acme``, ``acmeist`` and the like alone. Counting ``router`` (307k of the 1M
  demo's mentions) took 150-185 ms of CPU with the exact regex alone, 87-105 ms
  so; ``"mesh pro"`` 126-131 ms, and 96-102 ms with both words' substring tests;
  ``"firmware update"``, half of whose matches start a title, 117 ms with the
  first quick accept, 77 with both.
* ``NEAR/n`` counts words, which in one regex with the full Unicode word class
  makes RE2's DFA blow up (7 s instead of 0.2 s per million rows for n >= 6).
  So non-ASCII separators are first replaced by a space, after which a word
  character is simply "ASCII letter, digit, ``_`` or any non-ASCII character" and
  the gap ``([^W]+[W]+){0,n}[^W]+`` stays cheap. Replacing one separator with
  another does not change the words, so this is exact.
* ``author:``/``source:`` run over raw columns with the inverse-fold regexes of
  :mod:`query_fold`; ``lang:``/``site:`` use the same regexes as the Python
  matcher (:func:`query_match.field_regex`). NULL columns count as empty strings so
  that ``NOT`` behaves as in Python.

Everything compiles exactly. The one escape hatch: an ``author:``/``source:``
value whose raw-text regex would be huge. Then :attr:`SqlFilter.exact` is False
and the fragment is a superset (the field is TRUE where it counts positively and
FALSE under a NOT); the caller re-checks the returned rows with Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from engage_desktop.core.query.ast import STAR, And, Field, Near, Node, Not, Term
from engage_desktop.core.query.fold import (
    PatternTooLarge,
    fold_empty_class,
    handle_regex,
    whole_value_regex,
)
from engage_desktop.core.query.match import field_regex
from engage_desktop.core.query.parse import parse_node
from engage_desktop.core.query.tokens import re2_class_from_ranges, re2_word_class, word_ranges

# After non-ASCII separators are replaced with spaces (see module doc).
_W_SIMPLE = r"[0-9A-Z_a-z\x{80}-\x{10FFFF}]"
_NW_SIMPLE = r"[^0-9A-Z_a-z\x{80}-\x{10FFFF}]"
# The quick accept's classes (see module doc): ASCII word characters, and ASCII
# characters that are not (a subset of the separators whatever the Unicode tables say).
_W_ASCII = r"[0-9A-Z_a-z]"
_NW_ASCII = _NW_SIMPLE


class SqlFilter(tuple):
    """A ``(sql, params)`` pair, unpackable as such, that also says if it is exact.

    Attributes:
        sql: Boolean SQL expression with ``?`` placeholders.
        params: Values for the placeholders, in order.
        exact: False when the SQL only narrows the candidates and each returned
            row must be re-checked with ``Query.matches``.
    """

    exact: bool

    def __new__(cls, sql: str, params: list, exact: bool = True) -> SqlFilter:
        self = super().__new__(cls, (sql, params))
        self.exact = exact
        return self

    @property
    def sql(self) -> str:
        return self[0]

    @property
    def params(self) -> list:
        return self[1]


@dataclass(frozen=True)
class _Columns:
    text_norm: str
    author_name: str
    author_handle: str
    source_name: str
    language: str
    url: str


@cache
def _classes() -> tuple[str, str, str]:
    """(word class, non-word class, non-ASCII non-word class) for RE2."""
    ascii_and_words = ((0, 0x7F), *(r for r in word_ranges() if r[0] > 0x7F))
    return (
        re2_word_class(),
        re2_word_class(negate=True),
        re2_class_from_ranges(sorted(ascii_and_words), negate=True),
    )


def _re2_word(pattern: str, word_class: str) -> str:
    out = []
    for ch in pattern:
        if ch == STAR:
            out.append(word_class + "*")
        elif ch.isascii():
            out.append(ch)  # word characters: letters, digits, '_' - never special
        else:
            out.append(f"\\x{{{ord(ch):X}}}")
    return "".join(out)


def _term_regex(term: Term, w: str, nw: str) -> str:
    """The term without outer boundaries: words separated by non-word runs."""
    return f"{nw}+".join(_re2_word(word, w) for word in term.words)


def _quick_accepts(term: Term) -> list[str]:
    """Regexes that accept only texts the term's exact regex accepts, fast to run.

    The term after a space, then at the very start, each before an ASCII separator
    or the end, with ASCII separators between its words and ASCII word characters
    for ``*``: each part a subset of the exact regex's. Empty when the term starts
    with ``*`` (no literal to skip ahead to, so no gain).
    """
    if term.words[0].startswith(STAR):
        return []
    body = f"{_term_regex(term, _W_ASCII, _NW_ASCII)}(?:{_NW_ASCII}|$)"
    return [f" {body}", f"^{body}"]


def _literals(term: Term) -> list[str]:
    """Substrings every match contains: each word's longest literal piece, longest first.

    A piece inside another one (``router`` in ``"router routers"``) is left out.
    """
    pieces = sorted({max(word.split(STAR), key=len) for word in term.words} - {""}, key=len)
    kept: list[str] = []
    for piece in reversed(pieces):
        if not any(piece in longer for longer in kept):
            kept.append(piece)
    return kept


class _Compiler:
    def __init__(self, cols: _Columns) -> None:
        self.c = cols
        self.params: list = []
        self.exact = True
        self.under_not = 0  # how many NOTs enclose the node being compiled

    def param(self, value: object) -> str:
        self.params.append(value)
        return "?"

    def compile(self, node: Node, negated: bool = False) -> str:
        if isinstance(node, Term):
            return self.term(node)
        if isinstance(node, Near):
            return self.near(node)
        if isinstance(node, Field):
            return self.field(node, negated)
        if isinstance(node, Not):
            self.under_not += 1
            child = self.compile(node.child, not negated)
            self.under_not -= 1
            return f"(NOT {child})"
        joiner = " AND " if isinstance(node, And) else " OR "
        return "(" + joiner.join(self.compile(c, negated) for c in node.children) + ")"

    def contains(self, term: Term) -> str:
        tests = [f"contains({self.c.text_norm}, {self.param(p)})" for p in _literals(term)]
        if not tests:  # a term of stars alone: nothing to look for
            return "TRUE"
        return tests[0] if len(tests) == 1 else "(" + " AND ".join(tests) + ")"

    def term(self, term: Term) -> str:
        w, nw, _ = _classes()
        prefilter = self.contains(term)
        exact = f"(?:^|{nw}){_term_regex(term, w, nw)}(?:{nw}|$)"
        tests = [
            f"regexp_matches({self.c.text_norm}, {self.param(regex)})"
            for regex in (*_quick_accepts(term), exact)
        ]
        if not self.under_not:
            # In a WHERE, DuckDB runs each test of an OR only on the rows the tests
            # before it rejected (markers in text order), and splits the ANDs so
            # that every term's substring tests run before any regex.
            return f"({prefilter} AND ({' OR '.join(tests)}))"
        # Under a NOT the same chain as CASE branches (see guarded).
        *quick, last = tests
        chain = "".join(f"WHEN {t} THEN true " for t in quick)
        return self.guarded(prefilter, f"(CASE {chain}ELSE {last} END)" if quick else last)

    def guarded(self, prefilter: str, test: str) -> str:
        """``prefilter AND test``, with ``test`` run only where ``prefilter`` holds.

        A WHERE's AND does that by itself, but DuckDB evaluates a NOT's operand
        whole, AND and OR included, on every row: ``-porto`` ran its regexes on all
        1M texts (680 ms of CPU, not 80). A CASE evaluates a branch only on the
        rows that reach it, wherever it stands.
        """
        if not self.under_not:
            return f"({prefilter} AND {test})"
        return f"(CASE WHEN {prefilter} THEN {test} ELSE false END)"

    def near(self, node: Near) -> str:
        w, nw = _W_SIMPLE, _NW_SIMPLE
        checks = []
        for side in (node.left, node.right):
            tests = [self.contains(t) for t in side]
            checks.append(tests[0] if len(tests) == 1 else f"({' OR '.join(tests)})")
        prefilter = f"({' AND '.join(checks)})"

        def alt(terms: tuple[Term, ...]) -> str:
            return "(?:" + "|".join(_term_regex(t, w, nw) for t in terms) + ")"

        left, right = alt(node.left), alt(node.right)
        gap = f"(?:{nw}+{w}+){{0,{node.distance}}}{nw}+"
        regex = f"(?:^|{nw}){left}{gap}{right}(?:{nw}|$)|(?:^|{nw}){right}{gap}{left}(?:{nw}|$)"
        spaced = f"regexp_replace({self.c.text_norm}, {self.param(_classes()[2])}, ' ', 'g')"
        return self.guarded(prefilter, f"regexp_matches({spaced}, {self.param(regex)})")

    def raw(self, column: str) -> str:
        """A raw column with NULL as '' and fold-empty characters removed."""
        value = f"coalesce({column}, '')"
        # ASCII strings (strlen = length) cannot hold such characters; skipping the
        # replace for them halves the cost.
        return (
            f"(CASE WHEN strlen({value}) = length({value}) THEN {value} "
            f"ELSE regexp_replace({value}, {self.param(fold_empty_class())}, '', 'g') END)"
        )

    def field(self, node: Field, negated: bool) -> str:
        c = self.c
        if node.name in ("lang", "site"):
            column = c.language if node.name == "lang" else c.url
            return f"regexp_matches(coalesce({column}, ''), {self.param(field_regex(node, '$'))})"
        try:
            whole = whole_value_regex(node.value)
            handle = handle_regex(node.value) if node.name == "author" else ""
        except PatternTooLarge:
            self.exact = False
            return "FALSE" if negated else "TRUE"
        if node.name == "source":
            return f"regexp_matches({self.raw(c.source_name)}, {self.param(whole)})"
        by_name = f"regexp_matches({self.raw(c.author_name)}, {self.param(whole)})"
        by_handle = f"regexp_matches({self.raw(c.author_handle)}, {self.param(handle)})"
        return f"({by_name} OR {by_handle})"


def to_sql(query: object, *, alias: str | None = None) -> SqlFilter:
    """Compile a query to a DuckDB WHERE-clause fragment over ``mentions`` columns.

    Args:
        query: A ``Query``, a syntax-tree node or query text.
        alias: Table alias to qualify the columns with (``m`` -> ``m.text_norm``).

    Returns:
        ``(sql, params)`` as a :class:`SqlFilter`; check ``.exact`` (see module doc).

    Raises:
        QuerySyntaxError: ``query`` is text that does not parse.
    """
    node = parse_node(query) if isinstance(query, str) else getattr(query, "root", query)
    prefix = f"{alias}." if alias else ""
    cols = _Columns(
        *(
            prefix + name
            for name in (
                "text_norm",
                "author_name",
                "author_handle",
                "source_name",
                "language",
                "url",
            )
        )
    )
    compiler = _Compiler(cols)
    sql = compiler.compile(node)  # type: ignore[arg-type]
    return SqlFilter(sql, compiler.params, compiler.exact)
