"""The watch-query syntax tree (immutable) and its syntax error.

Every node prints back as canonical query text (``str(node)``), with the
parentheses that precedence needs, so ``parse(str(q))`` gives ``q`` again.
"""

from __future__ import annotations

from dataclasses import dataclass

from engage_desktop.core.errors import EngageError

STAR = "*"


class QuerySyntaxError(EngageError, ValueError):
    """A watch query that does not parse.

    Attributes:
        message: What is wrong, e.g. ``Unexpected ')'``.
        position: 0-based character offset in the query where it fails.
        hint: How to fix it (may be empty).
    """

    def __init__(self, message: str, position: int, hint: str = "") -> None:
        self.message = message
        self.position = position
        self.hint = hint
        text = f"{message} at character {position}"
        super().__init__(f"{text}: {hint}" if hint else text)

    def caret_line(self, query: str) -> str:
        """Return the query and a ``^`` under the failing character, as two lines.

        Args:
            query: The query text that failed.

        Returns:
            ``"<query>\\n<spaces>^"``; tabs and newlines show as spaces so the caret
            stays aligned.
        """
        shown = "".join(" " if ch in "\t\r\n" else ch for ch in query)
        return f"{shown}\n{' ' * self.position}^"


@dataclass(frozen=True)
class Term:
    """A word or a phrase: consecutive words, each a folded pattern.

    Attributes:
        words: Folded words; ``*`` inside a word stands for any run of word
            characters (``refund*``, ``colo*r``).
    """

    words: tuple[str, ...]

    def __str__(self) -> str:
        return self.words[0] if len(self.words) == 1 else f'"{" ".join(self.words)}"'


@dataclass(frozen=True)
class Near:
    """Two terms (or OR-groups of terms) within ``distance`` words, either order."""

    left: tuple[Term, ...]
    right: tuple[Term, ...]
    distance: int

    def __str__(self) -> str:
        def side(terms: tuple[Term, ...]) -> str:
            return str(terms[0]) if len(terms) == 1 else f"({' OR '.join(map(str, terms))})"

        return f"{side(self.left)} NEAR/{self.distance} {side(self.right)}"


@dataclass(frozen=True)
class Field:
    """A filter on a mention attribute.

    Attributes:
        name: ``author``, ``lang``, ``site`` or ``source``.
        value: Normalised value: folded for author/source (``*`` = any characters),
            lower-case code for lang, lower-case host for site.
    """

    name: str
    value: str

    def __str__(self) -> str:
        plain = self.value and not any(ch.isspace() or ch in '()"' for ch in self.value)
        return f"{self.name}:{self.value}" if plain else f'{self.name}:"{self.value}"'


@dataclass(frozen=True)
class Not:
    """Negation."""

    child: Node

    def __str__(self) -> str:
        return f"NOT {_wrap(self.child, (And, Or))}"


@dataclass(frozen=True)
class And:
    """All children must match."""

    children: tuple[Node, ...]

    def __str__(self) -> str:
        return " AND ".join(_wrap(c, (Or,)) for c in self.children)


@dataclass(frozen=True)
class Or:
    """Any child may match."""

    children: tuple[Node, ...]

    def __str__(self) -> str:
        return " OR ".join(str(c) for c in self.children)


Node = Term | Near | Field | Not | And | Or


def _wrap(node: Node, kinds: tuple[type, ...]) -> str:
    return f"({node})" if isinstance(node, kinds) else str(node)
