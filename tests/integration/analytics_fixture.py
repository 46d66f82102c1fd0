"""A small hand-built workspace whose dashboard numbers are worked out by hand.

Nine mentions in the week of Monday 2 March 2026 (and one on Monday 9 March), six
more in the week before (for rising terms: resolved without a reply, so they never
wait in the backlog). The expected values in test_analytics.py are derived in the
comments there from this table.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa

from engage_desktop.core.text import mention_norm
from engage_desktop.inbox.pager import insert_mentions
from tests.conftest import new_workspace


def t(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


# id, published, sentiment, label, topics, first reply, status, channel, author id,
# handle, followers, text
OUT = ["Acme", "Outage"]
ROWS = [
    (1, t(2, 9), 0.6, "positive", ["Acme"], t(2, 10), "resolved", "mastodon", 1, "alice", 100),
    (2, t(2, 12), -0.5, "negative", OUT, t(2, 18), "pending", "mastodon", 2, "bob", 1000),
    (3, t(2, 16), 0.0, "neutral", ["AcmePhone"], None, "open", "reddit", 3, "carol", 10),
    (4, t(3, 8), -0.8, "negative", OUT, t(3, 8, 10), "resolved", "reddit", 2, "bob", 1000),
    (5, t(3, 20), 0.4, "positive", ["Rival"], None, "ignored", "blog", 4, "dave", 5000),
    (6, t(4, 10), None, None, ["Acme", "Rival"], t(6, 10), "resolved", "forum", 5, "erin", 50),
    (7, t(9, 11), -0.3, "negative", ["Other"], t(9, 11, 5), "pending", "forum", 2, "bob", 1000),
    (8, t(6, 16), 0.9, "positive", ["Acme"], t(9, 10), "resolved", "mastodon", 1, "alice", 100),
    (9, t(7, 12), 0.02, "neutral", ["Acme"], None, "new", "mastodon", 1, "alice", 100),
]  # fmt: skip
FIRMWARE = {1, 2, 3, 4, 6, 8}  # mentions whose text says "firmware bug"
PREVIOUS = [(20 + i, t(23 + i, 12, month=2)) for i in range(6)]  # 23–28 February


def build(path: Path) -> Path:
    """Write the workspace and return its path."""
    records = []
    for ident, pub, score, label, topics, reply, status, channel, aid, handle, followers in ROWS:
        text = "The firmware bug again, Acme" if ident in FIRMWARE else "Acme support answered"
        records.append(
            {
                "id": ident, "item_key": f"m{ident}", "channel": channel, "text": text,
                "text_norm": mention_norm(None, text), "published": pub, "sentiment": score,
                "sentiment_label": label, "topics": topics, "first_reply_at": reply,
                "status": status, "author_id": aid, "author_handle": handle,
                "author_name": handle.title(), "followers": followers,
                "source_name": f"{channel} source",
            }
        )  # fmt: skip
    for ident, pub in PREVIOUS:
        text = "Great speed on the Acme router"
        records.append(
            {
                "id": ident, "item_key": f"m{ident}", "channel": "blog", "text": text,
                "text_norm": mention_norm(None, text), "published": pub, "sentiment": 0.5,
                "sentiment_label": "positive", "topics": ["Acme"], "first_reply_at": None,
                "status": "resolved", "author_id": 6, "author_handle": "frank",
                "author_name": "Frank", "followers": 1, "source_name": "blog source",
            }
        )  # fmt: skip
    frame = pd.DataFrame.from_records(records)
    for col in ("published", "first_reply_at"):
        frame[col] = pd.to_datetime(frame[col], utc=True)
    with new_workspace(path) as ws:
        with ws.write() as cur:
            for name, kind in (
                ("Acme", "brand"),
                ("AcmePhone", "product"),
                ("Rival", "competitor"),
                ("Other", "competitor"),
                ("Outage", "other"),
            ):
                cur.execute("INSERT INTO topics (name, kind) VALUES (?, ?)", [name, kind])
            for key, value in (("brand.name", "Acme"), ("sla.first_response_hours", 4)):
                cur.execute(
                    "INSERT INTO settings (key, value) VALUES (?, ?)", [key, json.dumps(value)]
                )
        # Through Arrow so missing scores and replies are NULL, not NaN.
        insert_mentions(ws, pa.Table.from_pandas(frame, preserve_index=False))
    return path
