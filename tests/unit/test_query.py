"""The watch-query language: parsing, matching, errors, highlighting.

``DOCS`` and ``CASES`` are shared with tests/integration/test_query_sql.py, which
checks that the SQL compilation selects exactly the same documents.
"""

from __future__ import annotations

import pickle

import pytest

from engage_desktop.core.query import (
    MatchDoc,
    Near,
    Not,
    QuerySyntaxError,
    fold,
    parse,
    prepare,
)

REDDIT = "https://old.reddit.com/r/nimbus/comments/1"

DOCS: dict[str, MatchDoc] = {
    "plain": MatchDoc(text="I love my Nimbus router"),
    "refunds": MatchDoc(text="Refunds are slow; I was refunded twice"),
    "refund": MatchDoc(text="Where is my refund?"),
    "prerefund": MatchDoc(text="No prerefund check here"),
    "colour": MatchDoc(text="Nice colour scheme"),
    "color": MatchDoc(text="nice color"),
    "colorful": MatchDoc(text="colorful design"),
    "ab": MatchDoc(text="alpha beta"),
    "gamma": MatchDoc(text="gamma"),
    # nimbus(0) router(1) keeps(2) dropping(3) and(4) the(5) wifi(6) is(7) broken(8) again(9)
    "near": MatchDoc(text="Nimbus router keeps dropping, and the wifi is broken again."),
    "twice": MatchDoc(text="Nimbus is better than Nimbus"),
    "jane": MatchDoc(
        text="Nimbus is great",
        author="Jane Doe",
        author_handle="@jane_doe",
        source="Reddit",
        lang="en-GB",
        url=REDDIT,
    ),
    "fedi": MatchDoc(
        text="Nimbus mesh is fine",
        author="Ana Souza",
        author_handle="@ana@mastodon.social",
        source="Mastodon",
        lang=None,
        url="https://mastodon.social/@ana/1",
    ),
    "notreddit": MatchDoc(text="Nimbus", url="https://notreddit.com/r/x", lang="EN"),
    "reddit_caps": MatchDoc(text="Nimbus", url="HTTPS://WWW.Reddit.COM:443/r/x", lang="pt_BR"),
    "jose": MatchDoc(text="Orbit", author="José Álvarez", author_handle="jose.bsky.social"),
    "strasse_author": MatchDoc(text="Skylink", author="Straße Fan", source="Hacker News"),
    "cafe": MatchDoc(text="Le Café est fermé"),
    "cafe_upper": MatchDoc(text="CAFE OPEN"),
    "cafe_nfd": MatchDoc(text="cafe\u0301 au lait"),
    "strasse": MatchDoc(text="Die Straße ist laut"),
    "fullwidth": MatchDoc(text="ＮＩＭＢＵＳ rocks"),
    "acmeist": MatchDoc(text="The acmeist movement and notacme stuff"),
    "acmes": MatchDoc(text="Acme's new router."),
    "hashtag": MatchDoc(text="Loving #acme today"),
    "mention": MatchDoc(text="Thanks @acme!"),
    "handle_us": MatchDoc(text="ping @acme_support please"),
    "dot": MatchDoc(text="I use acme."),
    "hyphen": MatchDoc(text="The nimbus-router is fine"),
    "digits": MatchDoc(text="Router X2 is here"),
    "emoji": MatchDoc(text="Nimbus🔥🔥 love it ❤️ refund"),
    "greek": MatchDoc(text="Ο ΣΊΣΥΦΟΣ"),
    "cyrillic": MatchDoc(text="Привет, Нимбус!"),
    "hindi": MatchDoc(text="नमस्ते दुनिया"),
    "titled": MatchDoc(text="body text here", title="Nimbus Mesh review"),
    "empty": MatchDoc(text=""),
    "near_me": MatchDoc(text="Is there a Nimbus store near me?"),
    "odd_host": MatchDoc(text="x", url="http://user:pw@my_host.Example.com./a"),
}

