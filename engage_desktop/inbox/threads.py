"""The one thread model: the conversation a mention belongs to.

Channels tell us a conversation in two ways: Bluesky and the demo give each post its
thread's root (``thread_id``) and its parent (``parent_id``); Mastodon and Hacker
News give only the parent. A thread is every stored mention of the same channel that
shares the mention's root, plus the post it answers and the posts answering it. Where
a channel names no root, that is the mention's neighbourhood (its parent, itself and
the answers to it): walking a whole parent chain would cost a scan per level. The
inbox's detail pane and the composer both show :func:`thread`, so they never
disagree about a mention.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engage_desktop.workspace.database import Workspace

#: At most this many posts of a conversation are shown (the oldest first).
THREAD_LIMIT = 50

_POSTS = """
SELECT id, coalesce(author_name, author_handle) AS who, author_name, author_handle,
       text, left(text, 240) AS snippet, published, remote_id, parent_id
FROM mentions
WHERE channel = ? AND (thread_id = ? OR remote_id = ? OR remote_id = ? OR parent_id = ?)
ORDER BY published, id
LIMIT ?
"""


@dataclass(frozen=True)
class Thread:
    """A mention's conversation.

    Attributes:
        mention_id: The mention it was asked for.
        posts: The conversation's mentions, oldest first, the mention included; each
            has ``id``, ``who``, ``author_name``, ``author_handle``, ``text``,
            ``snippet``, ``published``, ``remote_id`` and ``parent_id``. Empty when
            the mention is alone.
        replies: What we answered to any of the posts, oldest first (``mention_id``,
            ``who``, ``text``, ``sent_at``).
    """

    mention_id: int
    posts: list[dict[str, Any]] = field(default_factory=list)
    replies: list[dict[str, Any]] = field(default_factory=list)

    @property
    def post_ids(self) -> list[int]:
        """The ids of the conversation's mentions, oldest first."""
        return [int(p["id"]) for p in self.posts]

    @property
    def parent(self) -> dict[str, Any] | None:
        """The post the mention answers, when we have it."""
        me = self._me()
        if me is None or not me.get("parent_id"):
            return None
        return next((p for p in self.posts if p.get("remote_id") == me["parent_id"]), None)

    @property
    def answers(self) -> list[dict[str, Any]]:
        """The posts that answer the mention, oldest first."""
        me = self._me()
        remote = me.get("remote_id") if me is not None else None
        return [p for p in self.posts if remote and p.get("parent_id") == remote]

    @property
    def others(self) -> list[dict[str, Any]]:
        """Every post but the mention itself, oldest first."""
        return [p for p in self.posts if p["id"] != self.mention_id]

    def items(self) -> list[dict[str, Any]]:
        """Posts and our replies in one list, oldest first, for a conversation view.

        Each item has ``kind`` ("mention" or "reply"), ``id`` (a reply's is the
        mention it answers), ``who``, ``text`` and ``at``.
        """
        items = [
            {"kind": "mention", "id": p["id"], "who": p["who"], "text": p["text"],
             "at": p["published"]}
            for p in self.posts
        ] + [
            {"kind": "reply", "id": r["mention_id"], "who": r["who"], "text": r["text"],
             "at": r["sent_at"]}
            for r in self.replies
        ]  # fmt: skip
        return sorted(items, key=lambda i: (i["at"], i["kind"] == "reply"))

    def _me(self) -> dict[str, Any] | None:
        return next((p for p in self.posts if p["id"] == self.mention_id), None)


def thread(ws: Workspace, mention: dict[str, Any], limit: int = THREAD_LIMIT) -> Thread:
    """The conversation ``mention`` belongs to (see the module docstring).

    Args:
        ws: The workspace.
        mention: The mention's row (``id``, ``channel``, ``remote_id``,
            ``thread_id``, ``parent_id``).
        limit: At most this many posts, the oldest first.

    Returns:
        The thread; its ``posts`` are empty when nothing else of it is stored.
    """
    me = int(mention["id"])
    remote, parent = mention.get("remote_id"), mention.get("parent_id")
    root = mention.get("thread_id") or remote
    if not (root or parent):
        return Thread(me)
    # A NULL compares as unknown, so a missing root, parent or remote id matches nothing.
    posts = ws.rows(_POSTS, [mention["channel"], root, root, parent, remote, int(limit)])
    if not any(p["id"] != me for p in posts):
        return Thread(me)
    replies = ws.rows(
        "SELECT mention_id, coalesce(sent_by, 'us') AS who, body AS text, sent_at "
        "FROM replies WHERE list_contains(?, mention_id) ORDER BY sent_at, id",
        [[p["id"] for p in posts]],
    )
    return Thread(me, posts, replies)
