"""The parse workers' fast paths give exactly what the straightforward code gives.

Each shortcut in the per-item path (sanitize, harden, match, score) is checked here
against the plain way of computing the same thing, on varied generated input.
"""

from __future__ import annotations

import html
import random
import re
from datetime import UTC, datetime

from engage_desktop.core import untrusted
from engage_desktop.sources import sanitize

_FRAGMENTS = (
    "plain words", " ", "\n", "\t", "\r\n", "\r", "\x00", "\x1b[31m", "\x85", "\xa0",
    "é", "😀", 'href="https://a.example/x"', 'href="http://b.example/"',
    'href="mailto:x@y.z"', 'href="/relative"', 'href="HTTPS://up.example/"',
    'data-src="https://img.example/p.gif"', 'data-src="//cdn.example/p.gif"',
    'href=""', 'xhref="javascript:alert(1)"', "href=", '"', "<a ", "<img ", ">", "</a>",
    "&amp;", "<p>", "</p>",
)  # fmt: skip


def _samples(n: int = 3000, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_FRAGMENTS) for _ in range(rng.randint(0, 12))) for _ in range(n)]


def _strip_controls_plain(text: str) -> str:
    if "\r" in text:
        text = untrusted._CRLF.sub("\n", text)
    return untrusted._CONTROLS.sub("", text)


def test_strip_controls_equals_the_regex_way():
    for text in _samples():
        assert untrusted.strip_controls(text) == _strip_controls_plain(text), repr(text)


def test_all_absolute_only_when_no_relative_link_attribute():
    seen = set()
    for text in _samples():
        fast = sanitize._all_absolute(text)
        seen.add(fast)
        if fast:
            assert sanitize._NOT_ABSOLUTE.search(text) is None, repr(text)
    assert seen == {True, False}  # both answers were exercised


_HTML_PIECES = (
    "<p>", "</p>", "<P>", "</P >", "< /p>", "<br>", "<BR/>", "<br />", "<hr>", "</div>",
    "</li>", "</h2>", "</blockquote>", "</tr>", "</pre>", "<pre>", "<b>", "</b>",
    "<brx>", "<script>x()</script>", "<img src=a.gif>", "<IMG SRC='b.gif'>",
    "<img\tsrc = c.gif>", "<a href=/x>link</a>", "words", " ", "  ", "\n", "\t", "\xa0",
    "&amp;", "&lt;br&gt;", "é", "\r\n",
)  # fmt: skip


def _html_samples(n: int = 800, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_HTML_PIECES) for _ in range(rng.randint(0, 14))) for _ in range(n)]


def _plain_text_the_old_way(safe: str) -> str:
    block_end = re.compile(
        r"<\s*(br|/p|/div|/li|/h[1-6]|/blockquote|/tr|/pre|hr)\b[^>]*>", re.IGNORECASE
    )
    text = sanitize._TAG.sub("", block_end.sub("\n", safe))
    if "&" in text:
        text = html.unescape(text)
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def test_body_text_and_html_equal_the_old_way():
    for raw in _html_samples():
        renamed = sanitize._IMG_SRC.sub(r"\1data-src\2", raw)
        old_html = sanitize._html_cleaner()(renamed).strip() or None
        assert sanitize.clean_html(raw) == (old_html if raw.strip() else None), repr(raw)
        if old_html is not None:
            assert sanitize._plain_text(old_html) == _plain_text_the_old_way(old_html), repr(raw)
        text_html = sanitize._text_cleaner()(raw)
        assert sanitize._plain_text(text_html) == _plain_text_the_old_way(text_html), repr(raw)


