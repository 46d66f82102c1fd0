"""The CPU-bound part of listening, run in the parse pool (threads or processes).

Parsing, sanitizing and matching one feed document happen here together, so a
process pool spreads all three over the cores and only small results travel back.
Queries travel as text and are parsed once per worker (cached).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from engage_desktop.core.text import mention_norm
from engage_desktop.sources.feed import ParsedFeed, parse_feed
from engage_desktop.sources.item import FeedItem

QuerySpec = tuple[int, str]  # (watch query id, query text)


@lru_cache(maxsize=256)
def _compiled(text: str) -> Any:
    from engage_desktop.core.query import parse

    return parse(text)


def match_items(
    items: list[FeedItem], source_name: str, queries: tuple[QuerySpec, ...]
) -> list[tuple[str, list[int]]]:
    """The folded search text and matching query ids of each item."""
    out: list[tuple[str, list[int]]] = []
    if not queries:
        return [(mention_norm(it.title, it.text), []) for it in items]
    from engage_desktop.core.query import MatchDoc, prepare

    compiled = [(qid, _compiled(text)) for qid, text in queries]
    for it in items:
        norm = mention_norm(it.title, it.text)
        doc = prepare(
            MatchDoc(
                text=it.text, title=it.title or "", author=it.author_name or "",
                author_handle=it.author_handle or "", source=source_name,
                lang=it.language or "", url=it.url or "",
            ),
            text_norm=norm,
        )  # fmt: skip
        out.append((norm, [qid for qid, q in compiled if q.matches_prepared(doc)]))
    return out


def parse_and_match(
    content: bytes,
    feed_url: str,
    content_type: str | None,
    fetched_at: datetime,
    source_name: str,
    queries: tuple[QuerySpec, ...],
) -> tuple[ParsedFeed, list[tuple[str, list[int]]]]:
    """Parse one document and match its items (a picklable top-level function)."""
    parsed = parse_feed(content, feed_url, content_type, fetched_at)
    return parsed, match_items(parsed.items, source_name, queries)
