"""The boolean watch-query language: what users tell the app to listen for.

Syntax, in short (details in :mod:`query_parse`)::

    nimbus refund                 both words (adjacent terms mean AND)
    nimbus OR orbit               either
    nimbus -refund                nimbus but not refund (also NOT refund, -"a b", -(a b))
    "nimbus router"               a phrase: consecutive words
    refund*   colo*r              wildcards inside one word
    nimbus NEAR/3 broken          within 3 words, either order; a side may be a
                                  "phrase" or an (a OR b) group
    author:jane_doe source:reddit lang:en site:reddit.com

Precedence: NOT > NEAR > AND > OR; parentheses group. Matching ignores case and
accents and respects word boundaries (:mod:`query_tokens`).

Example:
    >>> q = parse('nimbus (refund* OR outage) -author:nimbus_support')
    >>> q.matches(MatchDoc(text="Nimbus, I want a REFUND!", author="Jo"))
    True

This module is pure: no Qt, no I/O, no DuckDB import (:func:`to_sql` only writes
SQL text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from engage_desktop.core.query.ast import (
    And,
    Field,
    Near,
    Node,
    Not,
    Or,
    QuerySyntaxError,
    Term,
)
from engage_desktop.core.query.match import (
    MatchDoc,
    Matcher,
    PreparedDoc,
    highlight_spans,
    matcher,
    positive_terms,
    prepare,
    prepare_folded,
)
from engage_desktop.core.query.parse import FIELDS, MAX_NEAR, MAX_QUERY_CHARS, MAX_TERMS, parse_node
from engage_desktop.core.query.sql import SqlFilter, to_sql
from engage_desktop.core.query.tokens import fold

__all__ = [
    "FIELDS",
    "MAX_NEAR",
    "MAX_QUERY_CHARS",
    "MAX_TERMS",
    "And",
    "Field",
    "MatchDoc",
    "Near",
    "Node",
    "Not",
    "Or",
    "PreparedDoc",
    "Query",
    "QuerySyntaxError",
    "SqlFilter",
    "Term",
    "fold",
    "parse",
    "prepare",
    "prepare_folded",
    "to_sql",
]


@dataclass(frozen=True)
class Query:
    """A parsed watch query. Immutable; equal when the syntax trees are equal.

    Attributes:
        root: The syntax tree.
        text: The text it was parsed from.
    """

    root: Node
    text: str = field(default="", compare=False)

    def __str__(self) -> str:
        """Canonical query text, with the parentheses precedence implies."""
        return str(self.root)

    @cached_property
    def _matcher(self) -> Matcher:
        # Compiled once per Query: the fetcher calls matches_prepared() per item.
        return matcher(self.root)

    def __getstate__(self) -> dict[str, object]:
        # The compiled matcher is closures (unpicklable); it is rebuilt on first use.
        return {k: v for k, v in self.__dict__.items() if k != "_matcher"}

    def matches(self, doc: MatchDoc) -> bool:
        """Whether the document matches.

        Args:
            doc: The document.

        Returns:
            True if it matches.
        """
        return self._matcher(prepare(doc))

    def matches_prepared(self, doc: PreparedDoc) -> bool:
        """Like :meth:`matches` for a document tokenised once with :func:`prepare`.

        Args:
            doc: The prepared document.

        Returns:
            True if it matches.
        """
        return self._matcher(doc)

    def terms(self) -> tuple[str, ...]:
        """Positive words and phrases (not negated), folded, in query order.

        Returns:
            E.g. ``("nimbus", "refund*", "nimbus router")``; phrases as their words
            joined by one space.
        """
        return tuple(dict.fromkeys(" ".join(t.words) for t in positive_terms(self.root)))

    def highlight_spans(self, text: str) -> list[tuple[int, int]]:
        """Spans of ``text`` (original, unfolded) where positive terms occur.

        Args:
            text: A title, body or snippet as displayed.

        Returns:
            Sorted, non-overlapping ``(start, end)`` character offsets.
        """
        return highlight_spans(self.root, text)

    def to_sql(self, *, alias: str | None = None) -> SqlFilter:
        """Compile to a DuckDB WHERE fragment; see :func:`to_sql`."""
        return to_sql(self, alias=alias)


def parse(query: str) -> Query:
    """Parse a watch query.

    Args:
        query: The query text.

    Returns:
        The parsed query.

    Raises:
        QuerySyntaxError: The query is empty or malformed; ``position`` is the
            0-based offset of the problem and ``caret_line(query)`` shows it.
    """
    return Query(parse_node(query), query)