CASES: list[tuple[str, str, bool]] = [
    # words, case, boundaries
    ("nimbus", "plain", True),
    ("NIMBUS", "plain", True),
    ("router", "plain", True),
    ("rout", "plain", False),
    ("acme", "acmeist", False),
    ("acme", "acmes", True),
    ("acme's", "acmes", True),
    ("acmes", "acmes", False),
    ("acme", "hashtag", True),
    ("#acme", "hashtag", True),
    ("acme", "mention", True),
    ("acme", "handle_us", False),
    ("acme_support", "handle_us", True),
    ("acme*", "handle_us", True),
    ("acme", "dot", True),
    ("nimbus", "hyphen", True),
    ("nimbus-router", "hyphen", True),
    ("x2", "digits", True),
    ("x", "digits", False),
    ("nimbus", "empty", False),
    # implicit AND, AND, OR, NOT
    ("love nimbus", "plain", True),
    ("love AND orbit", "plain", False),
    ("love orbit", "plain", False),
    ("love OR orbit", "plain", True),
    ("orbit OR skylink", "plain", False),
    ("nimbus -router", "plain", False),
    ("nimbus -orbit", "plain", True),
    ("nimbus NOT orbit", "plain", True),
    ("NOT orbit", "plain", True),
    ("NOT nimbus", "plain", False),
    ("-nimbus", "empty", True),
    # phrases
    ('"nimbus router"', "plain", True),
    ('"router nimbus"', "plain", False),
    ('"love nimbus"', "plain", False),
    ('"my nimbus router"', "plain", True),
    ('"nimbus router"', "hyphen", True),
    ('-"nimbus router"', "plain", False),
    ('"mesh review body"', "titled", True),
    # parentheses and precedence
    ("-(orbit OR skylink) nimbus", "plain", True),
    ("-(router OR skylink) nimbus", "plain", False),
    ("alpha OR gamma beta", "gamma", False),
    ("alpha OR gamma beta", "ab", True),
    ("(alpha OR gamma) beta", "gamma", False),
    ("NOT alpha OR gamma", "gamma", True),
    ("NOT alpha OR gamma", "ab", False),
    ("NOT (alpha OR gamma)", "ab", False),
    ("alpha AND NOT beta OR gamma", "ab", False),
    ("alpha AND NOT beta OR gamma", "gamma", True),
    ("alpha beta OR gamma", "ab", True),
    # wildcards
    ("refund*", "refunds", True),
    ("refund*", "refund", True),
    ("refund", "refunds", False),
    ("refunded", "refunds", True),
    ("refund*", "prerefund", False),
    ("*refund", "prerefund", True),
    ("colo*r", "colour", True),
    ("colo*r", "color", True),
    ("colo*r", "colorful", False),
    ('"refund* twice"', "refunds", True),
    ('"refund* slow"', "refunds", False),
    ('"refunded twice"', "refunds", True),
    # NEAR: either order, at the limit n and beyond it (n + 1)
    ("nimbus NEAR/7 broken", "near", True),
    ("nimbus NEAR/6 broken", "near", False),
    ("broken NEAR/7 nimbus", "near", True),
    ("broken NEAR/6 nimbus", "near", False),
    ("router NEAR/0 keeps", "near", True),
    ("keeps NEAR/0 router", "near", True),
    ("router NEAR/0 dropping", "near", False),
    ('"nimbus router" NEAR/5 broken', "near", False),
    ('"nimbus router" NEAR/6 broken', "near", True),
    ("wifi NEAR/2 (broken OR dead)", "near", True),
    ("nimbus NEAR/2 (dead OR again)", "near", False),
    ("(nimbus OR orbit) NEAR/1 keeps", "near", True),
    ("brok* NEAR/1 wifi", "near", True),
    ("nimbus NEAR/3 nimbus", "near", False),
    ("nimbus NEAR/3 nimbus", "twice", True),
    ("nimbus NEAR/2 nimbus", "twice", False),
    ("NOT nimbus NEAR/1 broken", "near", True),
    ("nimbus near/7 broken", "near", True),
    ("near nimbus", "near", False),
    ("near me nimbus", "near_me", True),
    ('"near me"', "near_me", True),
    # fields
    ("author:jane_doe", "jane", True),
    ("author:@jane_doe", "jane", True),
    ("author:JANE_DOE", "jane", True),
    ('author:"jane doe"', "jane", True),
    ("author:jane", "jane", False),
    ("author:jane*", "jane", True),
    ("author:*doe", "jane", True),
    ("author:jane_do", "jane", False),
    ("author:ana", "fedi", True),
    ("author:ana@mastodon.social", "fedi", True),
    ("author:mastodon.social", "fedi", False),
    ('author:"jose alvarez"', "jose", True),
    ('author:"JOSÉ ÁLVAREZ"', "jose", True),
    ("author:jose.bsky.social", "jose", True),
    ('author:"strasse fan"', "strasse_author", True),
    ("source:reddit", "jane", True),
    ("source:red*", "jane", True),
    ("source:hacker", "strasse_author", False),
    ('source:"hacker news"', "strasse_author", True),
    ("lang:en", "jane", True),
    ("lang:EN", "jane", True),
    ("lang:de", "jane", False),
    ("lang:en", "fedi", False),
    ("-lang:en", "fedi", True),
    ("lang:en", "notreddit", True),
    ("lang:pt", "reddit_caps", True),
    ("site:reddit.com", "jane", True),
    ("site:old.reddit.com", "jane", True),
    ("site:new.reddit.com", "jane", False),
    ("site:eddit.com", "jane", False),
    ("site:reddit.co", "jane", False),
    ("site:reddit.com", "notreddit", False),
    ("site:reddit.com", "reddit_caps", True),
    ("site:https://Reddit.com/", "reddit_caps", True),
    ("site:mastodon.social", "fedi", True),
    ("site:reddit.com", "plain", False),
    ("site:my_host.example.com", "odd_host", True),
    ("site:example.com", "odd_host", True),
    ("site:host.example.com", "odd_host", False),
    ("nimbus -site:reddit.com", "jane", False),
    ("nimbus site:reddit.com lang:en author:jane*", "jane", True),
    # accents, case folding, compatibility forms
    ("cafe", "cafe", True),
    ("café", "cafe", True),
    ("CAFE", "cafe", True),
    ("ferme", "cafe", True),
    ("café", "cafe_upper", True),
    ("café", "cafe_nfd", True),
    ("cafe", "cafe_nfd", True),
    ("strasse", "strasse", True),
    ("straße", "strasse", True),
    ("nimbus", "fullwidth", True),
    # other scripts, emoji
    ("σίσυφος", "greek", True),
    ("нимбус", "cyrillic", True),
    ("नमस्ते", "hindi", True),
    ("नमस", "hindi", False),
    ("nimbus", "emoji", True),
    ("it NEAR/0 refund", "emoji", True),
    ("nimbus NEAR/0 love", "emoji", True),
]


