"""The CPU-bound part of listening, run in the parse pool (threads or processes).

One feed document goes in; the mention rows to store come out, as columns encoded
in one JSON text (:class:`EncodedRows`): parsing, sanitizing, matching against the
watch queries, language detection and VADER sentiment all happen here, so a process
pool spreads every per-item cost over the cores and only one string per document
travels back to the writer, which hands it to DuckDB as it is. The
writer (:mod:`engage_desktop.listen.store`) then only deduplicates and
inserts. Queries travel as text and are parsed once per worker (cached), the
scorer once per lexicon configuration.

Rows are scored exactly as :func:`engage_desktop.enrich.pipeline.enrich` scores
them (same text, same language rules, same scorer), so the after-insert
enrichment hook finds them done; rows built without a :class:`RowConfig` scorer
(``adjustments=None``) are left for that hook.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from operator import attrgetter
from typing import Any

from engage_desktop.core import timeline
from engage_desktop.core.text import mention_norm
from engage_desktop.core.untrusted import (
    MAX_FIELD_CHARS,
    cap_text,
    clamp_date,
    safe_link,
    strip_controls,
    strip_controls_opt,
)
from engage_desktop.sources.feed import parse_feed
from engage_desktop.sources.item import FeedItem
from engage_desktop.sources.sanitize import resolve_links

QuerySpec = tuple[int, str]  # (watch query id, query text)
#: Rows as columns: name -> one plain list per column, all of one length.
Rows = dict[str, list[Any]]

#: Columns of the rows a worker builds, in ``mentions`` names (``author_url`` is
#: only used for the author's profile).
MENTION_COLUMNS = (
    "item_key", "source_id", "source_name", "channel", "remote_id", "remote_cid", "url",
    "author_name", "author_handle", "author_url", "title", "text", "html", "text_norm",
    "published", "language", "thread_id", "parent_id", "followers", "likes", "reposts",
    "replies", "score", "topics", "matched_queries", "published_note",
)  # fmt: skip
SCORE_COLUMNS = (
    "model_sentiment", "model_label", "sentiment_pos", "sentiment_neu", "sentiment_neg",
)  # fmt: skip
#: The DuckDB type of each column :func:`prepare_rows` builds, as its JSON is read back
#: (``published`` is microseconds since the epoch; a type ending in [] is a list).
#: Integers are read as BIGINT, as DuckDB types Python ints, and cast by the INSERT:
#: the priority's ``1 + followers`` must not overflow before the cast.
ROW_TYPES: dict[str, str] = {
    "item_key": "VARCHAR", "source_id": "BIGINT", "source_name": "VARCHAR",
    "channel": "VARCHAR", "remote_id": "VARCHAR", "remote_cid": "VARCHAR", "url": "VARCHAR",
    "author_name": "VARCHAR", "author_handle": "VARCHAR", "author_url": "VARCHAR",
    "title": "VARCHAR", "text": "VARCHAR", "html": "VARCHAR", "text_norm": "VARCHAR",
    "published": "BIGINT", "language": "VARCHAR", "thread_id": "VARCHAR",
    "parent_id": "VARCHAR", "followers": "BIGINT", "likes": "BIGINT", "reposts": "BIGINT",
    "replies": "BIGINT", "score": "BIGINT", "topics": "VARCHAR[]",
    "matched_queries": "BIGINT[]", "published_note": "VARCHAR",
    "model_sentiment": "DOUBLE", "model_label": "VARCHAR", "sentiment_pos": "DOUBLE",
    "sentiment_neu": "DOUBLE", "sentiment_neg": "DOUBLE",
}  # fmt: skip


@dataclass(frozen=True)
class EncodedRows:
    """One document's rows as the writer takes them: their keys, and the columns as JSON.

    The writer hands ``text`` to DuckDB, which parses it in C++ (``from_json``), so no
    Python object per cell is made in the writer's process: unpickling them, the
    containers the collector then walks, numpy object columns and DuckDB's scan of
    them cost that process more than the encoding costs a worker (measured on
    benchmarks/ingest.py's feeds; see the commit). The keys come apart for the run's
    deduplication.

    Attributes:
        keys: The ``item_key`` column.
        text: A JSON object of :data:`ROW_TYPES`' columns, each a list as long as ``keys``.
    """

    keys: list[str]
    text: str


_ENCODE = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode


def encode_rows(rows: Rows) -> EncodedRows:
    """``rows`` (plain columns, as :func:`prepare_rows` builds them) as :class:`EncodedRows`.

    ASCII JSON: text the workers made storable (no lone surrogates) round-trips exactly,
    and floats are written as their shortest exact repr.
    """
    return EncodedRows(rows["item_key"], _ENCODE(rows))


#: Columns copied from the item's field of the same name.
_ITEM_COLUMNS = (
    "item_key", "remote_id", "remote_cid", "url", "author_name", "author_handle",
    "author_url", "title", "text", "html", "language", "thread_id", "parent_id",
    "followers", "likes", "reposts", "replies", "score",
)  # fmt: skip


@dataclass(frozen=True)
class RowSource:
    """What a worker needs to know about the source of a document."""

    id: int
    name: str
    channel: str
    keep_all: bool


@dataclass(frozen=True)
class RowConfig:
    """The run's matching and scoring configuration (small and picklable).

    Attributes:
        queries: Enabled watch queries as (id, text).
        topics: The topic of each query id, as (id, topic) pairs.
        adjustments: The workspace's lexicon adjustments as sorted (word, valence)
            pairs; None leaves sentiment to the enrichment hook.
        run: Identifies the fetch run: the scorer's memo of texts lasts one run
            (duplicates within a run are scored once; a new run starts afresh).
    """

    queries: tuple[QuerySpec, ...] = ()
    topics: tuple[tuple[int, str], ...] = ()
    adjustments: tuple[tuple[str, float], ...] | None = None
    run: int = 0


@dataclass(frozen=True)
class PreparedFeed:
    """What one document yielded: its title, an error in words, and the rows to keep.

    Attributes:
        title: The feed's own title.
        error: Why the document yielded nothing (None when it is fine).
        items_found: Entries in the document.
        rows: The rows to store (matched items, or all for keep-all sources),
            encoded for the writer; None when nothing is kept.
        slow_items: Keys of items whose matching ran out of time.
        spent: When the worker started and ended it and the CPU it took, with the
            worker's pid, for ``core.timeline`` (None unless the timeline is on).
    """

    title: str | None
    error: str | None
    items_found: int
    rows: EncodedRows | None
    slow_items: list[str] = field(default_factory=list)
    spent: tuple[float, float, float, int] | None = None


@lru_cache(maxsize=256)
def _compiled(text: str) -> Any:
    from engage_desktop.core.query import parse

    return parse(text)


@lru_cache(maxsize=8)
def _cached_scorer(adjustments: tuple[tuple[str, float], ...]) -> Any:
    from engage_desktop.enrich.sentiment import VaderScorer

    return VaderScorer(dict(adjustments))


_memo_run: dict[int, int] = {}  # id(scorer) -> the run its memo belongs to


def _scorer(adjustments: tuple[tuple[str, float], ...], run: int) -> Any:
    """The scorer of this configuration, its memo emptied when a new run starts."""
    scorer = _cached_scorer(adjustments)
    if _memo_run.get(id(scorer)) != run:
        scorer.clear_cache()
        _memo_run[id(scorer)] = run
    return scorer


#: Seconds of matching one item may take before its remaining queries are skipped.
#: Matching is linear (no backtracking), so only a huge item against many big
#: queries comes near this; the budget keeps even that from stalling a fetch.
ITEM_MATCH_BUDGET_S = 0.5


def match_items(
    items: list[FeedItem],
    source_name: str,
    queries: tuple[QuerySpec, ...],
    slow: list[str] | None = None,
) -> list[tuple[str, list[int]]]:
    """The folded search text and matching query ids of each item.

    Args:
        items: The items.
        source_name: Their source's name (for ``source:``).
        queries: The watch queries as (id, text).
        slow: Collects the key of each item whose matching ran past
            :data:`ITEM_MATCH_BUDGET_S` (its remaining queries did not match).
    """
    out: list[tuple[str, list[int]]] = []
    if not queries:
        return [(mention_norm(it.title, it.text), []) for it in items]
    from engage_desktop.core.query import prepare_folded

    compiled = [(qid, _compiled(text).matches_prepared) for qid, text in queries]
    clock = time.perf_counter
    for it in items:
        norm = mention_norm(it.title, it.text)
        doc = prepare_folded(
            norm, it.author_name or "", it.author_handle or "", source_name,
            it.language or "", it.url or "",
        )  # fmt: skip
        deadline = clock() + ITEM_MATCH_BUDGET_S
        matched: list[int] = []
        for qid, matches in compiled:
            if matches(doc):
                matched.append(qid)
            if clock() > deadline:
                if slow is not None:
                    slow.append(it.item_key)
                break
        out.append((norm, matched))
    return out


def harden_item(item: FeedItem, now: datetime) -> tuple[FeedItem, str | None]:
    """An item made safe to store, and a note when its date had to be replaced.

    Every adapter's items pass here (feeds, Mastodon, Bluesky, HN, files): control
    characters go, links that are not http(s) go (relative body links resolve
    against the item's address), and a date outside 1990 .. now + 2 days becomes
    the fetch time, with the date the source gave kept in the note.
    """
    url = safe_link(item.url)
    author_url = safe_link(item.author_url)
    html = resolve_links(item.html, url) if item.html else None
    if html is not None and len(html) > MAX_FIELD_CHARS:
        html = None  # cut HTML would be broken markup; the (cut) text is shown instead
    published, replaced = clamp_date(item.published, now)
    note = (
        f"the source dated it {item.published.isoformat()}; shown at the fetch time"
        if replaced
        else None
    )
    text, _cut = cap_text(strip_controls(item.text))
    html = strip_controls_opt(html)
    title = strip_controls_opt(item.title)
    author_name = strip_controls_opt(item.author_name)
    author_handle = strip_controls_opt(item.author_handle)
    language = strip_controls_opt(item.language)
    if (
        url is item.url
        and author_url is item.author_url
        and html is item.html
        and title is item.title
        and text is item.text
        and author_name is item.author_name
        and author_handle is item.author_handle
        and language is item.language
        and published is item.published
    ):
        return item, note  # every rule returned its input as it was: nothing to copy
    fields = {
        "url": url,
        "author_url": author_url,
        "html": html,
        "title": title,
        "text": text,
        "author_name": author_name,
        "author_handle": author_handle,
        "language": language,
        "published": published,
    }
    # Most items are clean: keep the item itself rather than copy it (a copy per item
    # was a tenth of a worker's time).
    changed = {k: v for k, v in fields.items() if v != getattr(item, k)}
    return (replace(item, **changed) if changed else item), note


def prepare_rows(
    items: list[FeedItem],
    source: RowSource,
    config: RowConfig,
    now: datetime | None = None,
    slow: list[str] | None = None,
) -> Any:
    """The rows to store for ``items``: matched (or all, keep-all), scored, as columns.

    Args:
        items: The items as an adapter yielded them (hardened here).
        source: Their source.
        config: Matching and scoring.
        now: The fetch time, which replaces impossible dates.
        slow: Collects the keys of items whose matching ran out of time.

    Returns:
        :data:`MENTION_COLUMNS` and :data:`SCORE_COLUMNS` as plain lists (scores None
        when ``config.adjustments`` is None; ``published`` in microseconds since the
        epoch, UTC), or None when nothing is kept. Plain lists pickle several times
        faster than building and shipping an Arrow table (measured: 1 ms per
        50-item document less), and the writer needs no pyarrow.
    """
    now = now or datetime.now(UTC)
    hardened = [harden_item(it, now) for it in items]
    notes = {id(it): note for it, note in hardened if note}
    items = [it for it, _note in hardened]
    if _asks_language(config.queries):
        # Before matching: ``lang:`` must see the language of items that declare none
        # (otherwise only the kept rows need one, for scoring: see _score).
        items = _with_languages(items)
    source_name = strip_controls(source.name)
    matches = match_items(items, source_name, config.queries, slow)
    kept: list[tuple[FeedItem, str, list[int]]] = [
        (it, norm, ids) for it, (norm, ids) in zip(items, matches, strict=True)
        if ids or source.keep_all
    ]  # fmt: skip
    if not kept:
        return None
    rows = [it for it, _norm, _matched in kept]
    n = len(rows)
    # Column by column, each read by a C-level map of an attrgetter: several times
    # faster than appending 26 values per row.
    cols: dict[str, list[Any]] = {name: list(map(_GETTERS[name], rows)) for name in _ITEM_COLUMNS}
    cols["source_id"] = [source.id] * n
    cols["source_name"] = [source_name] * n
    cols["channel"] = [source.channel] * n
    cols["text_norm"] = [norm for _it, norm, _matched in kept]
    cols["published"] = [int(it.published.timestamp() * 1_000_000) for it in rows]
    cols["matched_queries"] = [matched for _it, _norm, matched in kept]
    cols["topics"] = _topics(cols["matched_queries"], dict(config.topics))
    cols["published_note"] = [notes.get(id(it)) for it in rows]
    for name in _TEXT_COLUMNS:
        cols[name] = _storable(cols[name])
    for name in _COUNT_COLUMNS:
        cols[name] = _counts(cols[name])
    scores = _score(cols, config)
    for name in SCORE_COLUMNS:
        cols[name] = scores[name] if scores else [None] * n
    return cols


_GETTERS = {name: attrgetter(name) for name in _ITEM_COLUMNS}


def _topics(matched: list[list[int]], topic_of: dict[int, str]) -> list[list[str]]:
    """The distinct topics of each row's matched queries, in query order.

    Built once per distinct set of matched queries (a feed's rows share a few).
    """
    found: dict[tuple[int, ...], list[str]] = {}
    out = []
    for ids in matched:
        key = tuple(ids)
        topics = found.get(key)
        if topics is None:
            topics = found[key] = list(dict.fromkeys(topic_of[q] for q in ids))
        out.append(list(topics))  # a list per row: rows must not share a mutable list
    return out


#: Columns of text (str or None), which must be valid UTF-8 to be stored.
_TEXT_COLUMNS = (
    "item_key", "source_name", "channel", "remote_id", "remote_cid", "url", "author_name",
    "author_handle", "author_url", "title", "text", "html", "text_norm", "language",
    "thread_id", "parent_id", "published_note",
)  # fmt: skip


def _storable(values: list[str | None]) -> list[str | None]:
    """``values`` with lone surrogates replaced by "?" (DuckDB refuses them).

    A JSON API can send "\\ud800" escapes, which Python decodes into strings that
    are not UTF-8; one of them would fail the whole stored batch. Checked a column at
    a time (one join and one encode in C); only a column that fails is redone.
    """
    joined = "\n".join(v for v in values if v is not None)
    if joined.isascii():
        return values
    try:
        joined.encode("utf-8")
    except UnicodeEncodeError:
        return [None if v is None else v.encode("utf-8", "replace").decode("utf-8") for v in values]
    return values


#: Columns stored as INTEGER (32 bits): counts a server sends.
_COUNT_COLUMNS = ("followers", "likes", "reposts", "replies", "score")
_INT32_MAX = 2**31 - 1


def _counts(values: list[Any]) -> list[int | None]:
    """Counts as 32-bit integers: a string or float that is a number becomes one, others None.

    A server's ``"followers": "12"`` or 1e12 must not fail the whole stored batch
    (DuckDB refuses a value its INTEGER column cannot hold); out-of-range counts are
    clamped.
    """
    if all(v is None or (type(v) is int and -_INT32_MAX <= v <= _INT32_MAX) for v in values):
        return values
    out: list[int | None] = []
    for v in values:
        try:
            n = None if v is None else int(v)
        except (TypeError, ValueError, OverflowError):
            n = None
        out.append(None if n is None else max(-_INT32_MAX, min(n, _INT32_MAX)))
    return out


def _asks_language(queries: tuple[QuerySpec, ...]) -> bool:
    """Whether a watch query may test ``lang:`` (a quoted "lang:" only costs a detection)."""
    return any("lang:" in text.lower() for _qid, text in queries)


def _with_languages(items: list[FeedItem]) -> list[FeedItem]:
    """``items`` with the language detected where the source declared none.

    Detected from the same text enrichment detects it from, so a later
    enrichment finds nothing to change.
    """
    if all(it.language for it in items):
        return items
    from engage_desktop.enrich.language import detect_language
    from engage_desktop.enrich.sentiment.columns import text_to_score

    def detected(it: FeedItem) -> FeedItem:
        return replace(it, language=detect_language(text_to_score(it.title, it.text)))

    return [it if it.language else detected(it) for it in items]


def _score(cols: dict[str, list[Any]], config: RowConfig) -> dict[str, list[Any]] | None:
    """Detect missing languages and score English (and undetermined) text, in place."""
    if config.adjustments is None:
        return None
    from engage_desktop.enrich.language import detect_language, is_scored_language
    from engage_desktop.enrich.sentiment.columns import score_columns, text_to_score

    texts = [text_to_score(t, x) for t, x in zip(cols["title"], cols["text"], strict=True)]
    languages = [
        lang or detect_language(text) for lang, text in zip(cols["language"], texts, strict=True)
    ]
    cols["language"] = languages
    scored = {lang: is_scored_language(lang) for lang in set(languages)}
    mask = list(map(scored.__getitem__, languages))
    batch = [text if keep else "" for text, keep in zip(texts, mask, strict=True)]
    scorer = _scorer(config.adjustments, config.run)
    found = score_columns(scorer.score_many(batch), mask)
    return {
        "model_sentiment": found["compound"],
        "model_label": found["label"],
        "sentiment_pos": found["pos"],
        "sentiment_neu": found["neu"],
        "sentiment_neg": found["neg"],
    }


def parse_and_prepare(
    content: bytes,
    feed_url: str,
    content_type: str | None,
    fetched_at: datetime,
    source: RowSource,
    config: RowConfig,
) -> PreparedFeed:
    """Parse one document and build its rows (a picklable top-level function)."""
    started, cpu = time.perf_counter(), time.process_time()
    parsed = parse_feed(content, feed_url, content_type, fetched_at)
    if parsed.error:
        done = PreparedFeed(parsed.title, parsed.error, 0, None)
    else:
        slow: list[str] = []
        items = parsed.items
        rows = prepare_rows(items, source, config, fetched_at, slow) if items else None
        encoded = encode_rows(rows) if rows else None
        done = PreparedFeed(parsed.title, None, len(parsed.items), encoded, slow)
    if not timeline.ENABLED:
        return done
    spent = (started, time.perf_counter(), time.process_time() - cpu, os.getpid())
    return replace(done, spent=spent)


def warm_up() -> None:
    """Load what every worker needs (run in the fork server, inherited by workers).

    The VADER lexicon and the query parser load here once per session instead of
    once per worker. The language model is left to the first post without a
    language (it takes ~1 s to load and most feeds declare their language).
    """
    from engage_desktop.core.query import parse
    from engage_desktop.enrich.sentiment import default_scorer
    from engage_desktop.enrich.sentiment.columns import score_columns  # noqa: F401

    default_scorer().score("warm up")
    parse('warm OR "up" NEAR/2 refund*')
