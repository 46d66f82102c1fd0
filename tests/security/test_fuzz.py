"""Property-based fuzzing (hypothesis) of the query language and of the feed path.

Kept quick by a small number of examples per property. No per-example deadline:
on a busy two-core machine one example can take seconds, and a deadline then fails
the test for the machine's load, not for the code (pytest's timeout still bounds it).
The properties:

* any text either parses or raises QuerySyntaxError (never another exception,
  never a RecursionError), and a parsed query prints back to itself and compiles
  to SQL that DuckDB accepts;
* matching never raises and the linear wildcard agrees with a regex on short text;
* any mutation of a feed parses into items that are safe to store: no control
  characters, web links only, dates inside the sane window.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import duckdb
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engage_desktop.core.query import MatchDoc, QuerySyntaxError, parse
from engage_desktop.core.query.match import glob_match, handle_match
from engage_desktop.core.untrusted import EARLIEST, FUTURE_SLACK
from engage_desktop.listen.worker import RowConfig, RowSource, harden_item
from engage_desktop.sources.feed import parse_feed
from tests.security.hostile import control_rss, hostile_rss

# feedparser warns about its own date fallback on some mutated entries.
pytestmark = pytest.mark.filterwarnings("ignore:To avoid breaking existing software")
FUZZ = settings(
    database=None,  # no .hypothesis folder in the work tree; each run explores afresh
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Pieces a query is made of, hostile ones included.
_PIECES = st.sampled_from([
    "nimbus", "refund*", "a*a*b", "*", "**", "OR", "AND", "NOT", "-", "(", ")", '"',
    '"nimbus router"', "NEAR/3", "NEAR/999", "near/2", "author:jane", "author:*a*b",
    "site:reddit.com", "site:", "lang:en", "source:x*", "café", "ÉCOLE", "@acme", "#tag",
    ":", "\\", "\x00", "\x1b[31m", "𝔘", "🙂", " ", "  ", "\n", "\t",
])  # fmt: skip
QUERIES = st.lists(_PIECES, max_size=40).map(" ".join) | st.text(max_size=120)


@pytest.fixture(scope="module")
def db():
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE mentions AS SELECT 'nimbus router broken' AS text_norm, "
        "'Jane' AS author_name, '@jane@host' AS author_handle, 'reddit' AS source_name, "
        "'en' AS language, 'https://old.reddit.com/r/x' AS url"
    )
    yield con
    con.close()


@FUZZ
@given(QUERIES)
def test_any_text_parses_or_fails_in_words(text):
    try:
        q = parse(text)
    except QuerySyntaxError as exc:
        assert exc.message and 0 <= exc.position <= len(text)
        return
    assert parse(str(q)) == q


@FUZZ
@given(QUERIES)
def test_every_parsed_query_compiles_to_sql_duckdb_runs(db, text):
    try:
        q = parse(text)
    except QuerySyntaxError:
        return
    sql, params = q.to_sql()
    db.execute(f"SELECT count(*) FROM mentions WHERE {sql}", params).fetchone()


@FUZZ
@given(QUERIES, st.text(max_size=300), st.text(max_size=40))
def test_matching_never_raises(text, body, author):
    try:
        q = parse(text)
    except QuerySyntaxError:
        return
    assert q.matches(MatchDoc(text=body, author=author, author_handle="@" + author)) in (
        True,
        False,
    )


_GLOB_ALPHABET = st.text(alphabet="ab@*", max_size=8)


@FUZZ
@given(_GLOB_ALPHABET.filter(lambda p: "*" in p or p), st.text(alphabet="ab@", max_size=12))
def test_the_linear_wildcard_agrees_with_a_regex(pattern, text):
    parts = tuple(pattern.split("*"))
    body = ".*".join(re.escape(p) for p in parts)
    assert glob_match(parts, text) == (re.fullmatch(body, text, re.S) is not None)
    handle = re.fullmatch(f"@?(?:{body})(?:@.*)?", text, re.S) is not None
    assert handle_match(parts, text) == handle


# -- the feed path ------------------------------------------------------------------

_SEEDS = [hostile_rss(3), control_rss()]
_SNIPPETS = [
    b"<script>alert(1)</script>",
    b'<a href="file:///etc/passwd">x</a>',
    b"<link>javascript:alert(1)</link>",
    b"<pubDate>Fri, 31 Dec 9999 23:59:59 GMT</pubDate>",
    b"<pubDate>Mon, 01 Jan 0001 00:00:00 GMT</pubDate>",
    b"\x00\x1b\x07",
    b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]>",
    b"&a;&a;&a;",
    b"]]>",
    b"<![CDATA[<img src=/dev/zero>]]>",
]


@st.composite
def mutated_feeds(draw) -> bytes:
    doc = bytearray(draw(st.sampled_from(_SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        at = draw(st.integers(0, max(len(doc) - 1, 0)))
        if op == "flip" and doc:
            doc[at] = draw(st.integers(0, 255))
        elif op == "cut":
            del doc[at:]
        elif op == "insert":
            doc[at:at] = draw(st.sampled_from(_SNIPPETS))
        elif op == "delete":
            del doc[at : at + draw(st.integers(1, 40))]
    return bytes(doc)


@example(b'<?xml version="1.0" encoding="\x00tf-8"?><rss version="2.0"></rss>')
@example(b'<?xml version="1.0" encoding="\x80tf-8"?><rss version="2.0"></rss>')
@example(b"")
@example(hostile_rss(1).replace(b"<description>", b"<description<script>alert(1)</script>>", 1))
@settings(
    database=None,
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated_feeds())
def test_any_mutated_feed_yields_only_safe_rows(content):
    from engage_desktop.listen.worker import prepare_rows

    now = datetime(2026, 10, 2, tzinfo=UTC)
    parsed = parse_feed(content, "https://feeds.example/rss", "application/rss+xml", now)
    for item in parsed.items:
        safe, _note = harden_item(item, now)
        for value in (safe.title, safe.text, safe.author_name, safe.author_handle):
            assert value is None or not CONTROL.search(value), repr(value)
        assert safe.url is None or safe.url.startswith(("http://", "https://"))
        assert EARLIEST <= safe.published <= now + FUTURE_SLACK
        # Inside tags only: text may say href="file:..." (it is shown, not followed).
        for href in re.findall(r'<[a-z][^<>]*?\s(?:href|src|data-src)="([^"]*)"', safe.html or ""):
            assert href.startswith(("http://", "https://", "mailto:")), href
    rows = prepare_rows(parsed.items, RowSource(1, "fuzz", "blog", True), RowConfig(), now)
    if rows is not None:
        assert len(rows["item_key"]) == len(parsed.items)
