"""Inbox filters: a plain description of what the inbox shows, compiled to SQL.

An :class:`InboxFilter` is data (it round-trips through JSON for saved views and
alert rules); :func:`to_query` turns it into the :class:`MentionQuery` the pager
reads. Every criterion is optional and they combine with AND; values inside one
criterion combine with OR (status is new *or* open).

Search goes through :func:`compile_search`, the one place that knows the search
language: the watch-query language of ``engage_desktop.core.query`` when it is
installed, otherwise words, "quoted phrases" and ``-excluded`` words matched on the
pre-folded ``text_norm`` column.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from engage_desktop.core.errors import InvalidInput
from engage_desktop.core.text import fold
from engage_desktop.inbox.pager import SORTS, MentionQuery

#: Filter fields never written to or read from saved views and files.
UNSTORED = frozenset({"drill_sql", "drill_params", "drill_label"})
STATUSES = ("new", "open", "pending", "resolved", "ignored", "spam")
SENTIMENT_LABELS = ("positive", "neutral", "negative", "unscored")
UNASSIGNED = ""  # in ``owners``: mentions nobody owns
ME = "@me"  # in ``owners``: the current user (saved views travel between users)
# In ``customer_tiers``: the tier whose customers are worth most (highest mean value).
TOP_TIER = "@top"

Spans = list[tuple[int, int]]


@dataclass(frozen=True)
class InboxFilter:
    """What the inbox shows. Empty tuples and None mean "any".

    Attributes:
        statuses: Status names (see :data:`STATUSES`).
        topics: Topic names; a mention matches if it has any of them.
        query_ids: Watch query ids; a mention matches if any of them matched it.
        channels: Channel names (mastodon, reddit, ...).
        source_ids: Source ids.
        sentiments: Labels of :data:`SENTIMENT_LABELS` ("unscored" = no score yet).
        intents: Intent tags.
        tags: The user's tags.
        languages: Language codes.
        since: Earliest publication date, ISO 8601 (inclusive).
        until: Latest publication date, ISO 8601 (a bare date includes that day).
        within_days: Only the last N days (relative, for saved views).
        author_id: One author.
        author_label: How to show that author in the filter bar.
        has_reply: True = we replied, False = not yet answered.
        owners: Owner names; :data:`UNASSIGNED` and :data:`ME` are understood.
        min_priority: Lowest priority shown.
        min_reach: Lowest follower count shown.
        starred: Only starred (True) or unstarred (False).
        unread: Only unread (True) or read (False).
        teach: Only the teaching queue's mentions not corrected yet ("Teach the model").
        search: Search text (see :func:`compile_search`).
        sort: A key of ``SORTS``.
        drill_sql: The mentions behind a dashboard element (SQL built by our own
            dashboard code, never read from a file: see :data:`UNSTORED`).
        drill_params: Values for its markers.
        drill_label: How the filter bar shows it ("Spike 30 Oct 14:00 · negative").
        customers: True = only authors linked to a customer record, False = only
            authors who are not (see ``engage_desktop.crm``).
        customer_tiers: Customer tiers; :data:`TOP_TIER` is the tier with the highest
            mean value.
        min_value: Lowest customer value shown (implies customers only).
        max_value: Highest customer value shown (implies customers only).
        customer: One customer, by the CRM's external id.
    """

    statuses: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    query_ids: tuple[int, ...] = ()
    channels: tuple[str, ...] = ()
    source_ids: tuple[int, ...] = ()
    sentiments: tuple[str, ...] = ()
    intents: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    within_days: int | None = None
    author_id: int | None = None
    author_label: str | None = None
    has_reply: bool | None = None
    owners: tuple[str, ...] = ()
    min_priority: float | None = None
    min_reach: int | None = None
    starred: bool | None = None
    unread: bool | None = None
    teach: bool | None = None
    search: str = ""
    sort: str = "time"
    drill_sql: str | None = None
    drill_params: tuple[Any, ...] = ()
    drill_label: str | None = None
    customers: bool | None = None
    customer_tiers: tuple[str, ...] = ()
    min_value: float | None = None
    max_value: float | None = None
    customer: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Only the criteria that are set, JSON-ready (a drill-down is never stored)."""
        empty = InboxFilter()
        out: dict[str, Any] = {}
        for key, value in asdict(self).items():
            if key not in UNSTORED and value != getattr(empty, key):
                out[key] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InboxFilter:
        """The inverse of :meth:`to_dict`; unknown keys are ignored (newer files)."""
        # SQL must never come from a file (a saved view in a workspace someone sent).
        known = {f.name: f for f in fields(cls) if f.name not in UNSTORED}
        values: dict[str, Any] = {}
        for key, value in (data or {}).items():
            if key not in known:
                continue
            default = getattr(cls(), key)
            values[key] = tuple(value) if isinstance(default, tuple) else value
        result = cls(**values)
        if result.sort not in SORTS:
            result = replace(result, sort="time")
        return result

    def with_(self, **changes: Any) -> InboxFilter:
        """A copy with some criteria changed."""
        return replace(self, **changes)

    def is_empty(self) -> bool:
        """True when nothing but the sort is set."""
        return self.drill_sql is None and not {k for k in self.to_dict() if k != "sort"}


