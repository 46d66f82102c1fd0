"""The parse workers' fast paths give exactly what the straightforward code gives.

Each shortcut in the per-item path (sanitize, harden, match, score) is checked here
against the plain way of computing the same thing, on varied generated input.
"""

from __future__ import annotations

import html
import random
import re

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
