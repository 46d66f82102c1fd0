"""to_sql() selects exactly the rows that Query.matches() accepts, in a real DuckDB.

The hand-written table of tests/unit/test_query.py runs first, then a few hundred
seeded random queries over seeded random documents built from a small, nasty
vocabulary (accents, ß, ligatures, full-width letters, hashtags, handles, emoji,
words glued together).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from engage_desktop.core.query import MatchDoc, parse, prepare, to_sql
from engage_desktop.core.query.tokens import re2_word_class, word_re
from engage_desktop.core.text import mention_norm
from tests.unit.test_query import CASES, DOCS

WORDS = [
    "nimbus",
    "Nimbus",
    "NIMBUS",
    "ＮＩＭＢＵＳ",
    "router",
    "Router",
    "x2",
    "X2",
    "mesh",
    "orbit",
    "skylink",
    "refund",
    "Refunds",
    "refunded",
    "prerefund",
    "outage",
    "support",
    "love",
    "terrible",
    "café",
    "Café",
    "cafe\u0301",
    "CAFE",
    "straße",
    "STRASSE",
    "acme",
    "acmeist",
    "#acme",
    "@acme",
    "@acme_support",
    "Acme's",
    "🔥",
    "❤️",
    "—",
    "…",
    "nimbus-router",
    "x2.",
    "привет",
    "σίσυφος",
    "ΣΊΣΥΦΟΣ",
    "नमस्ते",
    "½",
    "ﬁx",
    "fix",
    "colour",
    "color",
    "colorful",
    "_",
    "42",
]
SEPARATORS = [" ", " ", " ", ", ", "\n", " - ", "! ", "", "’", " 🙂 "]
AUTHORS = ["Jane Doe", "José Álvarez", "Straße Fan", "", "Nimbus Support", "ana", "JANE DOE"]
HANDLES = [
    "@jane_doe",
    "@ana@mastodon.social",
    "jose.bsky.social",
    "",
    "@nimbus_support",
    "＠jane_doe",
    "jane_doe",
]
SOURCES = ["Reddit", "Hacker News", "Mastodon", "", "r/nimbus", "HACKER NEWS"]
LANGS = [None, "en", "en-GB", "de", "EN", "pt_BR", "", "eng"]
URLS = [
    "https://old.reddit.com/r/x",
    "https://reddit.com",
    "https://notreddit.com/",
    "HTTPS://WWW.REDDIT.COM:443/x",
    "",
    "https://mastodon.social/@ana",
    "ftp://user@news.ycombinator.com/item?id=1",
    "reddit.com/r/x",
    "https://reddit.com.evil.io/",
]

Q_WORDS = [
    "nimbus",
    "router",
    "refund*",
    "refund",
    "acme",
    "café",
    "cafe",
    "strasse",
    "x2",
    "orbit",
    "love",
    "colo*r",
    "*fund",
    "acme_support",
    "fix",
    "σισυφος",
    "нимбус",
    "привет",
    "नमस्ते",
    "1",
    "n*s",
    "acme's",
]
Q_FIELDS = [
    'author:"jane doe"',
    "author:jane*",
    "author:ana",
    "author:jane_doe",
    "author:*support",
    "source:reddit",
    'source:"hacker news"',
    "source:*news",
    "lang:en",
    "lang:de",
    "site:reddit.com",
    "site:mastodon.social",
    "site:ycombinator.com",
    'author:"strasse fan"',
]


def random_doc(rng: random.Random) -> MatchDoc:
    def text(n: int) -> str:
        out = []
        for _ in range(n):
            out.append(rng.choice(WORDS))
            out.append(rng.choice(SEPARATORS))
        return "".join(out).strip()

    return MatchDoc(
        text=text(rng.randint(0, 14)),
        title=text(rng.randint(1, 4)) if rng.random() < 0.3 else "",
        author=rng.choice(AUTHORS),
        author_handle=rng.choice(HANDLES),
        source=rng.choice(SOURCES),
        lang=rng.choice(LANGS),
        url=rng.choice(URLS),
    )


def random_query(rng: random.Random, depth: int = 0) -> str:
    roll = rng.random()
    if depth >= 3 or roll < 0.35:
        return random_atom(rng)
    if roll < 0.5:
        return f"NOT {random_query(rng, depth + 1)}"
    if roll < 0.6:
        return f"-({random_query(rng, depth + 1)})"
    op = rng.choice([" ", " AND ", " OR "])
    return f"({random_query(rng, depth + 1)}{op}{random_query(rng, depth + 1)})"


def random_term(rng: random.Random) -> str:
    if rng.random() < 0.25:
        return f'"{rng.choice(Q_WORDS)} {rng.choice(Q_WORDS)}"'
    return rng.choice(Q_WORDS)


def random_atom(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.5:
        return random_term(rng)
    if roll < 0.7:
        return rng.choice(Q_FIELDS)
    left = random_term(rng)
    if rng.random() < 0.3:
        left = f"({random_term(rng)} OR {random_term(rng)})"
    return f"{left} NEAR/{rng.randint(0, 4)} {random_term(rng)}"


def _all_docs() -> list[MatchDoc]:
    rng = random.Random(20240607)
    return list(DOCS.values()) + [random_doc(rng) for _ in range(400)]


ALL_DOCS = _all_docs()
PREPARED = [prepare(d) for d in ALL_DOCS]


def _random_queries() -> list[str]:
    rng = random.Random(7)
    return [random_query(rng) for _ in range(300)]


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    path: Path = tmp_path_factory.mktemp("query") / "mentions.duckdb"
    # One thread: 400 rows gain nothing from a second one, which only costs CPU time.
    connection = duckdb.connect(str(path), config={"threads": 1})
    connection.execute(
        """CREATE TABLE mentions (
            id INTEGER PRIMARY KEY, text_norm VARCHAR NOT NULL, author_name VARCHAR,
            author_handle VARCHAR, source_name VARCHAR, language VARCHAR, url VARCHAR)"""
    )
    # Empty strings go in as NULL: the SQL must treat NULL like Python treats "".
    connection.executemany(
        "INSERT INTO mentions VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                i,
                mention_norm(d.title, d.text),
                d.author or None,
                d.author_handle or None,
                d.source or None,
                d.lang,
                d.url or None,
            )
            for i, d in enumerate(ALL_DOCS)
        ],
    )
    yield connection
    connection.close()


def sql_ids(con: duckdb.DuckDBPyConnection, query: str, alias: str | None = None) -> set[int]:
    sql, params = to_sql(parse(query), alias=alias)
    table = f"mentions {alias}" if alias else "mentions"
    rows = con.execute(f"SELECT {alias + '.' if alias else ''}id FROM {table} WHERE {sql}", params)
    return {r[0] for r in rows.fetchall()}


@pytest.fixture(scope="module")
def answers(con: duckdb.DuckDBPyConnection) -> Callable[[str], set[int]]:
    """``sql_ids`` of a query, run once per query text.

    The module's documents never change, so a query asked again (the table lists many
    queries more than once, the random ones repeat some, and both share a few) selects
    the same rows: running it again only made DuckDB compile the same regexes again.
    """
    found: dict[str, set[int]] = {}

    def ask(query: str) -> set[int]:
        if query not in found:
            found[query] = sql_ids(con, query)
        return found[query]

    return ask


def python_ids(query: str) -> set[int]:
    q = parse(query)
    return {i for i, d in enumerate(PREPARED) if q.matches_prepared(d)}


TABLE_QUERIES = list(dict.fromkeys(q for q, _, _ in CASES))


@pytest.mark.parametrize("query", TABLE_QUERIES)
def test_sql_agrees_with_python_on_the_table(
    answers: Callable[[str], set[int]], query: str
) -> None:
    assert to_sql(parse(query)).exact
    assert answers(query) == python_ids(query)


def test_sql_gives_the_table_answers(answers: Callable[[str], set[int]]) -> None:
    names = list(DOCS)
    for query, doc, expected in CASES:
        assert (names.index(doc) in answers(query)) is expected, (query, doc)


def test_sql_agrees_with_python_on_random_queries(answers: Callable[[str], set[int]]) -> None:
    checked = matched = 0
    for query in _random_queries():
        py = python_ids(query)
        assert answers(query) == py, query
        checked += 1
        matched += bool(py) and len(py) < len(ALL_DOCS)
    # The generator must produce queries that split the documents, not trivia.
    assert checked == 300 and matched > 100


def test_alias_qualifies_columns(con: duckdb.DuckDBPyConnection) -> None:
    query = "nimbus author:jane* -site:reddit.com lang:en source:reddit"
    sql, _ = to_sql(parse(query), alias="m")
    assert "m.text_norm" in sql and " text_norm" not in sql
    assert sql_ids(con, query, alias="m") == python_ids(query)


def test_to_sql_accepts_text() -> None:
    sql, params = to_sql("nimbus")
    # The substring, the two quick accepts and the exact regex.
    assert sql.count("?") == len(params) == 4
    quick = "nimbus(?:[^0-9A-Z_a-z\\x{80}-\\x{10FFFF}]|$)"
    assert params[:3] == ["nimbus", f" {quick}", f"^{quick}"]
    # Every word's longest literal piece must occur, one inside another is enough once.
    assert to_sql('"mesh pro*"').params[:2] == ["mesh", "pro"]
    assert to_sql('"router routers"').params[0] == "routers"
    assert to_sql('"router routers"').params[1].startswith(" router[")
    assert to_sql("colo*ur").params[0] == "colo"


def test_oversized_field_regex_falls_back_to_a_superset(con: duckdb.DuckDBPyConnection) -> None:
    # Every "ss" could come from one "ß": the raw-text regex doubles per pair.
    value = "s" * 80
    for query in (f"author:{value}", f"NOT author:{value}", f"nimbus -source:{value}"):
        result = to_sql(parse(query))
        assert not result.exact
        assert python_ids(query) <= sql_ids(con, query)


def test_word_class_is_the_same_in_re2_and_python(con: duckdb.DuckDBPyConnection) -> None:
    cps = [c for c in range(0x30000) if not 0xD800 <= c <= 0xDFFF]
    cps += [0xE0100, 0xE0041, 0x10FFFD]
    chars = [chr(c) for c in cps]
    rows = con.execute(
        "SELECT regexp_matches(c, ?) FROM unnest(?::VARCHAR[]) AS t(c)",
        [f"^{re2_word_class()}$", chars],
    ).fetchall()
    rx = word_re()
    mismatched = [
        hex(cp)
        for cp, ch, (got,) in zip(cps, chars, rows, strict=True)
        if got != (rx.fullmatch(ch) is not None)
    ]
    assert mismatched == []


# Texts around the quick accept's edges: it takes a space before and an ASCII
# separator or the end after; everything else is left to the exact regex.
EDGE_TEXTS = [
    "my router died",
    "router! first",
    "routers first",
    "router died",
    "my router.",
    "my router",
    "#router",
    "@router_support",
    "routers and more",
    "my routers",
    "my router\u2014again",
    "my routeré",
    "my router2",
    "my router🔥",
    "my ROUTER!",
    "a mesh pro here",
    "mesh pro first",
    "meshpro first",
    "a mesh  pro",
    "a mesh-pro",
    "a mesh\u2014pro",
    "a mesh\u00a0pro",
    "a meshpro",
    "refunded twice",
    "refund_2 first",
    "a refund_x",
    "a refundé",
    "prerefund",
    "a refund\u2019s",
    "café ok",
    "a cafe\u0301",
]
EDGE_QUERIES = [
    "router",
    '"mesh pro"',
    "refund*",
    "café",
    "*fund",
    # Under a NOT terms compile to CASE chains (sql.py: guarded).
    "-router",
    'router -"mesh pro"',
    "-*fund",
    "NOT (router NEAR/1 died)",
    "NOT (NOT router)",
]


def test_quick_accept_edges_agree_with_python() -> None:
    connection = duckdb.connect(config={"threads": 1})
    norms = [mention_norm("", t) for t in EDGE_TEXTS]
    connection.execute("CREATE TABLE mentions (id INTEGER, text_norm VARCHAR)")
    connection.executemany("INSERT INTO mentions VALUES (?, ?)", list(enumerate(norms)))
    for query in EDGE_QUERIES:
        parsed = parse(query)
        sql, params = to_sql(parsed)
        rows = connection.execute(f"SELECT id FROM mentions WHERE {sql}", params).fetchall()
        got = {r[0] for r in rows}
        expected = {i for i, t in enumerate(EDGE_TEXTS) if parsed.matches(MatchDoc(text=t))}
        assert got == expected, query
    # Each quick regex alone accepts a subset of the exact one, and not nothing.
    for word in ("router", '"mesh pro"', "refund*"):
        _, params = to_sql(word)
        exact = params[-1]
        for quick in params[-3:-1]:
            pairs = connection.execute(
                "SELECT regexp_matches(text_norm, ?), regexp_matches(text_norm, ?) FROM mentions",
                [quick, exact],
            ).fetchall()
            assert all(e for q, e in pairs if q) and any(q for q, _ in pairs), word
            assert any(e and not q for q, e in pairs), word  # some left to the exact regex
    connection.close()
