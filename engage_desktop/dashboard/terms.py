"""Rising terms: words and two-word phrases whose use jumped against the period before.

The current period is the dashboard's date range (the last 7 days of data when the
range is open-ended) and the previous period is the same length just before it.

Method: nltk's ``RegexpTokenizer`` (a pure regular expression, nothing to download)
splits the folded text into words; stop words come from ``resources/stopwords``.
Each mention contributes each unigram and bigram once (document frequency), so one
long rant does not make a term rise. Candidates are found on at most ``sample``
mentions per period (DuckDB reservoir sample), then the counts that are shown and
ranked are exact: DuckDB counts the mentions that contain each candidate with the
same word-bounded pattern the inbox filter uses. A term rises when its smoothed
share of mentions grows: ``lift = ((cur + 1) / (N_cur + 1)) / ((prev + 1) / (N_prev + 1))``.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from engage_desktop.archive.views import mention_source
from engage_desktop.dashboard.analytics import DAY_S, DashboardFilter, data_days, term_where
from engage_desktop.resources import resource
from engage_desktop.workspace.database import Workspace

TOKEN_PATTERN = r"[^\W_]+"
# RE2 spelling of the same token class, for DuckDB's regexp_matches.
_SQL_WORD = r"[\pL\pN]"


@cache
def stop_words() -> frozenset[str]:
    """The shipped English stop words."""
    lines = resource("stopwords", "english.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


@cache
def _tokenizer():
    from nltk.tokenize import RegexpTokenizer

    return RegexpTokenizer(TOKEN_PATTERN)


def terms_of(text: str) -> set[str]:
    """The unigrams and bigrams of one folded text, stop words and numbers left out."""
    stops = stop_words()
    tokens = _tokenizer().tokenize(text)
    keep = [len(t) > 1 and t not in stops and not t.isdigit() for t in tokens]
    out = {t for t, k in zip(tokens, keep, strict=True) if k}
    for i in range(len(tokens) - 1):
        if keep[i] and keep[i + 1]:
            out.add(f"{tokens[i]} {tokens[i + 1]}")
    return out


@dataclass(frozen=True)
class RisingTerm:
    """One term that rose.

    Attributes:
        term: The word or phrase (folded).
        current: Mentions containing it in the current period (the drill-down count).
        previous: Mentions containing it in the previous period.
        lift: Smoothed ratio of its share of mentions, current over previous.
    """

    term: str
    current: int
    previous: int
    lift: float


@dataclass(frozen=True)
class RisingTerms:
    """The result, with the two periods it compares.

    Attributes:
        terms: The rising terms, highest lift first.
        start: Current period start (UTC).
        end: Current period end (exclusive).
        previous_start: Previous period start.
        current_total: Mentions in the current period.
        previous_total: Mentions in the previous period.
    """

    terms: list[RisingTerm]
    start: datetime
    end: datetime
    previous_start: datetime
    current_total: int
    previous_total: int


def periods(ws: Workspace, flt: DashboardFilter) -> tuple[datetime, datetime, datetime] | None:
    """(previous start, current start, current end) for ``flt``; None without data."""
    start, end = flt.start, flt.end
    if start is None or end is None:
        # The newest day of the workspace and an attached archive (its manifest answers).
        bounds = data_days(ws)
        if bounds is None:
            return None
        if end is None:
            end = datetime.fromtimestamp((bounds[1] + 1) * DAY_S, UTC)
        if start is None:
            start = end - timedelta(days=7)
    return start - (end - start), start, end


def rising_terms(
    ws: Workspace,
    flt: DashboardFilter,
    *,
    limit: int = 12,
    sample: int = 10_000,
    min_count: int = 5,
    state: Any = None,
) -> RisingTerms | None:
    """Terms whose share of mentions rose most against the previous period.

    Args:
        ws: The workspace.
        flt: The dashboard filter (its topic applies to both periods).
        limit: How many terms to return.
        sample: At most this many mentions per period are tokenized to find candidates.
        min_count: A term needs at least this many mentions in the current period.
        state: Optional task state; the work stops early when it is cancelled.

    Returns:
        The rising terms, or None when the workspace has no mentions.
    """
    span = periods(ws, flt)
    if span is None:
        return None
    prev_start, start, end = span
    topic_sql, topic_params = DashboardFilter(topic=flt.topic).where()
    # Both periods, from the workspace and an attached archive's files that overlap them.
    src = mention_source(ws, prev_start, end).sql
    docs: list[Counter[str]] = []
    totals = []
    for lo, hi in ((start, end), (prev_start, start)):
        where = f"({topic_sql}) AND published >= ? AND published < ?"
        params = [*topic_params, lo, hi]
        total = ws.tuples(f"SELECT count(*) FROM {src} WHERE {where}", params)[0][0]
        texts = ws.tuples(
            f"SELECT text_norm FROM (SELECT text_norm FROM {src} WHERE {where}) "
            f"USING SAMPLE reservoir({int(sample)} ROWS) REPEATABLE (7)",
            params,
        )
        counts: Counter[str] = Counter()
        for (text,) in texts:
            counts.update(terms_of(text))
            if state is not None and state.is_cancelled():
                return None
        scale = total / len(texts) if texts else 0.0
        docs.append(Counter({t: n * scale for t, n in counts.items()}))
        totals.append(int(total))
    cur, prev = docs
    n_cur, n_prev = totals

    def lift(c: float, p: float) -> float:
        return ((c + 1) / (n_cur + 1)) / ((p + 1) / (n_prev + 1))

    candidates = sorted(
        (t for t, c in cur.items() if c >= min_count),
        key=lambda t: (-lift(cur[t], prev.get(t, 0.0)), t),
    )[: limit * 2]
    exact = _exact_counts(ws, src, candidates, topic_sql, topic_params, prev_start, start, end)
    rows = [
        RisingTerm(t, c, p, lift(c, p))
        for t, (c, p) in exact.items()
        if c >= min_count and lift(c, p) > 1.0
    ]
    rows.sort(key=lambda r: (-r.lift, -r.current, r.term))
    return RisingTerms(rows[:limit], start, end, prev_start, n_cur, n_prev)


def _exact_counts(
    ws: Workspace,
    src: str,
    terms: list[str],
    topic_sql: str,
    topic_params: list[Any],
    prev_start: datetime,
    start: datetime,
    end: datetime,
) -> dict[str, tuple[int, int]]:
    """Mentions containing each term, in the current and the previous period."""
    if not terms:
        return {}
    selects: list[str] = []
    params: list[Any] = []
    for term in terms:
        sql, pattern = term_where(term)
        selects.append(f"count(*) FILTER (published >= ? AND {sql})")
        selects.append(f"count(*) FILTER (published < ? AND {sql})")
        params += [start, *pattern, start, *pattern]
    row = ws.tuples(
        f"SELECT {', '.join(selects)} FROM {src} WHERE ({topic_sql}) "
        "AND published >= ? AND published < ?",
        [*params, *topic_params, prev_start, end],
    )[0]
    return {t: (int(row[2 * i]), int(row[2 * i + 1])) for i, t in enumerate(terms)}


def describe_lift(lift: float) -> str:
    """A lift as a readable factor, e.g. ``×3.2``."""
    if not math.isfinite(lift):
        return "new"
    return f"×{lift:.1f}" if lift < 10 else f"×{lift:,.0f}"
