"""Background steps wait while the GUI thread is busy, and never for long."""

from __future__ import annotations

import threading
import time

from engage_desktop.core import foreground
from engage_desktop.core.foreground import foreground_busy, foreground_is_busy, make_way


def _waiting() -> int:
    """Threads blocked in make_way now (the busy flag's waiters)."""
    return len(foreground._idle._cond._waiters)  # type: ignore[attr-defined]


def _until(condition) -> None:
    end = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < end
        time.sleep(0.001)


def test_a_background_step_waits_for_the_busy_spell_to_end(monkeypatch):
    monkeypatch.setattr(foreground, "MOST_BUSY_S", 60.0)  # only the spell's end frees it
    monkeypatch.setattr(foreground, "MOST_WAIT_S", 60.0)
    ended: list[float] = []
    with foreground_busy():
        with foreground_busy():  # nested: still one spell
            assert foreground_is_busy()
        assert foreground_is_busy()
        worker = threading.Thread(target=lambda: (make_way(), ended.append(time.monotonic())))
        worker.start()
        _until(lambda: _waiting() == 1)  # held back
        make_way()  # the busy thread itself never waits for itself
        left_at = time.monotonic()
    worker.join(30)
    assert not foreground_is_busy()
    assert ended and ended[0] >= left_at


def test_a_long_spell_holds_nothing_back(monkeypatch):
    monkeypatch.setattr(foreground, "MOST_BUSY_S", 0.0)  # a dialog's event loop, say
    done = []
    with foreground_busy():
        worker = threading.Thread(target=lambda: (make_way(), done.append(True)))
        worker.start()
        worker.join(30)
        assert done  # it did not wait for the spell's end
    make_way()  # no window busy: at once