@pytest.mark.parametrize(("query", "doc", "expected"), CASES)
def test_match_table(query: str, doc: str, expected: bool) -> None:
    assert parse(query).matches(DOCS[doc]) is expected


def test_table_is_big_enough() -> None:
    assert len(CASES) >= 60


def test_prepared_doc_gives_the_same_answers() -> None:
    queries = [parse(q) for q in dict.fromkeys(q for q, _, _ in CASES)]
    for doc in DOCS.values():
        prepared = prepare(doc)
        for q in queries:
            assert q.matches_prepared(prepared) == q.matches(doc), (str(q), doc)


def test_prepare_accepts_a_stored_text_norm() -> None:
    doc = MatchDoc(text="ignored")
    assert parse("nimbus").matches_prepared(prepare(doc, text_norm="hello nimbus"))


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        ("a b OR c", "a AND b OR c"),
        ("a OR b c", "a OR b AND c"),
        ("NOT a b", "NOT a AND b"),
        ("NOT (a b)", "NOT (a AND b)"),
        ("(a OR b) c", "(a OR b) AND c"),
        ("a -b", "a AND NOT b"),
        ("a AND (b AND c)", "a AND b AND c"),
        ('"Nimbus  Router" NEAR/3 (Broken OR dead)', '"nimbus router" NEAR/3 (broken OR dead)'),
        (
            "author:@Jane_Doe -site:Reddit.com lang:EN",
            "author:jane_doe AND NOT site:reddit.com AND lang:en",
        ),
        ('author:"Jane Doe"', 'author:"jane doe"'),
        ("refund** Colo*r", "refund* AND colo*r"),
        ("acme's", '"acme s"'),
        ("--a", "NOT NOT a"),
    ],
)
def test_precedence_and_canonical_text(query: str, canonical: str) -> None:
    q = parse(query)
    assert str(q) == canonical
    assert parse(str(q)) == q


def test_not_applies_to_a_whole_near() -> None:
    root = parse("NOT a NEAR/2 b").root
    assert isinstance(root, Not)
    assert isinstance(root.child, Near)


