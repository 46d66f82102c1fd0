"""Bulk inserts with dedupe, and keyset paging on 100k rows."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pytest

from engage_desktop.inbox.pager import MentionPager, MentionQuery, insert_mentions
from engage_desktop.workspace.database import Workspace
from tests.conftest import new_workspace


def synthetic(n: int, start: int = 0, seed: int = 1) -> pa.Table:
    rng = np.random.default_rng(seed)
    base = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    # Many equal timestamps on purpose: paging must break ties by id.
    ts = (base + rng.integers(0, n // 3 + 1, n) * 60.0) * 1e6
    return pa.table(
        {
            "item_key": [f"item-{i}" for i in range(start, start + n)],
            "channel": ["blog"] * n,
            "text": [f"post {i}" for i in range(start, start + n)],
            "text_norm": [f"post {i}" for i in range(start, start + n)],
            "published": pa.array(ts.astype("int64"), pa.timestamp("us", tz="UTC")),
            "followers": rng.integers(0, 10_000, n),
            "priority": np.where(rng.random(n) < 0.1, np.nan, rng.random(n)),
        }
    )


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "big.engage"
    with new_workspace(path) as ws:
        assert insert_mentions(ws, synthetic(100_000)) == 100_000
    return path


def test_insert_ignores_items_already_stored(tmp_path):
    with new_workspace(tmp_path / "a.engage") as ws:
        assert insert_mentions(ws, synthetic(50)) == 50
        assert insert_mentions(ws, synthetic(80)) == 30
        assert ws.scalar("SELECT count(*) FROM mentions") == 80
        assert ws.scalar("SELECT count(DISTINCT id) FROM mentions") == 80
        assert ws.scalar("SELECT min(status) FROM mentions") == "new"


@pytest.mark.parametrize("sort", ["time", "oldest", "priority", "reach", "sentiment"])
def test_pages_match_a_full_sort(big, sort):
    with Workspace.open(big, read_only=True) as ws:
        pager = MentionPager(ws, MentionQuery(sort=sort), page_size=500)
        key = {
            "time": "epoch_us(published) DESC, id DESC",
            "oldest": "epoch_us(published) ASC, id ASC",
            "priority": "coalesce(priority, -1e300) DESC, id DESC",
            "reach": "coalesce(followers, -1) DESC, id DESC",
            "sentiment": "coalesce(sentiment, 1e300) ASC, id ASC",
        }[sort]
        expected = [
            r[0] for r in ws.cursor().execute(f"SELECT id FROM mentions ORDER BY {key}").fetchall()
        ]
        assert pager.count() == 100_000
        for index in (0, 1, 499, 500, 12_345, 50_000, 99_999):
            assert pager.row(index)[0] == expected[index], index
        assert pager.page(200) == []
        pager.close()


def test_filtered_paging_and_cache_is_bounded(big):
    with Workspace.open(big, read_only=True) as ws:
        # About a tenth of the rows pass: ~50 pages, far more than the 4 cached (each
        # page is a top-N over the whole table, so more pages only cost time).
        pager = MentionPager(
            ws, MentionQuery("followers >= ?", (9000,)), page_size=200, cache_pages=4
        )
        expected = [
            r[0]
            for r in ws.cursor()
            .execute(
                "SELECT id FROM mentions WHERE followers >= 9000 "
                "ORDER BY epoch_us(published) DESC, id DESC"
            )
            .fetchall()
        ]
        assert pager.count() == len(expected) > 10 * 200  # pages well past the cache
        seen = [pager.row(i)[0] for i in range(0, len(expected), 97)]
        assert seen == expected[::97]
        assert len(pager._pages) <= 4
        pager.close()


def test_a_fetch_batch_with_one_topic_past_the_type_sample_is_stored(tmp_path):
    """Lists as objects: a topic first seen after DuckDB's 1,000-row sample still lands."""
    from engage_desktop.listen.insert import InsertRules, column_table
    from engage_desktop.listen.insert import insert_mentions as insert_batch

    n = 3000
    columns = {
        "item_key": [f"k{i}" for i in range(n)],
        "channel": ["blog"] * n,
        "text": [f"post {i}" for i in range(n)],
        "text_norm": [f"post {i}" for i in range(n)],
        "published": [1_767_225_600_000_000 + i for i in range(n)],
        "topics": [[] for _ in range(n)],
        "matched_queries": [[] for _ in range(n)],
    }
    columns["topics"][2501] = ["refunds"]
    columns["matched_queries"][2501] = [7]
    with new_workspace(tmp_path / "w.engage") as ws:
        with ws.write() as cur:
            ids = insert_batch(cur, column_table(columns), InsertRules.of(ws), skip_known=True)
        assert len(ids) == n
        rows = ws.cursor().execute(
            "SELECT item_key, topics, matched_queries FROM mentions WHERE len(topics) > 0"
        ).fetchall()
    assert rows == [("k2501", ["refunds"], [7])]
