"""Watch queries: checking them and back-testing them over the stored history."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engage_desktop.workspace.database import Workspace

SAMPLE = 5
CONFIRM_CHUNK = 5000


@dataclass(frozen=True)
class Backtest:
    """How many stored mentions a query would have matched.

    Attributes:
        matched: Mentions the query matches.
        total: Mentions stored.
        samples: The newest few matches as (published, source, title or text).
    """

    matched: int
    total: int
    samples: list[tuple[Any, str, str]] = field(default_factory=list)

    @property
    def share(self) -> float:
        """Matched share of all stored mentions (0..1)."""
        return self.matched / self.total if self.total else 0.0


def backtest(ws: Workspace, text: str, *, samples: int = SAMPLE) -> Backtest:
    """Run a query over every stored mention without saving anything.

    The SQL from ``to_sql`` does the work in DuckDB; when it is only a pre-filter
    (``exact`` false), each candidate is confirmed with the Python matcher.

    Raises:
        QuerySyntaxError: The query does not parse (with the failing position).
    """
    from engage_desktop.core.query import MatchDoc, parse, prepare

    query = parse(text)
    sql, params = query.to_sql()
    exact = getattr(query.to_sql(), "exact", True)
    cur = ws.cursor()
    try:
        total = int(cur.execute("SELECT count(*) FROM mentions").fetchone()[0])
        if exact:
            matched = int(
                cur.execute(f"SELECT count(*) FROM mentions WHERE {sql}", params).fetchone()[0]
            )
            rows = cur.execute(
                "SELECT published, source_name, coalesce(title, left(text, 140)) "
                f"FROM mentions WHERE {sql} ORDER BY published DESC LIMIT ?",
                [*params, samples],
            ).fetchall()
            return Backtest(matched, total, [tuple(r) for r in rows])
        res = cur.execute(
            "SELECT published, source_name, coalesce(title, left(text, 140)), text, title, "
            "author_name, author_handle, language, url, text_norm "
            f"FROM mentions WHERE {sql} ORDER BY published DESC",
            params,
        )
        matched = 0
        found: list[tuple[Any, str, str]] = []
        while True:
            chunk = res.fetchmany(CONFIRM_CHUNK)
            if not chunk:
                break
            for pub, src, head, body, title, author, handle, lang, url, norm in chunk:
                doc = MatchDoc(
                    text=body or "", title=title or "", author=author or "",
                    author_handle=handle or "", source=src or "", lang=lang or "",
                    url=url or "",
                )  # fmt: skip
                if query.matches_prepared(prepare(doc, text_norm=norm)):
                    matched += 1
                    if len(found) < samples:
                        found.append((pub, src, head))
        return Backtest(matched, total, found)
    finally:
        cur.close()