def test_every_table_query_round_trips() -> None:
    for query, _, _ in CASES:
        q = parse(query)
        assert parse(str(q)) == q, query


def test_queries_pickle_after_use() -> None:
    q = parse("nimbus refund*")
    assert q.matches(MatchDoc(text="Nimbus refunds"))
    copy = pickle.loads(pickle.dumps(q))
    assert copy == q and copy.text == q.text
    assert copy.matches(MatchDoc(text="Nimbus refunds"))


def test_queries_are_immutable_and_hashable() -> None:
    q = parse("a b")
    with pytest.raises(AttributeError):
        q.root = None  # type: ignore[misc]
    assert {q, parse("a AND b")} == {q}


ERRORS: list[tuple[str, int, str]] = [
    ("", 0, "Empty query"),
    ("   ", 0, "Empty query"),
    ("acme AND", 5, "Nothing after 'AND'"),
    ("acme OR", 5, "Nothing after 'OR'"),
    ("NOT", 0, "Nothing after 'NOT'"),
    ("acme NOT", 5, "Nothing after 'NOT'"),
    ("AND acme", 0, "Nothing before 'AND'"),
    ("acme OR OR b", 5, "Nothing after 'OR'"),
    ("(acme", 0, "Unclosed '('"),
    ("a ((acme)", 2, "Unclosed '('"),
    ("acme)", 4, "Unexpected ')'"),
    ("(acme) OR b) c", 11, "Unexpected ')'"),
    (")", 0, "Unexpected ')'"),
    ("()", 0, "Empty parentheses"),
    ('say "hello', 4, "Unterminated quote"),
    ('""', 0, "Empty phrase"),
    ("acme NEAR/ b", 5, "NEAR/ without a number"),
    ("acme NEAR/x b", 5, "NEAR/ without a number"),
    ("acme NEAR b", 5, "NEAR without a distance"),
    ("acme NEAR/101 b", 5, "too far"),
    ("acme NEAR/3", 5, "Nothing after 'NEAR/3'"),
    ("NEAR/3 acme", 0, "needs a word or phrase on its left"),
    ("near/3 acme", 0, "needs a word or phrase on its left"),
    ("(a AND b) NEAR/3 c", 10, "needs a word or phrase on its left"),
    ("a NEAR/3 (b AND c)", 9, "needs a word or phrase on its right"),
    ("a NEAR/3 -b", 9, "needs a word or phrase on its right"),
    ("a NEAR/3 author:x", 9, "needs a word or phrase on its right"),
    ("-a NEAR/3 b", 3, "needs a word or phrase on its left"),
    ("a NEAR/3 b NEAR/2 c", 11, "cannot follow another NEAR"),
    ("foo:bar", 0, "Unknown field 'foo:'"),
    ("acme https://x.com", 5, "Unknown field 'https:'"),
    ("acme -", 5, "Lone '-'"),
    ("acme - b", 5, "Lone '-'"),
    ("-", 0, "Lone '-'"),
    ("a -AND b", 2, "Lone '-'"),
    ("author:", 0, "author: needs a value"),
    ("x author: jane", 2, "author: needs a value"),
    ('author:"jane', 7, "Unterminated quote"),
    ("author:*", 0, "needs letters"),
    ("lang:english", 0, "language code"),
    ("site:reddit.com/r/x", 0, "domain name"),
    ("*", 0, "Wildcard without letters"),
    ('"nimbus * router"', 0, "Wildcard without letters"),
    ("acme #", 5, "no letters or digits"),
    ("🔥", 0, "no letters or digits"),
]


