"""The window's long-lived objects leave the garbage collector's full passes once."""

from __future__ import annotations

import gc

from engage_desktop.core import heap


def test_a_moment_freezes_what_is_alive_once_per_process(monkeypatch):
    monkeypatch.setattr(heap, "_done", set())
    before = gc.get_freeze_count()
    try:
        heap.freeze_long_lived("start-up")
        frozen = gc.get_freeze_count()
        assert frozen > before
        made_since = [[] for _ in range(50)]
        heap.freeze_long_lived("start-up")  # the same moment again: nothing more
        # (Not a count: a frozen object freed meanwhile makes the count drop by one.)
        assert _collectable(made_since)
        heap.freeze_long_lived("tone warm-up")  # another moment: what was made since
        assert not _collectable(made_since)
    finally:
        gc.unfreeze()  # the rest of the test session collects as usual


def _collectable(objects: list) -> bool:
    """Whether every one of ``objects`` is still in the collector's generations.

    ``gc.get_objects()`` lists the three generations, not the frozen (permanent) one.
    """
    ids = {id(o) for o in objects}
    found = {id(o) for o in gc.get_objects() if id(o) in ids}
    return found == ids