@dataclass(frozen=True)
class Search:
    """A compiled search.

    Attributes:
        sql: Boolean SQL over ``mentions`` columns ("true" for an empty search).
        params: Values for its markers.
        highlight: Spans of matched terms in a text, for the snippet and detail pane.
        language: "query" (the watch-query language) or "simple".
    """

    sql: str = "true"
    params: tuple[Any, ...] = ()
    highlight: Callable[[str], Spans] = field(default=lambda text: [])
    language: str = "simple"


def _query_language() -> Any:
    """The watch-query module once it exists on this install, else None."""
    try:
        from engage_desktop.core import query
    except ImportError:
        return None
    needed = ("parse", "to_sql")
    return query if all(hasattr(query, n) for n in needed) else None


def compile_search(text: str) -> Search:
    """Compile what the user typed in the search box.

    Raises:
        InvalidInput: The text is not a valid query (the message says what to fix).
    """
    text = (text or "").strip()
    if not text:
        return Search()
    language = _query_language()
    if language is not None:
        try:
            parsed = language.parse(text)
        except Exception as exc:  # the language's own error type, whatever it is named
            raise InvalidInput(f"search: {exc}") from None
        sql, params = language.to_sql(parsed)
        spans = getattr(parsed, "highlight_spans", None)
        return Search(sql, tuple(params), spans if callable(spans) else (lambda _t: []), "query")
    return _simple_search(text)


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def _simple_search(text: str) -> Search:
    """Words and phrases must all occur; ``-word`` must not (AND semantics)."""
    include: list[str] = []
    clauses: list[str] = []
    params: list[Any] = []
    for match in _TOKEN.finditer(text):
        negate, phrase, word = match.group(1), match.group(2), match.group(3)
        term = phrase if phrase is not None else word
        if phrase is None and term.startswith("-") and len(term) > 1:
            negate, term = "-", term[1:]
        term = fold(term).strip()
        if not term or term.upper() in ("AND", "OR"):
            continue
        if "%" in term or "_" in term:
            # LIKE would read these as wildcards; contains() is literal (and slower).
            clause, value = "contains(text_norm, ?)", term
        else:
            clause, value = "text_norm LIKE ?", f"%{term}%"
        clauses.append(f"NOT {clause}" if negate else clause)
        params.append(value)
        if not negate:
            include.append(term)
    if not clauses:
        return Search()
    return Search(
        " AND ".join(clauses), tuple(params), lambda t: highlight_terms(t, include), "simple"
    )


