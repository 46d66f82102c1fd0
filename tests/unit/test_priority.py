"""Worker processes yield the CPU only when the process shows a window."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

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
    code = (
        "import os; from engage_desktop.core.priority import lower_priority; "
        "before = os.nice(0); lower_priority(3); lower_priority(0); print(os.nice(0) - before)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "3"
    assert os.nice(0) == os.nice(0)  # this process was not touched


def _nice_of(tid: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, tid)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread niceness is Linux's")
def test_a_background_thread_lowers_itself_and_the_threads_it_starts_not_the_process():
    main_before = _nice_of(threading.get_native_id())
    seen: dict[str, int] = {}

    def background() -> None:
        before = _nice_of(threading.get_native_id())
        seen["lowered"] = priority.lower_thread_priority(2)
        seen["by"] = _nice_of(threading.get_native_id()) - before
        child = threading.Thread(
            target=lambda: seen.update(child=_nice_of(threading.get_native_id()))
        )
        child.start()
        child.join()
        seen["child"] -= before
        seen["zero"] = priority.lower_thread_priority(0)

    thread = threading.Thread(target=background)
    thread.start()
    thread.join()
    assert seen == {"lowered": True, "by": 2, "child": 2, "zero": False}
    assert _nice_of(threading.get_native_id()) == main_before  # the caller's thread kept its own
