"""Words as the watch-query language sees them: folding, word characters, tokens.

Tokenisation (shared by the Python matcher and the SQL compiler, so both agree):

* Text is folded first with :func:`engage_desktop.core.text.fold` (NFKD, combining
  marks dropped, case-folded), so ``Café`` and ``CAFE`` are both ``cafe``.
* A *word character* is a letter (``L*``), a number (``N*``), a non-spacing or
  spacing mark that survived folding (``Mn``/``Mc``, so Devanagari or Thai vowel
  signs do not split words) or ``_`` (so ``@acme_support`` is one word and the query
  ``acme`` does not match it). Variation selectors are excluded even though they are
  marks: they trail emoji (``❤️``) and must not count as a word in ``NEAR/n``.
* A *word* (token) is a maximal run of word characters. Everything else (spaces,
  punctuation, ``#``, ``@``, apostrophes, emoji) separates words, which is why
  ``acme`` matches ``#acme``, ``@acme``, ``Acme's`` and ``acme.``.
* Known limit: scripts written without spaces (Chinese, Japanese, Thai) become long
  runs, so a query word only matches a whole run.

The word-character set is computed from Python's own ``unicodedata`` and written
out as explicit code-point ranges for RE2, rather than RE2's ``\\p{L}``, because
DuckDB's RE2 ships a newer Unicode version than Python 3.11 and the two would
disagree on recently assigned characters.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from engage_desktop.core.text import fold, mention_norm

__all__ = ["fold", "fold_with_offsets", "mention_norm", "word_ranges"]

# Variation selectors: marks by category, but they decorate emoji, not words.
_VARIATION_SELECTORS = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF))
# Above U+3FFFF only tags, variation selectors and private use exist (none are
# word characters), so scanning stops there: 50 ms instead of 240 ms.
_SCAN_LIMIT = 0x40000
_ASCII_PATTERN_WORD = re.compile(r"[0-9A-Za-z_*]+")
_ASCII_WORD_BYTES = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
#: bytes.translate table: ASCII non-word characters become spaces (see tokenize).
_ASCII_NON_WORD_TO_SPACE = bytes(c if c in _ASCII_WORD_BYTES else 32 for c in range(256))
_WORD_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nd", "Nl", "No", "Mn", "Mc"})


#: Code points classified per step of :func:`word_ranges`: each step is one C-level
#: loop holding the GIL for about a millisecond, so a window's GUI thread that needs
#: the GIL meanwhile (to paint) never waits longer than that.
_SCAN_STEP = 4096


@cache
def word_ranges() -> tuple[tuple[int, int], ...]:
    """Return the word characters as sorted, inclusive code-point ranges.

    Classified by C-level ``map`` steps into one flag byte per code point, and the
    runs of flags found by a regex: 60 ms of CPU where a Python loop over the code
    points took 190-420 ms, all of it holding the GIL in the window's search warm-up.
    """
    category = unicodedata.category
    is_word = _WORD_CATEGORIES.__contains__
    flags = bytearray()
    for start in range(0, _SCAN_LIMIT, _SCAN_STEP):
        stop = min(start + _SCAN_STEP, _SCAN_LIMIT)
        flags += bytes(map(is_word, map(category, map(chr, range(start, stop)))))
    flags[0x5F] = 1  # "_"
    for lo, hi in _VARIATION_SELECTORS:  # (slices past the scan limit are empty)
        flags[lo : hi + 1] = bytes(len(flags[lo : hi + 1]))
    return tuple((m.start(), m.end() - 1) for m in re.finditer(rb"\x01+", flags))


def _py_word_run(extra: str = "") -> str:
    """Python regex for a run of word characters (plus ``extra`` characters).

    Python's ``re`` turns the BMP part of a class into a fast lookup table but tests
    characters beyond U+FFFF range by range, for every separator too. Splitting the
    class and guarding the astral part with a one-range lookahead tokenises 4-5x
    faster than one class with all 784 ranges.
    """

    def esc(cp: int) -> str:
        return f"\\U{cp:08x}"

    def body(ranges: list[tuple[int, int]]) -> str:
        return "".join(esc(lo) if lo == hi else f"{esc(lo)}-{esc(hi)}" for lo, hi in ranges)

    bmp = [(lo, min(hi, 0xFFFF)) for lo, hi in word_ranges() if lo <= 0xFFFF]
    astral = [(max(lo, 0x10000), hi) for lo, hi in word_ranges() if hi > 0xFFFF]
    return f"(?:[{body(bmp)}{extra}]+|(?=[\\U00010000-\\U0010ffff])[{body(astral)}])+"


@cache
def word_re() -> re.Pattern[str]:
    """Regex for one word (a maximal run of word characters)."""
    return re.compile(_py_word_run())


@cache
def pattern_word_re() -> re.Pattern[str]:
    """Regex for one word of a query term, where ``*`` also counts as a letter."""
    return re.compile(_py_word_run(re.escape("*")))


def pattern_words(folded: str) -> list[str]:
    """The word patterns of a folded query term (``*`` counts as a letter).

    ASCII terms skip the full Unicode class, whose first use computes the word
    ranges (~0.5 s): every fetch and every parse worker parses the watch queries.
    """
    if folded.isascii():
        return _ASCII_PATTERN_WORD.findall(folded)
    return pattern_word_re().findall(folded)


def tokenize(norm: str) -> list[str]:
    """Split folded text into words.

    Args:
        norm: Text already folded with :func:`fold`.

    Returns:
        The words in order.
    """
    if norm.isascii():
        # In ASCII the word characters are exactly letters, digits and "_": every other
        # byte becomes a space and str.split() cuts the rest, all in C (5x faster than
        # findall of [0-9A-Za-z_]+, which gives the same words: fetch matching).
        return norm.encode("ascii").translate(_ASCII_NON_WORD_TO_SPACE).decode("ascii").split()
    return word_re().findall(norm)


def re2_word_class(negate: bool = False) -> str:
    """The word-character class in RE2 syntax (explicit ranges, see module doc)."""
    return re2_class_from_ranges(word_ranges(), negate)


def re2_class_from_ranges(
    ranges: tuple[tuple[int, int], ...] | list[tuple[int, int]], negate: bool = False
) -> str:
    """Write code-point ranges as an RE2 character class.

    Args:
        ranges: Sorted inclusive ``(low, high)`` code points.
        negate: Build ``[^...]`` instead.

    Returns:
        The class, e.g. ``[\\x{30}-\\x{39}]``.
    """
    body = "".join(
        f"\\x{{{lo:X}}}" if lo == hi else f"\\x{{{lo:X}}}-\\x{{{hi:X}}}" for lo, hi in ranges
    )
    return f"[{'^' if negate else ''}{body}]"


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` and remember where each folded character came from.

    Folding works character by character (NFKD decomposes each character on its
    own and case folding has no context), so folding characters one at a time
    gives the same string as :func:`fold` on the whole text.

    Args:
        text: Original text.

    Returns:
        ``(folded, origin)`` where ``origin[i]`` is the index in ``text`` of the
        character that produced ``folded[i]``.
    """
    if text.isascii():
        return text.lower(), list(range(len(text)))
    parts: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        f = fold(ch)
        parts.append(f)
        origin.extend([i] * len(f))
    return "".join(parts), origin


def word_spans(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """Tokenise original text, keeping each word's span in that text.

    Args:
        text: Original (unfolded) text.

    Returns:
        ``(words, spans)``: folded words and their ``(start, end)`` character
        offsets in ``text``; the end reaches over accents that folding dropped.
    """
    folded, origin = fold_with_offsets(text)
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    n = len(text)
    for m in word_re().finditer(folded):
        start = origin[m.start()]
        end = origin[m.end() - 1] + 1
        # Extend over trailing characters that folded to nothing (combining accents
        # typed separately), so highlighting "cafe" in "cafe\u0301" covers the accent.
        while end < n and not fold(text[end]):
            end += 1
        words.append(m.group())
        spans.append((start, end))
    return words, spans