def highlight_terms(text: str, terms: list[str]) -> Spans:
    """Spans of ``text`` where any folded term occurs (accent- and case-blind)."""
    if not text or not terms:
        return []
    folded, origin = _fold_with_origin(text)
    spans: list[tuple[int, int]] = []
    for term in terms:
        start = folded.find(term)
        while start >= 0:
            end = start + len(term)
            spans.append((origin[start], origin[end - 1] + 1))
            start = folded.find(term, end)
    spans.sort()
    merged: Spans = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _fold_with_origin(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` and remember, for each folded character, where it came from."""
    if text.isascii():
        return text.lower(), list(range(len(text)))
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        part = fold(ch)
        out.append(part)
        origin.extend([i] * len(part))
    return "".join(out), origin


def _in(column: str, values: tuple[Any, ...]) -> tuple[str, list[Any]]:
    marks = ", ".join("?" for _ in values)
    return f"{column} IN ({marks})", list(values)


def _parse_day(value: str, *, end: bool) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"date {value!r} is not a date; write it as YYYY-MM-DD") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if end and len(value) <= 10:  # a bare date means up to the end of that day
        moment += timedelta(days=1)
    return moment


def to_sql(flt: InboxFilter, actor: str = "", now: datetime | None = None) -> tuple[str, list[Any]]:
    """The WHERE clause (and params) of a filter.

    Args:
        flt: The filter.
        actor: Who "@me" is.
        now: The reference time of ``within_days`` (defaults to now).

    Raises:
        InvalidInput: A date or the search text cannot be read.
    """
    parts: list[str] = []
    params: list[Any] = []

    def add(sql: str, values: list[Any] | tuple[Any, ...] = ()) -> None:
        parts.append(sql)
        params.extend(values)

    if flt.statuses:
        add(*_in("status", flt.statuses))
    if flt.topics:
        # One list_contains per topic: DuckDB's list_has_any is ~8x slower on 1M rows.
        add("(" + " OR ".join("list_contains(topics, ?)" for _ in flt.topics) + ")", flt.topics)
    if flt.query_ids:
        ors = " OR ".join("list_contains(matched_queries, ?)" for _ in flt.query_ids)
        add(f"({ors})", [int(q) for q in flt.query_ids])
    if flt.channels:
        add(*_in("channel", flt.channels))
    if flt.source_ids:
        add(*_in("source_id", tuple(int(s) for s in flt.source_ids)))
    if flt.sentiments:
        labels = tuple(s for s in flt.sentiments if s != "unscored")
        ors: list[str] = []
        vals: list[Any] = []
        if labels:
            sql, vals = _in("sentiment_label", labels)
            ors.append(sql)
        if "unscored" in flt.sentiments:
            ors.append("(sentiment_label IS NULL OR sentiment_label = 'unscored')")
        add("(" + " OR ".join(ors) + ")", vals)
    if flt.intents:
        add("(" + " OR ".join("list_contains(intents, ?)" for _ in flt.intents) + ")", flt.intents)
    if flt.tags:
        add("(" + " OR ".join("list_contains(tags, ?)" for _ in flt.tags) + ")", flt.tags)
    if flt.languages:
        add(*_in("language", flt.languages))
    if flt.since:
        add("published >= ?", [_parse_day(flt.since, end=False)])
    if flt.until:
        add("published < ?", [_parse_day(flt.until, end=True)])
    if flt.within_days:
        ref = now or datetime.now(UTC)
        add("published >= ?", [ref - timedelta(days=int(flt.within_days))])
    if flt.author_id is not None:
        add("author_id = ?", [int(flt.author_id)])
    if flt.has_reply is not None:
        add("first_reply_at IS NOT NULL" if flt.has_reply else "first_reply_at IS NULL")
    if flt.owners:
        named = tuple(actor if o == ME else o for o in flt.owners if o != UNASSIGNED)
        ors = []
        vals = []
        if named:
            sql, vals = _in("owner", named)
            ors.append(sql)
        if UNASSIGNED in flt.owners:
            ors.append("(owner IS NULL OR owner = '')")
        add("(" + " OR ".join(ors) + ")", vals)
    if flt.min_priority is not None:
        add("priority >= ?", [float(flt.min_priority)])
    if flt.min_reach is not None:
        add("followers >= ?", [int(flt.min_reach)])
    if flt.starred is not None:
        add("starred" if flt.starred else "NOT starred")
    if flt.unread is not None:
        add("unread" if flt.unread else "NOT unread")
    if flt.teach:
        add(
            "id IN (SELECT mention_id FROM teaching_queue) "
            "AND id NOT IN (SELECT mention_id FROM sentiment_corrections)"
        )
    segment, segment_params = segment_sql(flt)
    if segment:
        add(segment, segment_params)
    search = compile_search(flt.search)
    if search.sql != "true":
        add(f"({search.sql})", search.params)
    if flt.drill_sql is not None:
        add(f"({flt.drill_sql})", flt.drill_params)
    return (" AND ".join(parts) or "true"), params


def with_drill(sort: str, where: str, params: tuple[Any, ...], label: str) -> InboxFilter:
    """Only the mentions behind a dashboard element, shown as a removable chip."""
    return InboxFilter(sort=sort, drill_sql=where, drill_params=tuple(params), drill_label=label)


def segment_sql(flt: InboxFilter) -> tuple[str, list[Any]]:
    """The customer-segment part of a filter ("" when it has none).

    Plain tests of the customer columns each mention carries (kept in step with the
    links by ``engage_desktop.crm.segments``), so DuckDB prunes as it scans.
    """
    conds: list[str] = []
    params: list[Any] = []
    if flt.customer_tiers:
        named = tuple(t for t in flt.customer_tiers if t != TOP_TIER)
        ors = []
        if named:
            sql, values = _in("customer_tier", named)
            ors.append(sql)
            params.extend(values)
        if TOP_TIER in flt.customer_tiers:
            ors.append("customer_top")
        conds.append("(" + " OR ".join(ors) + ")")
    if flt.min_value is not None:
        conds.append("customer_value >= ?")
        params.append(float(flt.min_value))
    if flt.max_value is not None:
        conds.append("customer_value <= ?")
        params.append(float(flt.max_value))
    if flt.customer:
        conds.append("customer_id = (SELECT id FROM customers WHERE external_id = ?)")
        params.append(str(flt.customer))
    if not conds and flt.customers is not None:
        # customer_top is set (true or false) exactly for mentions of linked authors,
        # and it is what a shared copy keeps of them (never the customer's id).
        conds.append("customer_top IS NOT NULL" if flt.customers else "customer_top IS NULL")
    return " AND ".join(conds), params


def to_query(flt: InboxFilter, actor: str = "", now: datetime | None = None) -> MentionQuery:
    """The pager's query for a filter (with its date span, for archive pruning)."""
    where, params = to_sql(flt, actor, now)
    sort = flt.sort if flt.sort in SORTS else "time"
    return MentionQuery(where, tuple(params), sort, span_of(flt, now))


def span_of(
    flt: InboxFilter, now: datetime | None = None
) -> tuple[datetime | None, datetime | None]:
    """The publication range ``[start, end)`` a filter allows (None: unbounded)."""
    starts = []
    if flt.since:
        starts.append(_parse_day(flt.since, end=False))
    if flt.within_days:
        starts.append((now or datetime.now(UTC)) - timedelta(days=int(flt.within_days)))
    end = _parse_day(flt.until, end=True) if flt.until else None
    return (max(starts) if starts else None, end)


def describe(flt: InboxFilter) -> str:
    """A short human summary ("negative · unanswered · last 7 days")."""
    bits: list[str] = []
    if flt.drill_sql is not None:
        bits.append(flt.drill_label or "from the dashboard")
    if flt.statuses:
        bits.append(" or ".join(flt.statuses))
    if flt.sentiments:
        bits.append(" or ".join(flt.sentiments))
    if flt.topics:
        bits.append("topic " + " or ".join(flt.topics))
    if flt.channels:
        bits.append(" or ".join(flt.channels))
    if flt.has_reply is False:
        bits.append("unanswered")
    elif flt.has_reply:
        bits.append("answered")
    if flt.within_days:
        bits.append(f"last {flt.within_days} days")
    if flt.author_label:
        bits.append(f"by {flt.author_label}")
    if flt.customer:
        bits.append(f"customer {flt.customer}")
    elif flt.customer_tiers:
        tiers = ["top tier" if t == TOP_TIER else t for t in flt.customer_tiers]
        bits.append(" or ".join(tiers) + " customers")
    elif flt.customers:
        bits.append("customers")
    elif flt.customers is False:
        bits.append("not customers")
    if flt.min_value is not None or flt.max_value is not None:
        low = f"{flt.min_value:,.0f}" if flt.min_value is not None else "0"
        high = f"{flt.max_value:,.0f}" if flt.max_value is not None else "∞"
        bits.append(f"value {low}–{high}")
    if flt.search:
        bits.append(f"“{flt.search}”")
    if flt.teach:
        bits.append("the model's least certain, not corrected yet: keys 1 / 2 / 3 label them")
    return " · ".join(bits) or "everything"
