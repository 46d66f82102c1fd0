"""One thread model and one notes API for the inbox and the composer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest

from engage_desktop.core.errors import InvalidInput
from engage_desktop.inbox import notes, threads
from engage_desktop.inbox.pager import get_mention, insert_mentions
from tests.conftest import new_workspace

# (key, channel, remote_id, thread_id, parent_id): a Mastodon conversation knows only
# parents; a Bluesky one also names its root.
POSTS = [
    ("m1", "mastodon", "100", None, None),
    ("m2", "mastodon", "101", None, "100"),
    ("m3", "mastodon", "102", None, "101"),
    ("m4", "mastodon", "200", None, None),  # another conversation
    ("b1", "bluesky", "at://r", "at://r", None),
    ("b2", "bluesky", "at://s", "at://r", "at://r"),
    ("b3", "bluesky", "at://t", "at://r", "at://s"),
    ("b4", "bluesky", "at://u", "at://r", "at://r"),
]


@pytest.fixture
def ws(tmp_path):
    ws = new_workspace(tmp_path / "threads.engage")
    start = datetime(2026, 3, 1, tzinfo=UTC)
    cols = list(zip(*POSTS, strict=True))
    insert_mentions(
        ws,
        pa.table(
            {
                "id": list(range(1, len(POSTS) + 1)),
                "item_key": cols[0],
                "channel": cols[1],
                "remote_id": cols[2],
                "thread_id": pa.array(cols[3], pa.string()),
                "parent_id": pa.array(cols[4], pa.string()),
                "author_name": [f"Person {k}" for k in cols[0]],
                "text": [f"post {k}" for k in cols[0]],
                "text_norm": [f"post {k}" for k in cols[0]],
                "published": pa.array(
                    [start + timedelta(minutes=i) for i in range(len(POSTS))],
                    pa.timestamp("us", tz="UTC"),
                ),
            }
        ),
    )
    yield ws
    ws.close()


def _keys(ws, ids):
    return [k for (k,) in ws.tuples(
        "SELECT item_key FROM mentions WHERE id IN (SELECT unnest(?::BIGINT[])) ORDER BY id",
        [ids])]  # fmt: skip


def test_without_a_root_a_thread_is_parent_self_and_answers(ws):
    middle = threads.thread(ws, get_mention(ws, 2))
    assert _keys(ws, middle.post_ids) == ["m1", "m2", "m3"]
    assert middle.parent["id"] == 1 and [p["id"] for p in middle.answers] == [3]
    assert [p["id"] for p in middle.others] == [1, 3]
    assert threads.thread(ws, get_mention(ws, 1)).post_ids == [1, 2]
    last = threads.thread(ws, get_mention(ws, 3))
    assert last.post_ids == [2, 3] and last.parent["id"] == 2 and last.answers == []
    # Another conversation of the channel stays out; a lone post has no thread.
    assert threads.thread(ws, get_mention(ws, 4)).posts == []


def test_a_thread_with_a_root_is_every_post_under_it(ws):
    for mid in (5, 6, 7, 8):
        found = threads.thread(ws, get_mention(ws, mid))
        assert _keys(ws, found.post_ids) == ["b1", "b2", "b3", "b4"]
    deep = threads.thread(ws, get_mention(ws, 7))
    assert deep.parent["id"] == 6 and deep.answers == []
    items = deep.items()
    assert [i["kind"] for i in items] == ["mention"] * 4 and items[2]["id"] == 7


def test_notes_have_one_api_and_one_audit_row(ws):
    first = notes.add_note(ws, "  Called twice  ", mention_id=2)
    notes.add_note(ws, "VIP", author_id=9)
    assert [n["body"] for n in notes.mention_notes(ws, 2)] == ["Called twice"]
    assert [n["body"] for n in notes.author_notes(ws, 9)] == ["VIP"]
    rows = ws.tuples(
        "SELECT entity, entity_id, new_value, detail FROM events WHERE action = 'note' ORDER BY id"
    )
    assert [(r[0], str(r[1]), r[2]) for r in rows] == [
        ("mention", "2", "Called twice"), ("author", "9", "VIP")]  # fmt: skip
    assert str(first) in str(rows[0][3])
    with pytest.raises(InvalidInput, match="cannot be empty"):
        notes.add_note(ws, "   ", mention_id=2)
    with pytest.raises(ValueError):
        notes.add_note(ws, "where?")