_WORDS = (
    "nimbus", "Nimbus", "router", "x2", "mesh", "pro", "orbit", "orbital", "skylink", "is",
    "down", "outage", "no", "internet", "great", "GREAT", "terrible", "not", "very", "but",
    "never", "so", "this", "least", "at", "kind", "of", "the", "bomb", "love", "hate", "!",
    "?", "café", "Zürich", "support", "app", "@nimbushq", "#fail", ":)", "😀", "refund",
)  # fmt: skip
_QUERIES = (
    (1, 'nimbus OR @nimbushq OR "nimbus support"'),
    (2, '"router x2" OR "nimbus x2"'),
    (3, '"mesh pro"'),
    (4, 'orbit NOT (orbital OR "in orbit")'),
    (5, 'outage OR "no internet" OR "is down"'),
    (6, "refund* AND lang:en"),
    (7, '(nimbus NEAR/3 great) OR (source:"feed one" AND hate)'),
)


def _items(n: int = 60, seed: int = 5) -> list:
    from datetime import UTC, datetime

    from engage_desktop.sources.item import FeedItem

    rng = random.Random(seed)
    when = datetime(2026, 11, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        text = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 30)))
        title = " ".join(rng.choice(_WORDS) for _ in range(3)) if i % 3 else None
        language = None if i % 7 == 0 else rng.choice(("en", "de", "EN-us"))
        out.append(
            FeedItem(
                item_key=f"k{i}", url=f"https://site.example/{i}", title=title, text=text,
                html=None, published=when, author_name=rng.choice(("Ann", None)),
                language=language,
            )
        )  # fmt: skip
    return out


def test_prepared_rows_equal_the_straightforward_path():
    from engage_desktop.core.query import MatchDoc, parse
    from engage_desktop.enrich.language import detect_language, is_scored_language
    from engage_desktop.enrich.sentiment import label_for
    from engage_desktop.enrich.sentiment.columns import text_to_score
    from engage_desktop.enrich.sentiment.reference import nltk_analyzer
    from engage_desktop.listen.worker import RowConfig, RowSource, prepare_rows

    items = _items()
    topics = tuple((qid, f"topic {qid % 3}") for qid, _q in _QUERIES)
    config = RowConfig(_QUERIES, topics, (), run=1)
    rows = prepare_rows(items, RowSource(1, "feed one", "blog", True), config)
    nltk = nltk_analyzer()  # the reference VADER (NLTK's own code)
    queries = [(qid, parse(text)) for qid, text in _QUERIES]
    for i, it in enumerate(items):
        text = text_to_score(it.title, it.text)
        language = it.language or detect_language(text)
        doc = MatchDoc(
            text=it.text, title=it.title or "", author=it.author_name or "",
            source="feed one", lang=language, url=it.url or "",
        )  # fmt: skip
        matched = [qid for qid, q in queries if q.matches(doc)]
        assert rows["matched_queries"][i] == matched, it
        assert rows["topics"][i] == list(dict.fromkeys(f"topic {q % 3}" for q in matched))
        assert rows["language"][i] == language
        if is_scored_language(language):
            want = nltk.polarity_scores(text)
            got = {
                "compound": rows["model_sentiment"][i], "pos": rows["sentiment_pos"][i],
                "neu": rows["sentiment_neu"][i], "neg": rows["sentiment_neg"][i],
            }  # fmt: skip
            assert got == want, text
            assert rows["model_label"][i] == label_for(want["compound"])
        else:
            assert rows["model_label"][i] == "unscored"
    assert {len(m) for m in rows["matched_queries"]} > {0, 1}  # the sample matches and misses


def test_the_encoded_rows_name_a_type_for_every_column_a_worker_builds():
    import json

    from engage_desktop.listen.worker import (
        MENTION_COLUMNS,
        ROW_TYPES,
        SCORE_COLUMNS,
        RowConfig,
        RowSource,
        encode_rows,
        prepare_rows,
    )
    from engage_desktop.sources.item import FeedItem

    assert set(ROW_TYPES) == set(MENTION_COLUMNS) | set(SCORE_COLUMNS)
    now = datetime(2026, 10, 1, tzinfo=UTC)
    rows = prepare_rows(
        [FeedItem("k", None, None, "t", None, now)], RowSource(1, "f", "blog", True), RowConfig()
    )
    encoded = encode_rows(rows)
    assert encoded.keys == ["k"] and set(json.loads(encoded.text)) == set(ROW_TYPES)
    assert encoded.text.isascii()
