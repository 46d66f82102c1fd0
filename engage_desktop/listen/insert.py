"""The one way new mentions go into the workspace: fetch, import and the demo use it.

A caller hands :func:`insert_mentions` a table of new rows, named like the
``mentions`` columns, inside its own write transaction (each caller has rows of its
own to write beside them: authors, replies, an audit line). Everything a stored row
must carry and that follows from the row itself is computed here, in the INSERT
statement: the id (when the caller has none), the watch-query topics (when the rows
were not matched on the way in), the intent tags, the effective sentiment and scorer
version of rows scored before the insert, and the priority. DuckDB rewrites a whole
wide row on UPDATE, so nothing is filled in afterwards.

After the transaction the caller runs :func:`after_insert` with the new ids: the
registered after-insert hooks (enrichment, the learned model, CRM segments) then see
the rows as lemon24/reader's plugins see a stored entry.

A table is anything DuckDB scans natively: a ``dict`` of one-dimensional numpy
arrays (what :func:`column_table` builds, or a
:class:`~engage_desktop.workspace.columns.ColumnTable`), or a pandas DataFrame; or
rows already in DuckDB (:class:`StagedRows`: a fetch stages the JSON its parse
workers encoded with :func:`stage_json`, without numpy).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engage_desktop.core.progress import TaskState
from engage_desktop.listen.watch import EnabledQuery, enabled_queries, match_table
from engage_desktop.workspace.database import Workspace

if TYPE_CHECKING:  # numpy loads with the first rows to store: a one-shot fetch sends its
    # first requests ~0.08 s of CPU sooner (and forks its workers without it)
    import numpy as np

#: Name the incoming table is registered under for the INSERT.
INCOMING = "incoming_mentions"

#: Columns a stored row has even when the caller leaves them out (PRIORITY_SQL reads them).
_DEFAULTS = {"status": "'new'", "first_reply_at": "NULL::TIMESTAMPTZ", "followers": "NULL::INTEGER"}

#: A value only rows that arrive scored get.
_IF_SCORED = "CASE WHEN model_label IS NULL THEN NULL ELSE {} END"


@dataclass(frozen=True)
class InsertRules:
    """What every new row is given as it goes in, read once per batch from the workspace.

    Attributes:
        intents_sql: SQL list expression of the intent rules' tags.
        scorer_version: The version stamp of rows that arrive scored.
        queries: The enabled watch queries, for rows not matched on the way in.
    """

    intents_sql: str
    scorer_version: str
    queries: tuple[EnabledQuery, ...] = ()

    @classmethod
    def of(cls, ws: Workspace, *, match: bool = True) -> InsertRules:
        """The rules of ``ws`` now.

        Args:
            ws: The workspace.
            match: Read the watch queries too (False when the rows always arrive matched).
        """
        from engage_desktop.core.intents import intents_sql
        from engage_desktop.enrich.pipeline import intent_rules
        from engage_desktop.enrich.sentiment import scorer_version
        from engage_desktop.enrich.store import lexicon_adjustments

        return cls(
            intents_sql(intent_rules(ws)),
            scorer_version(lexicon_adjustments(ws)),
            tuple(enabled_queries(ws)) if match else (),
        )


#: Columns given as microseconds since the epoch (UTC) in worker-built rows.
_MICROS = ("published",)
#: Columns of floats (None becomes NaN, which DuckDB stores as NULL).
_FLOATS = ("model_sentiment", "sentiment_pos", "sentiment_neu", "sentiment_neg")


def column_table(columns: Mapping[str, Sequence[Any]]) -> dict[str, np.ndarray]:
    """Plain column lists as a table DuckDB scans: a dict of numpy arrays.

    ``published`` (microseconds) becomes ``datetime64[us]`` (the workspace's session
    is in UTC), the score columns float64, everything else an ``object`` array that
    DuckDB reads by its values (str, int, list, None). Measured against the Arrow
    tables it replaces: see benchmarks/insert.py.
    """
    import numpy as np

    from engage_desktop.workspace.columns import objects

    out: dict[str, np.ndarray] = {}
    for name, values in columns.items():
        if name in _MICROS:
            out[name] = np.array(values, dtype="datetime64[us]")
        elif name in _FLOATS:
            out[name] = np.array(values, dtype=np.float64)
        else:
            out[name] = objects(values, len(values))
    return out


@dataclass(frozen=True)
class JsonRows:
    """Rows as JSON texts, each an object of equal-length column lists (a fetch's batch).

    Attributes:
        documents: The JSON texts (``listen.worker.EncodedRows.text``).
        count: Rows in all of them.
        types: Each column's DuckDB type (``published``: microseconds since the epoch).
    """

    documents: list[str]
    count: int
    types: Mapping[str, str]


@dataclass(frozen=True)
class StagedRows:
    """Rows already in a table of the caller's cursor (a temporary one), by name.

    Their item keys are distinct: :func:`insert_mentions` does not look for repeats.
    """

    name: str
    columns: tuple[str, ...]
    count: int


def stage_json(cur: Any, rows: JsonRows, name: str) -> StagedRows:
    """Parse ``rows`` into a temporary table ``name`` on ``cur`` (in C++: no Python objects).

    ``published`` becomes a TIMESTAMP (UTC, the workspace's session zone), as
    :func:`column_table` makes it.
    """

    def shape(sql_type: str) -> Any:
        return [shape(sql_type[:-2])] if sql_type.endswith("[]") else sql_type

    structure = json.dumps({c: [shape(t)] for c, t in rows.types.items()})
    select = ", ".join(
        f'make_timestamp(unnest(d."{c}")) AS "{c}"' if c in _MICROS else f'unnest(d."{c}") AS "{c}"'
        for c in rows.types
    )
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {select} FROM "
        f"(SELECT from_json(doc, '{structure}') AS d FROM (SELECT unnest(?::VARCHAR[]) AS doc))",
        [rows.documents],
    )
    return StagedRows(name, tuple(rows.types), rows.count)


def row_count(table: Any) -> int:
    """Rows of a table (a dict of columns, a DataFrame, staged rows); 0 for None."""
    if table is None:
        return 0
    if isinstance(table, (JsonRows, StagedRows)):
        return table.count
    if isinstance(table, Mapping):
        return len(next(iter(table.values()))) if table else 0
    return len(table)


def column_names(table: Any) -> list[str]:
    """The column names of a table, in order."""
    if isinstance(table, StagedRows):
        return list(table.columns)
    if isinstance(table, JsonRows):
        return list(table.types)
    if isinstance(table, Mapping):
        return list(table.keys())
    return list(getattr(table, "column_names", None) or getattr(table, "columns", []))


def mention_columns(cur: Any) -> tuple[str, ...]:
    """The ``mentions`` table's column names, as this workspace's schema has them."""
    cur.execute("SELECT * FROM mentions LIMIT 0")
    return tuple(d[0] for d in cur.description)


def insert_mentions(
    cur: Any,
    table: Any,
    rules: InsertRules | None,
    *,
    skip_known: bool = False,
    return_ids: bool = True,
) -> list[int]:
    """Insert a table of new mentions in one statement, on the caller's cursor.

    Columns are matched by name; columns ``mentions`` does not have are ignored, and
    missing ones take their defaults. With ``rules``, rows also get:

    - ``topics``/``matched_queries`` from the watch queries, unless the table has them;
    - ``intents`` from the intent rules, unless the table has them;
    - when the table has score columns (``model_label``...): ``sentiment`` and
      ``sentiment_label`` from ``model_sentiment``/``model_label``, the scorer version
      and time for the rows that are scored, and every row's ``priority``. Rows
      without score columns are left wholly to the enrichment, priority included.

    Args:
        cur: A cursor inside the caller's ``Workspace.write()`` transaction.
        table: A table of rows (a dict of numpy arrays, a DataFrame, or
            :class:`StagedRows`).
        rules: The workspace's :class:`InsertRules`, or None to store the rows as given.
        skip_known: Skip rows whose ``item_key`` is stored (the cross-source dedupe)
            instead of failing on them.
        return_ids: Return the new ids (False skips fetching a million of them).

    Returns:
        The ids of the rows inserted (``[]`` when ``return_ids`` is False).
    """
    n = row_count(table)
    if not n:
        return []
    staged = table if isinstance(table, StagedRows) else None
    if isinstance(table, Mapping):
        # DuckDB types a column of Python objects from a sample of its rows (1,000 by
        # default): when every sampled list is empty it settles on NULL[] and the first
        # non-empty list later fails the insert ("VARCHAR -> NULL"). A fetch's batch has
        # at most a few thousand rows, so the whole column is looked at.
        cur.execute(f"SET pandas_analyze_sample = {max(1000, n)}")
    given = column_names(table)
    if rules is not None and rules.queries and "topics" not in given:
        if staged is not None:
            raise ValueError("staged rows must arrive matched (with topics)")
        table = with_watch_topics(cur, table, rules.queries)
        given += ["topics", "matched_queries"]
    known = set(mention_columns(cur))
    select = [f'"{c}"' for c in given if c in known]
    if "id" not in given:
        select.insert(0, "nextval('mention_ids') AS id")
    outer = "*"
    params: list[Any] = []
    if rules is not None:
        select += [f"{sql} AS {name}" for name, sql in _DEFAULTS.items() if name not in given]
        if "intents" not in given:
            select.append(f"{rules.intents_sql} AS intents")
        if "model_label" in given:
            if "sentiment" not in given:
                select.append("model_sentiment AS sentiment")
            if "sentiment_label" not in given:
                select.append("model_label AS sentiment_label")
            if "scorer_version" not in given:
                select.append(f"{_IF_SCORED.format('?')} AS scorer_version")
                params.append(rules.scorer_version)
            if "scored_at" not in given:
                select.append(f"{_IF_SCORED.format('now()')} AS scored_at")
            from engage_desktop.enrich.store import PRIORITY_SQL

            outer = f"*, {PRIORITY_SQL} AS priority"
    # Known item keys are skipped with NOT EXISTS, not INSERT OR IGNORE: DuckDB's
    # conflict check grows with the table (5,000 fetched rows into a workspace of
    # 100,000 mentions: 6.6 s of CPU against 0.24 s this way).
    source = INCOMING if staged is None else staged.name
    skip = ""
    if skip_known:
        if staged is None:
            table = first_of_each_key(table)
        skip = f" WHERE NOT EXISTS (SELECT 1 FROM mentions m WHERE m.item_key = {source}.item_key)"
    sql = (
        f"INSERT INTO mentions BY NAME SELECT {outer} FROM "
        f"(SELECT {', '.join(select)} FROM {source}{skip})"
    )
    if staged is None:
        cur.register(INCOMING, table)
    # On an error the caller's write() rolls back and closes the cursor with the view.
    if return_ids:
        ids = [int(r[0]) for r in cur.execute(sql + " RETURNING id", params).fetchall()]
    else:
        cur.execute(sql, params)
        ids = []
    if staged is None:
        cur.unregister(INCOMING)
    return ids


def first_of_each_key(table: Any) -> Any:
    """``table`` without repeats of an item key (the first row of each stays).

    Args:
        table: A dict of numpy arrays or a pandas DataFrame, with an ``item_key`` column.
    """
    import numpy as np

    if isinstance(table, Mapping):
        keys = list(table["item_key"])
    elif hasattr(table, "column_names"):  # an Arrow table (tests' synthetic data)
        keys = table.column("item_key").to_pylist()
    else:  # a pandas DataFrame
        repeated = table["item_key"].duplicated()
        return table[~repeated] if repeated.any() else table
    if len(set(keys)) == len(keys):
        return table
    seen: set[str] = set()
    first = np.fromiter(
        (not (k in seen or seen.add(k)) for k in keys),  # type: ignore[func-returns-value]
        dtype=bool, count=len(keys),
    )  # fmt: skip
    if isinstance(table, Mapping):
        return type(table)({name: np.asarray(values)[first] for name, values in table.items()})
    return table.filter(first)


def with_watch_topics(cur: Any, table: Any, queries: Sequence[EnabledQuery]) -> Any:
    """``table`` with the topics and ids of the watch queries each row matches.

    Exactly as a fetch matches them (``core.query``): SQL, confirmed in Python where
    the SQL is only a pre-filter.

    Args:
        cur: A cursor.
        table: Rows named like mentions: a dict of numpy arrays or a pandas DataFrame.
        queries: The enabled watch queries (none: every row gets empty lists).

    Returns:
        The same kind of table with ``topics`` and ``matched_queries`` appended.
    """
    n = row_count(table)
    if not queries:
        topics: list[list[Any]] = [[] for _ in range(n)]
        matched: list[list[Any]] = [[] for _ in range(n)]
    else:
        names = set(column_names(table))
        columns = ", ".join(
            f'"{c}"' if c in names else f"NULL::VARCHAR AS {c}"
            for c in ("text", "title", "author_name", "author_handle", "source_name",
                      "language", "url", "text_norm")
        )  # fmt: skip
        staged = _appended(_without(table, "k"), {"k": list(range(n))})  # each row's position
        cur.register("unmatched_mentions", staged)
        try:
            relation = f"SELECT k, {columns} FROM unmatched_mentions"
            topics, matched = match_table(cur, relation, list(queries))
        finally:
            cur.unregister("unmatched_mentions")
    return _appended(table, {"topics": topics, "matched_queries": matched})


def _without(table: Any, name: str) -> Any:
    """``table`` without the column ``name`` (as it is when it has none)."""
    if name not in column_names(table):
        return table
    if isinstance(table, Mapping):
        return type(table)({k: v for k, v in table.items() if k != name})
    return table.drop(columns=[name])


def _appended(table: Any, columns: dict[str, list[Any]]) -> Any:
    """``table`` with columns added, as the same kind of table."""
    if isinstance(table, Mapping):
        from engage_desktop.workspace.columns import objects

        extra = {name: objects(v, len(v)) for name, v in columns.items()}
        return type(table)({**table, **extra})
    return table.assign(**columns)  # a pandas DataFrame


def after_insert(
    ws: Workspace,
    mention_ids: Sequence[int],
    state: TaskState | None = None,
    *,
    on_error: Callable[[str, Exception], None] | None = None,
) -> None:
    """Run the registered after-insert hooks on newly stored mentions.

    Args:
        ws: The open, writable workspace (after the insert's transaction).
        mention_ids: Ids :func:`insert_mentions` returned.
        state: The running task's state, or None outside a task.
        on_error: Called with a hook's name and its exception instead of stopping at
            it (a fetch keeps what it stored when a plugin fails); None raises.
    """
    from engage_desktop.enrich.hooks import run_after_insert

    run_after_insert(ws, mention_ids, state, on_error=on_error)
