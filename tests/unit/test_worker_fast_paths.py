"""The parse workers' fast paths give exactly what the straightforward code gives.

Each shortcut in the per-item path (sanitize, harden, match, score) is checked here
against the plain way of computing the same thing, on varied generated input.
"""

from __future__ import annotations

import random

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
