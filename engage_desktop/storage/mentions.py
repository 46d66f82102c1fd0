"""Mentions: bulk insert and keyset paging over a filtered, sorted view.

A view never loads all its rows. :class:`MentionPager` counts the rows that match,
reads the first page directly, and for a jump deeper into the list uses *anchors*:
the sort key of every ``page_size``-th row, computed once per filter in one window
query. Page ``i`` then is ``WHERE key <= anchor_i ORDER BY key LIMIT page_size``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from engage_desktop.storage.workspace import Workspace

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
)
ROW_FIELDS = tuple(c.split(" AS ")[-1] for c in ROW_COLUMNS)

# sort name -> (SQL key expression, descending). NULLs sort last via coalesce.
SORTS: dict[str, tuple[str, bool]] = {
    "time": ("epoch_us(published)", True),
    "oldest": ("epoch_us(published)", False),
    "priority": ("coalesce(priority, -1e300)", True),
    "reach": ("coalesce(followers, -1)", True),
    "sentiment": ("coalesce(sentiment, 1e300)", False),
}


@dataclass(frozen=True)
class MentionQuery:
    """A filtered, sorted set of mentions.

    Attributes:
        where: SQL boolean expression over ``mentions`` columns, with ``?`` markers.
        params: Values for the markers.
        sort: A key of :data:`SORTS`.
    """

    where: str = "true"
    params: tuple[Any, ...] = ()
    sort: str = "time"


def insert_mentions(ws: Workspace, table: Any) -> int:
    """Insert a pyarrow Table or pandas DataFrame of mentions, skipping known items.

    Columns are matched by name; missing ones take their defaults. Rows whose
    ``item_key`` is already stored are ignored, which is the cross-source dedupe.

    Returns:
        How many rows were new.
    """
    columns = list(getattr(table, "column_names", None) or getattr(table, "columns", []))
    # ON CONFLICT needs the key present, so draw ids here when the caller has none.
    ident = "" if "id" in columns else "nextval('mention_ids') AS id, "
    with ws.write() as cur:
        # The cursor (and this registration with it) is closed by write().
        cur.register("incoming_mentions", table)
        before = cur.execute("SELECT count(*) FROM mentions").fetchone()[0]
        cur.execute(
            f"INSERT OR IGNORE INTO mentions BY NAME SELECT {ident}* FROM incoming_mentions"
        )
        after = cur.execute("SELECT count(*) FROM mentions").fetchone()[0]
    return int(after - before)


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
        self._count: int | None = None
        self._anchors: list[tuple[Any, int]] | None = None
        self._pages: OrderedDict[int, list[tuple[Any, ...]]] = OrderedDict()
        key, desc = SORTS[self.query.sort]
        self._key = key
        self._desc = desc

    def count(self) -> int:
        """How many mentions match."""
        if self._count is None:
            row = self._cur.execute(
                f"SELECT count(*) FROM mentions WHERE {self.query.where}", list(self.query.params)
            ).fetchone()
            self._count = int(row[0])
        return self._count

    def row(self, index: int) -> tuple[Any, ...]:
        """The row at ``index`` (0-based) in sort order."""
        page, offset = divmod(index, self.page_size)
        return self.page(page)[offset]

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

    def invalidate(self) -> None:
        """Forget counts, anchors and pages (after new rows or changes)."""
        self._count = None
        self._anchors = None
        self._pages.clear()

    def close(self) -> None:
        """Release the cursor."""
        self._cur.close()

    def _order(self) -> str:
        direction = "DESC" if self._desc else "ASC"
        return f"{self._key} {direction}, id {direction}"

    def _fetch(self, number: int) -> list[tuple[Any, ...]]:
        cols = ", ".join(ROW_COLUMNS)
        params = list(self.query.params)
        where = self.query.where
        if number > 0:
            anchors = self._anchor_keys()
            if number >= len(anchors):
                return []
            key, ident = anchors[number]
            op = "<" if self._desc else ">"
            where = f"({where}) AND ({self._key} {op} ? OR ({self._key} = ? AND id {op}= ?))"
            params += [key, key, ident]
        sql = (
            f"SELECT {cols} FROM mentions WHERE {where} "
            f"ORDER BY {self._order()} LIMIT {int(self.page_size)}"
        )
        return self._cur.execute(sql, params).fetchall()

    def _anchor_keys(self) -> list[tuple[Any, int]]:
        if self._anchors is None:
            sql = (
                f"SELECT k, id FROM (SELECT {self._key} AS k, id, "
                f"row_number() OVER (ORDER BY {self._order()}) - 1 AS rn "
                f"FROM mentions WHERE {self.query.where}) "
                f"WHERE rn % {int(self.page_size)} = 0 ORDER BY rn"
            )
            self._anchors = [
                (k, int(i)) for k, i in self._cur.execute(sql, list(self.query.params)).fetchall()
            ]
        return self._anchors


def get_mention(ws: Workspace, mention_id: int) -> dict[str, Any] | None:
    """One mention with every column, as a dict, or None."""
    cur = ws.cursor()
    try:
        res = cur.execute("SELECT * FROM mentions WHERE id = ?", [mention_id])
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