@pytest.mark.parametrize(("query", "position", "message"), ERRORS)
def test_syntax_errors(query: str, position: int, message: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse(query)
    err = info.value
    assert err.position == position
    assert message in str(err)
    assert f" at character {position}" in str(err)


def test_error_text_and_caret() -> None:
    query = "(nimbus OR orbit)) refund"
    with pytest.raises(QuerySyntaxError) as info:
        parse(query)
    err = info.value
    assert str(err) == "Unexpected ')' at character 17: no '(' is open here"
    assert err.caret_line(query) == f"{query}\n{' ' * 17}^"
    assert isinstance(err, ValueError)


def test_unknown_field_lists_the_valid_ones() -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse("foo:bar")
    assert "author:, lang:, site:, source:" in str(info.value)


def test_caret_line_keeps_alignment_with_tabs() -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse("a\tAND")
    assert info.value.caret_line("a\tAND") == "a AND\n  ^"


@pytest.mark.parametrize(
    ("query", "text", "spans"),
    [
        ("nimbus refund*", "Nimbus: my REFUNDS, nimbus!", [(0, 6), (11, 18), (20, 26)]),
        ('"nimbus router"', "The Nimbus  Router rocks", [(4, 18)]),
        ("nimbus -router", "nimbus router", [(0, 6)]),
        ("cafe", "Un Café.", [(3, 7)]),
        ("cafe", "cafe\u0301!", [(0, 5)]),
        ("strasse", "Straße", [(0, 6)]),
        ("author:jane nimbus", "jane nimbus", [(5, 11)]),
        ("wifi NEAR/2 (broken OR dead)", "wifi is broken", [(0, 4), (8, 14)]),
        ("acme", "#acme @acme acmeist", [(1, 5), (7, 11)]),
        ('"a b" b', "a b", [(0, 3)]),
        ("NOT nimbus", "nimbus", []),
        ("nimbus", "🔥Nimbus🔥", [(1, 7)]),
    ],
)
def test_highlight_spans(query: str, text: str, spans: list[tuple[int, int]]) -> None:
    assert parse(query).highlight_spans(text) == spans


def test_terms_are_the_positive_words_and_phrases() -> None:
    q = parse('Nimbus "nimbus router" -orbit (refund* OR outage) author:x NOT (a OR -b) c NEAR/2 d')
    assert q.terms() == ("nimbus", "nimbus router", "refund*", "outage", "b", "c", "d")


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Café", "cafe"),
        ("CAFE", "cafe"),
        ("Straße", "strasse"),
        ("ＮＩＭＢＵＳ", "nimbus"),
        ("e\u0301", "e"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_lowercase_operators_are_words() -> None:
    assert parse("salt and pepper").matches(MatchDoc(text="pepper, salt and more"))
    assert not parse("salt and pepper").matches(MatchDoc(text="salt pepper"))


def test_ascii_tokenizer_agrees_with_the_unicode_word_class():
    from engage_desktop.core.query.tokens import tokenize, word_re

    ascii_text = "".join(chr(i) for i in range(128))
    samples = [ascii_text, ascii_text[::-1], "acme's #acme @acme_support x2 v1.2 a-b"]
    for text in samples:
        assert tokenize(text) == word_re().findall(text)
    assert tokenize("café acme") == ["café", "acme"]  # non-ASCII takes the full class


def test_ascii_query_words_agree_with_the_unicode_pattern_class():
    from engage_desktop.core.query.tokens import pattern_word_re, pattern_words

    ascii_text = "".join(chr(i) for i in range(128))
    for text in (ascii_text, "refund* *ing r*d x_2", "a-b c.d"):
        assert pattern_words(text) == pattern_word_re().findall(text)


def test_word_ranges_hold_exactly_the_word_characters():
    """The fast scan agrees with the definition (a sample of every 5th code point,
    plus the edges: "_", a variation selector, a combining mark, the scan limit)."""
    import bisect
    import itertools
    import unicodedata

    from engage_desktop.core.query.tokens import _SCAN_LIMIT, _WORD_CATEGORIES, word_ranges

    ranges = word_ranges()
    starts = [lo for lo, _ in ranges]
    assert all(a[1] + 1 < b[0] for a, b in itertools.pairwise(ranges))  # sorted, merged

    def in_ranges(cp: int) -> bool:
        i = bisect.bisect_right(starts, cp) - 1
        return i >= 0 and ranges[i][0] <= cp <= ranges[i][1]

    def is_word(cp: int) -> bool:
        if 0xFE00 <= cp <= 0xFE0F:  # variation selectors trail emoji
            return False
        return cp == 0x5F or unicodedata.category(chr(cp)) in _WORD_CATEGORIES

    sample = [*range(0, _SCAN_LIMIT, 5), 0x5F, 0x2D, 0xFE0F, 0x0301, _SCAN_LIMIT - 1]
    assert [cp for cp in sample if in_ranges(cp) != is_word(cp)] == []
    assert in_ranges(0x0301) and not in_ranges(0xFE0F) and in_ranges(0x5F)
    assert ranges[-1][1] < _SCAN_LIMIT
