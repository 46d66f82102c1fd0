"""Shared set-up for the engage tests: a workspace with a Mastodon mention."""

from __future__ import annotations

from engage_desktop.workspace.database import Workspace


def first_mention(ws: Workspace, channel: str) -> int:
    """The id of the oldest mention of a channel in the demo workspace."""
    return int(ws.scalar("SELECT min(id) FROM mentions WHERE channel = ?", [channel]))


def make_bluesky_mention(ws: Workspace, fake, text: str = "my router keeps dropping") -> int:
    """Turn a demo Bluesky mention into one the fake PDS knows (at:// uri and cid)."""
    mention_id = first_mention(ws, "bluesky")
    uri = "at://did:plc:customer/app.bsky.feed.post/3kcustomer1"
    cid = fake.add_post(uri, text)
    with ws.write() as cur:
        cur.execute(
            "UPDATE mentions SET remote_id = ?, remote_cid = ?, thread_id = NULL, "
            "parent_id = NULL WHERE id = ?",
            [uri, cid, mention_id],
        )
    return mention_id
