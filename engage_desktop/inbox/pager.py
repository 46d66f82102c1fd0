"""Mentions: bulk insert and keyset paging over a filtered, sorted view.

A view never loads all its rows. :class:`MentionPager` counts the rows that match,
reads the first page directly, and for a jump deeper into the list uses *anchors*:
the sort key of every ``page_size``-th row, computed once per filter in one window
query. Page ``i`` then is ``WHERE key <= anchor_i ORDER BY key LIMIT page_size``.
Scrolling down page by page needs no anchors at all: the last row of the page above
is the keyset bound of the next one. Anchors can be computed off the GUI thread
(:func:`compute_anchors`) and handed in with :meth:`MentionPager.set_anchors`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engage_desktop.archive.views import FLAG, WORKSPACE_ONLY, MentionSource, mention_source
from engage_desktop.inbox.time_slices import TimeSlices, count_columns, slice_bounds
from engage_desktop.workspace.database import Workspace

# Which scorer the shown label comes from: the analyst, the learned model or VADER.
# Computed over a page's rows only (see MentionPager._fetch): evaluated before the
# top-N, its correlated EXISTS joined every matching row (1.8 s of CPU at 1M, not 27 ms).
SENTIMENT_SOURCE = (
    "CASE WHEN EXISTS (SELECT 1 FROM sentiment_corrections c WHERE c.mention_id = mentions.id)"
    " THEN 'analyst' WHEN learned_version IS NOT NULL THEN 'model'"
    " WHEN sentiment_label IN ('positive', 'neutral', 'negative') THEN 'VADER'"
    " END AS sentiment_source"
)
# What the inbox shows per row; the detail pane reads a single mention in full.
ROW_COLUMNS = (
    "id",
    "published",
    "channel",
    "author_name",
    "author_handle",
    "followers",
    "title",
    "left(text, 280) AS snippet",
    "sentiment",
    "sentiment_label",
    "intents",
    "topics",
    "status",
    "owner",
    "priority",
    "unread",
    "starred",
    "tags",
    "source_name",
    "language",
    SENTIMENT_SOURCE,
    "learned_confidence",
    "model_label",
    "model_sentiment",
)
# The last field says whether the row comes from an attached archive (read-only).
ROW_FIELDS = (*(c.split(" AS ")[-1] for c in ROW_COLUMNS), FLAG)
# Every paged row carries its sort key, so the next page can start after it: the
# row's own column when the key is one (no second TIMESTAMPTZ to convert), else an
# extra last column.
SORT_KEY_FIELD = "sort_key"

# sort name -> (SQL key expression, descending). NULLs sort last via coalesce.
# ``published`` is NOT NULL and compared raw: DuckDB's top-N then skips row groups by
# their min/max, so the first page of 1M rows takes ~7 ms (epoch_us(...) costs ~150 ms).
SORTS: dict[str, tuple[str, bool]] = {
    "time": ("published", True),
    "oldest": ("published", False),
    "priority": ("coalesce(priority, -1e300)", True),
    "reach": ("coalesce(followers, -1)", True),
    "sentiment": ("coalesce(sentiment, 1e300)", False),
    # The "Teach the model" order (enrich/learned/teach.py); not in the queue sorts last.
    "teach": (
        "coalesce((SELECT t.rank FROM teaching_queue t WHERE t.mention_id = mentions.id), "
        "2147483647)",
        False,
    ),
}


@dataclass(frozen=True)
class MentionQuery:
    """A filtered, sorted set of mentions.

    Attributes:
        where: SQL boolean expression over ``mentions`` columns, with ``?`` markers.
        params: Values for the markers.
        sort: A key of :data:`SORTS`.
        span: The earliest and first excluded publication the filter allows, when it
            bounds them; an attached archive reads only the partitions in between.
    """

    where: str = "true"
    params: tuple[Any, ...] = ()
    sort: str = "time"
    span: tuple[datetime | None, datetime | None] = (None, None)


def insert_mentions(ws: Workspace, table: Any) -> int:
    """Insert a table of mentions (a :class:`~engage_desktop.workspace.columns.ColumnTable`,
    or anything DuckDB scans) as given, skipping known items.

    Columns are matched by name; missing ones take their defaults. Rows whose
    ``item_key`` is already stored are ignored, which is the cross-source dedupe.
    Nothing is computed for the rows (they are left to the enrichment backfill): a
    loader for prepared data; fetch and import go through
    :func:`engage_desktop.listen.insert.insert_mentions` with the workspace's rules.

    Returns:
        How many rows were new.
    """
    from engage_desktop.listen.insert import insert_mentions as insert_rows

    with ws.write() as cur:
        return len(insert_rows(cur, table, None, skip_known=True))


@dataclass
class MentionPager:
    """Pages of inbox rows for one :class:`MentionQuery`.

    Not thread-safe: use one pager per thread (it holds its own cursor).
    """

    ws: Workspace
    query: MentionQuery = field(default_factory=MentionQuery)
    page_size: int = 200
    cache_pages: int = 16

    def __post_init__(self) -> None:
        self._cur = self.ws.cursor()
        # Workspace and attached archive together: the one place that says which.
        self._source = mention_source(self.ws, *self.query.span)
        self._from = self._source.sql
        self._count: int | None = None
        # A search by time: how many matches the newest (oldest) slices hold.
        self._slices = TimeSlices()
        self._anchors: list[tuple[Any, int]] | None = None
        self._pages: OrderedDict[int, list[tuple[Any, ...]]] = OrderedDict()
        key, desc = SORTS[self.query.sort]
        self._key = key
        self._desc = desc
        self._key_index = ROW_FIELDS.index(key) if key in ROW_FIELDS else len(ROW_FIELDS)

    @property
    def _searching(self) -> bool:
        """True when the filter reads the text (a search): every row must be scanned."""
        return "text_norm" in self.query.where

    def count(self) -> int:
        """How many mentions match.

        For a search not sorted by time, the count comes with the first page from
        one scan (see :meth:`_first_page_and_count`). By time, it also counts the
        matches in the time slices at the sort's end (``time_slices.py``), so the
        first pages read one slice instead of the whole table.
        """
        # By time (the inbox's usual orders) a count and then the page are cheaper:
        # mentions are stored roughly in time order, so the page's top-N, bounded to
        # a slice, skips most row groups (a search matching 307k of the 1M demo: 118
        # ms against 206 ms in one scan, before the slices).
        by_time = self._key == "published"
        if self._count is None and self._searching and not by_time and 0 not in self._pages:
            self._first_page_and_count()
        if self._count is None:
            searching_by_time = self._searching and by_time
            slices = slice_bounds(self._cur, self._from, self._desc) if searching_by_time else ()
            extra, extra_params = count_columns(slices, self._desc)
            row = self._cur.execute(
                f"SELECT count(*){extra} FROM {self._from} WHERE {self.query.where}",
                [*extra_params, *self.query.params],
            ).fetchone()
            self._count = int(row[0])
            if slices:
                self._slices = TimeSlices(slices, tuple(int(n) for n in row[1:]), self._desc)
        return self._count

    def set_count(self, count: int) -> None:
        """Take a count computed elsewhere (e.g. on a worker thread)."""
        self._count = int(count)

    def row(self, index: int) -> tuple[Any, ...]:
        """The row at ``index`` (0-based) in sort order."""
        page, offset = divmod(index, self.page_size)
        return self.page(page)[offset]

    def cached_row(self, index: int) -> tuple[Any, ...] | None:
        """The row at ``index`` if its page is in the cache, without reading."""
        page, offset = divmod(index, self.page_size)
        rows = self._pages.get(page)
        return rows[offset] if rows is not None and offset < len(rows) else None

    def page(self, number: int) -> list[tuple[Any, ...]]:
        """One page of rows, from the cache or the database."""
        cached = self._pages.get(number)
        if cached is not None:
            self._pages.move_to_end(number)
            return cached
        rows = self._fetch(number)
        self._pages[number] = rows
        while len(self._pages) > self.cache_pages:
            self._pages.popitem(last=False)
        return rows

    @property
    def has_anchors(self) -> bool:
        """True once the jump anchors are known."""
        return self._anchors is not None

    def set_anchors(self, anchors: list[tuple[Any, int]]) -> None:
        """Take anchors computed by :func:`compute_anchors` for this same query."""
        self._anchors = anchors

    def invalidate(self) -> None:
        """Forget counts, anchors and pages (after new rows or changes).

        The source is looked up again too: an archive may have been attached since.
        """
        self._count = None
        self._slices = TimeSlices()
        self._anchors = None
        self._pages.clear()
        self._source = mention_source(self.ws, *self.query.span)
        self._from = self._source.sql

    def close(self) -> None:
        """Release the cursor."""
        self._cur.close()

    def interrupt(self) -> None:
        """Stop the query this pager's cursor runs now, from any thread.

        The query raises DuckDB's ``InterruptException`` in its own thread (see
        ``Workspace.is_interruption``); the cursor stays usable. Nothing happens when
        no query runs.
        """
        self._cur.interrupt()

    def position_of(self, mention_id: int) -> int | None:
        """The row index of ``mention_id`` in this view, or None when it is not in it.

        One counting scan: how many matching rows sort before it.
        """
        found = self._cur.execute(
            f"SELECT {self._key} FROM {self._from} WHERE id = ? AND ({self.query.where})",
            [mention_id, *self.query.params],
        ).fetchone()
        if found is None:
            return None
        key = found[0]
        op = ">" if self._desc else "<"
        row = self._cur.execute(
            f"SELECT count(*) FROM {self._from} WHERE ({self.query.where}) AND "
            f"({self._key} {op} ? OR ({self._key} = ? AND id {op} ?))",
            [*self.query.params, key, key, mention_id],
        ).fetchone()
        return int(row[0])

    def ids_in_range(self, start: int, stop: int) -> list[int]:
        """Ids of rows ``start`` to ``stop`` (exclusive) in sort order, in one query."""
        if stop <= start:
            return []
        page = start // self.page_size
        where, params = self._after_page_bound(page)
        skip = start - page * self.page_size
        sql = (
            f"SELECT id FROM {self._from} WHERE {where} ORDER BY {self._order()} "
            f"LIMIT {int(stop - start)} OFFSET {int(skip)}"
        )
        return [int(r[0]) for r in self._cur.execute(sql, params).fetchall()]

    def _order(self) -> str:
        direction = "DESC" if self._desc else "ASC"
        return f"{self._key} {direction}, id {direction}"

    def _after_page_bound(self, number: int) -> tuple[str, list[Any]]:
        """The WHERE clause and params of rows from page ``number`` on."""
        params = list(self.query.params)
        where = self.query.where
        if number <= 0:
            return where, params
        op = "<" if self._desc else ">"
        previous = self._pages.get(number - 1)
        if previous and len(previous) == self.page_size:
            # Sequential scrolling: start right after the last row above, no anchors.
            key, ident, id_op = previous[-1][self._key_index], previous[-1][0], op
        else:
            anchors = self._anchor_keys()
            if number >= len(anchors):
                return "false", []
            # An anchor is the first row of its page, so it is included.
            (key, ident), id_op = anchors[number], op + "="
        # "key <= k AND (key < k OR id <= i)": the plain bound lets DuckDB skip row
        # groups by their min/max, which the equivalent OR form does not.
        return (
            f"({where}) AND {self._key} {op}= ? AND ({self._key} {op} ? OR id {id_op} ?)",
            [*params, key, key, ident],
        )

    def _first_page_and_count(self) -> None:
        """Count a search and read its first page in one scan of the text.

        Used when the sort is not by time (see :meth:`count`): the top-N then scans
        every match anyway, and ``count(*) OVER ()`` beside it reads the text once
        (by reach, the 1M demo's big searches took 156-170 ms in one scan against
        161-221 ms as a count and a page).
        """
        found = self._cur.execute(
            f"SELECT id, count(*) OVER () FROM {self._from} WHERE {self.query.where} "
            f"ORDER BY {self._order()} LIMIT {int(self.page_size)}",
            list(self.query.params),
        ).fetchall()
        self._count = int(found[0][1]) if found else 0
        self._pages[0] = self._rows_by_id([int(r[0]) for r in found])

    def _rows_by_id(
        self, ids: list[int], published: Sequence[datetime] = ()
    ) -> list[tuple[Any, ...]]:
        """The shown fields of ``ids``, in sort order.

        Args:
            ids: The rows to read.
            published: Their publication times, when known: the query then also
                bounds ``published`` by them, so DuckDB skips the row groups that
                cannot hold the rows (a search's first page by time of the 1M
                demo: 10.6 ms of CPU, not 12.8).
        """
        if not ids:
            return []
        listed = ", ".join(str(int(i)) for i in ids)
        span, params = "", []
        if published:
            span, params = " AND published BETWEEN ? AND ?", [min(published), max(published)]
        return self._cur.execute(
            f"SELECT {self._columns()} FROM {self._from} WHERE id IN ({listed}){span} "
            f"ORDER BY {self._order()}",
            params,
        ).fetchall()

    def _columns(self) -> str:
        extra = () if self._key in ROW_FIELDS else (f"{self._key} AS {SORT_KEY_FIELD}",)
        return ", ".join((*ROW_COLUMNS, f"{self._source.flag} AS {FLAG}", *extra))

    def _fetch(self, number: int) -> list[tuple[Any, ...]]:
        where, params = self._after_page_bound(number)
        if self._source.archived or self._searching:
            # In two steps: the page's ids (a top-N over the sort key and id alone),
            # then those rows by id. In one query DuckDB read the wide columns of
            # every row that passed the filter: over an archive 1.2 s of CPU at 1M
            # archived, not 0.06 s; for a search 250-330 ms, not 60-125 ms.
            # A search by time reads the newest slice that holds the page, when the
            # count found one (see time_slices.py).
            in_slice = self._slices.condition(number, self.page_size)
            if in_slice is not None and where != "false":
                where, params = f"{in_slice[0]} AND {where}", [*in_slice[1], *params]
            found = self._cur.execute(
                f"SELECT id, published FROM {self._from} WHERE {where} "
                f"ORDER BY {self._order()} LIMIT {int(self.page_size)}",
                params,
            ).fetchall()
            return self._rows_by_id([int(i) for i, _ in found], [p for _, p in found])
        # The page's rows first (a top-N that skips row groups), then what is worked
        # out per row over those rows alone; the inner query is named ``mentions`` so
        # the outer expressions read as over the table.
        extra = () if self._key in ROW_FIELDS else (f"{self._key} AS {SORT_KEY_FIELD}",)
        fields = (*ROW_COLUMNS, f"{self._source.flag} AS {FLAG}", *extra)
        inner = ", ".join(c for c in (*fields, "learned_version") if c != SENTIMENT_SOURCE)
        outer = ", ".join(c if c == SENTIMENT_SOURCE else c.split(" AS ")[-1] for c in fields)
        sql = (
            f"SELECT {outer} FROM (SELECT {inner} FROM {self._from} WHERE {where} "
            f"ORDER BY {self._order()} LIMIT {int(self.page_size)}) AS mentions "
            f"ORDER BY {self._order()}"
        )
        return self._cur.execute(sql, params).fetchall()

    def _anchor_keys(self) -> list[tuple[Any, int]]:
        if self._anchors is None:
            self._anchors = compute_anchors(self._cur, self.query, self.page_size, self._source)
        return self._anchors


def compute_anchors(
    cur: Any, query: MentionQuery, page_size: int, source: MentionSource = WORKSPACE_ONLY
) -> list[tuple[Any, int]]:
    """The sort key and id of every ``page_size``-th row of ``query`` (one window scan).

    Args:
        cur: A cursor of the calling thread.
        query: The filter and sort.
        page_size: Rows per page; must match the pager that takes the anchors.
        source: What to read (see :func:`~engage_desktop.archive.views.mention_source`).
    """
    key, desc = SORTS[query.sort]
    direction = "DESC" if desc else "ASC"
    sql = (
        f"SELECT k, id FROM (SELECT {key} AS k, id, "
        f"row_number() OVER (ORDER BY {key} {direction}, id {direction}) - 1 AS rn "
        f"FROM {source.sql} WHERE {query.where}) "
        f"WHERE rn % {int(page_size)} = 0 ORDER BY rn"
    )
    return [(k, int(i)) for k, i in cur.execute(sql, list(query.params)).fetchall()]


def get_mention(ws: Workspace, mention_id: int) -> dict[str, Any] | None:
    """One mention with every column, as a dict, or None.

    An archived mention (of an attached archive) comes with ``from_archive`` True.
    """
    cur = ws.cursor()
    try:
        res = cur.execute("SELECT * FROM mentions WHERE id = ?", [mention_id])
        names = [d[0] for d in res.description]
        row = res.fetchone()
        if row is None:
            source = mention_source(ws)
            if source.archived:
                res = cur.execute(f"SELECT * FROM {source.sql} WHERE id = ?", [mention_id])
                names = [d[0] for d in res.description]
                row = res.fetchone()
    finally:
        cur.close()
    return dict(zip(names, row, strict=True)) if row else None


def daily_volume(ws: Workspace) -> list[tuple[Any, int]]:
    """Mentions per UTC day, oldest first (the dashboard's first chart)."""
    cur = ws.cursor()
    try:
        return cur.execute(
            "SELECT epoch(date_trunc('day', published)) AS day, count(*) FROM mentions "
            "GROUP BY 1 ORDER BY 1"
        ).fetchall()
    finally:
        cur.close()


def counts(ws: Workspace) -> dict[str, int]:
    """Headline counts for the status bar."""
    cur = ws.cursor()
    try:
        total, new, unanswered = cur.execute(
            "SELECT count(*), count(*) FILTER (status = 'new'), "
            "count(*) FILTER (status IN ('new', 'open')) FROM mentions"
        ).fetchone()
        sources = cur.execute("SELECT count(*) FROM sources").fetchone()[0]
    finally:
        cur.close()
    return {
        "mentions": int(total),
        "new": int(new),
        "open": int(unanswered),
        "sources": int(sources),
    }


def mention_ids(ws: Workspace, ids: Sequence[int]) -> list[int]:
    """Which of ``ids`` exist (for commands that take mention ids)."""
    cur = ws.cursor()
    try:
        rows = cur.execute(
            "SELECT id FROM mentions WHERE id IN (SELECT unnest(?::BIGINT[])) ORDER BY id",
            [list(ids)],
        ).fetchall()
    finally:
        cur.close()
    return [int(r[0]) for r in rows]
