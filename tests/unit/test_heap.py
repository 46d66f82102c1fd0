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
        assert gc.get_freeze_count() == frozen
        heap.freeze_long_lived("tone warm-up")  # another moment: what was made since
        assert gc.get_freeze_count() >= frozen + len(made_since)
    finally:
        gc.unfreeze()  # the rest of the test session collects as usual
