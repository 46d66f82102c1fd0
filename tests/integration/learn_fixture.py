"""A small labelled workspace for the learned-model tests.

Router owners talk in words VADER does not know: "keeps dropping" and "no signal
again" are complaints VADER calls neutral; "rock solid" and "zero dropouts" are
praise it misses or gets wrong. Each text's true label is known, so tests can
teach the model some of them and check it on the rest.
"""

from __future__ import annotations

import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa

from engage_desktop.core.text import mention_norm
from engage_desktop.enrich.pipeline import enrich
from engage_desktop.inbox.pager import insert_mentions
from engage_desktop.workspace.database import Workspace
from tests.conftest import new_workspace

NEGATIVE = [
    "my router keeps dropping the connection",
    "no signal again in the kitchen",
    "the wifi keeps dropping every evening",
    "stuck on boot after the firmware update",
    "no signal again since tuesday",
]
POSITIVE = [
    "the new router is rock solid",
    "zero dropouts since the swap",
    "rock solid connection all week",
    "zero dropouts during the match",
    "setup took two minutes and it is rock solid",
]
NEUTRAL = [
    "ordered a router on tuesday",
    "which router model do you ship in europe",
    "the router arrived in a box",
    "moving the router to the hallway",
    "router firmware version 2.1 is out",
]
TOPICS = ("Router", "Support")
CHANNELS = ("mastodon", "forum", "review")


def labelled_rows(n: int, seed: int = 1) -> list[tuple[str, str]]:
    """``(text, true label)`` pairs, a third of each label, shuffled."""
    rng = random.Random(seed)
    pools = {"negative": NEGATIVE, "positive": POSITIVE, "neutral": NEUTRAL}
    rows = []
    for i in range(n):
        label = ("negative", "positive", "neutral")[i % 3]
        text = f"{rng.choice(pools[label])} (#{i})"
        rows.append((text, label))
    rng.shuffle(rows)
    return rows


def make_workspace(path, n: int = 300, seed: int = 1) -> tuple[Workspace, dict[int, str]]:
    """A scored workspace of ``n`` labelled mentions; returns it and ``{id: true label}``."""
    ws = new_workspace(path)
    rows = labelled_rows(n, seed)
    ids = list(range(1, n + 1))
    now = datetime(2026, 10, 30, tzinfo=UTC)
    table = pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "item_key": [f"learn:{i}" for i in ids],
            "channel": [CHANNELS[i % 3] for i in ids],
            "author_handle": [f"user{i % 17}" for i in ids],
            "author_name": [f"User {i % 17}" for i in ids],
            "text": [t for t, _ in rows],
            "text_norm": [mention_norm(None, t) for t, _ in rows],
            "published": pa.array(
                [now - timedelta(hours=k) for k in range(n)], pa.timestamp("us", tz="UTC")
            ),
            "language": pa.array(["en"] * n, pa.string()),
            "topics": pa.array([[TOPICS[i % 2]] for i in ids], pa.list_(pa.string())),
            "status": ["new"] * n,
        }
    )
    assert insert_mentions(ws, table) == n
    enrich(ws, processes=1)
    return ws, {i: label for i, (_, label) in zip(ids, rows, strict=True)}


def open_copy(template: Path, target: Path) -> Workspace:
    """A private copy of the closed workspace ``template`` at ``target``, opened."""
    shutil.copy2(template, target)
    return Workspace.open(target)
