"""Text folding shared by matching, search and storage.

The workspace keeps a pre-folded copy of every mention (``mentions.text_norm``) so
that search and query back-tests run as plain string scans in DuckDB; the Python
matcher folds with the same function so both agree.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache


def fold(text: str) -> str:
    """Return ``text`` case-folded with accents removed (``Café`` -> ``cafe``).

    Args:
        text: Any Unicode text.

    Returns:
        The NFKD decomposition without combining marks, case-folded.
    """
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@lru_cache(maxsize=65536)
def fold_cached(text: str) -> str:
    """:func:`fold` with a cache, for short repeated strings such as names."""
    return fold(text)


def mention_norm(title: str | None, text: str | None) -> str:
    """The folded search text of a mention: title and body, one line apart."""
    if title:
        return fold(f"{title}\n{text or ''}")
    return fold(text or "")
