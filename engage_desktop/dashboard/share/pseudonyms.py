"""Stable pseudonyms for one shared copy: "Author 4821", and @handles in texts.

Each author (a channel and a handle) gets a number drawn at random for this copy
alone, so the same person is the same "Author 4821" everywhere in the copy (names,
handles, @mentions inside texts and replies) but cannot be matched across copies or
recomputed from a known handle. Handles the workspace itself watches (the brand's
handle and those inside watch queries) belong to organisations, not customers, and
are kept.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Iterable
from typing import Any

# An @handle not preceded by a word character (so e-mail addresses are not handles):
# Mastodon's user@instance and Bluesky's dotted handles included.
HANDLE = re.compile(
    r"(?<![\w@./])@([A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)"
    r"(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?"
)
_WATCHED = re.compile(r"@([A-Za-z0-9_][A-Za-z0-9_.-]*)")


def watched_handles(brand_handle: object, queries: Iterable[str]) -> set[str]:
    """Handles of organisations: the brand's setting and those named in watch queries."""
    found = {str(brand_handle).lstrip("@").lower()} if brand_handle else set()
    for query in queries:
        found.update(h.lower() for h in _WATCHED.findall(query or ""))
    return found


class Pseudonyms:
    """Numbers for authors and for handles met in texts, unique within one copy."""

    def __init__(self, keep: set[str] | None = None, rng: random.Random | None = None) -> None:
        self.keep = {k.lower() for k in (keep or set())}
        self._rng = rng or random.SystemRandom()
        self._used: set[int] = set()
        self._by_pair: dict[tuple[str, str], int] = {}
        self._by_handle: dict[str, int] = {}
        self._high = 10_000  # four digits while they last
        # DuckDB may call the rewriting function from several threads at once.
        self._lock = threading.Lock()

    def _draw(self) -> int:
        if len(self._used) * 2 >= self._high - 1000:
            self._high *= 10
        while True:
            n = self._rng.randrange(1000, self._high)
            if n not in self._used:
                self._used.add(n)
                return n

    def author(self, channel: str, handle: str) -> int:
        """The number of the author ``handle`` on ``channel``."""
        key = (channel, handle)
        n = self._by_pair.get(key)
        if n is None:
            n = self._by_handle.get(handle.lower()) or self._draw()
            self._by_pair[key] = n
            for form in _forms(handle):
                self._by_handle.setdefault(form, n)
        return n

    def table(self, pairs: Iterable[tuple[str, str]]) -> Any:
        """(channel, handle, n) for every pair, as a table to join in SQL."""
        import numpy as np

        from engage_desktop.workspace.columns import ColumnTable

        rows = sorted(set(pairs))
        return ColumnTable(
            channel=[c for c, _ in rows],
            handle=[h for _, h in rows],
            n=np.array([self.author(c, h) for c, h in rows], dtype=np.int64),
        )

    def handles(self) -> list[str]:
        """Every handle given a pseudonym so far (authors', and those met in texts)."""
        with self._lock:
            return [h for h in self._by_handle if h not in self.keep]

    def _handle(self, match: re.Match[str]) -> str:
        local = match.group(1).lower()
        whole = match.group(0)[1:].lower()
        if local in self.keep or whole in self.keep:
            return match.group(0)
        n = self._by_handle.get(whole) or self._by_handle.get(local)
        if n is None:
            n = self._draw()
            self._by_handle[whole] = n
            self._by_handle.setdefault(local, n)
        return f"@author-{n}"

    def rewrite(self, text: str | None) -> str | None:
        """``text`` with every @handle (but the kept ones) replaced by its pseudonym."""
        if not text or "@" not in text:
            return text
        return HANDLE.sub(self._handle, text)

    def rewrite_shared(self, text: str | None) -> str | None:
        """:meth:`rewrite` for a SQL function: DuckDB may call it from several threads."""
        with self._lock:
            return self.rewrite(text)


def _forms(handle: str) -> set[str]:
    """A handle as texts may write it: whole, and Mastodon's local part."""
    h = handle.lstrip("@").lower()
    return {h, h.split("@", 1)[0]}
