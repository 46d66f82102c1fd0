"""Matching parsed watch queries against documents, in Python.

The fetcher matches every new item against every watch query, so a document is
tokenised once (:func:`prepare`) and each query is compiled once into a tree of
closures (:func:`matcher`). Word lookups are set hits; only wildcards scan the
document's distinct words, and the result is memoised on the prepared document so
queries sharing a term pay for it once.

Field semantics (also what :mod:`query_sql` compiles):

* ``author:v`` — the whole folded author name, or the whole folded handle with or
  without its leading ``@`` (and a fediverse handle ``@user@host`` by its ``user``
  part), equals ``v``; ``*`` in ``v`` stands for any characters.
* ``source:v`` — the whole folded source name equals ``v`` (``*`` as above).
* ``lang:xx`` — the language tag's primary subtag is ``xx`` (``en`` matches
  ``en``, ``EN``, ``en-GB``, ``en_US``); a document without a language never matches.
* ``site:d`` — the URL's host is ``d`` or a subdomain of it (``site:reddit.com``
  matches ``old.reddit.com``, not ``notreddit.com``), ASCII case-insensitively.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from engage_desktop.core.query.ast import STAR, And, Field, Near, Node, Not, Or, Term
from engage_desktop.core.query.tokens import mention_norm, tokenize, word_spans
from engage_desktop.core.text import fold_cached

Matcher = Callable[["PreparedDoc"], bool]
_EMPTY: tuple[int, ...] = ()


@dataclass(frozen=True)
class MatchDoc:
    """A document as the matcher sees it.

    Attributes:
        text: Body text; searched together with the title.
        title: Title, if any.
        author: Author display name.
        author_handle: Author handle (``@jane``, ``jane.bsky.social``, ``@jane@host``).
        source: Source name.
        lang: Language tag (``en``, ``pt-BR``) or None when unknown.
        url: Link to the item.
    """

    text: str
    title: str = ""
    author: str = ""
    author_handle: str = ""
    source: str = ""
    lang: str | None = None
    url: str = ""


class PreparedDoc:
    """A document tokenised once, ready to be matched against many queries.

    Attributes:
        words: Folded words of title and text, in order.
        joined: The words joined by single spaces, with a space at both ends, so a
            phrase of plain words is one substring search.
        vocab: The distinct words.
        norm: The folded text the words came from.
    """

    __slots__ = (
        "_index",
        "author",
        "handle",
        "joined",
        "lang",
        "memo",
        "norm",
        "source",
        "url",
        "vocab",
        "words",
    )

    def __init__(
        self,
        words: list[str],
        author: str = "",
        handle: str = "",
        source: str = "",
        lang: str | None = None,
        url: str = "",
        norm: str | None = None,
    ) -> None:
        self.words = words
        self.norm = " ".join(words) if norm is None else norm
        # Most terms only need "is the word there": a set is built in C, while a
        # word -> positions dict costs as much as tokenising. It is built on first
        # need (phrases, NEAR, highlighting).
        self.vocab = set(words)
        self.joined = f" {' '.join(words)} "
        self._index: dict[str, list[int]] | None = None
        self.author = fold_cached(author)
        self.handle = fold_cached(handle)
        self.source = fold_cached(source)
        self.lang = lang
        self.url = url
        # Results per term, shared by all queries matched against this document.
        self.memo: dict[object, object] = {}

    def _positions_of(self, word: str) -> list[int]:
        if self._index is None:
            index: dict[str, list[int]] = {}
            for i, w in enumerate(self.words):
                index.setdefault(w, []).append(i)
            self._index = index
        return self._index[word]

    def has(self, pattern: str) -> bool:
        """Whether any word matches one word pattern."""
        if STAR not in pattern:
            return pattern in self.vocab
        key = ("h", pattern)
        hit = self.memo.get(key)
        if hit is None:
            # Every literal piece must occur in the text: a C substring search
            # rejects most documents before testing each distinct word.
            pieces = [p for p in pattern.split(STAR) if p]
            test = _wildcard_test(pattern)
            hit = self.memo[key] = all(p in self.norm for p in pieces) and any(
                test(word) for word in self.vocab
            )
        return hit  # type: ignore[return-value]

    def positions(self, pattern: str) -> list[int] | tuple[int, ...]:
        """Sorted positions of words matching one word pattern."""
        if STAR not in pattern:
            return self._positions_of(pattern) if pattern in self.vocab else _EMPTY
        if not self.has(pattern):
            return _EMPTY
        key = ("w", pattern)
        hit = self.memo.get(key)
        if hit is None:
            test = _wildcard_test(pattern)
            found: list[int] = []
            for word in self.vocab:
                if test(word):
                    found.extend(self._positions_of(word))
            hit = self.memo[key] = sorted(found)
        return hit  # type: ignore[return-value]


def prepare(doc: MatchDoc, *, text_norm: str | None = None) -> PreparedDoc:
    """Tokenise a document once so many queries can be matched against it.

    Args:
        doc: The document.
        text_norm: The folded title and text if already known (the workspace
            stores it as ``mentions.text_norm``); computed when omitted.

    Returns:
        The prepared document.
    """
    norm = mention_norm(doc.title, doc.text) if text_norm is None else text_norm
    return prepare_folded(norm, doc.author, doc.author_handle, doc.source, doc.lang, doc.url)


def prepare_folded(
    norm: str,
    author: str = "",
    author_handle: str = "",
    source: str = "",
    lang: str | None = None,
    url: str = "",
) -> PreparedDoc:
    """:func:`prepare` from the folded text and the fields, without a :class:`MatchDoc`.

    The fetcher prepares every item it reads; building a frozen MatchDoc first cost
    a tenth of its matching time.
    """
    return PreparedDoc(tokenize(norm), author, author_handle, source, lang, url, norm)


@lru_cache(maxsize=4096)
def _wildcard_test(pattern: str) -> Callable[[str], bool]:
    head, star, tail = pattern.partition(STAR)
    if star and not tail:  # the common "refund*": a prefix test beats anything else
        return lambda word: word.startswith(head)
    parts = tuple(pattern.split(STAR))
    return lambda word: glob_match(parts, word)


def glob_match(parts: tuple[str, ...], text: str) -> bool:
    """Whether ``text`` is ``parts`` joined by runs of any characters (``*``).

    Linear in the text for each piece: the first piece must start the text, the
    last must end it, and each middle piece is taken at its leftmost place after
    the previous one (leftmost is always safe when ``*`` is the only wildcard). A
    backtracking regex such as ``a.*a.*a.*b`` takes exponential time on a long
    word of ``a``s; this never does.

    Args:
        parts: The pattern split at ``*`` (``"a*b*c"`` -> ``("a", "b", "c")``).
        text: The word or value to test.
    """
    if len(parts) == 1:
        return text == parts[0]
    head, tail = parts[0], parts[-1]
    end = len(text) - len(tail)
    if end < len(head) or not text.startswith(head) or not text.endswith(tail):
        return False
    pos = len(head)
    for piece in parts[1:-1]:
        if piece:
            found = text.find(piece, pos, end)
            if found < 0:
                return False
            pos = found + len(piece)
    return True


def handle_match(parts: tuple[str, ...], handle: str) -> bool:
    """``author:`` against a folded handle: ``@?VALUE(@anything)?`` without a regex.

    The handle, with or without its leading ``@``, matches as a whole, or its part
    before any further ``@`` does (``@jane@mastodon.social`` is ``jane``).
    """
    starts = (0, 1) if handle.startswith("@") else (0,)
    for start in starts:
        rest = handle[start:]
        if glob_match(parts, rest):
            return True
        at = rest.find("@")
        while at >= 0:
            if glob_match(parts, rest[:at]):
                return True
            at = rest.find("@", at + 1)
    return False


def term_present(term: Term, doc: PreparedDoc) -> bool:
    """Cheap necessary condition: every word of the term occurs somewhere."""
    return all(doc.has(w) for w in term.words)


def term_starts(term: Term, doc: PreparedDoc) -> list[int] | tuple[int, ...]:
    """Positions where ``term`` starts in ``doc`` (phrases: all words consecutive)."""
    words = term.words
    if len(words) == 1:
        return doc.positions(words[0])
    hit = doc.memo.get(term)
    if hit is None:
        if not term_present(term, doc):
            hit = doc.memo[term] = _EMPTY
        else:
            rest = [set(doc.positions(w)) for w in words[1:]]
            hit = doc.memo[term] = [
                i
                for i in doc.positions(words[0])
                if all(i + k in s for k, s in enumerate(rest, start=1))
            ]
    return hit  # type: ignore[return-value]


def _occurrences(terms: tuple[Term, ...], doc: PreparedDoc) -> list[tuple[int, int]]:
    """(first, last) word positions of every occurrence of any of ``terms``."""
    occ: list[tuple[int, int]] = []
    for term in terms:
        width = len(term.words) - 1
        occ.extend((i, i + width) for i in term_starts(term, doc))
    return occ


def _near(node: Near, doc: PreparedDoc) -> bool:
    if not any(term_present(t, doc) for t in node.left) or not any(
        term_present(t, doc) for t in node.right
    ):
        return False
    left = _occurrences(node.left, doc)
    if not left:
        return False
    right = _occurrences(node.right, doc)
    if not right:
        return False
    n = node.distance
    starts = sorted(s for s, _ in right)
    ends = sorted(e for _, e in right)
    for s, e in left:
        # A right occurrence starting 0..n words after the left one ends ...
        if bisect_right(starts, e + 1 + n) > bisect_left(starts, e + 1):
            return True
        # ... or ending 0..n words before the left one starts.
        if bisect_right(ends, s - 1) > bisect_left(ends, s - 1 - n):
            return True
    return False


def _py_ci(text: str) -> str:
    """Regex for ``text``, ASCII letters case-insensitive (same in RE2 and Python)."""
    out = []
    for ch in text:
        if ch.isascii() and ch.isalpha():
            out.append(f"[{ch.lower()}{ch.upper()}]")
        elif ch.isascii() and not ch.isalnum():
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def field_regex(field: Field, end: str) -> str:
    """The regex for ``lang:`` or ``site:`` over the raw column.

    The same pattern runs in Python's ``re`` and in RE2, so the two agree; only the
    end-of-text anchor differs (Python's ``$`` also matches before a final newline).

    Args:
        field: A ``lang`` or ``site`` field.
        end: End-of-text anchor: ``\\Z`` for Python, ``$`` for RE2.

    Returns:
        The pattern, anchored at the start.
    """
    if field.name == "lang":
        return f"^{_py_ci(field.value)}(?:[-_]|{end})"
    # scheme://[userinfo@][subdomains.]host[.][:port] then path/query/fragment or end.
    return (
        r"^[A-Za-z][A-Za-z0-9+.\-]*://(?:[^/?#@]*@)?(?:[^/?#@:]*\.)?"
        + _py_ci(field.value)
        + rf"\.?(?::[0-9]*)?(?:[/?#]|{end})"
    )


def value_regex(value: str) -> str:
    """Python regex body for a folded author/source value (``*`` = any characters)."""
    return ".*".join(re.escape(part) for part in value.split(STAR))


def _field_matcher(node: Field) -> Matcher:
    if node.name in ("lang", "site"):
        rx = re.compile(field_regex(node, r"\Z"))
        if node.name == "lang":
            return lambda d: d.lang is not None and rx.match(d.lang) is not None
        return lambda d: rx.match(d.url) is not None
    parts = tuple(node.value.split(STAR))
    if node.name == "source":
        return lambda d: glob_match(parts, d.source)
    return lambda d: glob_match(parts, d.author) or handle_match(parts, d.handle)


def _term_matcher(term: Term) -> Matcher:
    if len(term.words) == 1:
        word = term.words[0]
        if STAR in word:
            return lambda d: d.has(word)
        return lambda d: word in d.vocab
    if not any(STAR in w for w in term.words):
        # Consecutive words are a substring of the space-joined words (words never
        # contain spaces): one C search instead of a positions index.
        phrase = f" {' '.join(term.words)} "
        return lambda d: phrase in d.joined
    return lambda d: bool(term_starts(term, d))


@lru_cache(maxsize=2048)
def matcher(node: Node) -> Matcher:
    """Compile a syntax tree into a predicate over prepared documents (cached).

    Args:
        node: Root of a parsed query.

    Returns:
        A function ``PreparedDoc -> bool``.
    """
    if isinstance(node, Term):
        return _term_matcher(node)
    if isinstance(node, Field):
        return _field_matcher(node)
    if isinstance(node, Near):
        return lambda d: _near(node, d)
    if isinstance(node, Not):
        inner = matcher(node.child)
        return lambda d: not inner(d)
    parts = tuple(matcher(c) for c in node.children)
    return _all(parts) if isinstance(node, And) else _any(parts)


# Explicit loops: all()/any() over a generator cost ~3x more per call, and the
# fetcher runs these for every item and every watch query.
def _all(parts: tuple[Matcher, ...]) -> Matcher:
    if len(parts) == 2:
        first, second = parts
        return lambda d: first(d) and second(d)

    def every(d: PreparedDoc) -> bool:
        for part in parts:  # noqa: SIM110 - see the comment above _all
            if not part(d):
                return False
        return True

    return every


def _any(parts: tuple[Matcher, ...]) -> Matcher:
    if len(parts) == 2:
        first, second = parts
        return lambda d: first(d) or second(d)

    def some(d: PreparedDoc) -> bool:
        for part in parts:  # noqa: SIM110 - see the comment above _all
            if part(d):
                return True
        return False

    return some


def positive_terms(node: Node, negated: bool = False) -> Iterator[Term]:
    """Terms (including NEAR sides) not under an odd number of negations."""
    if isinstance(node, Term):
        if not negated:
            yield node
    elif isinstance(node, Near):
        if not negated:
            yield from node.left
            yield from node.right
    elif isinstance(node, Not):
        yield from positive_terms(node.child, not negated)
    elif isinstance(node, And | Or):
        for child in node.children:
            yield from positive_terms(child, negated)


def highlight_spans(node: Node, text: str) -> list[tuple[int, int]]:
    """Character spans in ``text`` covered by the query's positive terms.

    Args:
        node: Root of a parsed query.
        text: Original text (a title, body or snippet), not folded.

    Returns:
        Sorted, non-overlapping ``(start, end)`` offsets into ``text``; a phrase is
        one span from its first word to its last.
    """
    terms = list(dict.fromkeys(positive_terms(node)))
    if not terms:
        return []
    words, spans = word_spans(text)
    doc = PreparedDoc(words)
    found = sorted((spans[s][0], spans[e][1]) for s, e in _occurrences(tuple(terms), doc))
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
