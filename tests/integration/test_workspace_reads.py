"""The workspace's read helpers and the reads that issue 17 made cheaper."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyarrow as pa

from engage_desktop.inbox.conversation import author_history
from engage_desktop.inbox.pager import insert_mentions
from engage_desktop.listen.source_store import list_watch_queries
from engage_desktop.workspace.database import Workspace
from tests.conftest import new_workspace


def _workspace(tmp_path) -> Workspace:
    ws = new_workspace(tmp_path / "reads.engage")
    start = datetime(2026, 3, 1, tzinfo=UTC)
    # Mention i matched queries 1 and 2 when i is even, query 2 when i % 3 == 0,
    # and one row lists query 1 twice (it must still count once).
    matched = [[1, 2] if i % 2 == 0 else ([2] if i % 3 == 0 else []) for i in range(30)]
    matched[1] = [1, 1]
    table = pa.table(
        {
            "id": list(range(1, 31)),
            "item_key": [f"k{i}" for i in range(30)],
            "channel": ["mastodon"] * 30,
            "text": [f"text {i}" for i in range(30)],
            "text_norm": [f"text {i}" for i in range(30)],
            "published": [start + timedelta(hours=i) for i in range(30)],
            "author_id": [7 if i < 10 else 8 for i in range(30)],
            "matched_queries": pa.array(matched, type=pa.list_(pa.int32())),
        }
    )
    insert_mentions(ws, table)
    with ws.write() as cur:
        cur.execute("INSERT INTO topics (name, kind) VALUES ('Acme', 'brand')")
        for qid, name in ((1, "acme"), (2, "router"), (3, "never")):
            cur.execute(
                "INSERT INTO watch_queries (id, name, topic, query) VALUES (?, ?, 'Acme', ?)",
                [qid, name, name],
            )
        for mention_id, hours, body in ((6, 1, "first"), (6, 2, "second"), (5, 1, "only")):
            cur.execute(
                "INSERT INTO replies (mention_id, channel, body, sent_by, sent_at) "
                "VALUES (?, 'mastodon', ?, 'ann', ?)",
                [mention_id, body, start + timedelta(days=2, hours=hours)],
            )
    return ws


def test_read_helpers_return_rows_one_and_values(tmp_path):
    with _workspace(tmp_path) as ws:
        rows = ws.rows("SELECT id, text FROM mentions WHERE id <= ? ORDER BY id", [2])
        assert rows == [{"id": 1, "text": "text 0"}, {"id": 2, "text": "text 1"}]
        assert ws.one("SELECT id FROM mentions WHERE id = 99") is None
        assert ws.one("SELECT count(*) AS n FROM mentions") == {"n": 30}
        assert ws.values("SELECT id FROM mentions WHERE id < 4 ORDER BY id") == [1, 2, 3]
        assert ws.scalar("SELECT max(id) FROM mentions") == 30
        assert ws.scalar("SELECT id FROM mentions WHERE false") is None


def test_watch_query_counts_equal_a_count_per_query(tmp_path):
    with _workspace(tmp_path) as ws:
        listed = {q["id"]: q["matched"] for q in list_watch_queries(ws)}
        expected = {
            qid: ws.scalar(
                "SELECT count(*) FROM mentions WHERE list_contains(matched_queries, ?)", [qid]
            )
            for qid in (1, 2, 3)
        }
        assert listed == expected
        assert expected == {1: 16, 2: 20, 3: 0}


def test_author_history_is_the_authors_latest_with_our_last_reply(tmp_path):
    with _workspace(tmp_path) as ws:
        mention = ws.one("SELECT * FROM mentions WHERE id = 10")
        history = author_history(ws, mention)
        assert [h["id"] for h in history] == [9, 8, 7, 6, 5, 4]  # newest first, not itself
        by_id = {h["id"]: h for h in history}
        assert by_id[5]["reply"] == "only"
        assert by_id[4]["reply"] is None
        assert by_id[6]["reply"] == "second"  # our latest reply
        other = ws.one("SELECT * FROM mentions WHERE id = 1")
        assert [h["id"] for h in author_history(ws, other)][:3] == [10, 9, 8]
