"""The cost of a search's own query (its count and first page), outside any window.

Shared by ``benchmarks/inbox.py`` and ``benchmarks/responsiveness.py``: CPU time,
which the machine's load disturbs much less than a window's wall-clock figure
(DuckDB's threads count in the process CPU time).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path


def search_query_times(
    path: Path, searches: Sequence[str], *, sort: str = "time", rounds: int = 1
) -> tuple[list[float], list[float]]:
    """CPU and wall milliseconds of each search's count and first page, alone.

    Args:
        path: The workspace (opened here; nothing else may hold it).
        searches: Search texts, each timed once per round.
        sort: The inbox sort the searches are shown in.
        rounds: How many times the whole list is timed.
    """
    from engage_desktop.inbox.filters import InboxFilter, to_query
    from engage_desktop.inbox.pager import MentionPager
    from engage_desktop.workspace.database import Workspace

    cpu, wall = [], []
    with Workspace.open(path) as ws:
        for _ in range(rounds):
            for text in searches:
                query = to_query(InboxFilter(search=text, sort=sort), ws.actor)
                start, start_cpu = time.perf_counter(), time.process_time()
                pager = MentionPager(ws, query)
                pager.count()
                pager.page(0)
                cpu.append((time.process_time() - start_cpu) * 1000)
                wall.append((time.perf_counter() - start) * 1000)
                pager.close()
    return cpu, wall
