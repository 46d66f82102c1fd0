"""Worker processes yield the CPU only when the process shows a window."""

from __future__ import annotations

import os
import subprocess
import sys

from engage_desktop.core import priority


def test_workers_keep_their_priority_without_a_window_and_yield_with_one(monkeypatch):
    monkeypatch.setattr(priority, "_window", False)
    interval = sys.getswitchinterval()
    assert priority.worker_nice() == 0
    try:
        priority.serve_window()
        assert priority.worker_nice() == priority.WORKER_NICE > 0
        assert sys.getswitchinterval() == min(interval, priority.WINDOW_SWITCH_INTERVAL_S)
    finally:
        sys.setswitchinterval(interval)  # the rest of the test run keeps Python's default


def test_a_worker_lowers_its_own_priority_and_nothing_else():
    ours = os.nice(0)
    code = (
        "import os; from engage_desktop.core.priority import lower_priority; "
        "before = os.nice(0); lower_priority(3); lower_priority(0); print(os.nice(0) - before)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    # Niceness stops at 19: a test run that is itself niced sees less than 3.
    assert done.stdout.strip() == str(min(3, 19 - ours))
    assert os.nice(0) == ours  # this process was not touched
