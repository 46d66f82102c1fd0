"""Parsing watch queries into an immutable syntax tree.

Grammar (loosest first)::

    query   := or
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*        # adjacent terms mean AND
    unary   := "NOT" unary | near
    near    := primary ["NEAR/n" primary]    # each side: term or (term OR term ...)
    primary := "-" primary | "(" or ")" | word | "phrase" | field:value

So ``NOT`` binds tighter than ``AND``, which binds tighter than ``OR``, and ``NEAR``
binds tighter than ``AND``. ``NOT a NEAR/3 b`` is ``NOT (a NEAR/3 b)``, while ``-``
sticks to the one item after it, so ``-a NEAR/3 b`` is an error (a negated side).

Adjacent terms are joined with AND. Brandwatch insists on explicit operators, but
most users type ``nimbus refund`` and expect both words to be required.

Operators ``AND``, ``OR``, ``NOT`` are upper case only, because ``and``/``or``/``not``
are ordinary words people search for. ``NEAR/n`` is accepted in any case since
``near/3`` has no plausible literal meaning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engage_desktop.core.query.ast import (
    STAR,
    And,
    Field,
    Near,
    Node,
    Not,
    Or,
    QuerySyntaxError,
    Term,
)
from engage_desktop.core.query.tokens import fold, pattern_words

FIELDS = ("author", "lang", "site", "source")
MAX_NEAR = 100
#: Bounds that keep parsing, matching and SQL linear and small. Real watch queries
#: (Brandwatch, Talkwalker exports) stay far below both; a query of 5,000 ORed
#: terms took a minute and gigabytes before these limits.
MAX_QUERY_CHARS = 4000
MAX_TERMS = 150
#: Nesting of parentheses and NOTs together: the matcher and the SQL compiler walk
#: the tree recursively, so depth is what must never be unbounded.
_MAX_DEPTH = 64
_FIELD_RE = re.compile(r"([A-Za-z]+):(.*)", re.S)
_NEAR_RE = re.compile(r"(?i)NEAR/(.*)", re.S)
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_LANG_RE = re.compile(r"[A-Za-z]{2,3}")
_OPERATORS = {"AND", "OR", "NOT"}


@dataclass(frozen=True)
class _Tok:
    kind: str  # WORD PHRASE FIELD LPAREN RPAREN AND OR NOT NEAR MINUS
    pos: int
    text: str = ""
    value: str = ""
    number: int = 0
    name: str = ""


def _lex(query: str) -> list[_Tok]:
    if len(query) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(
            f"The query is too long ({len(query):,} characters)",
            MAX_QUERY_CHARS,
            f"the limit is {MAX_QUERY_CHARS:,}; split it into several watch queries",
        )
    toks = _lex_all(query)
    terms = 0
    for tok in toks:
        if tok.kind in ("WORD", "PHRASE", "FIELD"):
            terms += 1
            if terms > MAX_TERMS:
                raise QuerySyntaxError(
                    f"The query has more than {MAX_TERMS} terms",
                    tok.pos,
                    "split it into several watch queries (one per product or competitor)",
                )
    return toks


def _lex_all(query: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            toks.append(_Tok("LPAREN" if ch == "(" else "RPAREN", i, ch))
            i += 1
        elif ch == '"':
            end = _closing_quote(query, i)
            toks.append(_Tok("PHRASE", i, query[i : end + 1], query[i + 1 : end]))
            i = end + 1
        elif ch == "-" and (i + 1 >= n or query[i + 1].isspace() or query[i + 1] == ")"):
            raise QuerySyntaxError(
                "Lone '-'", i, 'put what to exclude right after it, like -refund or -"gift card"'
            )
        elif ch == "-":
            toks.append(_Tok("MINUS", i, ch))
            i += 1
        else:
            j = i
            while j < n and not query[j].isspace() and query[j] not in '()"':
                j += 1
            i = _lex_word(query, i, j, toks)
    return toks


def _closing_quote(query: str, start: int) -> int:
    end = query.find('"', start + 1)
    if end < 0:
        raise QuerySyntaxError("Unterminated quote", start, "add the closing '\"'")
    return end


def _lex_word(query: str, i: int, j: int, toks: list[_Tok]) -> int:
    """Classify the word ``query[i:j]``; return where lexing continues."""
    word = query[i:j]
    if word in _OPERATORS:
        toks.append(_Tok(word, i, word))
        return j
    if word == "NEAR":  # lower-case "near" is an ordinary word
        raise QuerySyntaxError("NEAR without a distance", i, "write NEAR/3 for 'within 3 words'")
    near = _NEAR_RE.fullmatch(word)
    if near:
        digits = near.group(1)
        if not digits.isascii() or not digits.isdigit():
            raise QuerySyntaxError(
                f"{word[:5]} without a number", i, "write NEAR/3 for 'within 3 words'"
            )
        if int(digits) > MAX_NEAR:
            raise QuerySyntaxError(f"{word} is too far", i, f"the largest distance is {MAX_NEAR}")
        toks.append(_Tok("NEAR", i, word, number=int(digits)))
        return j
    field = _FIELD_RE.fullmatch(word)
    if field:
        name, value = field.group(1).lower(), field.group(2)
        if name not in FIELDS:
            raise QuerySyntaxError(
                f"Unknown field '{field.group(1)}:'",
                i,
                "valid fields are "
                + ", ".join(f + ":" for f in FIELDS)
                + "; put other text containing ':' in quotes",
            )
        if not value and j < len(query) and query[j] == '"':
            end = _closing_quote(query, j)
            value, j = query[j + 1 : end], end + 1
        toks.append(_Tok("FIELD", i, query[i:j], value, name=name))
        return j
    toks.append(_Tok("WORD", i, word, word))
    return j


def _term(tok: _Tok) -> Term:
    """Turn a word or phrase token into a Term of folded word patterns."""
    words = tuple(pattern_words(fold(tok.value)))
    what = "phrase" if tok.kind == "PHRASE" else f"'{tok.value}'"
    if not words:
        if tok.kind == "PHRASE" and not tok.value.strip():
            raise QuerySyntaxError("Empty phrase", tok.pos, "put words between the quotes")
        raise QuerySyntaxError(
            f"The {what} has no letters or digits", tok.pos, "it could never match anything"
        )
    for w in words:
        if not w.strip(STAR):
            raise QuerySyntaxError(
                f"Wildcard without letters in the {what}",
                tok.pos,
                "put '*' inside or at the end of a word, like refund*",
            )
    # "refund**" means the same as "refund*"; collapsing keeps patterns canonical.
    return Term(tuple(re.sub(r"\*+", STAR, w) for w in words))


def _field(tok: _Tok) -> Field:
    name, raw = tok.name, tok.value
    if not raw.strip():
        raise QuerySyntaxError(
            f"{name}: needs a value",
            tok.pos,
            f"write it right after the colon, like {name}:{_EXAMPLES[name]}",
        )
    if name == "lang":
        if not _LANG_RE.fullmatch(raw):
            raise QuerySyntaxError("lang: takes a language code", tok.pos, "like lang:en")
        return Field(name, raw.lower())
    if name == "site":
        host = _SCHEME_RE.sub("", raw.strip()).rstrip("/").rstrip(".").lower()
        if not host or any(ch in host for ch in "/?#@:*") or any(ch.isspace() for ch in host):
            raise QuerySyntaxError("site: takes a domain name", tok.pos, "like site:reddit.com")
        return Field(name, host)
    value = re.sub(r"\*+", STAR, fold(raw.strip()))
    if name == "author":
        value = value.removeprefix("@")
    if not value.strip(STAR):
        raise QuerySyntaxError(
            f"{name}: needs letters, not just '*'", tok.pos, f"like {name}:{_EXAMPLES[name]}"
        )
    return Field(name, value)


_EXAMPLES = {"author": "jane_doe", "source": "reddit", "lang": "en", "site": "reddit.com"}
_STARTS = {"WORD", "PHRASE", "FIELD", "LPAREN", "NOT", "MINUS"}


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.toks = _lex(query)
        self.i = 0
        self.depth = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def need_operand(self, op: _Tok) -> None:
        """Fail if the operator just taken has nothing usable after it."""
        nxt = self.peek()
        if nxt is None or nxt.kind not in _STARTS:
            raise QuerySyntaxError(
                f"Nothing after '{op.text}'", op.pos, "add a term after it or remove it"
            )

    def parse(self) -> Node:
        if not self.toks:
            raise QuerySyntaxError(
                "Empty query", 0, 'type a word, a "phrase" or a field like author:name'
            )
        node = self.parse_or()
        tok = self.peek()
        if tok is not None:
            raise self.unexpected(tok)
        return node

    def unexpected(self, tok: _Tok) -> QuerySyntaxError:
        if tok.kind == "RPAREN":
            return QuerySyntaxError("Unexpected ')'", tok.pos, "no '(' is open here")
        if tok.kind == "NEAR":
            return QuerySyntaxError(
                f"{tok.text} needs a word or phrase on its left",
                tok.pos,
                "NEAR joins two words or phrases; chain several with AND",
            )
        return QuerySyntaxError(
            f"Nothing before '{tok.text}'", tok.pos, "add a term before it or remove it"
        )

    def parse_or(self) -> Node:
        items = [self.parse_and()]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.take()
            self.need_operand(tok)
            items.append(self.parse_and())
        return _flat(Or, items)

    def parse_and(self) -> Node:
        items = [self.parse_unary()]
        while (tok := self.peek()) is not None:
            if tok.kind == "AND":
                self.take()
                self.need_operand(tok)
            elif tok.kind not in _STARTS:
                break
            items.append(self.parse_unary())
        return _flat(And, items)

    def enter(self, levels: int, tok: _Tok) -> None:
        """Go ``levels`` deeper (NOTs, '-' or a parenthesis), within the limit."""
        self.depth += levels
        if self.depth > _MAX_DEPTH:
            raise QuerySyntaxError(
                "The query is nested too deeply",
                tok.pos,
                f"use at most {_MAX_DEPTH} levels of parentheses and NOTs; NOT NOT a is just a",
            )

    def parse_unary(self) -> Node:
        # A loop, not recursion: 10,000 NOTs in a row must give a message, not a
        # RecursionError.
        nots: list[_Tok] = []
        while (tok := self.peek()) is not None and tok.kind == "NOT":
            self.take()
            self.need_operand(tok)
            nots.append(tok)
            self.enter(1, tok)
        node = self.parse_near()
        self.depth -= len(nots)
        for _ in nots:
            node = Not(node)
        return node

    def parse_near(self) -> Node:
        left = self.parse_primary()
        tok = self.peek()
        if tok is None or tok.kind != "NEAR":
            return left
        self.take()
        left_terms = _near_side(left)
        if left_terms is None:
            raise QuerySyntaxError(
                f"{tok.text} needs a word or phrase on its left",
                tok.pos,
                'use a word, a "phrase" or a group like (broken OR dead)',
            )
        self.need_operand(tok)
        start = self.take_near_start(tok)
        right_terms = _near_side(self.parse_primary())
        if right_terms is None:
            raise QuerySyntaxError(
                f"{tok.text} needs a word or phrase on its right",
                start.pos,
                'use a word, a "phrase" or a group like (broken OR dead)',
            )
        after = self.peek()
        if after is not None and after.kind == "NEAR":
            raise QuerySyntaxError(
                f"{after.text} cannot follow another NEAR",
                after.pos,
                "join the pairs with AND: (a NEAR/2 b) AND (b NEAR/3 c)",
            )
        return Near(left_terms, right_terms, tok.number)

    def take_near_start(self, near: _Tok) -> _Tok:
        """Check what follows NEAR/n can start a side; return that token."""
        start = self.toks[self.i]
        if start.kind not in ("WORD", "PHRASE", "LPAREN"):
            raise QuerySyntaxError(
                f"{near.text} needs a word or phrase on its right",
                start.pos,
                'use a word, a "phrase" or a group like (broken OR dead)',
            )
        return start

    def parse_primary(self) -> Node:
        tok = self.peek()
        if tok is None:  # pragma: no cover - need_operand() rules this out
            raise QuerySyntaxError("Unexpected end of query", len(self.query))
        if tok.kind in ("WORD", "PHRASE"):
            self.take()
            return _term(tok)
        if tok.kind == "FIELD":
            self.take()
            return _field(tok)
        if tok.kind == "MINUS":
            minuses = 0
            while (nxt := self.peek()) is not None and nxt.kind == "MINUS":
                self.take()
                minuses += 1
                self.enter(1, nxt)
            if nxt is None or nxt.kind not in ("WORD", "PHRASE", "FIELD", "LPAREN"):
                raise QuerySyntaxError(
                    "Lone '-'", tok.pos, "put what to exclude right after it, like -refund"
                )
            node = self.parse_primary()
            self.depth -= minuses
            for _ in range(minuses):
                node = Not(node)
            return node
        if tok.kind == "LPAREN":
            return self.parse_group()
        raise self.unexpected(tok)

    def parse_group(self) -> Node:
        opening = self.take()
        nxt = self.peek()
        if nxt is None:
            raise QuerySyntaxError("Unclosed '('", opening.pos, "add a ')'")
        if nxt.kind == "RPAREN":
            raise QuerySyntaxError("Empty parentheses", opening.pos, "put terms inside them")
        self.enter(1, opening)
        node = self.parse_or()
        self.depth -= 1
        closing = self.peek()
        if closing is None:
            raise QuerySyntaxError("Unclosed '('", opening.pos, "add a ')'")
        if closing.kind != "RPAREN":  # pragma: no cover - parse_or() stops only at ')' or end
            raise self.unexpected(closing)
        self.take()
        return node


def _flat(kind: type[And] | type[Or], items: list[Node]) -> Node:
    """Build an AND/OR, splicing in nested ones of the same kind (associativity)."""
    if len(items) == 1:
        return items[0]
    flat: list[Node] = []
    for item in items:
        flat.extend(item.children if isinstance(item, kind) else (item,))
    return kind(tuple(flat))


def _near_side(node: Node) -> tuple[Term, ...] | None:
    if isinstance(node, Term):
        return (node,)
    if isinstance(node, Or) and all(isinstance(c, Term) for c in node.children):
        return tuple(c for c in node.children if isinstance(c, Term))
    return None


def parse_node(query: str) -> Node:
    """Parse a watch query into its syntax tree.

    Args:
        query: The query text.

    Returns:
        The root node.

    Raises:
        QuerySyntaxError: The query is empty or malformed.
    """
    return _Parser(query).parse()
